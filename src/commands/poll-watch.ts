/**
 * Watches what the poller delivers, on behalf of the command layer: therm schedule ids by name
 * (a home's `schedule` command carries a name) and the confirmation of optimistic states. When
 * the first poll after a command disagrees with what the command should have done, Netatmo's
 * value wins (DeviceSync applies it) and the mismatch is logged once.
 */
import { thermSchedules } from '../devices/build.js';
import { deviceStates } from '../devices/state.js';
import type { Device, DeviceState } from '../devices/types.js';
import { childLogger } from '../log.js';
import type { HomeStatusBody, HomesDataBody } from '../netatmo/api-types.js';
import type { PollerSinks } from '../poller/ports.js';
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

export class PollWatch {
  readonly #clock: Clock;
  readonly #devices: () => Device[];
  readonly #schedules = new Map<string, Map<string, string>>();
  readonly #expectations = new Map<string, Expectation>();
  /** Confirmations that disagreed, for tests and health. */
  mismatches = 0;

  constructor(options: { clock: Clock; devices: () => Device[] }) {
    this.#clock = options.clock;
    this.#devices = options.devices;
  }

  /** Wraps the poller's sinks: everything still reaches them, and this watch sees it too. */
  observe(sinks: PollerSinks): PollerSinks {
    const observed: PollerSinks = {
      onTopology: (body) => {
        sinks.onTopology(body);
        this.#onTopology(body);
      },
      onHomeStatus: (homeId, body) => {
        sinks.onHomeStatus(homeId, body);
        this.#onHomeStatus(homeId, body);
      },
      onStations: (body) => sinks.onStations(body),
      onHomeCoachs: (body) => sinks.onHomeCoachs(body),
    };
    if (sinks.onPublisherError) observed.onPublisherError = sinks.onPublisherError.bind(sinks);
    if (sinks.onAvailability) observed.onAvailability = sinks.onAvailability.bind(sinks);
    return observed;
  }

  scheduleId(homeId: string, name: string): string | undefined {
    return this.#schedules.get(homeId)?.get(name);
  }

  /** Remembers what a successful command should leave on `deviceId`, for the next poll to confirm. */
  expect(deviceId: string, homeId: string, expected: DeviceState): void {
    if (Object.keys(expected).length === 0) return;
    const previous = this.#expectations.get(deviceId);
    const merged = previous ? { ...previous.expected, ...expected } : expected;
    this.#expectations.set(deviceId, { homeId, expected: merged, at: this.#clock.now() });
  }

  #onTopology(body: HomesDataBody): void {
    for (const home of body.homes) {
      this.#schedules.set(home.id, new Map(thermSchedules(home).map((s) => [s.name, s.id])));
    }
  }

  #onHomeStatus(homeId: string, body: HomeStatusBody): void {
    const now = this.#clock.now();
    const due = [...this.#expectations].filter(([, e]) => e.homeId === homeId);
    if (due.length === 0) return;
    const devices = this.#devices().filter((d) => this.#expectations.has(d.id) && d.homeId === homeId);
    const states = deviceStates(devices, { homeStatus: body });
    for (const [deviceId, expectation] of due) {
      if (now - expectation.at > EXPECTATION_TTL_MS) {
        this.#expectations.delete(deviceId);
        continue;
      }
      const reported = states.get(deviceId);
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
