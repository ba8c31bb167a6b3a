/**
 * Per-device cap on commands sent to Netatmo per sliding minute, so that a runaway automation
 * flipping one device cannot burn the account's quota. Other devices are not affected. A storm
 * is reported once when it starts (the caller emits the event and logs the line); it ends when
 * a whole minute passes without a refused command.
 */
import type { Clock } from '../util/clock.js';

const MINUTE_MS = 60_000;

export type StormVerdict =
  | { allowed: true }
  /** `startsStorm`: the first refusal of a new storm, to be reported once. */
  | { allowed: false; startsStorm: boolean; dropped: number };

interface DeviceWindow {
  sent: number[];
  lastRefusal?: number;
  dropped: number;
}

export class StormGuard {
  readonly #clock: Clock;
  readonly #capPerMinute: number;
  readonly #devices = new Map<string, DeviceWindow>();

  constructor(options: { clock: Clock; capPerMinute: number }) {
    this.#clock = options.clock;
    this.#capPerMinute = options.capPerMinute;
  }

  get capPerMinute(): number {
    return this.#capPerMinute;
  }

  /** Counts one command for `device` when it fits under the cap. */
  take(device: string): StormVerdict {
    const now = this.#clock.now();
    const window = this.#window(device, now);
    if (window.sent.length < this.#capPerMinute) {
      window.sent.push(now);
      return { allowed: true };
    }
    const startsStorm = window.lastRefusal === undefined || now - window.lastRefusal >= MINUTE_MS;
    if (startsStorm) window.dropped = 0;
    window.lastRefusal = now;
    window.dropped += 1;
    return { allowed: false, startsStorm, dropped: window.dropped };
  }

  #window(device: string, now: number): DeviceWindow {
    let window = this.#devices.get(device);
    if (!window) {
      window = { sent: [], dropped: 0 };
      this.#devices.set(device, window);
    }
    while (window.sent.length > 0 && window.sent[0]! <= now - MINUTE_MS) window.sent.shift();
    return window;
  }
}
