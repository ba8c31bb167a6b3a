/**
 * Caps on commands sent to Netatmo per sliding minute, so that a runaway automation cannot burn
 * the account's quota: one cap per device (a loop flipping one plug does not slow the others)
 * and one across all devices (a flood spread over many devices, e.g. an MQTT client publishing
 * to every `<base>/+/set`, cannot spend the whole hourly budget in minutes). A storm is reported
 * once when it starts (the caller emits the event and logs the line); it ends when a whole
 * minute passes without a refusal of its kind. A refusal says when a command fits again.
 */
import type { Clock } from '../util/clock.js';
import { SlidingWindow } from '../util/sliding-window.js';

const MINUTE_MS = 60_000;

export type StormScope = 'device' | 'global';

export type StormVerdict =
  | { allowed: true }
  /** `startsStorm`: the first refusal of a new storm, to be reported once. */
  | { allowed: false; scope: StormScope; startsStorm: boolean; dropped: number; retryAt: number };

/** Refusals of one kind, for reporting a storm once. */
class Storm {
  #lastRefusal: number | undefined;
  #dropped = 0;

  refuse(now: number): { startsStorm: boolean; dropped: number } {
    const startsStorm = this.#lastRefusal === undefined || now - this.#lastRefusal >= MINUTE_MS;
    if (startsStorm) this.#dropped = 0;
    this.#lastRefusal = now;
    this.#dropped += 1;
    return { startsStorm, dropped: this.#dropped };
  }
}

interface Cap {
  window: SlidingWindow;
  storm: Storm;
}

const newCap = (limit: number): Cap => ({ window: new SlidingWindow(limit, MINUTE_MS), storm: new Storm() });

export class StormGuard {
  readonly #clock: Clock;
  readonly #capPerMinute: number;
  readonly #global: Cap;
  /** Keyed by validated device ids only, so bounded by the number of devices. */
  readonly #devices = new Map<string, Cap>();

  constructor(options: { clock: Clock; capPerMinute: number; globalCapPerMinute: number }) {
    this.#clock = options.clock;
    this.#capPerMinute = options.capPerMinute;
    this.#global = newCap(options.globalCapPerMinute);
  }

  /** The per-device cap. */
  get capPerMinute(): number {
    return this.#capPerMinute;
  }

  get globalCapPerMinute(): number {
    return this.#global.window.limit;
  }

  /** Counts one command for `device` when it fits under both caps. */
  take(device: string): StormVerdict {
    const now = this.#clock.now();
    let own = this.#devices.get(device);
    if (!own) {
      own = newCap(this.#capPerMinute);
      this.#devices.set(device, own);
    }
    for (const [scope, cap] of [
      ['device', own],
      ['global', this.#global],
    ] as const) {
      const check = cap.window.check(now);
      if (!check.allowed) {
        return { allowed: false, scope, ...cap.storm.refuse(now), retryAt: check.retryAt ?? now + MINUTE_MS };
      }
    }
    own.window.take(now);
    this.#global.window.take(now);
    return { allowed: true };
  }
}
