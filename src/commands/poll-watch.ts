/**
 * Confirms optimistic states (it listens to the StateStore): when the first homestatus read of a
 * home after a command disagrees with what the command should have done, Netatmo's value wins
 * (it is what the store now holds and publishes) and the mismatch is logged once.
 */
import type { DeviceState } from '../devices/types.js';
import { childLogger } from '../log.js';
import type { AppliedStates, StoreListener } from '../state/state-store.js';
import type { Clock } from '../util/clock.js';

const log = childLogger('commands');

/** A poll must start this long after a command was accepted to count as its confirmation. */
const MIN_CONFIRM_AGE_MS = 1_000;
/** Expectations nobody confirmed are dropped after this long. */
const EXPECTATION_TTL_MS = 15 * 60_000;

interface Expectation {
  homeId: string;
  expected: DeviceState;
  at: number;
}

export class PollWatch implements StoreListener {
  readonly #clock: Clock;
  readonly #expectations = new Map<string, Expectation>();
  /** Confirmations that disagreed, for tests and health. */
  mismatches = 0;

  constructor(options: { clock: Clock }) {
    this.#clock = options.clock;
  }

  /** Remembers what a successful command should leave on `deviceId`, for the next poll to confirm. */
  expect(deviceId: string, homeId: string, expected: DeviceState): void {
    if (Object.keys(expected).length === 0) return;
    const previous = this.#expectations.get(deviceId);
    const merged = previous ? { ...previous.expected, ...expected } : expected;
    this.#expectations.set(deviceId, { homeId, expected: merged, at: this.#clock.now() });
  }

  statesApplied(applied: AppliedStates): void {
    const homeId = applied.origin.kind === 'poll' ? applied.origin.homeId : undefined;
    if (homeId === undefined) return;
    const now = this.#clock.now();
    for (const [deviceId, expectation] of [...this.#expectations]) {
      if (expectation.homeId !== homeId) continue;
      if (now - expectation.at > EXPECTATION_TTL_MS) {
        this.#expectations.delete(deviceId);
        continue;
      }
      const reported = applied.partials.get(deviceId);
      if (!reported || now - expectation.at < MIN_CONFIRM_AGE_MS) continue;
      this.#expectations.delete(deviceId);
      const differing = Object.entries(expectation.expected).filter(
        ([key, value]) => key in reported && reported[key] !== value,
      );
      if (differing.length === 0) continue;
      this.mismatches += 1;
      const what = differing
        .map(([key, value]) => `${key}=${JSON.stringify(reported[key])} (sent ${JSON.stringify(value)})`)
        .join(', ');
      log.warning(`${deviceId}: Netatmo reports ${what} after the command; publishing Netatmo's value`);
    }
  }
}
