/**
 * Whether Netatmo's webhook is delivering: pushes arrived recently (the activation ping counts).
 * While it does, the events feed polls slowly, as a safety net; when pushes stop for
 * `quietMs`, or a poll finds an event no push brought (a push went missing), polling returns to
 * its normal rate at once. Quiet homes send no pushes either, so a quiet webhook is not trusted:
 * polling is what it falls back to.
 */
import type { Clock } from '../util/clock.js';

/** Pushes count as flowing for this long after the last one. */
export const DEFAULT_PUSH_QUIET_MS = 30 * 60_000;

export class PushActivity {
  readonly #clock: Clock;
  readonly #quietMs: number;
  readonly #listeners = new Set<(active: boolean) => void>();
  #lastPushAt: number | undefined;
  #active = false;
  #cancelTimer: (() => void) | undefined;
  #pushes = 0;

  constructor(clock: Clock, quietMs = DEFAULT_PUSH_QUIET_MS) {
    this.#clock = clock;
    this.#quietMs = quietMs;
  }

  get active(): boolean {
    return this.#active;
  }

  /** Pushes received since start. */
  get pushes(): number {
    return this.#pushes;
  }

  /** Calls `listener(active)` when pushes start or stop flowing; returns the unsubscribe function. */
  onChange(listener: (active: boolean) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** A signed push arrived. */
  pushed(): void {
    this.#pushes += 1;
    this.#lastPushAt = this.#clock.now();
    this.#cancelTimer?.();
    this.#cancelTimer = this.#clock.schedule(this.#quietMs, () => this.#set(false));
    this.#set(true);
  }

  /** A poll found an event that was due to be pushed and was not: the webhook is not delivering. */
  missed(): void {
    this.#cancelTimer?.();
    this.#cancelTimer = undefined;
    this.#set(false);
  }

  /** Epoch ms of the last push, if any. */
  get lastPushAt(): number | undefined {
    return this.#lastPushAt;
  }

  stop(): void {
    this.#cancelTimer?.();
    this.#cancelTimer = undefined;
  }

  #set(active: boolean): void {
    if (this.#active === active) return;
    this.#active = active;
    for (const listener of this.#listeners) listener(active);
  }
}
