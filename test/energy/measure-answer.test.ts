/**
 * The recorded getmeasure answers read the way pyatmo reads them: the buckets, their times and
 * the totals pyatmo's own tests expect (jabesq-org/pyatmo tests/test_energy.py,
 * `test_historical_data_retrieval` and `test_historical_data_retrieval_multi`).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { measureTypes, parseMeasureAnswer } from '../../src/energy/measure-answer.js';
import type { MeasureBody } from '../../src/netatmo/api-types.js';

const fixture = (name: string): MeasureBody =>
  (
    JSON.parse(readFileSync(new URL(`../../src/simulator/fixtures/${name}`, import.meta.url), 'utf8')) as {
      body: MeasureBody;
    }
  ).body;

const sum = (values: number[]): number => values.reduce((a, b) => a + b, 0);

describe('getmeasure answers', () => {
  it('asks what pyatmo asks: the all-tariff series and its three tariffs, or the boiler time', () => {
    expect(measureTypes('energy')).toEqual([
      'sum_energy_buy_from_grid',
      'sum_energy_buy_from_grid$0',
      'sum_energy_buy_from_grid$1',
      'sum_energy_buy_from_grid$2',
    ]);
    expect(measureTypes('legacy_energy')).toEqual([
      'sum_energy_elec',
      'sum_energy_elec$0',
      'sum_energy_elec$1',
      'sum_energy_elec$2',
    ]);
    expect(measureTypes('boiler')).toEqual(['sum_boiler_on']);
  });

  it('98:76:54:32:10:00:00:69 (30 min): 39 buckets, 17547 Wh, peak 10177, off-peak 4290', () => {
    const { buckets, refused } = parseMeasureAnswer(
      fixture('getmeasure_energy_98_76_54_32_10_00_00_69.json'),
      'energy',
    );
    expect(refused).toBe(0);
    expect(buckets).toHaveLength(39);
    // pyatmo: startTimeUnix / endTimeUnix of historical_data[0], [17] and [-1].
    expect(buckets[0]).toEqual({ start: 1721772000, end: 1721773800, value: 20, tariffs: [20, 0, 0] });
    expect(buckets[17]).toEqual({ start: 1721802600, end: 1721804400, value: 710, tariffs: [498, 212, 0] });
    expect(buckets.at(-1)).toEqual({ start: 1721840400, end: 1721842200, value: 16, tariffs: [0, 16, 0] });
    expect(sum(buckets.map((b) => b.value))).toBe(17547);
    expect(sum(buckets.map((b) => b.tariffs[1]))).toBe(10177);
    expect(sum(buckets.map((b) => b.tariffs[2]))).toBe(4290);
    expect(sum(buckets.map((b) => b.tariffs[0]))).toBe(17547 - 10177 - 4290);
  });

  it('12:34:56:00:00:a1:4c:da (1 hour): 168 buckets, first 197 Wh, last 259 Wh, all basic', () => {
    const { buckets } = parseMeasureAnswer(
      fixture('getmeasure_energy_12_34_56_00_00_a1_4c_da.json'),
      'energy',
    );
    expect(buckets).toHaveLength(168);
    expect(buckets[0]).toMatchObject({
      start: 1644047989,
      end: 1644051589,
      value: 197,
      tariffs: [197, 0, 0],
    });
    expect(buckets.at(-1)).toMatchObject({ start: 1644649189, end: 1644652789, value: 259 });
    expect(sum(buckets.map((b) => b.value))).toBe(45318);
    // The legacy single-type answer of the same meter gives the same buckets.
    const legacy = parseMeasureAnswer(
      fixture('getmeasure_sum_energy_elec-0_12_34_56_00_00_a1_4c_da.json'),
      'legacy_energy',
    ).buckets;
    expect(legacy.map((b) => [b.start, b.value])).toEqual(buckets.map((b) => [b.start, b.value]));
  });

  it('a lot ends where data is missing: two lots, the buckets between them absent', () => {
    const { buckets } = parseMeasureAnswer(
      fixture('getmeasure_sum_energy_buy_from_grid-1_98_76_54_32_10_00_00_73.json'),
      'energy',
    );
    expect(buckets).toHaveLength(89);
    const gaps = buckets.slice(1).filter((b, i) => b.start !== buckets[i]?.end);
    expect(gaps).toHaveLength(1);
    // A one-type answer: the value is the all-tariff one (no tariff column).
    expect(sum(buckets.map((b) => b.value))).toBe(31282);
  });

  it('refuses impossible rows and reads optimize=false answers and boiler seconds', () => {
    const hostile = parseMeasureAnswer(
      [
        {
          beg_time: 1_800_900,
          step_time: 1_800,
          value: [
            [null, -5, null, null],
            [null, 1e9, null, null],
            [null, 7, null, null],
          ],
        },
      ],
      'energy',
    );
    expect(hostile.refused).toBe(2);
    expect(hostile.buckets).toEqual([{ start: 1_803_600, end: 1_805_400, value: 7, tariffs: [7, 0, 0] }]);
    // No value at all is missing data, not zero.
    expect(
      parseMeasureAnswer([{ beg_time: 900, step_time: 1_800, value: [[null, null, null, null]] }], 'energy'),
    ).toEqual({
      buckets: [],
      refused: 0,
    });
    expect(parseMeasureAnswer({ '1800900': [null, 3, null, null] }, 'energy').buckets).toEqual([
      { start: 1_800_000, end: 1_801_800, value: 3, tariffs: [3, 0, 0] },
    ]);
    const boiler = parseMeasureAnswer(
      [{ beg_time: 900, step_time: 1_800, value: [[600], [1_800], [2_000]] }],
      'boiler',
    );
    expect(boiler.buckets.map((b) => b.value)).toEqual([600, 1_800]);
    expect(boiler.refused).toBe(1);
  });
});
