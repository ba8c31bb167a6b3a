/**
 * The persisted Netatmo token pair and the contract every token store implements.
 *
 * Netatmo rotates the refresh token on every refresh and invalidates the previous pair,
 * so a store's one job is to never lose the newest pair: saves are atomic, and a store
 * that cannot read what it holds says so instead of pretending to be empty.
 */
import { BridgeError } from '../errors.js';
import { setSecretSlot } from '../util/redact.js';

export interface StoredToken {
  access_token: string;
  refresh_token: string;
  /** ISO 8601. Stored absolute so a restart does not extend the token's life. */
  expires_at: string;
  scope?: string[];
  /** ISO 8601: when this pair was issued (the newest pair has the latest time). */
  obtained_at: string;
}

export interface TokenStore {
  /** The stored pair, or undefined when the store is empty. Throws TokenStoreError when unreadable. */
  load(): Promise<StoredToken | undefined>;
  /** Persists the pair durably; resolves only once it would survive a crash. */
  save(token: StoredToken): Promise<void>;
  /** Where the token lives, for messages (never the token itself). */
  describe(): string;
  /**
   * Stores a rotated pair only while the store still holds the pair whose refresh token it
   * replaced (or nothing): a store shared by processes offers it, so a process that lost a race
   * can never overwrite a newer pair. Throws TokenStoreError('conflict') otherwise.
   */
  replace?(previousRefreshToken: string, token: StoredToken): Promise<void>;
}

export type TokenStoreErrorKind = 'corrupt' | 'unreadable' | 'write_failed' | 'conflict';

export class TokenStoreError extends BridgeError {
  readonly kind: TokenStoreErrorKind;
  /** The file or key the error is about. */
  readonly location: string;

  constructor(kind: TokenStoreErrorKind, location: string, message: string, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.kind = kind;
    this.location = location;
  }
}

function nonEmptyString(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0;
}

function isoDate(value: unknown): value is string {
  return typeof value === 'string' && !Number.isNaN(Date.parse(value));
}

/**
 * Validates a parsed value as a StoredToken. Returns a reason string when it is not one,
 * so callers can name what is wrong without echoing any secret.
 */
export function checkStoredToken(value: unknown): StoredToken | string {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return 'not a JSON object';
  const record = value as Record<string, unknown>;
  if (!nonEmptyString(record.access_token)) return 'access_token is missing or empty';
  if (!nonEmptyString(record.refresh_token)) return 'refresh_token is missing or empty';
  if (!isoDate(record.expires_at)) return 'expires_at is not a date';
  if (!isoDate(record.obtained_at)) return 'obtained_at is not a date';
  const scope = record.scope;
  if (scope !== undefined && !(Array.isArray(scope) && scope.every((s) => typeof s === 'string'))) {
    return 'scope is not a list of strings';
  }
  return {
    access_token: record.access_token,
    refresh_token: record.refresh_token,
    expires_at: record.expires_at,
    obtained_at: record.obtained_at,
    ...(scope === undefined ? {} : { scope: scope as string[] }),
  };
}

/** Epoch ms of the token's expiry. */
export function expiresAtMs(token: StoredToken): number {
  return Date.parse(token.expires_at);
}

/**
 * Makes this pair the one redacted everywhere, replacing the previous pair of its account: a
 * token is a secret once Netatmo has issued or accepted it, and stops being searched for once
 * it rotated out. `account` names the account's slot (its store's description), so the pairs
 * of several accounts are all redacted.
 */
export function markCurrentToken(
  token: Pick<StoredToken, 'access_token' | 'refresh_token'>,
  account = '',
): void {
  setSecretSlot(`netatmo-token ${account}`, [token.access_token, token.refresh_token]);
}
