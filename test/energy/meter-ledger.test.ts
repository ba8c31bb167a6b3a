/**
 * The running totals: only new buckets count, late ones fill their hole, nothing is counted
 * twice, the total never goes down, and the record survives a JSON round trip (state.json).
 */
import { describe, expect, it } from 'vitest';
import type { MeasuredBucket } from '../../src/energy/measure-answer.js';
import {
  CATCH_UP_S,
  HOLE_RETRY_S,
  localDay,
  newRecord,
  readStart,
  recordBuckets,
  recordState,
  restoreRecord,
  rollDay,
} from '../../src/energy/meter-ledger.js';

const ZONE = 'Europe/Paris';
/** 2026-03-10 00:00 in Paris (UTC+1). */
const MIDNIGHT = Date.UTC(2026, 2, 9, 23) / 1000;
const STEP = 1_800;

/** Buckets from `from` (epoch s), one per 30 min, with these Wh (basic tariff unless given). */
function buckets(from: number, values: Array<number | [number, number, number]>): MeasuredBucket[] {
  return values.map((v, i) => {
    const tariffs: [number, number, number] = typeof v === 'number' ? [v, 0, 0] : v;
    return {
      start: from + i * STEP,
      end: from + (i + 1) * STEP,
      value: tariffs[0] + tariffs[1] + tariffs[2],
      tariffs,
    };
  });
}

const at = (s: number): number => s * 1000;

describe('meter ledger', () => {
  it('starts at local midnight, then asks from the end of what it counted', () => {
    const r = newRecord('energy');
    const now = MIDNIGHT + 5 * 3600 + 600;
    expect(readStart(r, at(now), ZONE)).toBe(MIDNIGHT);
    const outcome = recordBuckets(r, buckets(MIDNIGHT, [10, 20, 30]), at(now), ZONE);
    expect(outcome).toEqual({ counted: 3, duplicates: 0, firstData: true });
    expect(r.total).toBe(60);
    expect(readStart(r, at(now), ZONE)).toBe(MIDNIGHT + 3 * STEP);
    expect(recordState(r)).toEqual({ energy: 0.06 });
  });

  it('counts an overlapping read and a duplicated bucket once', () => {
    const r = newRecord('energy');
    const now = at(MIDNIGHT + 4 * 3600);
    recordBuckets(r, buckets(MIDNIGHT, [10, 20]), now, ZONE);
    // The same two again, the next one, and that one repeated as a lot of its own.
    const again = [...buckets(MIDNIGHT, [10, 20, 40]), ...buckets(MIDNIGHT + 2 * STEP, [40])];
    expect(recordBuckets(r, again, now, ZONE)).toMatchObject({ counted: 1, duplicates: 3 });
    expect(r.total).toBe(70);
  });

  it('counts late data into its hole, and gives the hole up after a day', () => {
    const r = newRecord('energy');
    const now = MIDNIGHT + 6 * 3600;
    recordBuckets(r, buckets(MIDNIGHT, [10]), at(now), ZONE);
    // Buckets 1 and 2 are missing (a gap); 3 and 4 arrive.
    recordBuckets(r, buckets(MIDNIGHT + 3 * STEP, [40, 50]), at(now), ZONE);
    expect(r.holes).toEqual([[MIDNIGHT + STEP, MIDNIGHT + 3 * STEP]]);
    expect(r.total).toBe(100);
    // The next read starts at the hole; the late buckets are counted, the rest skipped.
    expect(readStart(r, at(now), ZONE)).toBe(MIDNIGHT + STEP);
    const late = buckets(MIDNIGHT + STEP, [20, 30, 40, 50, 60]);
    expect(recordBuckets(r, late, at(now + 600), ZONE)).toMatchObject({ counted: 3, duplicates: 2 });
    expect(r.total).toBe(210);
    expect(r.holes).toEqual([]);

    // A hole nobody fills is asked for a day after it ends, then forgotten.
    recordBuckets(r, buckets(MIDNIGHT + 7 * STEP, [5]), at(now + 600), ZONE);
    expect(r.holes).toEqual([[MIDNIGHT + 6 * STEP, MIDNIGHT + 7 * STEP]]);
    const holeEnd = MIDNIGHT + 7 * STEP;
    expect(readStart(r, at(holeEnd + HOLE_RETRY_S - 60), ZONE)).toBe(MIDNIGHT + 6 * STEP);
    expect(readStart(r, at(holeEnd + HOLE_RETRY_S + 60), ZONE)).toBe(MIDNIGHT + 8 * STEP);
    recordBuckets(r, [], at(holeEnd + HOLE_RETRY_S + 60), ZONE);
    expect(r.holes).toEqual([]);
  });

  it('never goes down when Netatmo forgets its history (a reset)', () => {
    const r = newRecord('energy');
    const now = MIDNIGHT + 10 * 3600;
    recordBuckets(r, buckets(MIDNIGHT, [100, 100, 100, 100]), at(now), ZONE);
    const before = r.total;
    // After the reset: the earlier buckets are gone, the meter counts from 0 again.
    recordBuckets(r, buckets(MIDNIGHT + 6 * STEP, [3, 4]), at(now), ZONE);
    expect(r.total).toBe(before + 7);
    // An answer of the old window that now adds up to less changes nothing.
    recordBuckets(r, buckets(MIDNIGHT, [0, 0, 0, 0]), at(now), ZONE);
    expect(r.total).toBe(before + 7);
  });

  it('shows a tariff only once the meter counted energy under two', () => {
    const r = newRecord('energy');
    const now = at(MIDNIGHT + 8 * 3600);
    recordBuckets(r, buckets(MIDNIGHT, [[10, 0, 0]]), now, ZONE);
    expect(recordState(r)).toEqual({ energy: 0.01 });
    recordBuckets(
      r,
      buckets(MIDNIGHT + STEP, [
        [0, 0, 5],
        [0, 2, 3],
      ]),
      now,
      ZONE,
    );
    expect(recordState(r)).toEqual({
      energy: 0.02,
      energy_basic: 0.01,
      energy_peak: 0.002,
      energy_off_peak: 0.008,
    });
  });

  it('counts heating time for the current local day and starts again at midnight', () => {
    const r = newRecord('boiler');
    const now = MIDNIGHT + 86_400 - 600;
    recordBuckets(
      r,
      buckets(MIDNIGHT + 46 * STEP, [600, 1_200]).map((b) => ({ ...b, tariffs: [0, 0, 0] })),
      at(now),
      ZONE,
    );
    expect(recordState(r)).toEqual({ heating_time_today: 30 });
    expect(r.day).toBe(localDay(at(MIDNIGHT), ZONE));
    expect(rollDay(r, at(now), ZONE)).toBe(false);
    expect(rollDay(r, at(MIDNIGHT + 86_400 + 1), ZONE)).toBe(true);
    expect(recordState(r)).toEqual({ heating_time_today: 0 });
    // A late bucket of yesterday adds to the total, not to today.
    recordBuckets(r, buckets(MIDNIGHT + 48 * STEP, [300]), at(MIDNIGHT + 86_400 + 3_600), ZONE);
    expect(recordState(r)).toEqual({ heating_time_today: 5 });
    expect(r.total).toBe(2_100);
  });

  it('reads from two weeks back at most after a long absence, on the grid it counted', () => {
    const r = newRecord('energy');
    recordBuckets(r, buckets(MIDNIGHT, [1]), at(MIDNIGHT + 3600), ZONE);
    const later = MIDNIGHT + 40 * 86_400 + 123;
    const start = readStart(r, at(later), ZONE);
    expect(start).toBeGreaterThanOrEqual(later - CATCH_UP_S);
    expect(start - (later - CATCH_UP_S)).toBeLessThan(STEP);
    expect((start - MIDNIGHT) % STEP).toBe(0);
  });

  it('survives state.json and refuses what is not a record', () => {
    const r = newRecord('energy');
    recordBuckets(r, buckets(MIDNIGHT, [10, 20]), at(MIDNIGHT + 7200), ZONE);
    recordBuckets(r, buckets(MIDNIGHT + 3 * STEP, [30]), at(MIDNIGHT + 7200), ZONE);
    const back = restoreRecord(JSON.parse(JSON.stringify(r)));
    expect(back).toEqual(r);
    for (const bad of [
      null,
      3,
      { ...r, history: 'water' },
      { ...r, total: -1 },
      { ...r, tariffs: [1] },
      { ...r, day: 'x' },
    ])
      expect(restoreRecord(bad)).toBeUndefined();
    // Holes that are not ranges are dropped, the record kept.
    expect(restoreRecord({ ...r, holes: [[5, 1], 'x', [1, 2]] })?.holes).toEqual([[1, 2]]);
  });
});
