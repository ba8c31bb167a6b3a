/**
 * Per-device coalescing of commands. A slider in Home Assistant sends many values per second:
 * the first command of a burst goes out at once (no added latency for a single click), later
 * ones wait and go out together once the device has been quiet for the window. A waiting
 * command is replaced by a newer one that sets any of the same attributes (last write wins),
 * and what is left goes out in arrival order, so the last intent for a device wins across
 * attribute sets: `{"state":"OFF"}` after `{"state":"ON","brightness":60}` leaves the light off,
 * and a `brightness` waiting before an OFF is sent before it. A burst that never pauses still
 * sends every `maxWaitMs`.
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

interface Waiting<T> {
  item: T;
  attributes: readonly string[];
}

interface KeyState<T> {
  lastArrival: number;
  /** Commands waiting to be sent, oldest first. */
  pending: Waiting<T>[];
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

  /**
   * Sends `item` (a command for device `key` setting `attributes`) now, or holds it until the
   * device is quiet; returns which.
   */
  submit(key: string, item: T, attributes: readonly string[]): 'sent' | 'deferred' {
    const now = this.#o.clock.now();
    const state = this.#keys.get(key);
    if (!state || (state.pending.length === 0 && now - state.lastArrival >= this.#o.windowMs)) {
      this.#keys.set(key, { lastArrival: now, pending: [] });
      this.#o.send(key, item);
      this.#forgetLater(key);
      return 'sent';
    }
    const kept: Waiting<T>[] = [];
    for (const waiting of state.pending) {
      if (waiting.attributes.some((a) => attributes.includes(a))) this.#o.superseded(key, waiting.item);
      else kept.push(waiting);
    }
    state.pending = [...kept, { item, attributes }];
    state.pendingSince ??= now;
    state.lastArrival = now;
    state.cancel?.();
    const due = Math.min(now + this.#o.windowMs, state.pendingSince + this.#maxWaitMs);
    state.cancel = this.#o.clock.schedule(due - now, () => this.#flush(key));
    return 'deferred';
  }

  /** The newest command waiting to be sent for `key`, if any. */
  pending(key: string): T | undefined {
    return this.#keys.get(key)?.pending.at(-1)?.item;
  }

  /** Drops every pending value and timer. */
  stop(): void {
    for (const state of this.#keys.values()) state.cancel?.();
    this.#keys.clear();
  }

  #flush(key: string): void {
    const state = this.#keys.get(key);
    if (!state || state.pending.length === 0) return;
    const due = state.pending;
    state.pending = [];
    state.pendingSince = undefined;
    state.cancel = undefined;
    for (const waiting of due) this.#o.send(key, waiting.item);
    this.#forgetLater(key);
  }

  /** Keys with nothing pending are dropped once their window has passed, so the map stays small. */
  #forgetLater(key: string): void {
    const state = this.#keys.get(key);
    if (!state) return;
    state.cancel = this.#o.clock.schedule(this.#o.windowMs, () => {
      const current = this.#keys.get(key);
      if (current === state && current.pending.length === 0) this.#keys.delete(key);
    });
  }
}
