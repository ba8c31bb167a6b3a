import { describe, expect, it } from 'vitest';
import type { RunningSimulator } from '../../src/simulator/index.js';
import { api, control, setstate, sim } from './helpers.js';
import { frozenAt, measure, nowSec, reading, rowsOf, WINTER_MORNING } from './meter-helpers.js';

// biome-ignore lint/suspicious/noExplicitAny: reading arbitrary JSON answers
type Json = any;

const NEW_HOMES: Array<[string, string]> = [
  ['velux', 'velux_home_id'],
  ['bticino', 'bticino_home_id'],
  ['legrand', 'legrand_home_id'],
  ['ac', 'ac_home_id'],
  ['bridged', 'bridged_home_id'],
  ['realshape', 'realshape_home_id'],
];

async function start(scenario: string): Promise<{ s: RunningSimulator; t: string }> {
  const s = await sim({ scenario, clock: frozenAt(WINTER_MORNING), tokenLifetimeSec: 30 * 86_400 });
  return { s, t: s.mintTokens().access_token };
}

async function body(
  s: RunningSimulator,
  t: string,
  name: string,
  params: Record<string, string>,
): Promise<Json> {
  const answer = await api(s, name, params, t);
  expect(answer.status, `${name} ${JSON.stringify(answer.json)}`).toBe(200);
  return answer.json.body;
}

const byId = (list: Json[]): Map<string, Json> => new Map(list.map((x) => [x.id, x]));

describe('simulator scenarios from the newer pyatmo fixtures', () => {
  it.each(NEW_HOMES)(
    '%s: homesdata and homestatus serve every module of the home',
    async (scenario, homeId) => {
      const { s, t } = await start(scenario);
      const homes = (await body(s, t, 'homesdata', {})).homes;
      expect(homes.map((h: Json) => h.id)).toEqual([homeId]);
      const status = (await body(s, t, 'homestatus', { home_id: homeId })).home;
      expect(status.modules.map((m: Json) => m.id).sort()).toEqual(
        homes[0].modules.map((m: Json) => m.id).sort(),
      );
      // A weather station in the home also answers getstationsdata, with the same values.
      const main = homes[0].modules.find((m: Json) => m.type === 'NAMain');
      const stations = (await body(s, t, 'getstationsdata', {})).devices;
      if (!main) return expect(stations).toEqual([]);
      expect(stations.map((d: Json) => [d._id, d.home_id])).toEqual([[main.id, homeId]]);
      s.advanceClock(3_600_000);
      const station = (await body(s, t, 'getstationsdata', {})).devices[0];
      const live = byId((await body(s, t, 'homestatus', { home_id: homeId })).home.modules).get(main.id);
      expect(live.temperature).toBe(station.dashboard_data.Temperature);
      expect(station.dashboard_data.time_utc).toBeGreaterThan(WINTER_MORNING / 1000);
    },
  );

  it('catalogue: every home in one account, ids unique, colliding schedule ids renamed', async () => {
    const { s, t } = await start('catalogue');
    const homes: Json[] = (await body(s, t, 'homesdata', {})).homes;
    expect(homes.map((h) => h.id)).toEqual([
      '91763b24c43d3e344f424e8b',
      '91763b24c43d3e344f424e8c',
      ...NEW_HOMES.map(([, id]) => id),
    ]);
    const all = (pick: (h: Json) => Json[] | undefined): string[] =>
      homes.flatMap((h) => (pick(h) ?? []).map((x) => x.id));
    for (const ids of [all((h) => h.modules), all((h) => h.rooms), all((h) => h.schedules)]) {
      expect(new Set(ids).size).toBe(ids.length);
    }
    const ac = homes.find((h) => h.id === 'ac_home_id');
    expect(ac.schedules.map((x: Json) => x.id)).toContain('schedule_01-ac');
    const legrand = homes.find((h) => h.id === 'legrand_home_id');
    expect(legrand.schedules.map((x: Json) => x.id)).toEqual(['schedule_01', 'schedule_02']);
    expect(
      (await api(s, 'switchhomeschedule', { home_id: 'ac_home_id', schedule_id: 'schedule_02-ac' }, t))
        .status,
    ).toBe(200);
    for (const home of homes.slice(2)) {
      const status = (await body(s, t, 'homestatus', { home_id: home.id })).home;
      expect(status.modules).toHaveLength(home.modules.length);
    }
    const meters = (await control(s, 'meters')).json.meters.map((m: Json) => m.module_id);
    expect(meters).toEqual(
      expect.arrayContaining(['12:34:56:00:00:a1:4c:da', '12:34:56:aa:00:02', '12:34:56:bb:00:04']),
    );
  });

  it('velux: openers travel to their target; the gateway state changes through /__sim/velux', async () => {
    const { s, t } = await start('velux');
    const home = 'velux_home_id';
    const awning = 'velux_opener_awning';
    const set = await setstate(s, { home: { id: home, modules: [{ id: awning, target_position: 40 }] } }, t);
    expect(set.json).toMatchObject({ status: 'ok' });
    s.advanceClock(9_000);
    let mods = byId((await body(s, t, 'homestatus', { home_id: home })).home.modules);
    expect(mods.get(awning).current_position).toBeLessThan(100);
    expect(mods.get(awning).current_position).toBeGreaterThan(40);
    s.advanceClock(30_000);
    mods = byId((await body(s, t, 'homestatus', { home_id: home })).home.modules);
    expect(mods.get(awning)).toMatchObject({ current_position: 40, target_position: 40 });

    const rain = await control(s, 'velux', { is_raining: true, busy: true });
    expect(rain.status).toBe(200);
    expect(rain.json).toMatchObject({ id: 'velux_gateway_id', is_raining: true, busy: true, locked: true });
    mods = byId((await body(s, t, 'homestatus', { home_id: home })).home.modules);
    expect(mods.get('velux_gateway_id')).toMatchObject({ is_raining: true, busy: true });
    expect((await control(s, 'velux', { gateway_id: 'velux_gateway_id', locked: false })).json.locked).toBe(
      false,
    );
    for (const bad of [{ is_raining: 'yes' }, { sunny: true }, {}, { gateway_id: 'nope', busy: true }]) {
      expect((await control(s, 'velux', bad)).status).toBe(400);
    }
    // The room climate the NXS sensor reports drifts over simulated time.
    const room = async (): Promise<Json> => (await body(s, t, 'homestatus', { home_id: home })).home.rooms[0];
    const before = await room();
    s.advanceClock(2 * 3_600_000);
    const after = await room();
    expect(['co2', 'humidity', 'temperature', 'lux'].some((k) => after[k] !== before[k])).toBe(true);
    expect(after.temperature).toBeGreaterThan(150);
    expect(after.temperature).toBeLessThan(350);
  });

  it('ac: the NAC room takes auto_ setpoints as pyatmo sends them, runs the AC, and falls back to its schedule', async () => {
    const { s, t } = await start('ac');
    const home = 'ac_home_id';
    const living = async (): Promise<Json> =>
      byId((await body(s, t, 'homestatus', { home_id: home })).home.rooms).get('ac_room_living');
    const start0 = await living();
    expect(start0).toMatchObject({ auto_setpoint_mode: 'home', therm_measured_temperature: 23.7 });
    const write = await setstate(
      s,
      {
        home: {
          id: home,
          rooms: [{ id: 'ac_room_living', auto_setpoint_mode: 'manual', auto_setpoint_temperature: 20 }],
        },
      },
      t,
    );
    expect(write.json).toMatchObject({ status: 'ok' });
    // therm_setpoint_default_duration of this home is 25 minutes.
    expect(await living()).toMatchObject({
      auto_setpoint_mode: 'manual',
      auto_setpoint_temperature: 20,
      auto_setpoint_end_time: nowSec(s) + 25 * 60,
    });
    s.advanceClock(20 * 60_000);
    const cooled = await living();
    expect(cooled.therm_measured_temperature).toBeLessThan(22.5);
    expect(cooled.therm_measured_temperature).toBeGreaterThan(20);
    s.advanceClock(10 * 60_000);
    const back = await living();
    expect(back).toMatchObject({ auto_setpoint_mode: 'home', auto_setpoint_end_time: null });
    // Wednesday 11:30 in Berlin: the auto schedule's zone is off, the room stays where it is.
    s.advanceClock(60 * 60_000);
    expect((await living()).therm_measured_temperature).toBe(back.therm_measured_temperature);
    // From 19:00 the schedule asks for 25 °C: the AC heats.
    s.advanceClock(6.5 * 3_600_000);
    await living();
    s.advanceClock(3_600_000);
    const evening = await living();
    expect(evening.auto_setpoint_temperature).toBe(25);
    expect(evening.therm_measured_temperature).toBeGreaterThan(back.therm_measured_temperature + 1);
    // Schedules of the home's own mode (auto) and heating ones can be switched to; cooling ones cannot.
    expect(
      (await api(s, 'switchhomeschedule', { home_id: home, schedule_id: 'schedule_04' }, t)).status,
    ).toBe(200);
    const refused = await api(s, 'switchhomeschedule', { home_id: home, schedule_id: 'schedule_03' }, t);
    expect(refused.json.error).toEqual({ code: 21, message: 'schedule <schedule_03> is not therm schedule' });
    // The radiator rooms keep heating setpoints.
    expect(
      (
        await api(
          s,
          'setroomthermpoint',
          { home_id: home, room_id: 'ac_room_bedroom_1', mode: 'manual', temp: '21' },
          t,
        )
      ).status,
    ).toBe(200);
  });

  it('legrand and bridged: rooms, schedules and meters are live and writable', async () => {
    const { s, t } = await start('legrand');
    const home = 'legrand_home_id';
    const room = await api(
      s,
      'setroomthermpoint',
      { home_id: home, room_id: 'legrand_room_dining', mode: 'manual', temp: '22' },
      t,
    );
    expect(room.status).toBe(200);
    expect((await api(s, 'setthermmode', { home_id: home, mode: 'schedule' }, t)).status).toBe(200);
    const meterPower = async (): Promise<number> =>
      byId((await body(s, t, 'homestatus', { home_id: home })).home.modules).get('12:34:56:aa:00:02').power;
    const powers = [await meterPower()];
    for (let i = 0; i < 6; i++) {
      s.advanceClock(10 * 60_000);
      powers.push(await meterPower());
    }
    expect(new Set(powers).size).toBeGreaterThan(1);
    // The electricity schedule cannot be switched to, and switching heating leaves it selected.
    expect(
      (await api(s, 'switchhomeschedule', { home_id: home, schedule_id: 'schedule_02' }, t)).status,
    ).toBe(400);
    expect(
      (await api(s, 'switchhomeschedule', { home_id: home, schedule_id: 'schedule_01' }, t)).status,
    ).toBe(200);
    const schedules = (await body(s, t, 'homesdata', {})).homes[0].schedules;
    expect(schedules.map((x: Json) => x.selected)).toEqual([true, true]);

    const bridged = await start('bridged');
    const dimmer = '12:34:56:bb:00:04'; // NLFE, off
    const on = await setstate(
      bridged.s,
      { home: { id: 'bridged_home_id', modules: [{ id: dimmer, on: true, brightness: 80 }] } },
      bridged.t,
    );
    expect(on.json).toMatchObject({ status: 'ok' });
    bridged.s.advanceClock(2 * 3_600_000);
    const meter = await reading(bridged.s, dimmer);
    expect(meter.rate).toBeGreaterThan(0);
    // 48 W for two hours, booked to the home's single `basic` tariff.
    expect(meter.registers.basic).toBeGreaterThanOrEqual(95);
    expect(meter.registers.peak + meter.registers.off_peak).toBe(0);
  });

  it('meters:20: twenty energy meters on one home, each answering getmeasure for a simulated day', async () => {
    const { s, t } = await start('meters:20');
    const home = (await body(s, t, 'homesdata', {})).homes[0];
    const nlpc = home.modules.filter((m: Json) => m.type === 'NLPC');
    expect(nlpc).toHaveLength(20);
    const status = byId((await body(s, t, 'homestatus', { home_id: home.id })).home.modules);
    for (const m of nlpc) expect(status.get(m.id).power).toBeGreaterThan(0);
    const from = nowSec(s);
    s.advanceClock(86_400_000);
    for (const m of nlpc.slice(0, 3)) {
      const lots = await measure(s, t, {
        module_id: m.id,
        scale: '1hour',
        type: 'sum_energy_buy_from_grid',
        date_begin: String(from),
      });
      const rows = rowsOf(lots);
      expect(rows).toHaveLength(24);
      const sum = rows.reduce((a, [, r]) => a + (r[0] ?? 0), 0);
      expect(sum).toBe((await reading(s, m.id, from + 86_400)).total - (await reading(s, m.id, from)).total);
    }
  });
});
