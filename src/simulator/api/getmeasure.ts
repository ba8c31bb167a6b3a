/**
 * getmeasure (`device_id`, `module_id`, `scale`, `type`, `date_begin`, `date_end`, `limit`,
 * `optimize`, `real_time`), answered the way Netatmo does:
 * - a recorded pyatmo answer for its own module and type list, verbatim (whatever the dates);
 * - energy and boiler time from the world's meters, weather from its stations;
 * - buckets of `scale`: below a day they start at `date_begin` (pyatmo: "the start is
 *   asked_start + intervals/2"), a day starts at local midnight, a week on Monday, a month on
 *   the 1st; without `date_begin` the latest buckets are returned, on a grid aligned to the scale;
 * - only complete buckets (ending by now), at most `limit` (≤ 1024);
 * - timestamps are the middle of each bucket (`offset + scale/2`) unless `real_time=true` or
 *   `scale=max`, as Netatmo documents `real_time`;
 * - `optimize` (default true): `[{beg_time, step_time, value: [[…], …]}]`, a new lot after every
 *   missing bucket; `optimize=false`: `{"<timestamp>": […], …}`.
 */
import type { MeasureBody } from '../../netatmo/api-types.js';
import { localDayStart, localMonthStart, localWeekStart } from '../../util/local-time.js';
import { invalid, notFound } from '../api-error.js';
import { measuresAny, meterRow } from '../world/meter-series.js';
import type { Meter } from '../world/meters.js';
import { weatherValue } from '../world/weather-history.js';
import type { World } from '../world/world.js';
import { intParam, list, optional, type Params, required } from './params.js';

const FIXED_STEPS: Record<string, number> = { max: 300, '30min': 1800, '1hour': 3600, '3hours': 10800 };
const CALENDAR_SCALES = new Set(['1day', '1week', '1month']);
const MAX_LIMIT = 1024;

interface Bucket {
  /** Seconds since the epoch; [start, end). */
  start: number;
  end: number;
}

type Row = Array<number | null>;

export function getMeasure(world: World, params: Params, nowMs: number): MeasureBody {
  const deviceId = required(params, 'device_id');
  const scale = required(params, 'scale');
  const types = list(required(params, 'type'), 'type') ?? [];
  const moduleId = optional(params, 'module_id');
  const targetId = moduleId ?? deviceId;
  const canned = world.measures.find((c) => c.moduleId === targetId && sameList(c.types, types));
  if (canned) return structuredClone(canned.body);

  const meter = world.devices.meters.get(targetId);
  const unit = world.weather.get(targetId);
  const home = [...world.homes.values()].find((h) => h.modules.has(targetId));
  if (!meter && !unit && !home) throw notFound('Device not found');
  if (FIXED_STEPS[scale] === undefined && !CALENDAR_SCALES.has(scale))
    throw invalid(`Invalid scale ${scale}`);

  const timeZone = home?.topology.timezone ?? placeZone(unit?.info.get('place'));
  const nowSec = Math.floor(nowMs / 1000);
  const buckets = bucketsOf(scale, timeZone, {
    begin: epoch(params, 'date_begin'),
    end: epoch(params, 'date_end'),
    limit: intParam(params, 'limit', MAX_LIMIT, 1, MAX_LIMIT),
    nowSec,
  });
  // A module that measures none of the types answers no data.
  let rows: Array<[Bucket, Row | undefined]> = [];
  if (meter && measuresAny(meter, types)) {
    rows = buckets.map((b) => [b, meterRow(meter, types, b.start * 1000, b.end * 1000, nowMs)]);
  } else if (!meter && types.some((t) => weatherValue(unit, t, 0) !== null)) {
    rows = buckets.map((b) => [b, types.map((t) => weatherValue(unit, t, b.start))]);
  }
  const middle = !(optional(params, 'real_time') === 'true' || scale === 'max');
  const stamp = (b: Bucket): number => (middle ? b.start + Math.floor((b.end - b.start) / 2) : b.start);
  if (optional(params, 'optimize') === 'false') {
    return Object.fromEntries(rows.flatMap(([b, row]) => (row ? [[String(stamp(b)), row]] : [])));
  }
  return lots(rows, stamp, meter);
}

/** Consecutive buckets of one length make a lot; a missing bucket or a new length starts another. */
function lots(
  rows: Array<[Bucket, Row | undefined]>,
  stamp: (b: Bucket) => number,
  meter: Meter | undefined,
): MeasureBody {
  const out: Array<{ beg_time: number; step_time: number; value: Row[] }> = [];
  let previous: Bucket | undefined;
  let last: { bucket: Bucket; row: Row; lot: number } | undefined;
  for (const [bucket, row] of rows) {
    const step = bucket.end - bucket.start;
    const current = out.at(-1);
    if (!row) {
      previous = undefined;
      continue;
    }
    if (current && previous && previous.end === bucket.start && current.step_time === step)
      current.value.push(row);
    else out.push({ beg_time: stamp(bucket), step_time: step, value: [row] });
    previous = bucket;
    last = { bucket, row, lot: out.length - 1 };
  }
  // A duplicated bucket (POST /__sim/meters/duplicate): the last one again, as a lot of its own.
  if (meter && last && meter.pendingDuplicates > 0) {
    meter.pendingDuplicates--;
    const { bucket, row, lot } = last;
    out.splice(lot + 1, 0, {
      beg_time: stamp(bucket),
      step_time: bucket.end - bucket.start,
      value: [[...row]],
    });
  }
  return out;
}

/** The buckets to answer, oldest first. */
function bucketsOf(
  scale: string,
  timeZone: string | undefined,
  q: { begin: number | undefined; end: number | undefined; limit: number; nowSec: number },
): Bucket[] {
  const fixed = FIXED_STEPS[scale];
  const floor = (t: number): number => {
    if (fixed !== undefined) return Math.floor(t / fixed) * fixed;
    const ms = t * 1000;
    const start =
      scale === '1day'
        ? localDayStart(ms, timeZone)
        : scale === '1week'
          ? localWeekStart(ms, timeZone)
          : localMonthStart(ms, timeZone);
    return Math.floor(start / 1000);
  };
  const next = (s: number): number => {
    if (fixed !== undefined) return s + fixed;
    if (scale === '1month') return Math.floor(localMonthStart(s * 1000, timeZone, 1) / 1000);
    // Two hours past the nominal length lands inside the next period across a DST change.
    return floor(s + (scale === '1day' ? 86_400 : 604_800) + 7_200);
  };
  const endLimit = Math.min(q.nowSec, q.end ?? q.nowSec);
  const out: Bucket[] = [];
  if (q.begin !== undefined) {
    for (let s = fixed !== undefined ? q.begin : floor(q.begin); out.length < q.limit; s = next(s)) {
      const e = next(s);
      if (e > q.nowSec || (q.end !== undefined && s >= q.end)) break;
      out.push({ start: s, end: e });
    }
    return out;
  }
  // The bucket holding the end: the one before it when it is not over yet or starts at date_end.
  let s = floor(endLimit);
  if (next(s) > q.nowSec || (q.end !== undefined && s >= q.end)) s = floor(s - 1);
  for (; out.length < q.limit && s >= 0; s = floor(s - 1)) out.unshift({ start: s, end: next(s) });
  return out;
}

function epoch(params: Params, key: string): number | undefined {
  return optional(params, key) === undefined ? undefined : intParam(params, key, 0, 0, 1e11);
}

function placeZone(place: unknown): string | undefined {
  const zone = (place as { timezone?: unknown } | undefined)?.timezone;
  return typeof zone === 'string' ? zone : undefined;
}

function sameList(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}
