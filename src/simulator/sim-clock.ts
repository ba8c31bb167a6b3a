import type { Clock } from '../util/clock.js';

/**
 * The simulator's clock: a base clock plus an offset that POST /__sim/clock moves forward,
 * so tests can jump simulated time without waiting.
 */
export class OffsetClock implements Clock {
  #offset = 0;

  constructor(private readonly base: Clock) {}

  advance(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0)
      throw new RangeError(`advance must be a non-negative number, got ${ms}`);
    this.#offset += ms;
  }

  now(): number {
    return this.base.now() + this.#offset;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return this.base.sleep(ms, signal);
  }

  schedule(ms: number, fn: () => void): () => void {
    return this.base.schedule(ms, fn);
  }
}
