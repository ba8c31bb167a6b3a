import { describe, expect, it } from 'vitest';
import { control } from './helpers.js';
import {
  counted,
  ENERGY_TYPES,
  type Lot,
  legrandSim as legrand,
  measure,
  NLY,
  nowSec,
  reading,
  rowsOf,
  sumLots,
} from './meter-helpers.js';

const HOUR = 3600;

describe('simulator meter controls', () => {
  it('reset: Netatmo forgets the history and the meter counts again from zero', async () => {
    const { s, t } = await legrand();
    const begin = nowSec(s) - 6 * HOUR;
    const hourly = (from: number): Promise<Lot[]> =>
      measure(s, t, { module_id: NLY, scale: '1hour', type: ENERGY_TYPES, date_begin: String(from) });
    const before = await hourly(begin);
    expect(rowsOf(before)).toHaveLength(6);
    expect(sumLots(before)).toBeGreaterThan(0);

    const reset = await control(s, 'meters/reset', { module_id: NLY });
    expect(reset.status).toBe(200);
    expect(reset.json).toMatchObject({ total: 0, reset_at: nowSec(s), data_start: nowSec(s) });
    expect(await hourly(begin)).toEqual([]);

    s.advanceClock(2 * HOUR * 1000);
    const after = await hourly(begin);
    // Only the buckets after the reset are left, and they add up to the fresh registers.
    expect(after).toHaveLength(1);
    expect(after[0]!.beg_time).toBe(begin + 6 * HOUR + 1800);
    expect(rowsOf(after)).toHaveLength(2);
    expect(sumLots(after)).toBe(counted(await reading(s, NLY)));
  });

  it('gap: buckets over the period go missing (a new lot after it) until the gap heals', async () => {
    const { s, t } = await legrand();
    const begin = nowSec(s) - 10 * HOUR;
    const ask = (extra: Record<string, string> = {}): Promise<Lot[]> =>
      measure(s, t, {
        module_id: NLY,
        scale: '1hour',
        type: ENERGY_TYPES,
        date_begin: String(begin),
        ...extra,
      });
    const whole = await ask();
    expect(rowsOf(whole)).toHaveLength(10);
    const gap = await control(s, 'meters/gap', {
      module_id: NLY,
      from: begin + 3 * HOUR,
      to: begin + 5 * HOUR,
      heal_at: nowSec(s) + HOUR,
    });
    expect(gap.status).toBe(200);
    expect(gap.json.gaps).toEqual([
      { from: begin + 3 * HOUR, to: begin + 5 * HOUR, heal_at: nowSec(s) + HOUR },
    ]);

    const holed = await ask();
    expect(holed.map((l) => [l.beg_time, l.value.length])).toEqual([
      [begin + 1800, 3],
      [begin + 5 * HOUR + 1800, 5],
    ]);
    const missing = rowsOf(whole)
      .slice(3, 5)
      .flatMap(([, r]) => r)
      .reduce<number>((a, v) => a + (v ?? 0), 0);
    expect(sumLots(holed)).toBe(sumLots(whole) - missing);
    const map = await measure(s, t, {
      module_id: NLY,
      scale: '1hour',
      type: ENERGY_TYPES,
      date_begin: String(begin),
      optimize: 'false',
    });
    expect(Object.keys(map)).not.toContain(String(begin + 3 * HOUR + 1800));
    expect(Object.keys(map)).toHaveLength(8);

    s.advanceClock(HOUR * 1000);
    const healed = await ask();
    expect(healed).toHaveLength(1);
    expect(rowsOf(healed).slice(0, 10)).toEqual(rowsOf(whole));
  });

  it('duplicate: the next answer repeats its last bucket as a lot of its own, once', async () => {
    const { s, t } = await legrand();
    const begin = nowSec(s) - 4 * HOUR;
    const ask = (): Promise<Lot[]> =>
      measure(s, t, { module_id: NLY, scale: '1hour', type: ENERGY_TYPES, date_begin: String(begin) });
    const plain = await ask();
    expect((await control(s, 'meters/duplicate', { module_id: NLY })).json.pending_duplicates).toBe(1);
    const doubled = await ask();
    const last = plain[0]!.value.at(-1)!;
    expect(doubled).toEqual([
      ...plain,
      { beg_time: begin + 3 * HOUR + 1800, step_time: HOUR, value: [last] },
    ]);
    expect((await reading(s, NLY)).pending_duplicates).toBe(0);
    expect(await ask()).toEqual(plain);
  });

  it('lists every meter of the home and refuses bad control requests with a clear message', async () => {
    const { s } = await legrand();
    const meters = (await control(s, 'meters')).json.meters;
    expect(meters.map((m: { module_id: string; kind: string }) => [m.module_id, m.kind])).toEqual(
      expect.arrayContaining([
        [NLY, 'energy'],
        ['12:34:56:aa:00:02#1', 'energy'],
        ['12:34:56:aa:00:08', 'boiler'],
      ]),
    );
    const bad: Array<[string, unknown, RegExp]> = [
      ['meters/reset', {}, /module_id/],
      ['meters/reset', { module_id: 'nope' }, /no meter nope/],
      ['meters/gap', { module_id: NLY, from: 100, to: 50 }, /after from/],
      ['meters/gap', { module_id: NLY, from: 'x', to: 50 }, /from must be/],
      ['meters/duplicate', { module_id: NLY, count: 0 }, /count/],
    ];
    for (const [path, body, message] of bad) {
      const answer = await control(s, path, body);
      expect(answer.status, path).toBe(400);
      expect(answer.json.error).toMatch(message);
    }
    expect(
      (await control(s, `meters/reading?module_id=${encodeURIComponent(NLY)}&at=${nowSec(s) + 60}`)).status,
    ).toBe(400);
  });
});
