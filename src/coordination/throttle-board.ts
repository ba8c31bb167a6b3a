/**
 * The throttle windows the accounts of this process share. Netatmo's answer does not say
 * whether a user's or the app's limit was hit, so a throttle is taken as the account's own
 * (per user) until a second account is throttled while the first one's window is open: then
 * it is the app's, and every account waits (the Redis board keeps the same rule in Lua).
 */
import type { ShareVerdict } from '../netatmo/gate/share.js';

export type ThrottleScope = 'user' | 'app';

interface Window {
  until: number;
  reason: string;
}

export class ThrottleBoard {
  readonly #users = new Map<string, Window>();
  #app: Window | undefined;

  /** Records a throttle of `account` until `until`; returns whose limit it is taken to be. */
  open(account: string, until: number, reason: string, now: number): ThrottleScope {
    const othersThrottled = [...this.#users].some(([name, w]) => name !== account && w.until > now);
    const target = othersThrottled ? 'app' : 'user';
    const current = target === 'app' ? this.#app : this.#users.get(account);
    if (!current || current.until < until) {
      if (target === 'app') this.#app = { until, reason: `${reason}; app-wide` };
      else this.#users.set(account, { until, reason });
    }
    return target;
  }

  /** The window `account` must wait for now, as a refusal; undefined when none is open. */
  refusal(account: string, now: number): ShareVerdict | undefined {
    const user = this.#users.get(account);
    const app = this.#app;
    const open = [user, app].filter((w): w is Window => w !== undefined && w.until > now);
    if (open.length === 0) return undefined;
    const longest = open.reduce((a, b) => (b.until > a.until ? b : a));
    return { ok: false, retryAt: longest.until, throttle: longest.reason };
  }
}
