/**
 * Sliding-window counters: at most `limit` events in any `windowMs`, judged on an injected
 * clock. One window (the command storm guard's global cap) or one per key with a bounded
 * number of keys (per device, per browser session, per address), so a flood of new keys
 * costs a fixed amount of memory.
 */

export interface WindowVerdict {
  allowed: boolean;
  /** Epoch ms when the next event would fit again (when refused). */
  retryAt?: number;
}

export class SlidingWindow {
  readonly limit: number;
  readonly windowMs: number;
  readonly #times: number[] = [];

  constructor(limit: number, windowMs: number) {
    this.limit = limit;
    this.windowMs = windowMs;
  }

  /** Counts one event at `now` when it fits. */
  take(now: number): WindowVerdict {
    const check = this.check(now);
    if (check.allowed) this.#times.push(now);
    return check;
  }

  /** Whether one more event fits at `now`, without counting it. */
  check(now: number): WindowVerdict {
    this.#slide(now);
    if (this.#times.length < this.limit) return { allowed: true };
    return { allowed: false, retryAt: this.#times[0]! + this.windowMs };
  }

  /** Events within the window ending at `now`. */
  count(now: number): number {
    this.#slide(now);
    return this.#times.length;
  }

  #slide(now: number): void {
    let expired = 0;
    while (expired < this.#times.length && this.#times[expired]! <= now - this.windowMs) expired++;
    if (expired > 0) this.#times.splice(0, expired);
  }
}

/** One SlidingWindow per key; beyond `maxKeys` the least recently used key is forgotten. */
export class KeyedSlidingWindows {
  readonly #limit: number;
  readonly #windowMs: number;
  readonly #maxKeys: number;
  readonly #windows = new Map<string, SlidingWindow>();

  constructor(options: { limit: number; windowMs: number; maxKeys?: number }) {
    this.#limit = options.limit;
    this.#windowMs = options.windowMs;
    this.#maxKeys = options.maxKeys ?? 1024;
  }

  get limit(): number {
    return this.#limit;
  }

  take(key: string, now: number): WindowVerdict {
    return this.#window(key).take(now);
  }

  check(key: string, now: number): WindowVerdict {
    return this.#windows.get(key)?.check(now) ?? { allowed: true };
  }

  #window(key: string): SlidingWindow {
    let window = this.#windows.get(key);
    if (window) {
      this.#windows.delete(key); // re-inserted last: the map stays in use order
    } else {
      window = new SlidingWindow(this.#limit, this.#windowMs);
      while (this.#windows.size >= this.#maxKeys) {
        const oldest = this.#windows.keys().next().value;
        if (oldest === undefined) break;
        this.#windows.delete(oldest);
      }
    }
    this.#windows.set(key, window);
    return window;
  }
}
