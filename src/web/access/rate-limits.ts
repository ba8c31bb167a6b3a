/**
 * Rate limits of the web UI, so a script cannot guess the password nor use the UI to hammer
 * Netatmo's token endpoint: failed logins per address (5 a minute) and for everyone together
 * (30 a minute: many addresses cannot share out the guessing), and the actions that reach
 * Netatmo (connect, callback, pasted address, pasted token) per session and per address.
 */
import type { Clock } from '../../util/clock.js';
import { KeyedSlidingWindows, type WindowVerdict } from '../../util/sliding-window.js';

const MINUTE_MS = 60_000;
const ALL = '*';

export class WebRateLimits {
  readonly #clock: Clock;
  readonly #loginPerAddress = new KeyedSlidingWindows({ limit: 5, windowMs: MINUTE_MS });
  readonly #loginOverall = new KeyedSlidingWindows({ limit: 30, windowMs: MINUTE_MS, maxKeys: 1 });
  readonly #netatmoPerSession = new KeyedSlidingWindows({ limit: 6, windowMs: MINUTE_MS });
  readonly #netatmoPerAddress = new KeyedSlidingWindows({ limit: 12, windowMs: MINUTE_MS });

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  /** Whether a login attempt from `address` may be checked at all now. */
  loginAllowed(address: string): WindowVerdict {
    const now = this.#clock.now();
    return later(this.#loginPerAddress.check(address, now), this.#loginOverall.check(ALL, now));
  }

  /** Counts a failed login. */
  loginFailed(address: string): void {
    const now = this.#clock.now();
    this.#loginPerAddress.take(address, now);
    this.#loginOverall.take(ALL, now);
  }

  /** Counts an action that reaches Netatmo when it fits under both limits. */
  netatmoAction(session: string, address: string): WindowVerdict {
    const now = this.#clock.now();
    const verdict = later(
      this.#netatmoPerSession.check(session, now),
      this.#netatmoPerAddress.check(address, now),
    );
    if (verdict.allowed) {
      this.#netatmoPerSession.take(session, now);
      this.#netatmoPerAddress.take(address, now);
    }
    return verdict;
  }
}

/** Refused if either refuses, retrying when both allow again. */
function later(a: WindowVerdict, b: WindowVerdict): WindowVerdict {
  if (a.allowed && b.allowed) return { allowed: true };
  return { allowed: false, retryAt: Math.max(a.retryAt ?? 0, b.retryAt ?? 0) };
}
