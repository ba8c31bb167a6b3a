/**
 * A real-time clock whose time can also jump forward. Command latency is measured in real
 * time (a scaled clock would turn 1 ms of wall time into seconds of deadlines and batching
 * windows), but 1000 commands need hours of Netatmo quota: the benchmark jumps the clock
 * between commands so the quota windows refill, while each command runs at real speed.
 *
 * Timers run on wall time: one scheduled before a jump fires later, in simulated time, than
 * asked. Everything that uses a Clock re-checks `now()` when it wakes, so that only delays it.
 */
import { type Clock, sleepOn } from '../../src/util/clock.js';

export class SteppedClock implements Clock {
  #offset = 0;

  now(): number {
    return Date.now() + this.#offset;
  }

  /** Moves simulated time forward by `ms` at once. */
  advance(ms: number): void {
    if (!(ms >= 0)) throw new RangeError(`a clock only moves forward, got ${ms} ms`);
    this.#offset += ms;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return sleepOn(this, ms, signal);
  }

  schedule(ms: number, fn: () => void): () => void {
    const timer = setTimeout(fn, Math.max(0, ms));
    return () => clearTimeout(timer);
  }
}
