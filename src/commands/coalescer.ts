/**
 * Per-key coalescing of commands (key = device + attributes). A slider in Home Assistant sends
 * many values per second: the first value of a burst goes out at once (no added latency for a
 * single click), later ones replace each other and ONE trailing value goes out once the burst
 * has been quiet for the window (last write wins). A burst that never pauses still sends its
 * latest value every `maxWaitMs`.
 */
import type { Clock } from '../util/clock.js';

export interface CoalescerOptions<T> {
  clock: Clock;
  windowMs: number;
  /** Longest a value waits while a burst goes on. Default 4 × windowMs. */
  maxWaitMs?: number;
  send(key: string, item: T): void;
  /** A pending value replaced by a newer one: it will never be sent. */
  superseded(key: string, item: T): void;
}

interface KeyState<T> {
  lastArrival: number;
  pending?: T;
  pendingSince?: number;
  cancel?: () => void;
}

export class Coalescer<T> {
  readonly #o: CoalescerOptions<T>;
  readonly #maxWaitMs: number;
  readonly #keys = new Map<string, KeyState<T>>();

  constructor(options: CoalescerOptions<T>) {
    this.#o = options;
    this.#maxWaitMs = options.maxWaitMs ?? options.windowMs * 4;
  }

  /** Sends `item` now or holds it as the key's trailing value; returns which. */
  submit(key: string, item: T): 'sent' | 'deferred' {
    const now = this.#o.clock.now();
    const state = this.#keys.get(key);
    if (!state || (state.pending === undefined && now - state.lastArrival >= this.#o.windowMs)) {
      this.#keys.set(key, { lastArrival: now });
      this.#o.send(key, item);
      this.#forgetLater(key);
      return 'sent';
    }
    if (state.pending !== undefined) this.#o.superseded(key, state.pending);
    state.pending = item;
    state.pendingSince ??= now;
    state.lastArrival = now;
    state.cancel?.();
    const due = Math.min(now + this.#o.windowMs, state.pendingSince + this.#maxWaitMs);
    state.cancel = this.#o.clock.schedule(due - now, () => this.#flush(key));
    return 'deferred';
  }

  /** The value waiting to be sent for `key`, if any. */
  pending(key: string): T | undefined {
    return this.#keys.get(key)?.pending;
  }

  /** Drops every pending value and timer. */
  stop(): void {
    for (const state of this.#keys.values()) state.cancel?.();
    this.#keys.clear();
  }

  #flush(key: string): void {
    const state = this.#keys.get(key);
    if (!state || state.pending === undefined) return;
    const item = state.pending;
    state.pending = undefined;
    state.pendingSince = undefined;
    state.cancel = undefined;
    this.#o.send(key, item);
    this.#forgetLater(key);
  }

  /** Keys with nothing pending are dropped once their window has passed, so the map stays small. */
  #forgetLater(key: string): void {
    const state = this.#keys.get(key);
    if (!state) return;
    state.cancel = this.#o.clock.schedule(this.#o.windowMs, () => {
      const current = this.#keys.get(key);
      if (current === state && current.pending === undefined) this.#keys.delete(key);
    });
  }
}
