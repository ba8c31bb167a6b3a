/**
 * The running totals of every meter, kept in state.json (section `energy`) so that they survive
 * restarts and never go down: Home Assistant's `total_increasing` takes any drop of more than
 * 10 % as a new meter and counts the new value again, and a smaller one as a glitch it
 * subtracts. Per meter:
 *
 * - the totals (Wh or boiler seconds, and Wh per tariff) of every bucket counted, and `through`,
 *   the end of the newest one. Only new buckets are added: a bucket at or after `through`, or
 *   one filling a known hole. A bucket read twice (an overlapping read, a duplicated row) is
 *   skipped, so nothing is counted twice;
 * - holes: ranges inside the counted span Netatmo did not answer (data delivered late). The
 *   next reads start at the oldest hole, so late data is still counted, for a day; then the
 *   hole is given up;
 * - what was counted for the current local day (heating time today), back to 0 at midnight.
 *
 * The first read of a meter starts at local midnight: its total starts at what it counted that
 * day. A Netatmo reset (the meter's history restarting from zero) removes buckets, it adds none
 * twice: the total carries on from where it was. A bridge away for longer than CATCH_UP_S reads
 * from that far back only.
 */
import { ENERGY_KEY, HEATING_TIME_KEY, type MeasureHistory, TARIFFS, tariffKey } from '../devices/index.js';
import type { DeviceState } from '../devices/types.js';
import { localDayStart, zonedParts } from '../util/local-time.js';
import { MEASURE_STEP_S, type MeasuredBucket } from './measure-answer.js';

/** How long a hole is asked for again. Netatmo delivers recent buckets hours late. */
export const HOLE_RETRY_S = 24 * 3600;
/** How far back a read starts at most (well within 1 024 buckets of 30 min). */
export const CATCH_UP_S = 14 * 86_400;
const MAX_HOLES = 48;

export interface MeterRecord {
  history: MeasureHistory;
  /** Wh, or seconds for a boiler. */
  total: number;
  /** Wh per tariff: basic, peak, off-peak. */
  tariffs: [number, number, number];
  /** Start of the first bucket counted (epoch s): what the totals count since. */
  since?: number;
  /** End of the newest bucket counted (epoch s). */
  through?: number;
  /** [start, end) ranges (epoch s) inside the counted span still to be read. */
  holes: Array<[number, number]>;
  /** The local day (`YYYY-MM-DD`) `today` belongs to. */
  day?: string;
  /** What was counted for that day. */
  today: number;
  /** Reads answered, with or without data. */
  reads: number;
}

export interface RecordOutcome {
  counted: number;
  duplicates: number;
  /** The record had no data before and has now. */
  firstData: boolean;
}

/** `YYYY-MM-DD` of an instant in a time zone. */
export function localDay(ms: number, timeZone: string | undefined): string {
  const p = zonedParts(ms, timeZone);
  return `${p.year}-${String(p.month).padStart(2, '0')}-${String(p.day).padStart(2, '0')}`;
}

export function newRecord(history: MeasureHistory): MeterRecord {
  return { history, total: 0, tariffs: [0, 0, 0], holes: [], today: 0, reads: 0 };
}

export function hasData(record: MeterRecord): boolean {
  return record.through !== undefined;
}

/** Where the next read starts (epoch s): the oldest hole still worth asking, or `through`. */
export function readStart(record: MeterRecord, nowMs: number, timeZone: string | undefined): number {
  const now = Math.floor(nowMs / 1000);
  if (record.through === undefined) return Math.floor(localDayStart(nowMs, timeZone) / 1000);
  const oldestHole = record.holes.find(([, end]) => end > now - HOLE_RETRY_S)?.[0];
  const start = Math.min(oldestHole ?? record.through, record.through);
  const floor = now - CATCH_UP_S;
  if (start >= floor) return start;
  // On the grid the counted buckets follow, so a late start never overlaps one of them.
  return record.through - Math.floor((record.through - floor) / MEASURE_STEP_S) * MEASURE_STEP_S;
}

/** Starts a new day (its counter at 0) when `nowMs` is past the record's; true when it did. */
export function rollDay(record: MeterRecord, nowMs: number, timeZone: string | undefined): boolean {
  const day = localDay(nowMs, timeZone);
  if (record.day !== undefined && record.day >= day) return false;
  const changed = record.today !== 0 || record.day !== undefined;
  record.day = day;
  record.today = 0;
  return changed;
}

/** Adds the new buckets of one answer (oldest first); see the file comment for what is new. */
export function recordBuckets(
  record: MeterRecord,
  buckets: readonly MeasuredBucket[],
  nowMs: number,
  timeZone: string | undefined,
): RecordOutcome {
  const before = hasData(record);
  const outcome: RecordOutcome = { counted: 0, duplicates: 0, firstData: false };
  rollDay(record, nowMs, timeZone);
  record.reads += 1;
  let cursor = record.through;
  for (const bucket of buckets) {
    if (cursor === undefined || bucket.start >= cursor) {
      if (cursor !== undefined && bucket.start > cursor) record.holes.push([cursor, bucket.start]);
      count(record, bucket, timeZone);
      record.since ??= bucket.start;
      cursor = bucket.end;
      record.through = Math.max(record.through ?? bucket.end, bucket.end);
    } else if (fillHole(record, bucket)) count(record, bucket, timeZone);
    else {
      outcome.duplicates += 1;
      continue;
    }
    outcome.counted += 1;
  }
  const now = Math.floor(nowMs / 1000);
  record.holes = record.holes.filter(([, end]) => end > now - HOLE_RETRY_S).slice(-MAX_HOLES);
  outcome.firstData = !before && hasData(record);
  return outcome;
}

function count(record: MeterRecord, bucket: MeasuredBucket, timeZone: string | undefined): void {
  record.total += bucket.value;
  for (const i of [0, 1, 2] as const) record.tariffs[i] += bucket.tariffs[i];
  if (record.day !== undefined && localDay(bucket.start * 1000, timeZone) === record.day)
    record.today += bucket.value;
}

/** Removes the bucket's range from the hole that holds it whole; false when none does. */
function fillHole(record: MeterRecord, bucket: MeasuredBucket): boolean {
  const at = record.holes.findIndex(([from, to]) => bucket.start >= from && bucket.end <= to);
  const hole = record.holes[at];
  if (!hole) return false;
  const [from, to] = hole;
  const rest: Array<[number, number]> = [];
  if (bucket.start > from) rest.push([from, bucket.start]);
  if (bucket.end < to) rest.push([bucket.end, to]);
  record.holes.splice(at, 1, ...rest);
  return true;
}

/**
 * The state keys a record gives its device: the energy total and, once two tariffs have
 * energy, each tariff's (kWh, 3 decimals: whole Wh); a boiler's minutes today (0.1 min).
 */
export function recordState(record: MeterRecord): DeviceState {
  if (!hasData(record)) return {};
  if (record.history === 'boiler') return { [HEATING_TIME_KEY]: Math.round(record.today / 6) / 10 };
  const state: DeviceState = { [ENERGY_KEY]: record.total / 1000 };
  const used = TARIFFS.map((t, i) => [t, record.tariffs[i] ?? 0] as const).filter(([, wh]) => wh > 0);
  if (used.length >= 2) for (const [t, wh] of used) state[tariffKey(t)] = wh / 1000;
  return state;
}

/** A record read back from state.json, or undefined when it is not one. */
export function restoreRecord(value: unknown): MeterRecord | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const v = value as Record<string, unknown>;
  const history = v.history;
  if (history !== 'energy' && history !== 'legacy_energy' && history !== 'boiler') return undefined;
  const tariffs = Array.isArray(v.tariffs) && v.tariffs.length === 3 ? v.tariffs : undefined;
  if (!isCount(v.total) || !tariffs?.every(isCount) || !isCount(v.today) || !isCount(v.reads))
    return undefined;
  if ((v.through !== undefined && !isCount(v.through)) || (v.since !== undefined && !isCount(v.since)))
    return undefined;
  if (v.day !== undefined && (typeof v.day !== 'string' || !/^\d{4}-\d\d-\d\d$/.test(v.day)))
    return undefined;
  const holes = Array.isArray(v.holes)
    ? v.holes.filter(
        (h): h is [number, number] =>
          Array.isArray(h) && h.length === 2 && isCount(h[0]) && isCount(h[1]) && h[0] < h[1],
      )
    : [];
  return {
    history,
    total: v.total as number,
    tariffs: [...tariffs] as [number, number, number],
    ...(v.since === undefined ? {} : { since: v.since as number }),
    ...(v.through === undefined ? {} : { through: v.through as number }),
    holes: holes.slice(-MAX_HOLES).map(([a, b]) => [a, b]),
    ...(v.day === undefined ? {} : { day: v.day as string }),
    today: v.today as number,
    reads: v.reads as number,
  };
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0;
}
