/**
 * Netatmo's rate limits as sliding windows on the simulator clock: per user (or per access
 * token, in `per-token` mode) and per app, Netatmo's documented figures by default
 * (DEFAULT_LIMITS, from src/netatmo/quota.ts).
 */
import type { Clock } from '../util/clock.js';
import type { QuotaMode, RateLimits, ThrottleDialect } from './types.js';

const TEN_SECONDS = 10_000;
const HOUR = 3_600_000;

/** `window`: which limit was full (`app` when the app's is, whatever the user's). */
export type QuotaVerdict =
  | { allowed: true }
  | { allowed: false; retryAfterSec: number; window: 'user' | 'app' };

export class QuotaTracker {
  readonly #calls = new Map<string, number[]>();

  constructor(
    private readonly clock: Clock,
    private readonly limits: RateLimits,
    public mode: QuotaMode,
  ) {}

  /** Checks and, when allowed, counts one call. Throttled calls are not counted. */
  take(userKey: string, tokenKey: string, appKey: string): QuotaVerdict {
    const now = this.clock.now();
    const subject = this.mode === 'per-token' ? `token:${tokenKey}` : `user:${userKey}`;
    const app = `app:${appKey}`;
    const userWait = Math.max(
      this.#waitFor(subject, now, TEN_SECONDS, this.limits.userPer10s),
      this.#waitFor(subject, now, HOUR, this.limits.userPerHour),
    );
    const appWait = Math.max(
      this.#waitFor(app, now, TEN_SECONDS, this.limits.appPer10s),
      this.#waitFor(app, now, HOUR, this.limits.appPerHour),
    );
    const wait = Math.max(userWait, appWait);
    if (wait > 0) {
      const retryAfterSec = Math.max(1, Math.ceil(wait / 1000));
      return { allowed: false, retryAfterSec, window: appWait > 0 ? 'app' : 'user' };
    }
    // Both subjects are always counted so that switching the mode at run time keeps history.
    for (const key of [`token:${tokenKey}`, `user:${userKey}`, app]) this.#list(key).push(now);
    return { allowed: true };
  }

  /** ms until one more call fits in the window, 0 if it fits now. */
  #waitFor(key: string, now: number, windowMs: number, limit: number): number {
    const calls = this.#list(key);
    while (calls.length > 0 && calls[0]! <= now - HOUR) calls.shift();
    let inWindow = 0;
    for (let i = calls.length - 1; i >= 0 && calls[i]! > now - windowMs; i--) inWindow++;
    if (inWindow < limit) return 0;
    // The call that must leave the window for one more to fit.
    const blocking = calls[calls.length - limit]!;
    return blocking + windowMs - now;
  }

  #list(key: string): number[] {
    let list = this.#calls.get(key);
    if (!list) {
      list = [];
      this.#calls.set(key, list);
    }
    return list;
  }
}

export interface ThrottleAnswer {
  status: number;
  body: { error: { code: number; message: string } };
  headers: Record<string, string>;
}

/** How Netatmo says "too many requests" in each dialect it has used. */
export function throttleAnswer(dialect: ThrottleDialect, retryAfterSec?: number): ThrottleAnswer {
  const headers: Record<string, string> = {};
  if (dialect === 'waf') {
    headers['retry-after'] = String(retryAfterSec ?? 1);
    return {
      status: 429,
      body: { error: { code: 11, message: 'Failed to enter concurrency limited section' } },
      headers,
    };
  }
  if (retryAfterSec !== undefined) headers['retry-after'] = String(retryAfterSec);
  if (dialect === '403')
    return { status: 403, body: { error: { code: 26, message: 'User usage reached' } }, headers };
  return { status: 429, body: { error: { code: 26, message: 'Maximum api usage reached' } }, headers };
}
