/**
 * The energy side of the bridge: the meters' ledger (meter-ledger.ts, kept in state.json
 * section `energy`), the feed the poller plans (energy-feed.ts), the values each read gives the
 * devices (through DeviceSync, like any state), and the midnight reset of the boilers' heating
 * time today (at local midnight, and at the first topology after a restart on a later day).
 * Records of modules removed from the account are dropped with their devices.
 */
import type { DeviceState } from '../devices/types.js';
import { childLogger } from '../log.js';
import type { EnergyHealth } from '../mqtt/topics.js';
import type { MeasureBody } from '../netatmo/api-types.js';
import type { StoreListener, TopologyChange } from '../state/state-store.js';
import type { Clock } from '../util/clock.js';
import { nextLocalDayStart } from '../util/local-time.js';
import { EnergyFeed, type EnergyFeedOptions, type MeterTarget } from './energy-feed.js';
import { parseMeasureAnswer } from './measure-answer.js';
import {
  hasData,
  type MeterRecord,
  newRecord,
  readStart,
  recordBuckets,
  recordState,
  restoreRecord,
  rollDay,
} from './meter-ledger.js';

const log = childLogger('energy');

/** A meter that answered this many reads without data is silent (read rarely). */
const SILENT_AFTER_READS = 2;
/** Without a boiler to watch, the midnight check looks again after this long. */
const IDLE_ROLL_CHECK_MS = 3_600_000;

/** What state.json keeps (section `energy`). */
export interface EnergySnapshot {
  meters: Record<string, MeterRecord>;
}

export interface EnergyMetersOptions {
  api: EnergyFeedOptions['api'];
  clock: Clock;
  writer: { applyMeasuredStates(partials: ReadonlyMap<string, DeviceState>): Promise<void> };
  /** Saves state.json now. */
  persist(): Promise<void>;
  /** Re-planning (the poller is built after this). */
  poller(): { feedsChanged(reason: string): void };
  /** Shortest interval between two reads of one meter (default 30 min). */
  floorMs?: number;
}

export class EnergyMeters implements StoreListener {
  readonly feed: EnergyFeed;
  readonly #o: EnergyMetersOptions;
  readonly #records = new Map<string, MeterRecord>();
  readonly #stats = { buckets: 0, duplicates: 0, refused: 0, lastReadAt: undefined as number | undefined };
  #cancelRoll: (() => void) | undefined;
  #running = false;

  constructor(options: EnergyMetersOptions) {
    this.#o = options;
    this.feed = new EnergyFeed({
      api: options.api,
      clock: options.clock,
      meters: {
        readStart: (target, nowMs) => readStart(this.#record(target), nowMs, target.timeZone),
        silent: (id) => this.#silent(id),
        recorded: (target, body) => this.#recorded(target, body),
      },
      ...(options.floorMs === undefined ? {} : { floorMs: options.floorMs }),
    });
  }

  /** Takes the ledger saved in state.json; records that do not parse are dropped (counted anew). */
  restore(section: unknown): void {
    const meters = (section as { meters?: unknown } | undefined)?.meters;
    if (typeof meters !== 'object' || meters === null) return;
    for (const [id, value] of Object.entries(meters)) {
      const record = restoreRecord(value);
      if (record) this.#records.set(id, record);
      else log.warning(`ignoring the saved energy record of ${id}: not a record; it is counted anew`);
    }
  }

  snapshot(): EnergySnapshot {
    return { meters: Object.fromEntries(this.#records) };
  }

  /** Starts the midnight check of heating time today. */
  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#scheduleRoll();
  }

  stop(): void {
    this.#running = false;
    this.#cancelRoll?.();
    this.#cancelRoll = undefined;
  }

  /**
   * After a restart on a later day the devices are known only now: their counters of the day
   * restart. A module gone from the account takes its record with it.
   */
  topologyChanged(change: TopologyChange): void {
    for (const device of change.removed) this.#records.delete(device.netatmoId);
    this.#rollDays();
  }

  health(): EnergyHealth {
    const meters = this.feed.meters;
    const records = meters.map((t) => this.#records.get(t.id));
    const last = this.#stats.lastReadAt;
    return {
      meters: meters.length,
      reporting: records.filter((r) => r && hasData(r)).length,
      buckets: this.#stats.buckets,
      duplicates: this.#stats.duplicates,
      refused: this.#stats.refused,
      gaps: records.reduce((sum, r) => sum + (r?.holes.length ?? 0), 0),
      ...(last === undefined ? {} : { last_read: new Date(last).toISOString() }),
    };
  }

  #record(target: MeterTarget): MeterRecord {
    let record = this.#records.get(target.id);
    // A module replaced by one of another kind under the same id starts a new record.
    if (!record || record.history !== target.history) {
      record = newRecord(target.history);
      this.#records.set(target.id, record);
    }
    return record;
  }

  #silent(id: string): boolean {
    const record = this.#records.get(id);
    return record !== undefined && !hasData(record) && record.reads >= SILENT_AFTER_READS;
  }

  async #recorded(target: MeterTarget, body: MeasureBody): Promise<void> {
    const now = this.#o.clock.now();
    const record = this.#record(target);
    const wasSilent = this.#silent(target.id);
    const { buckets, refused } = parseMeasureAnswer(body, target.history);
    const outcome = recordBuckets(record, buckets, now, target.timeZone);
    this.#stats.buckets += outcome.counted;
    this.#stats.duplicates += outcome.duplicates;
    this.#stats.refused += refused;
    this.#stats.lastReadAt = now;
    if (refused > 0) log.warning(`${target.id}: ${refused} impossible getmeasure row(s) ignored`);
    if (outcome.firstData)
      log.info(`${target.id}: its ${target.history.replace('_', ' ')} history has values`);
    const state = recordState(record);
    if (Object.keys(state).length > 0)
      await this.#o.writer.applyMeasuredStates(new Map([[target.deviceId, state]]));
    // What was counted is on disk before the next read: a restart never counts it again.
    if (outcome.counted > 0 || record.reads <= SILENT_AFTER_READS) await this.#o.persist();
    if (wasSilent !== this.#silent(target.id))
      this.#o.poller().feedsChanged(`energy: ${target.id} ${wasSilent ? 'has data' : 'has no data'}`);
  }

  #rollDays(): void {
    const now = this.#o.clock.now();
    const partials = new Map<string, DeviceState>();
    for (const target of this.feed.meters) {
      const record = this.#records.get(target.id);
      if (record?.history !== 'boiler' || !hasData(record)) continue;
      if (rollDay(record, now, target.timeZone)) partials.set(target.deviceId, recordState(record));
    }
    if (partials.size === 0) return;
    this.#o.writer
      .applyMeasuredStates(partials)
      .then(() => this.#o.persist())
      .catch((error: unknown) => log.error('the new day of heating time was not applied', { error }));
  }

  #scheduleRoll(): void {
    const now = this.#o.clock.now();
    const zones = new Set(this.feed.meters.filter((t) => t.history === 'boiler').map((t) => t.timeZone));
    const next = Math.min(...[...zones].map((z) => nextLocalDayStart(now, z)), now + IDLE_ROLL_CHECK_MS);
    // A second late, so the new day has begun whatever the timer's rounding.
    this.#cancelRoll = this.#o.clock.schedule(Math.max(0, next - now) + 1_000, () => {
      if (!this.#running) return;
      this.#rollDays();
      this.#scheduleRoll();
    });
  }
}
