import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { api, HOME, sim } from './helpers.js';
import {
  counted,
  ENERGY_TYPES,
  type Lot,
  legrandSim,
  measure,
  NLY,
  nowSec,
  reading,
  rowsOf,
  sumLots,
} from './meter-helpers.js';

const BERLIN = 'Europe/Berlin';
const LONG = 30 * 86_400;

function localClock(sec: number, timeZone: string): { hour: number; minute: number } {
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone,
    hour: 'numeric',
    minute: 'numeric',
    hourCycle: 'h23',
  }).formatToParts(new Date(sec * 1000));
  const get = (type: string): number => Number(parts.find((p) => p.type === type)?.value);
  return { hour: get('hour'), minute: get('minute') };
}

/** Minutes since local midnight at which the Legrand fixture switches tariff (04:56 peak, 20:56 off-peak). */
const TARIFF_CHANGES = [296, 1256];

describe('simulator getmeasure (energy)', () => {
  it('answers lots of complete buckets from date_begin, stamped mid-bucket, in both shapes', async () => {
    const { s, t } = await legrandSim();
    s.advanceClock(2 * 3_600_000);
    const begin = nowSec(s) - 12 * 3600 - 17;
    const lots: Lot[] = await measure(s, t, {
      module_id: NLY,
      scale: '1hour',
      type: ENERGY_TYPES,
      date_begin: String(begin),
    });
    expect(lots).toHaveLength(1);
    expect(lots[0]).toMatchObject({ beg_time: begin + 1800, step_time: 3600 });
    expect(lots[0]!.value).toHaveLength(12);
    for (const row of lots[0]!.value) {
      expect(row).toHaveLength(4);
      // All energy goes to the tariffs of the schedule: no total, no basic.
      expect(row[0]).toBeNull();
      expect(row[1]).toBeNull();
      expect(row.slice(2).some((v) => typeof v === 'number' && v > 0)).toBe(true);
    }

    const exact: Lot[] = await measure(s, t, {
      module_id: NLY,
      scale: '1hour',
      type: ENERGY_TYPES,
      date_begin: String(begin),
      real_time: 'true',
      limit: '5',
    });
    expect(exact[0]!.beg_time).toBe(begin);
    expect(exact[0]!.value).toEqual(lots[0]!.value.slice(0, 5));

    const map = await measure(s, t, {
      module_id: NLY,
      scale: '1hour',
      type: ENERGY_TYPES,
      date_begin: String(begin),
      optimize: 'false',
    });
    expect(Object.entries(map)).toEqual(rowsOf(lots).map(([ts, row]) => [String(ts), row]));

    // The buckets add up to what the meter counted over the same span.
    const before = await reading(s, NLY, begin);
    const after = await reading(s, NLY, begin + 12 * 3600);
    expect(sumLots(lots)).toBe(counted(after) - counted(before));
    expect(after.unit).toBe('Wh');
  });

  it('books energy to the tariff in force: null when several types are asked, 0 alone, total alone', async () => {
    const { s, t } = await legrandSim();
    const begin = nowSec(s) - 2 * 86_400;
    const common = { module_id: NLY, scale: '30min', date_begin: String(begin), limit: '96' };
    const lots: Lot[] = await measure(s, t, { ...common, type: ENERGY_TYPES });
    const rows = rowsOf(lots);
    expect(rows).toHaveLength(96);
    for (const [mid, row] of rows) {
      const start = localClock(mid - 900, BERLIN);
      const startMinute = start.hour * 60 + start.minute;
      const crossesChange = TARIFF_CHANGES.some((c) => c > startMinute && c < startMinute + 30);
      const inForce = row.slice(2).filter((v) => v !== null).length;
      expect(inForce, `bucket at ${start.hour}:${start.minute}`).toBe(crossesChange ? 2 : 1);
    }
    expect(rows.some(([, r]) => r[2] !== null && r[3] === null)).toBe(true);
    expect(rows.some(([, r]) => r[2] === null && r[3] !== null)).toBe(true);

    const basicAlone: Lot[] = await measure(s, t, { ...common, type: 'sum_energy_buy_from_grid$0' });
    expect(rowsOf(basicAlone).every(([, r]) => r[0] === 0)).toBe(true);
    const totalAlone: Lot[] = await measure(s, t, { ...common, type: 'sum_energy_buy_from_grid' });
    const before = await reading(s, NLY, begin);
    const after = await reading(s, NLY, begin + 96 * 1800);
    expect(sumLots(totalAlone)).toBe(after.total - before.total);
    // The legacy types give the same energy.
    const legacy: Lot[] = await measure(s, t, { ...common, type: 'sum_energy_elec$1,sum_energy_elec$2' });
    expect(rowsOf(legacy).map(([, r]) => r)).toEqual(rows.map(([, r]) => r.slice(2)));
  });

  it('aligns day buckets to local midnight and returns only complete buckets', async () => {
    const { s, t } = await legrandSim();
    const days: Lot[] = await measure(s, t, {
      module_id: NLY,
      scale: '1day',
      type: 'sum_energy_buy_from_grid',
      date_begin: String(nowSec(s) - 4 * 86_400),
    });
    const stamps = rowsOf(days).map(([ts]) => ts);
    // From local midnight four days ago: four complete days; today is not over yet.
    expect(stamps).toHaveLength(4);
    // Noon: the middle of a day starting at local midnight.
    for (const stamp of stamps) expect(localClock(stamp, BERLIN)).toEqual({ hour: 12, minute: 0 });
    expect(stamps.at(-1)! + 43_200).toBeLessThanOrEqual(nowSec(s) + 3600);

    // Without date_begin: the latest complete buckets, on a grid aligned to the scale.
    const latest: Lot[] = await measure(s, t, {
      module_id: NLY,
      scale: '30min',
      type: 'sum_energy_buy_from_grid',
      limit: '4',
    });
    const rows = rowsOf(latest);
    expect(rows).toHaveLength(4);
    expect((rows[0]![0] - 900) % 1800).toBe(0);
    expect(rows.at(-1)![0] + 900).toBeLessThanOrEqual(nowSec(s));
    expect(rows.at(-1)![0] + 900 + 1800).toBeGreaterThan(nowSec(s));
    // date_end: the buckets that start before it.
    const end = nowSec(s) - 5 * 3600 - 100;
    const until: Lot[] = await measure(s, t, {
      module_id: NLY,
      scale: '1hour',
      type: 'sum_energy_buy_from_grid',
      date_end: String(end),
      limit: '2',
      real_time: 'true',
    });
    expect(rowsOf(until).map(([ts]) => ts)).toEqual([
      Math.floor(end / 3600) * 3600 - 3600,
      Math.floor(end / 3600) * 3600,
    ]);
    expect(
      await measure(s, t, {
        module_id: NLY,
        scale: '1hour',
        type: 'sum_energy_buy_from_grid',
        date_end: '0',
      }),
    ).toEqual([]);
  });

  it('serves the recorded pyatmo answers for their own module and types, with the totals pyatmo expects', async () => {
    const s = await sim();
    const { access_token: t } = s.mintTokens();
    const multi: Lot[] = await measure(s, t, {
      module_id: '98:76:54:32:10:00:00:69',
      scale: '30min',
      type: ENERGY_TYPES,
    });
    const rows = rowsOf(multi).map(([, r]) => r);
    expect(rows).toHaveLength(39);
    expect(sumLots(multi)).toBe(17547); // pyatmo test_energy: sum_energy_elec
    expect(rows.reduce((a, r) => a + (r[2] ?? 0), 0)).toBe(10177); // sum_energy_elec_peak
    expect(rows.reduce((a, r) => a + (r[3] ?? 0), 0)).toBe(4290); // sum_energy_elec_off_peak

    const legacy: Lot[] = await measure(s, t, {
      module_id: '12:34:56:00:00:a1:4c:da',
      scale: '1hour',
      type: 'sum_energy_elec$0',
    });
    const legacyRows = rowsOf(legacy);
    expect(legacyRows).toHaveLength(168);
    expect(legacyRows[0]![1]).toEqual([197]);
    expect(legacyRows.at(-1)![1]).toEqual([259]);

    const file = new URL(
      '../../src/simulator/fixtures/getmeasure_sum_energy_buy_from_grid-1_98_76_54_32_10_00_00_73.json',
      import.meta.url,
    );
    const recorded = JSON.parse(readFileSync(file, 'utf8')).body;
    expect(
      await measure(s, t, {
        module_id: '98:76:54:32:10:00:00:73',
        scale: '30min',
        type: 'sum_energy_buy_from_grid$1',
      }),
    ).toEqual(recorded);
  });

  it('counts boiler run time (sum_boiler_on/off) as the room calls for heat', async () => {
    const s = await sim({ tokenLifetimeSec: LONG });
    const { access_token: t } = s.mintTokens();
    const THERMOSTAT = '12:34:56:00:01:ae';
    const LIVING = '2746182631';
    const heat = await api(
      s,
      'setroomthermpoint',
      { home_id: HOME, room_id: LIVING, mode: 'manual', temp: '25' },
      t,
    );
    expect(heat.status).toBe(200);
    s.advanceClock(1000);
    const status = (await api(s, 'homestatus', { home_id: HOME }, t)).json.body.home;
    expect(status.modules.find((m: { id: string }) => m.id === THERMOSTAT).boiler_status).toBe(true);
    // The boiler switched on within the current second: count from the next one.
    const on = nowSec(s) + 1;
    s.advanceClock(2 * 3_600_000 + 1000);
    const lots: Lot[] = await measure(s, t, {
      module_id: THERMOSTAT,
      scale: '1hour',
      type: 'sum_boiler_on,sum_boiler_off',
      date_begin: String(on),
    });
    expect(rowsOf(lots).map(([, r]) => r)).toEqual([
      [3600, 0],
      [3600, 0],
    ]);
    expect(
      (await api(s, 'setroomthermpoint', { home_id: HOME, room_id: LIVING, mode: 'manual', temp: '10' }, t))
        .status,
    ).toBe(200);
    s.advanceClock(1000);
    await api(s, 'homestatus', { home_id: HOME }, t);
    const off = nowSec(s) + 1;
    s.advanceClock(3_600_000 + 1000);
    const after: Lot[] = await measure(s, t, {
      module_id: THERMOSTAT,
      scale: '1hour',
      type: 'sum_boiler_on,sum_boiler_off',
      date_begin: String(off),
    });
    expect(rowsOf(after).map(([, r]) => r)).toEqual([[0, 3600]]);
    expect((await reading(s, THERMOSTAT)).unit).toBe('s');
  });

  it('counts every getmeasure call against the quota', async () => {
    const s = await sim({ scenario: 'legrand', limits: { userPer10s: 3, userPerHour: 100 } });
    const { access_token: t } = s.mintTokens();
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) {
      const answer = await api(
        s,
        'getmeasure',
        { device_id: 'x', module_id: NLY, scale: '1hour', type: 'sum_energy_buy_from_grid', limit: '2' },
        t,
      );
      statuses.push(answer.status);
    }
    expect(statuses).toEqual([200, 200, 200, 429]);
    expect(s.stats().requests.getmeasure).toBe(4);
    expect(s.stats().throttled).toBe(1);
  });

  it('refuses what Netatmo refuses and answers modules without energy with no data', async () => {
    const s = await sim({ scenario: 'legrand' });
    const { access_token: t } = s.mintTokens();
    const ask = (params: Record<string, string>) =>
      api(
        s,
        'getmeasure',
        { device_id: 'x', scale: '1hour', type: 'sum_energy_buy_from_grid', ...params },
        t,
      );
    expect((await ask({ module_id: 'nope' })).json.error.code).toBe(9);
    expect((await ask({ module_id: NLY, scale: 'fortnight' })).json.error.code).toBe(21);
    expect((await ask({ module_id: NLY, limit: '2000' })).json.error.code).toBe(21);
    expect((await ask({ module_id: NLY, date_begin: 'yesterday' })).json.error.code).toBe(21);
    // The NSD smoke detector measures no energy: an empty answer, not an error.
    expect((await ask({ module_id: '12:34:56:aa:00:03' })).json.body).toEqual([]);
  });
});
