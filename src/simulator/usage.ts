/**
 * Who used the app how much: requests, throttles and peak sliding-window counts per app and per
 * user, on the simulator clock (GET /__sim/stats `app` and `users`). A bench asserts
 * `peak_10s <= limits.per10s`: the peaks count every request a user made, throttled ones too,
 * so an over-use cannot hide behind the throttles it caused.
 */
import type { QuotaWindows } from '../netatmo/quota.js';
import { SlidingWindow } from '../util/sliding-window.js';
import type { AppUsage, UserUsage } from './types.js';

const TEN_SECONDS = 10_000;
const HOUR = 3_600_000;

/** The largest number of events seen in any window of `windowMs` (`(t - windowMs, t]`, as the quota counts). */
class PeakWindow {
  readonly #window: SlidingWindow;
  peak = 0;

  constructor(windowMs: number) {
    this.#window = new SlidingWindow(Number.POSITIVE_INFINITY, windowMs);
  }

  add(at: number): void {
    this.#window.take(at);
    this.peak = Math.max(this.peak, this.#window.count(at));
  }
}

class Counter {
  requests = 0;
  throttled = 0;
  readonly #tenSeconds = new PeakWindow(TEN_SECONDS);
  readonly #hour = new PeakWindow(HOUR);

  request(at: number, throttled: boolean): void {
    this.requests++;
    if (throttled) this.throttled++;
    this.#tenSeconds.add(at);
    this.#hour.add(at);
  }

  get peaks(): { peak_10s: number; peak_hour: number } {
    return { peak_10s: this.#tenSeconds.peak, peak_hour: this.#hour.peak };
  }
}

interface UserCounter {
  counter: Counter;
  token_refreshes: number;
  invalid_grant: number;
}

export class UsageRecorder {
  #app = new Counter();
  #appLimitThrottled = 0;
  #users = new Map<string, UserCounter>();

  constructor(
    private readonly users: readonly string[],
    private readonly appLimits: QuotaWindows,
  ) {
    this.reset();
  }

  /** One API request of `user` that got past authentication; `throttled`: which full window refused it. */
  request(user: string, at: number, throttled: 'user' | 'app' | undefined): void {
    this.#app.request(at, throttled !== undefined);
    if (throttled === 'app') this.#appLimitThrottled++;
    this.#user(user).counter.request(at, throttled !== undefined);
  }

  refreshed(user: string): void {
    this.#user(user).token_refreshes++;
  }

  invalidGrant(user: string): void {
    this.#user(user).invalid_grant++;
  }

  app(): AppUsage {
    return {
      requests: this.#app.requests,
      throttled: this.#app.throttled,
      throttled_by_app_limit: this.#appLimitThrottled,
      ...this.#app.peaks,
      limits: { ...this.appLimits },
    };
  }

  byUser(): Record<string, UserUsage> {
    const out: Record<string, UserUsage> = {};
    for (const [name, u] of this.#users) {
      out[name] = {
        requests: u.counter.requests,
        throttled: u.counter.throttled,
        ...u.counter.peaks,
        token_refreshes: u.token_refreshes,
        invalid_grant: u.invalid_grant,
      };
    }
    return out;
  }

  reset(): void {
    this.#app = new Counter();
    this.#appLimitThrottled = 0;
    this.#users = new Map(
      this.users.map((name) => [name, { counter: new Counter(), token_refreshes: 0, invalid_grant: 0 }]),
    );
  }

  #user(name: string): UserCounter {
    const user = this.#users.get(name);
    if (!user) throw new Error(`unknown user '${name}'`);
    return user;
  }
}
