/**
 * The lock NetatmoAuth holds around a token refresh when several processes share the
 * account's token (coordination). Inside it the auth re-reads the store first: another
 * process may have refreshed while this one waited.
 */
export interface RefreshLock {
  /**
   * Runs `fn` while holding the account's lock. Waits for it; rejects with a transient
   * NetatmoError when it cannot be taken in time (never runs `fn` without it).
   */
  run<T>(fn: () => Promise<T>): Promise<T>;
}
