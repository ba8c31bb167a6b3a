/**
 * Which token the bridge starts from. The store always wins: the bootstrap refresh token
 * from config is used only while the store is empty, because after the first refresh
 * Netatmo has rotated it away (and config is often read-only, so it cannot be updated).
 */
import { registerSecret } from '../util/redact.js';
import type { StoredToken, TokenStore } from './stored-token.js';

export type InitialToken =
  | { source: 'store'; token: StoredToken }
  | { source: 'bootstrap'; refreshToken: string }
  | { source: 'none' };

/** Throws the store's error when it holds something unreadable: never falls back silently. */
export async function resolveInitialToken(
  store: TokenStore,
  bootstrapRefreshToken?: string,
): Promise<InitialToken> {
  const stored = await store.load();
  if (stored) return { source: 'store', token: stored };
  const bootstrap = bootstrapRefreshToken?.trim();
  if (bootstrap) {
    registerSecret(bootstrap);
    return { source: 'bootstrap', refreshToken: bootstrap };
  }
  return { source: 'none' };
}
