/**
 * The energy feed: one `getmeasure` per metering module (Legrand and BTicino meters, plugs,
 * switches, dimmers, the ventilation) and per boiler (thermostat, OpenTherm, Smarther), planned
 * by the poller within the budget (poller/feeds.ts). Netatmo takes one module per call; one call
 * carries the total and its three tariffs.
 *
 * Each target is read every 30 min at most (a bucket is 30 min: faster finds nothing new) and
 * weighs little: all of a home's meters together claim 8 % of what its homestatus does, so 20
 * meters cost homestatus a few per cent of its pace when the budget is tight (the plan then
 * reads them less often). A meter that answered no data twice (a dimmer Netatmo does not
 * meter, or one it answers "Device not found" for) is asked only every few hours, at a quarter of
 * the weight.
 */
import { cleanNetatmoId, type MeasureHistory, moduleDeviceId, typeEntry } from '../devices/index.js';
import type { HomesDataBody, MeasureBody } from '../netatmo/api-types.js';
import type { MeasureQuery } from '../netatmo/client.js';
import { isNetatmoError, NetatmoCode } from '../netatmo/errors.js';
import type { CallOptions } from '../netatmo/types.js';
import type { FeedTarget, PollFeed } from '../poller/feeds.js';
import type { Clock } from '../util/clock.js';
import { MEASURE_SCALE, measureTypes } from './measure-answer.js';

export const ENERGY_FEED = 'energy';
export const DEFAULT_ENERGY_FLOOR_MS = 30 * 60_000;
/** Weight of all of one home's meters together, relative to its homestatus (1), and of one. */
const HOME_WEIGHT = 0.08;
const MAX_TARGET_WEIGHT = 0.02;
/** A meter without data is read this much less, at most this often. */
const SILENT_WEIGHT_FACTOR = 0.25;
const SILENT_FLOOR_MS = 6 * 3_600_000;

/** One module whose history the feed reads. */
export interface MeterTarget {
  /** The module's Netatmo id (also the feed target id). */
  id: string;
  homeId: string;
  history: MeasureHistory;
  timeZone?: string;
  /** The bridge device whose state gets the values. */
  deviceId: string;
  /** getmeasure's `device_id` (the module's bridge, or the module itself) and `module_id`. */
  query: { deviceId: string; moduleId?: string };
}

/** The meters of every home, in topology order. */
export function meterTargets(topology: HomesDataBody | undefined): MeterTarget[] {
  const targets: MeterTarget[] = [];
  for (const home of topology?.homes ?? []) {
    for (const m of home.modules ?? []) {
      const history = typeEntry(m.type)?.history;
      if (!history) continue;
      const id = cleanNetatmoId(m.id);
      const bridge = m.bridge ? cleanNetatmoId(m.bridge) : undefined;
      targets.push({
        id,
        homeId: home.id,
        history,
        ...(home.timezone ? { timeZone: home.timezone } : {}),
        deviceId: moduleDeviceId(id),
        query: bridge ? { deviceId: bridge, moduleId: id } : { deviceId: id },
      });
    }
  }
  return targets;
}

export interface EnergyFeedOptions {
  api: { getMeasure(query: MeasureQuery, call?: Partial<CallOptions>): Promise<MeasureBody> };
  clock: Clock;
  /** The ledger side: where a read starts, whether a meter stays silent, what a read brought. */
  meters: {
    readStart(target: MeterTarget, nowMs: number): number;
    silent(targetId: string): boolean;
    recorded(target: MeterTarget, body: MeasureBody): Promise<void>;
  };
  floorMs?: number;
}

export class EnergyFeed implements PollFeed {
  readonly name = ENERGY_FEED;
  readonly priority = 'background' as const;
  readonly #o: EnergyFeedOptions;
  #targets = new Map<string, MeterTarget>();

  constructor(options: EnergyFeedOptions) {
    this.#o = options;
  }

  /** The meters of the last plan. */
  get meters(): MeterTarget[] {
    return [...this.#targets.values()];
  }

  targets(topology: HomesDataBody | undefined): FeedTarget[] {
    const meters = meterTargets(topology);
    this.#targets = new Map(meters.map((t) => [t.id, t]));
    const perHome = new Map<string, number>();
    for (const t of meters) perHome.set(t.homeId, (perHome.get(t.homeId) ?? 0) + 1);
    const floorMs = this.#o.floorMs ?? DEFAULT_ENERGY_FLOOR_MS;
    return meters.map((t) => {
      const weight = Math.min(MAX_TARGET_WEIGHT, HOME_WEIGHT / (perHome.get(t.homeId) ?? 1));
      const silent = this.#o.meters.silent(t.id);
      return {
        id: t.id,
        homeId: t.homeId,
        weight: silent ? weight * SILENT_WEIGHT_FACTOR : weight,
        floorMs: silent ? Math.max(floorMs, SILENT_FLOOR_MS) : floorMs,
      };
    });
  }

  async read(targetId: string, call: Partial<CallOptions>): Promise<undefined> {
    const target = this.#targets.get(targetId);
    if (!target) throw new Error(`${targetId} is not a meter of the current topology`);
    const body = await this.#o.api
      .getMeasure(
        {
          ...target.query,
          scale: MEASURE_SCALE,
          type: measureTypes(target.history),
          dateBegin: this.#o.meters.readStart(target, this.#o.clock.now()),
        },
        call,
      )
      .catch((error: unknown) => {
        if (!keepsNoHistory(error)) throw error;
        return [] satisfies MeasureBody;
      });
    await this.#o.meters.recorded(target, body);
    return undefined;
  }
}

/**
 * Netatmo answers getmeasure for some modules it lists (dimmers, switches it does not meter) with
 * 404 "Device not found" (code 9), every time: that is an answer without data, not a failure, so
 * the meter goes quiet like one that answers no values instead of warning every half hour.
 */
function keepsNoHistory(error: unknown): boolean {
  return isNetatmoError(error) && error.status === 404 && error.code === NetatmoCode.DEVICE_NOT_FOUND;
}
