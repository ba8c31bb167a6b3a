/**
 * A test clock that runs at `speed` × wall time and can jump forward: advance(ms) moves
 * now() and fires every scheduled callback that became due, so a gate's throttle-window
 * timer and the simulator's quota windows move together.
 */
import { type Clock, sleepOn } from '../../src/util/clock.js';

interface Pending {
  dueAt: number;
  fn: () => void;
  timer: NodeJS.Timeout | undefined;
}

export class JumpClock implements Clock {
  readonly #speed: number;
  readonly #wallOrigin = Date.now();
  readonly #origin: number;
  #offset = 0;
  readonly #pending = new Set<Pending>();

  constructor(speed = 1, origin = Date.now()) {
    this.#speed = speed;
    this.#origin = origin;
  }

  now(): number {
    return this.#origin + (Date.now() - this.#wallOrigin) * this.#speed + this.#offset;
  }

  advance(ms: number): void {
    this.#offset += ms;
    for (const entry of [...this.#pending]) this.#arm(entry);
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return sleepOn(this, ms, signal);
  }

  schedule(ms: number, fn: () => void): () => void {
    const entry: Pending = { dueAt: this.now() + Math.max(0, ms), fn, timer: undefined };
    this.#pending.add(entry);
    this.#arm(entry);
    return () => {
      clearTimeout(entry.timer);
      this.#pending.delete(entry);
    };
  }

  #arm(entry: Pending): void {
    clearTimeout(entry.timer);
    const wait = Math.max(0, (entry.dueAt - this.now()) / this.#speed);
    entry.timer = setTimeout(() => {
      this.#pending.delete(entry);
      entry.fn();
    }, wait);
  }
}
