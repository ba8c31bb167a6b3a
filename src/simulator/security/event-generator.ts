/**
 * A scripted stream of security events for benchmarks: in every home with security devices,
 * events arrive as a Poisson process on the simulator clock, their types drawn from a weighted
 * mix (types no device of the home can send are skipped). Alarms clear and opened door tags
 * close again after `clearAfterMs`. Seeded: the same options give the same events. Off unless
 * started (option `eventGenerator` or POST /__sim/events/generator).
 */
import type { Clock } from '../../util/clock.js';
import { SeededRandom } from '../random.js';
import type { World } from '../world/world.js';
import { type SecurityDevice, securityDevices } from './devices.js';
import type { EventSpec } from './event-builder.js';
import { EVENT_KINDS, OUTDOOR_SUBEVENTS, type OutdoorSubevent } from './event-types.js';
import { knownPersons } from './persons.js';

export interface EventGeneratorOptions {
  /** Mean simulated ms between two events in one home. Default 10 minutes. */
  everyMs?: number;
  /** Relative weight per event type. Default: mostly camera detections, some door and doorbell, rare alarms. */
  mix?: Record<string, number>;
  seed?: number;
  /** Simulated ms after which a smoke/CO alarm or siren clears and an opened door tag closes. Default 60 s. */
  clearAfterMs?: number;
}

export interface GeneratorStatus {
  running: boolean;
  every_ms?: number;
  mix?: Record<string, number>;
  raised: number;
}

export const DEFAULT_MIX: Readonly<Record<string, number>> = {
  movement: 30,
  person: 15,
  outdoor: 25,
  tag_open: 10,
  tag_big_move: 3,
  incoming_call: 3,
  connection: 2,
  disconnection: 2,
  smoke: 1,
  co_detected: 1,
  siren_sounding: 1,
  sound_test: 1,
};

/** Alarms that clear with the same type and sub_type 0. */
const CLEARING = new Set(['smoke', 'co_detected', 'siren_sounding']);

/** What the generator asks for: raise `spec`; for a door tag, close it after `closesAfterMs`. */
export type RaiseFn = (spec: EventSpec, closesAfterMs?: number) => void;

export class EventGenerator {
  readonly #world: World;
  readonly #clock: Clock;
  readonly #raise: RaiseFn;
  readonly #cancels = new Set<() => void>();
  #options: Required<EventGeneratorOptions> | undefined;
  #random = new SeededRandom(1);
  #raised = 0;

  constructor(world: World, clock: Clock, raise: RaiseFn) {
    this.#world = world;
    this.#clock = clock;
    this.#raise = raise;
  }

  /** Starts (or restarts with new options). Throws a RangeError for bad options. */
  start(options: EventGeneratorOptions = {}): void {
    const checked = checkOptions(options);
    this.stop();
    this.#options = checked;
    this.#random = new SeededRandom(checked.seed);
    const byHome = new Map<string, SecurityDevice[]>();
    for (const device of securityDevices(this.#world)) {
      byHome.set(device.homeId, [...(byHome.get(device.homeId) ?? []), device]);
    }
    for (const devices of byHome.values()) this.#arm(devices);
  }

  stop(): void {
    for (const cancel of this.#cancels) cancel();
    this.#cancels.clear();
    this.#options = undefined;
  }

  status(): GeneratorStatus {
    const o = this.#options;
    return o
      ? { running: true, every_ms: o.everyMs, mix: { ...o.mix }, raised: this.#raised }
      : { running: false, raised: this.#raised };
  }

  #later(ms: number, action: () => void): void {
    const cancel = this.#clock.schedule(ms, () => {
      this.#cancels.delete(cancel);
      action();
    });
    this.#cancels.add(cancel);
  }

  #arm(devices: SecurityDevice[]): void {
    const options = this.#options;
    if (!options) return;
    // Poisson arrivals: exponential gaps.
    const gap = -Math.log(1 - this.#random.next()) * options.everyMs;
    this.#later(gap, () => {
      this.#fire(devices, options);
      this.#arm(devices);
    });
  }

  #fire(devices: SecurityDevice[], options: Required<EventGeneratorOptions>): void {
    const choices = Object.entries(options.mix).flatMap(([type, weight]) => {
      const senders = devices.filter((d) => EVENT_KINDS[type]?.devices.includes(d.type));
      const usable = type === 'person' ? senders.filter((d) => knownPersons(d.home).length > 0) : senders;
      return usable.length > 0 && weight > 0 ? [{ type, weight, senders: usable }] : [];
    });
    const total = choices.reduce((sum, c) => sum + c.weight, 0);
    const draw = this.#random.next() * total;
    let cumulative = 0;
    const choice =
      choices.find((c) => {
        cumulative += c.weight;
        return draw < cumulative;
      }) ?? choices.at(-1);
    if (!choice) return;
    const device = this.#pick(choice.senders);
    if (!device) return;
    const spec: EventSpec = { device, type: choice.type };
    if (choice.type === 'person') {
      const person = this.#pick(knownPersons(device.home));
      if (person) spec.personIds = [person.id];
    }
    if (choice.type === 'outdoor') {
      const subevents = OUTDOOR_SUBEVENTS.filter(() => this.#random.next() < 0.5);
      spec.subevents =
        subevents.length > 0 ? [...subevents] : [this.#pick([...OUTDOOR_SUBEVENTS]) as OutdoorSubevent];
    }
    this.#raised++;
    this.#raise(spec, choice.type === 'tag_open' ? options.clearAfterMs : undefined);
    if (CLEARING.has(choice.type)) {
      this.#later(options.clearAfterMs, () => {
        this.#raised++;
        this.#raise({ device, type: choice.type, subType: 0 });
      });
    }
  }

  #pick<T>(items: readonly T[]): T | undefined {
    return items[Math.floor(this.#random.next() * items.length)];
  }
}

function checkOptions(options: EventGeneratorOptions): Required<EventGeneratorOptions> {
  const everyMs = options.everyMs ?? 600_000;
  const clearAfterMs = options.clearAfterMs ?? 60_000;
  const seed = options.seed ?? 1;
  for (const [name, ms] of [
    ['everyMs', everyMs],
    ['clearAfterMs', clearAfterMs],
  ] as const) {
    if (!(typeof ms === 'number' && Number.isFinite(ms) && ms > 0))
      throw new RangeError(`event generator ${name} must be a number > 0, got ${String(ms)}`);
  }
  if (!Number.isInteger(seed))
    throw new RangeError(`event generator seed must be an integer, got ${String(seed)}`);
  const mix = options.mix ?? DEFAULT_MIX;
  if (typeof mix !== 'object' || mix === null || Array.isArray(mix))
    throw new RangeError('event generator mix must be an object');
  for (const [type, weight] of Object.entries(mix)) {
    if (!EVENT_KINDS[type])
      throw new RangeError(
        `event generator mix: unknown event type '${type}'; one of ${Object.keys(EVENT_KINDS).join(', ')}`,
      );
    if (!(typeof weight === 'number' && Number.isFinite(weight) && weight >= 0))
      throw new RangeError(`event generator mix: weight of ${type} must be a number >= 0`);
  }
  return { everyMs, clearAfterMs, seed, mix: { ...mix } };
}
