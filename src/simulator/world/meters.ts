/**
 * Every metering module of the world and what it counted, on the simulated clock:
 * - energy meters: every module whose homestatus reports `power` (pyatmo gives every Legrand
 *   switch, dimmer, plug and meter an energy history) plus the legacy NLE ecometer channels,
 *   which report no power. Consumption meters (NLPC, NLPS, NLY, NLE) follow a household load
 *   profile; switched loads and fans draw what their `power` says; a meter with `#n`
 *   sub-modules (NLY phases, NLE channels) counts the sum of its parts.
 * - boilers: NATherm1, OTM and BNS count the seconds `boiler_status` is on, which follows the
 *   heating demand of their room.
 * History starts 7 simulated days before the simulator does, so a first getmeasure has data.
 */

import { localHour } from '../../util/local-time.js';
import type { MeterKindName } from '../device-control-types.js';
import { Accumulator, type PerTariff } from './accumulator.js';
import { dailyShape, jitter, PROFILE_STEP_MS } from './load-profile.js';
import { TariffTimeline } from './tariffs.js';
import type { TrackedEntity } from './values.js';
import type { HomeState, World } from './world.js';

export type MeterKind = MeterKindName;

export const HISTORY_MS = 7 * 86_400_000;
const CONSUMPTION_METERS = new Set(['NLPC', 'NLPS', 'NLY', 'NLE']);
/** Mean draw (W) of a consumption meter that starts at 0 W. */
const DEFAULT_MEAN_W: Record<string, number> = { NLPC: 450, NLPS: 300, NLY: 120, NLE: 80 };
const BOILER_TYPES = new Set(['NATherm1', 'OTM', 'BNS']);
/** Hysteresis of a boiler relay around the room setpoint (°C). */
const BOILER_HYSTERESIS = 0.2;
/** Bound on profile steps replayed by one catch-up (about 170 days); older ones are skipped. */
const MAX_STEPS = 50_000;

/** Buckets overlapping [from, to) are missing from answers until `healAt` (all ms). */
export interface MeterGap {
  from: number;
  to: number;
  healAt?: number;
}

type Driver =
  | { kind: 'profile'; mean: number }
  | { kind: 'follow' }
  | { kind: 'sum'; parts: Meter[] }
  | { kind: 'boiler'; roomId: string | undefined; demand: boolean | undefined };

export class Meter {
  resetAt: number | undefined;
  readonly gaps: MeterGap[] = [];
  pendingDuplicates = 0;
  #base: PerTariff = [0, 0, 0];

  constructor(
    readonly home: HomeState,
    readonly module: TrackedEntity,
    readonly kind: MeterKind,
    readonly acc: Accumulator,
    readonly tariffs: TariffTimeline,
    readonly driver: Driver,
  ) {}

  get id(): string {
    return this.module.id;
  }

  get type(): string {
    return String(this.module.get('type'));
  }

  /** Registers count Wh (energy) or seconds (boiler on-time). */
  get unit(): 'Wh' | 's' {
    return this.kind === 'boiler' ? 's' : 'Wh';
  }

  /** First instant with data: the start of history, or the last reset. */
  get dataStart(): number {
    return Math.max(this.acc.origin, this.resetAt ?? Number.NEGATIVE_INFINITY);
  }

  /** Netatmo forgets what the meter counted: history restarts empty at `at`. */
  reset(at: number): void {
    this.resetAt = at;
    this.#base = this.acc.integral(at);
  }

  /**
   * Whole Wh (or s) counted per tariff since the data start, at `t`. Buckets are differences
   * of these registers, so any run of consecutive buckets adds up to the register difference.
   */
  registers(t: number): PerTariff {
    const raw = this.acc.integral(Math.max(t, this.dataStart));
    const per = this.kind === 'boiler' ? 1000 : 3_600_000;
    return raw.map((v, i) => Math.floor(Math.max(0, v - this.#base[i]!) / per + 1e-9)) as PerTariff;
  }

  /** The register without tariffs (the generic `sum_energy_*` series). */
  total(t: number): number {
    const raw = this.acc.integral(Math.max(t, this.dataStart));
    const per = this.kind === 'boiler' ? 1000 : 3_600_000;
    const sum = raw.reduce((a, v, i) => a + v - this.#base[i]!, 0);
    return Math.floor(Math.max(0, sum) / per + 1e-9);
  }

  /** True when [start, end) overlaps a gap that has not healed by `now` (all ms). */
  hidden(start: number, end: number, now: number): boolean {
    return this.gaps.some((g) => start < g.to && end > g.from && (g.healAt === undefined || now < g.healAt));
  }
}

export class MeterLedger {
  readonly #meters = new Map<string, Meter>();
  #step: number;
  #synced: number;

  constructor(world: World, start: number) {
    const origin = start - HISTORY_MS;
    for (const home of world.homes.values()) this.#discover(home, origin, start);
    // History: the profile from `origin` to `start`, without touching what homestatus shows.
    this.#step = Math.floor(origin / PROFILE_STEP_MS) * PROFILE_STEP_MS;
    this.#runSteps(start, false);
    // At `start` every meter draws exactly what the fixture recorded.
    for (const meter of this.#meters.values()) {
      const power = meter.module.num('power');
      if (meter.driver.kind === 'profile' && power !== undefined) meter.acc.setRate(power, start);
    }
    this.#syncSums(start, false);
    this.#synced = start;
  }

  get(id: string): Meter | undefined {
    return this.#meters.get(id);
  }

  all(): Meter[] {
    return [...this.#meters.values()];
  }

  advance(now: number): void {
    if (now <= this.#synced) return;
    this.#runSteps(now, true);
    for (const meter of this.#meters.values()) {
      if (meter.driver.kind === 'follow') {
        const power = meter.module.num('power') ?? 0;
        meter.acc.setRate(power, this.#changeTime(meter.module, 'power', now));
      } else if (meter.driver.kind === 'boiler') this.#syncBoiler(meter, meter.driver, now);
    }
    this.#syncSums(now);
    this.#synced = now;
  }

  #discover(home: HomeState, origin: number, start: number): void {
    const tariffs = new TariffTimeline(home.topology);
    const energy = [...home.modules.values()].filter(
      (m) => m.num('power') !== undefined || m.get('type') === 'NLE',
    );
    const parentOf = (id: string): string | undefined => (id.includes('#') ? id.split('#')[0] : undefined);
    const split = (from: number, to: number) => tariffs.split(from, to);
    const made = new Map<string, Meter>();
    // Parts first, so a parent can sum them.
    const ordered = [...energy].sort((a, b) => Number(!parentOf(a.id)) - Number(!parentOf(b.id)));
    for (const module of ordered) {
      const type = String(module.get('type'));
      const parts = [...made.values()].filter((m) => parentOf(m.id) === module.id);
      const power = module.num('power');
      let driver: Driver;
      if (parts.length > 0) driver = { kind: 'sum', parts };
      else if (CONSUMPTION_METERS.has(type)) driver = { kind: 'profile', mean: meanOf(module, home, start) };
      else driver = { kind: 'follow' };
      const initial = driver.kind === 'follow' ? (power ?? 0) : 0;
      const kind = type === 'NLE' ? 'legacy_energy' : 'energy';
      const meter = new Meter(home, module, kind, new Accumulator(origin, initial, split), tariffs, driver);
      made.set(module.id, meter);
    }
    for (const [id, meter] of made) this.#meters.set(id, meter);
    const roomOf = new Map((home.topology.modules ?? []).map((m) => [m.id, m.room_id]));
    for (const module of home.modules.values()) {
      if (!BOILER_TYPES.has(String(module.get('type'))) || typeof module.get('boiler_status') !== 'boolean')
        continue;
      // The recorded boiler_status holds until the first catch-up computes the room's demand.
      const driver: Driver = { kind: 'boiler', roomId: roomOf.get(module.id), demand: undefined };
      const rate = module.get('boiler_status') === true ? 1 : 0;
      const acc = new Accumulator(origin, rate, split);
      this.#meters.set(module.id, new Meter(home, module, 'boiler', acc, tariffs, driver));
    }
  }

  /** Replays every 5-minute profile step up to `until`; `render` also updates homestatus `power`. */
  #runSteps(until: number, render: boolean): void {
    let next = this.#step + PROFILE_STEP_MS;
    if ((until - next) / PROFILE_STEP_MS > MAX_STEPS) {
      next = Math.floor(until / PROFILE_STEP_MS) * PROFILE_STEP_MS - MAX_STEPS * PROFILE_STEP_MS;
    }
    const profiled = [...this.#meters.values()].filter((m) => m.driver.kind === 'profile');
    const hours = new Map<string | undefined, number>();
    for (; next <= until; next += PROFILE_STEP_MS) {
      hours.clear();
      for (const meter of profiled) {
        const zone = meter.home.topology.timezone;
        let hour = hours.get(zone);
        if (hour === undefined) {
          hour = localHour(next, zone);
          hours.set(zone, hour);
        }
        const { mean } = meter.driver as { mean: number };
        const rate = mean * dailyShape(hour) * jitter(meter.id, next / PROFILE_STEP_MS);
        meter.acc.setRate(rate, next);
        if (render && meter.module.num('power') !== undefined)
          meter.module.set('power', Math.round(rate), next);
      }
      this.#syncSums(next, render);
      this.#step = next;
    }
  }

  /** A parent meter draws what its parts draw, from the latest change of a part. */
  #syncSums(at: number, render = true): void {
    for (const meter of this.#meters.values()) {
      if (meter.driver.kind !== 'sum') continue;
      const rate = meter.driver.parts.reduce((sum, part) => sum + part.acc.rate, 0);
      meter.acc.setRate(rate, at);
      if (render && meter.module.num('power') !== undefined) meter.module.set('power', Math.round(rate), at);
    }
  }

  /** The boiler relay follows its room's heating demand. */
  #syncBoiler(meter: Meter, driver: Extract<Driver, { kind: 'boiler' }>, now: number): void {
    const demand = this.#demand(meter.home, driver.roomId);
    if (demand !== undefined && demand !== driver.demand) {
      meter.module.set('boiler_status', demand, now);
      driver.demand = demand;
    }
    const rate = meter.module.get('boiler_status') === true ? 1 : 0;
    meter.acc.setRate(rate, this.#changeTime(meter.module, 'boiler_status', now));
  }

  #demand(home: HomeState, roomId: string | undefined): boolean | undefined {
    const room = roomId === undefined ? undefined : home.rooms.get(roomId);
    if (!room) return undefined;
    const measured = home.roomTemps.get(room.id) ?? room.num('therm_measured_temperature');
    const setpoint = room.num('therm_setpoint_temperature');
    if (measured === undefined || setpoint === undefined) return undefined;
    return room.get('therm_setpoint_mode') !== 'off' && measured < setpoint - BOILER_HYSTERESIS;
  }

  /** When a value changed since the last catch-up (writes land between catch-ups). */
  #changeTime(module: TrackedEntity, field: string, now: number): number {
    const at = module.changedAt[field] ?? now;
    return Math.min(now, Math.max(this.#synced, at));
  }
}

/** Mean draw of a consumption meter, so that its profile starts at the recorded power. */
function meanOf(module: TrackedEntity, home: HomeState, start: number): number {
  const power = module.num('power');
  const step = Math.floor(start / PROFILE_STEP_MS);
  const factor = dailyShape(localHour(start, home.topology.timezone)) * jitter(module.id, step);
  if (power !== undefined && power > 0) return power / factor;
  return DEFAULT_MEAN_W[String(module.get('type'))] ?? 100;
}
