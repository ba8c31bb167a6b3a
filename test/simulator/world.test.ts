import { describe, expect, it } from 'vitest';
import { api, HOME, setstate, sim } from './helpers.js';

// biome-ignore lint/suspicious/noExplicitAny: reading arbitrary homestatus JSON
type Json = any;
const LIVING = '2746182631';
const SHUTTER = '12:34:56:00:01:01:01:b3';
const DIMMER = '00:11:22:33:00:11:45:fe';
const FAN = '12:34:56:00:01:01:01:b1';
const NOC = '12:34:56:10:b9:0e';
const CAMERA = '12:34:56:00:f1:62';
const CORRIDOR = '1002003001';

async function status(s: Awaited<ReturnType<typeof sim>>, access: string): Promise<Json> {
  const answer = await api(s, 'homestatus', { home_id: HOME }, access);
  expect(answer.status).toBe(200);
  return answer.json.body.home;
}
const find = (list: Json[], id: string): Json => list.find((x) => x.id === id);

describe('simulator world', () => {
  it('shows setstate writes in later reads: shutters travel, lights, fans, cameras, rooms', async () => {
    const s = await sim();
    const { access_token: t } = s.mintTokens();
    const write = await setstate(
      s,
      {
        home: {
          id: HOME,
          modules: [
            { id: SHUTTER, bridge: '12:34:56:80:60:40', target_position: 100 },
            { id: DIMMER, on: true, brightness: 30 },
            { id: FAN, fan_speed: 2 },
            { id: NOC, floodlight: 'on' },
            { id: CAMERA, monitoring: 'off' },
          ],
          rooms: [
            {
              id: CORRIDOR,
              therm_setpoint_mode: 'manual',
              therm_setpoint_temperature: 23,
              therm_setpoint_fp: 'comfort',
            },
          ],
        },
      },
      t,
    );
    expect(write.status).toBe(200);
    expect(write.json.status).toBe('ok');
    let home = await status(s, t);
    expect(find(home.modules, SHUTTER).target_position).toBe(100);
    expect(find(home.modules, DIMMER)).toMatchObject({ on: true, brightness: 30 });
    expect(find(home.modules, FAN).fan_speed).toBe(2);
    expect(find(home.modules, NOC).floodlight).toBe('on');
    expect(find(home.modules, CAMERA).monitoring).toBe('off');
    expect(find(home.rooms, CORRIDOR)).toMatchObject({
      therm_setpoint_mode: 'manual',
      therm_setpoint_temperature: 23,
      therm_setpoint_fp: 'comfort',
    });
    const start = find(home.modules, SHUTTER).current_position;
    s.advanceClock(60_000);
    home = await status(s, t);
    expect(find(home.modules, SHUTTER).current_position).toBe(100);
    expect(start).not.toBe(100);

    // -2 goes to the preferred position, -1 stops where the shutter is.
    await setstate(s, { home: { id: HOME, modules: [{ id: SHUTTER, target_position: 0 }] } }, t);
    s.advanceClock(6_000);
    await setstate(s, { home: { id: HOME, modules: [{ id: SHUTTER, target_position: -1 }] } }, t);
    home = await status(s, t);
    const stopped = find(home.modules, SHUTTER);
    expect(stopped.target_position).toBe(stopped.current_position);
    expect(stopped.current_position).toBeGreaterThan(70);
    expect(stopped.current_position).toBeLessThan(90);
    await setstate(s, { home: { id: HOME, modules: [{ id: SHUTTER, target_position: -2 }] } }, t);
    expect(find((await status(s, t)).modules, SHUTTER).target_position).toBe(50);
  });

  it('moves the measured temperature towards a new setpoint over simulated time', async () => {
    const s = await sim({ tokenLifetimeSec: 86_400 });
    const { access_token: t } = s.mintTokens();
    const before = find((await status(s, t)).rooms, LIVING);
    const answer = await api(
      s,
      'setroomthermpoint',
      { home_id: HOME, room_id: LIVING, mode: 'manual', temp: '25' },
      t,
    );
    expect(answer.json).toMatchObject({ status: 'ok' });
    expect(answer.json.body).toBeUndefined();
    const changedAt = s.lastChange(LIVING, 'therm_measured_temperature') ?? 0;
    s.advanceClock(30 * 60_000);
    const after = find((await status(s, t)).rooms, LIVING);
    expect(after.therm_setpoint_temperature).toBe(25);
    expect(after.therm_setpoint_mode).toBe('manual');
    expect(after.therm_measured_temperature).toBeGreaterThan(before.therm_measured_temperature + 1);
    expect(after.therm_measured_temperature).toBeLessThan(25);
    expect(s.lastChange(LIVING, 'therm_measured_temperature')).toBeGreaterThan(changedAt);
    // The manual setpoint ends after therm_setpoint_default_duration (120 min) and the room follows its schedule.
    s.advanceClock(3 * 3_600_000);
    expect(find((await status(s, t)).rooms, LIVING).therm_setpoint_mode).toBe('schedule');
  });

  it('applies setthermmode and switchhomeschedule to the home and its rooms', async () => {
    const s = await sim();
    const { access_token: t } = s.mintTokens();
    expect((await api(s, 'setthermmode', { home_id: HOME, mode: 'hg' }, t)).status).toBe(200);
    const home = await status(s, t);
    expect(find(home.rooms, LIVING)).toMatchObject({ therm_setpoint_mode: 'hg' });
    const topology = (await api(s, 'homesdata', { home_id: HOME }, t)).json.body.homes[0];
    expect(topology.therm_mode).toBe('hg');

    const winter = 'b1b54a2f45795764f59d50d8';
    expect((await api(s, 'switchhomeschedule', { home_id: HOME, schedule_id: winter }, t)).status).toBe(200);
    const schedules = (await api(s, 'homesdata', {}, t)).json.body.homes[0].schedules;
    expect(find(schedules, winter).selected).toBe(true);
    expect(schedules.filter((x: Json) => x.selected)).toHaveLength(1);

    expect((await api(s, 'setthermmode', { home_id: HOME, mode: 'schedule' }, t)).status).toBe(200);
    const back = find((await status(s, t)).rooms, LIVING);
    expect(back.therm_setpoint_mode).toBe('schedule');
    expect([17, 18, 21]).toContain(back.therm_setpoint_temperature);
  });

  it('answers bad parameters with Netatmo error codes and changes nothing', async () => {
    const s = await sim();
    const { access_token: t } = s.mintTokens();
    const cases: Array<[string, Record<string, string>, number, number, string?]> = [
      ['homestatus', {}, 400, 10, 'Missing home_id'],
      ['homestatus', { home_id: 'nope' }, 400, 21],
      ['setthermmode', { home_id: HOME }, 400, 10, 'mode is missing'],
      ['setthermmode', { home_id: HOME, mode: 'party' }, 400, 21],
      ['setroomthermpoint', { home_id: HOME, room_id: LIVING }, 400, 10, 'mode is missing'],
      ['setroomthermpoint', { home_id: HOME, room_id: LIVING, mode: 'manual', temp: '99' }, 400, 21],
      [
        'switchhomeschedule',
        { home_id: HOME, schedule_id: 'blah' },
        400,
        21,
        'schedule <blah> is not therm schedule',
      ],
      ['getstationsdata', { device_id: '70:ee:50:00:00:00' }, 404, 9],
      ['getmeasure', { device_id: '12:34:56:80:bb:26', type: 'temperature' }, 400, 10],
      ['getevents', {}, 400, 10],
    ];
    for (const [name, params, httpStatus, code, message] of cases) {
      const answer = await api(s, name, params, t);
      expect({ name, status: answer.status, code: answer.json.error?.code }).toEqual({
        name,
        status: httpStatus,
        code,
      });
      if (message) expect(answer.json.error.message).toBe(message);
    }
    const before = await status(s, t);
    const bad = await setstate(
      s,
      {
        home: {
          id: HOME,
          modules: [
            { id: DIMMER, on: false },
            { id: SHUTTER, target_position: 150 },
          ],
        },
      },
      t,
    );
    expect(bad.status).toBe(400);
    expect(bad.json.error.code).toBe(21);
    const floodlight = await setstate(
      s,
      { home: { id: HOME, modules: [{ id: CAMERA, floodlight: 'on' }] } },
      t,
    );
    expect(floodlight.json.error).toEqual({
      code: 21,
      message: `cannot set property floodlight for module ${CAMERA}`,
    });
    expect((await setstate(s, { home: { modules: [] } }, t)).json.error.code).toBe(10);
    expect(find((await status(s, t)).modules, DIMMER)).toEqual(find(before.modules, DIMMER));
  });

  it('changes weather values only at simulated upload times, every 5-10 minutes', async () => {
    const s = await sim({ seed: 7 });
    const { access_token: t } = s.mintTokens();
    const station = async (): Promise<Json> =>
      (await api(s, 'getstationsdata', { device_id: '12:34:56:37:11:ca' }, t)).json.body.devices[0];
    const first = await station();
    expect(first.dashboard_data.Temperature).toBeTypeOf('number');
    expect((await station()).dashboard_data).toEqual(first.dashboard_data);
    const uploads: number[] = [];
    let last = first.dashboard_data.time_utc;
    for (let minute = 0; minute < 60; minute++) {
      s.advanceClock(60_000);
      const now = (await station()).dashboard_data.time_utc;
      if (now !== last) uploads.push(now);
      last = now;
    }
    expect(uploads.length).toBeGreaterThanOrEqual(5);
    expect(uploads.length).toBeLessThanOrEqual(13);
    for (let i = 1; i < uploads.length; i++) {
      const gap = uploads[i]! - uploads[i - 1]!;
      expect(gap).toBeGreaterThanOrEqual(300);
      expect(gap).toBeLessThanOrEqual(600);
    }
    const end = (await station()).dashboard_data;
    expect(Math.abs(end.Temperature - first.dashboard_data.Temperature)).toBeLessThan(5);
    expect(end.Humidity).toBeGreaterThanOrEqual(5);
  });

  it('serves the fixture reads: homesdata, home coaches, events, measures', async () => {
    const s = await sim();
    const { access_token: t } = s.mintTokens();
    const homes = (await api(s, 'homesdata', {}, t)).json.body.homes;
    expect(homes.map((h: Json) => h.id)).toContain(HOME);
    const coaches = (await api(s, 'gethomecoachsdata', {}, t)).json.body.devices;
    expect(coaches.every((d: Json) => d.type === 'NHC')).toBe(true);
    expect(coaches.filter((d: Json) => d.reachable === false).every((d: Json) => !d.dashboard_data)).toBe(
      true,
    );
    const events = (await api(s, 'getevents', { home_id: HOME, size: '3' }, t)).json.body.home.events;
    expect(events).toHaveLength(3);
    const energy = await api(
      s,
      'getmeasure',
      {
        device_id: '12:34:56:80:60:40',
        module_id: '12:34:56:00:00:a1:4c:da',
        scale: '1hour',
        type: 'sum_energy_buy_from_grid',
      },
      t,
    );
    expect(energy.json.body[0].step_time).toBe(3600);
    const weather = await api(
      s,
      'getmeasure',
      {
        device_id: '12:34:56:37:11:ca',
        scale: '30min',
        type: 'temperature,humidity',
        limit: '4',
        optimize: 'false',
      },
      t,
    );
    const series = Object.values(weather.json.body) as number[][];
    expect(series).toHaveLength(4);
    expect(series.every((v) => v.length === 2 && typeof v[0] === 'number')).toBe(true);
  });
});
