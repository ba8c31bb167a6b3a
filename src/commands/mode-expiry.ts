/**
 * A home's away or frost-guard mode with an end time lasts until then, and Netatmo shows the
 * home back on its schedule only in homesdata, which the bridge reads every few hours: without
 * a read at the end time, the home would show `away` for hours after it ended. So the bridge
 * reads the topology again just after the end time, once per home (a newer thermostat mode
 * replaces the wait).
 */
import type { Clock } from '../util/clock.js';

/** After the end time, so Netatmo has switched the home back. */
const AFTER_END_MS = 30_000;

export class ModeExpiry {
  readonly #clock: Clock;
  readonly #refresh: () => void;
  readonly #pending = new Map<string, () => void>();

  constructor(clock: Clock, refreshTopology: () => void) {
    this.#clock = clock;
    this.#refresh = refreshTopology;
  }

  /** The home's mode ends at `endSec` (epoch s), or (undefined) has no end: forget any earlier one. */
  modeSet(homeId: string, endSec: number | undefined): void {
    this.#pending.get(homeId)?.();
    this.#pending.delete(homeId);
    if (endSec === undefined) return;
    const cancel = this.#clock.schedule(Math.max(0, endSec * 1000 - this.#clock.now()) + AFTER_END_MS, () => {
      this.#pending.delete(homeId);
      this.#refresh();
    });
    this.#pending.set(homeId, cancel);
  }

  stop(): void {
    for (const cancel of this.#pending.values()) cancel();
    this.#pending.clear();
  }
}
