/**
 * Time source shared by every time-dependent part (gate, auth, poller, simulator).
 *
 * Production uses the system clock. Tests and benchmarks inject a clock so that
 * one simulated hour can pass in a minute of wall time while the same code paths run.
 */
export interface Clock {
  /** Milliseconds since the epoch, in this clock's time. */
  now(): number;
  /** Resolves after `ms` of this clock's time; rejects with the signal's reason when aborted. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  /** Calls `fn` after `ms` of this clock's time. The returned function cancels it. */
  schedule(ms: number, fn: () => void): () => void;
}

/**
 * `Clock.sleep` for any clock, built on its `schedule`: every clock implementation (scaled,
 * stepped, virtual) sleeps the same way and honours an abort signal the same way.
 */
export function sleepOn(clock: Pick<Clock, 'schedule'>, ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = (): void => {
      cancel();
      reject(signal?.reason);
    };
    const cancel = clock.schedule(ms, () => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    });
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Real-time clock that runs `speed` times faster than wall time (1 = real time). */
export class ScaledClock implements Clock {
  readonly #origin: number;
  readonly #wallOrigin: number;
  readonly #speed: number;

  constructor(speed = 1, origin = Date.now()) {
    if (!(speed > 0)) throw new RangeError(`clock speed must be > 0, got ${speed}`);
    this.#speed = speed;
    this.#origin = origin;
    this.#wallOrigin = Date.now();
  }

  get speed(): number {
    return this.#speed;
  }

  now(): number {
    return this.#origin + (Date.now() - this.#wallOrigin) * this.#speed;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return sleepOn(this, ms, signal);
  }

  schedule(ms: number, fn: () => void): () => void {
    const timer = setTimeout(fn, Math.max(0, ms) / this.#speed);
    return () => clearTimeout(timer);
  }
}

/** The wall clock. */
export const systemClock: Clock = new ScaledClock(1);
