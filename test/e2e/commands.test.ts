/**
 * Commands end to end: a real broker, the simulator over HTTP and the real Bridge. Every command
 * kind changes the simulator's state and the device's MQTT state; bad input is answered with a
 * clear error and never reaches Netatmo.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type CommandBridge, HOME_ID, startCommandBridge } from '../commands/bridge-fixture.js';
import { type TestBroker, useTestBroker } from '../support/broker.js';

let broker: TestBroker;
let fx: CommandBridge | undefined;

beforeAll(async () => {
  broker = await useTestBroker();
});
afterAll(async () => {
  await broker.close();
});
afterEach(async () => {
  await fx?.close();
  fx = undefined;
});

type Fields = Record<string, unknown>;

async function homeStatus(f: CommandBridge): Promise<{ rooms: Fields[]; modules: Fields[] }> {
  const { body } = await f.api('homestatus', { home_id: HOME_ID });
  return (body as { body: { home: { rooms: Fields[]; modules: Fields[] } } }).body.home;
}

async function homeTopology(f: CommandBridge): Promise<Fields> {
  const { body } = await f.api('homesdata', { home_id: HOME_ID });
  return (body as { body: { homes: Fields[] } }).body.homes[0] as Fields;
}

function netatmoId(f: CommandBridge, device: string): string {
  const d = f.bridge.store.device(device);
  if (!d) throw new Error(`no device ${device}`);
  return d.netatmoId;
}

/** Commands that reached an end: sent (ok or failed), rejected, or superseded while coalescing. */
function outcomes(f: CommandBridge): number {
  const c = f.bridge.health().commands;
  return c.ok + c.failed + c.rejected + c.coalesced;
}

async function ready(f: CommandBridge): Promise<void> {
  await f.until(() => f.state('room_2746182631')?.mode != null, 15_000, 'first home status');
}

describe('commands over MQTT', () => {
  it('every command kind changes the simulator and the device state on MQTT', async () => {
    fx = await startCommandBridge({ brokerUrl: broker.url });
    const f = fx;
    await ready(f);
    const room = async (id: string): Promise<Fields> =>
      (await homeStatus(f)).rooms.find((r) => r.id === id) as Fields;
    const module = async (device: string): Promise<Fields> =>
      (await homeStatus(f)).modules.find((m) => m.id === netatmoId(f, device)) as Fields;
    const ok = async (device: string, suffix: string, payload: string): Promise<void> => {
      const response = await f.command(device, suffix, payload);
      expect(response, `${device}/${suffix} ${payload} → ${JSON.stringify(response)}`).toMatchObject({
        status: 'ok',
        data: { device },
      });
    };

    // Room with a Smart Thermostat: setroomthermpoint; the end time is passed through.
    await ok('room_2746182631', 'set', JSON.stringify({ target_temperature: 21.5, duration: 30 }));
    const r = await room('2746182631');
    expect(r).toMatchObject({ therm_setpoint_mode: 'manual', therm_setpoint_temperature: 21.5 });
    const end = r.therm_setpoint_end_time as number;
    expect(Math.abs(end - (f.sim.clock.now() / 1000 + 1800))).toBeLessThan(60);
    expect(f.state('room_2746182631')).toMatchObject({ mode: 'manual', target_temperature: 21.5 });
    await ok('room_2746182631', 'set/mode', 'schedule');
    expect(['home', 'schedule']).toContain((await room('2746182631')).therm_setpoint_mode);
    await ok('room_2833524037', 'set/mode', 'max');
    expect((await room('2833524037')).therm_setpoint_mode).toBe('max');
    expect(f.state('room_2833524037')).toMatchObject({ mode: 'max', target_temperature: 30 });
    await ok('room_2940411577', 'set/mode', 'frost_guard');
    expect((await room('2940411577')).therm_setpoint_mode).toBe('hg');
    await ok('room_2940411577', 'set/mode', 'off');
    expect((await room('2940411577')).therm_setpoint_mode).toBe('off');
    // OpenTherm and Smarther rooms go through the setstate room payload.
    const before = f.sim.stats().requests.setstate ?? 0;
    await ok('room_1002003001', 'set/target_temperature', '22');
    expect(await room('1002003001')).toMatchObject({
      therm_setpoint_mode: 'manual',
      therm_setpoint_temperature: 22,
    });
    await ok('room_1002003001', 'set/mode', 'away');
    expect((await room('1002003001')).therm_setpoint_mode).toBe('away');
    expect((f.sim.stats().requests.setstate ?? 0) - before).toBe(2);

    // Home: thermostat mode and active schedule.
    await ok(`home_${HOME_ID}`, 'set/thermostat_mode', 'away');
    expect((await homeTopology(f)).therm_mode).toBe('away');
    await ok(`home_${HOME_ID}`, 'set/thermostat_mode', 'schedule');
    await ok(`home_${HOME_ID}`, 'set/schedule', 'Winter');
    const schedules = (await homeTopology(f)).schedules as Fields[];
    expect(schedules.find((s) => s.name === 'Winter')?.selected).toBe(true);
    expect(f.state(`home_${HOME_ID}`)).toMatchObject({ thermostat_mode: 'schedule', schedule: 'Winter' });

    // Shutters, lights, plugs, ventilation, cameras.
    await ok('0009999992', 'set/position', '30');
    expect((await module('0009999992')).target_position).toBe(30);
    await ok('12_34_56_00_01_01_01_b3', 'set/state', 'CLOSE');
    expect((await module('12_34_56_00_01_01_01_b3')).target_position).toBe(0);
    await ok('00_11_22_33_00_11_45_fe', 'set', JSON.stringify({ state: 'ON' }));
    expect((await module('00_11_22_33_00_11_45_fe')).on).toBe(true);
    expect(f.state('00_11_22_33_00_11_45_fe')?.state).toBe('ON');
    await ok('00_11_22_33_00_11_45_fe', 'set', 'OFF');
    expect((await module('00_11_22_33_00_11_45_fe')).on).toBe(false);
    const plugBefore = (await module('12_34_56_80_00_12_ac_f2')).on;
    await ok('12_34_56_80_00_12_ac_f2', 'set/state', 'TOGGLE');
    expect((await module('12_34_56_80_00_12_ac_f2')).on).toBe(!plugBefore);
    await ok('12_34_56_00_01_01_01_b1', 'set/fan_speed', '2');
    expect((await module('12_34_56_00_01_01_01_b1')).fan_speed).toBe(2);
    await ok('12_34_56_00_f1_62', 'set/monitoring', 'off');
    expect((await module('12_34_56_00_f1_62')).monitoring).toBe('off');
    expect(f.state('12_34_56_00_f1_62')?.monitoring).toBe('off');
    await ok('12_34_56_10_b9_0e', 'set/floodlight', 'auto');
    expect((await module('12_34_56_10_b9_0e')).floodlight).toBe('auto');
    expect(f.bridge.health().commands).toMatchObject({ rejected: 0, failed: 0 });
  }, 60_000);
});

describe('shutter preferred position', () => {
  it('PREFERRED moves a roller shutter to its preferred position; a garage door refuses it', async () => {
    fx = await startCommandBridge({ brokerUrl: broker.url });
    const f = fx;
    await ready(f);
    const shutter = '0009999992'; // NBR, closed (0) in the fixtures
    const response = await f.command(shutter, 'set/state', 'PREFERRED');
    expect(response).toMatchObject({
      status: 'ok',
      data: { device: shutter, values: { state: 'PREFERRED' } },
    });
    // The simulator resolves target_position -2 to the module's preferred position (50): no
    // other shutter payload can produce it.
    const { body } = await f.api('homestatus', { home_id: HOME_ID });
    const modules = (body as { body: { home: { modules: Fields[] } } }).body.home.modules;
    expect(modules.find((m) => m.id === shutter)?.target_position).toBe(50);

    // Let the shutter travel; the bridge's next read of the home (its confirmation read, or the
    // refresh asked for here) shows it arrived.
    f.sim.advanceClock(120_000);
    const before = f.messages.length;
    await f.send('bridge/request/refresh', JSON.stringify({ home: HOME_ID, transaction: 'p1' }));
    await f.until(
      () => f.messages.slice(before).some((m) => m.topic === `${f.base}/bridge/response/refresh`),
      10_000,
      'the refresh answer',
    );
    const answer = f.messages.slice(before).find((m) => m.topic === `${f.base}/bridge/response/refresh`);
    expect(JSON.parse(answer?.payload ?? '{}')).toEqual({
      status: 'ok',
      data: { refreshed: HOME_ID },
      transaction: 'p1',
    });
    await f.until(() => f.state(shutter)?.position === 50, 20_000, 'position 50 on MQTT');
    expect(f.state(shutter)?.state).toBe('open');

    const writes = f.writes();
    const garage = await f.command('12_34_56_00_01_01_01_b5', 'set/state', 'PREFERRED');
    expect(garage).toMatchObject({ status: 'error', data: { code: 'invalid_value' } });
    expect(f.writes()).toBe(writes);
  }, 30_000);
});

describe('commands: coalescing, bad input, storms', () => {
  it('50 brightness values within one second make at most 2 API calls and the last one wins', async () => {
    fx = await startCommandBridge({ brokerUrl: broker.url, sim: { scenario: 'scale:1,28' } });
    const f = fx;
    await f.until(() => f.bridge.store.devices().some((d) => d.type === 'NLFN'), 15_000, 'devices');
    const dimmer = f.bridge.store.devices().find((d) => d.type === 'NLFN');
    if (!dimmer?.homeId) throw new Error('no dimmer');
    const before = f.sim.stats().requests.setstate ?? 0;
    const outcomesBefore = outcomes(f);
    for (let i = 1; i <= 50; i++) {
      await f.send(`${dimmer.id}/set`, JSON.stringify({ state: 'ON', brightness: i * 2 }));
      await new Promise((r) => setTimeout(r, 15));
    }
    await f.until(() => f.state(dimmer.id)?.brightness === 100, 5_000, 'final brightness on MQTT');
    // Every command sent or superseded: no Netatmo call can follow.
    await f.until(() => outcomes(f) - outcomesBefore >= 50, 5_000, 'an outcome for each of the 50');
    expect((f.sim.stats().requests.setstate ?? 0) - before).toBeLessThanOrEqual(2);
    const { body } = await f.api('homestatus', { home_id: dimmer.homeId });
    const modules = (body as { body: { home: { modules: Fields[] } } }).body.home.modules;
    expect(modules.find((m) => m.id === dimmer.netatmoId)).toMatchObject({ on: true, brightness: 100 });
    expect(f.bridge.health().commands.coalesced).toBeGreaterThanOrEqual(47);
  }, 30_000);

  it('answers a value replaced while coalescing when it carried a transaction', async () => {
    fx = await startCommandBridge({ brokerUrl: broker.url, sim: { scenario: 'scale:1,28' } });
    const f = fx;
    await f.until(() => f.bridge.store.devices().some((d) => d.type === 'NLFN'), 15_000, 'devices');
    const dimmer = f.bridge.store.devices().find((d) => d.type === 'NLFN')!;
    // The first goes at once, the second waits as the trailing value, the third replaces it.
    for (const [i, brightness] of [10, 20, 30].entries()) {
      await f.send(`${dimmer.id}/set`, JSON.stringify({ brightness, transaction: `t${i}` }));
    }
    await f.until(
      () => f.responses().filter((r) => r.transaction !== undefined).length >= 3,
      5_000,
      'three answers',
    );
    const answers = new Map(f.responses().map((r) => [r.transaction, r]));
    expect(answers.get('t0')).toMatchObject({ status: 'ok', data: { values: { brightness: 10 } } });
    expect(answers.get('t1')).toMatchObject({
      status: 'ok',
      data: { values: { brightness: 20 }, code: 'superseded' },
    });
    expect(answers.get('t2')).toMatchObject({ status: 'ok', data: { values: { brightness: 30 } } });
    expect(answers.get('t2')?.data).not.toHaveProperty('code');
  }, 30_000);

  it('answers every kind of bad input with a clear error, sends nothing and keeps running', async () => {
    fx = await startCommandBridge({ brokerUrl: broker.url });
    const f = fx;
    await ready(f);
    const writes = f.writes();
    const cases: Array<[string, string, string, string]> = [
      ['no_such_device', 'set/state', 'ON', 'unknown_device'],
      ['12_34_56_80_00_12_ac_f2', 'set/colour', 'red', 'unknown_attribute'],
      ['12_34_56_80_00_12_ac_f2', 'set/brightness', '50', 'unsupported_attribute'],
      ['12_34_56_80_00_12_ac_f2', 'set/power', '5', 'read_only'],
      ['room_2746182631', 'set/target_temperature', 'warm', 'invalid_type'],
      ['room_2746182631', 'set/target_temperature', '99', 'out_of_range'],
      ['0009999992', 'set/position', '150', 'out_of_range'],
      ['room_2746182631', 'set/mode', 'party', 'invalid_value'],
      ['12_34_56_80_00_12_ac_f2', 'set', '{"state": "ON"', 'malformed_json'],
      ['12_34_56_80_00_12_ac_f2', 'set', '', 'empty_command'],
    ];
    for (const [device, suffix, payload, code] of cases) {
      const response = await f.command(device, suffix, payload);
      expect(response, `${device}/${suffix} ${payload}`).toMatchObject({ status: 'error', data: { code } });
      expect((response as { error: string }).error.length).toBeGreaterThan(10);
    }
    expect(f.writes()).toBe(writes);
    expect(f.bridge.health().commands.rejected).toBe(cases.length);
    expect(JSON.parse(f.last.get(`${f.base}/bridge/state`) ?? '{}')).toEqual({ state: 'online' });
    const good = await f.command('12_34_56_80_00_12_ac_f2', 'set/state', 'OFF');
    expect(good.status).toBe('ok');
    expect(f.writes()).toBe(writes + 1);
  }, 30_000);

  it('caps a storm of 500 toggles on one device while another device still takes commands', async () => {
    fx = await startCommandBridge({
      brokerUrl: broker.url,
      commands: { coalesce_ms: 0, storm_cap_per_minute: 30 },
    });
    const f = fx;
    await ready(f);
    const plug = '12_34_56_80_00_12_ac_f2';
    for (let i = 0; i < 500; i++) {
      await f.send(`${plug}/set/state`, 'TOGGLE');
      if (i === 250) await f.send('12_34_56_00_f1_62/set/monitoring', 'off');
    }
    await f.until(
      () => f.responses().filter((r) => r.data.device === plug).length >= 500,
      20_000,
      '500 answers',
    );
    const plugAnswers = f.responses().filter((r) => r.data.device === plug);
    const okCount = plugAnswers.filter((r) => r.status === 'ok').length;
    expect(okCount).toBeLessThanOrEqual(30);
    expect(okCount).toBeGreaterThan(0);
    expect(plugAnswers.filter((r) => r.data.code === 'command_storm').length).toBe(500 - okCount);
    const storms = f.messages
      .filter((m) => m.topic === `${f.base}/bridge/event`)
      .map((m) => JSON.parse(m.payload) as { type: string; data: { device?: string } })
      .filter((e) => e.type === 'command_storm');
    expect(storms).toEqual([expect.objectContaining({ data: expect.objectContaining({ device: plug }) })]);
    const camera = f.responses().find((r) => r.data.device === '12_34_56_00_f1_62');
    expect(camera?.status).toBe('ok');
  }, 40_000);
});

describe('commands while Netatmo throttles', () => {
  const twenty: Array<[string, string, string]> = [
    ...['2746182631', '2833524037', '2940411577', '1002003001'].map((r): [string, string, string] => [
      `room_${r}`,
      'set/mode',
      'max',
    ]),
    ...[
      '0009999992',
      '0009999993',
      '12_34_56_00_01_01_01_b3',
      '12_34_56_00_01_01_01_b4',
      '12_34_56_00_01_01_01_b5',
    ].map((d): [string, string, string] => [d, 'set/position', '50']),
    ...[
      '12_34_56_80_00_12_ac_f2',
      '12_34_56_00_01_01_01_b2',
      '12_34_56_00_01_01_01_b6-1',
      '12_34_56_00_01_01_01_b6-2',
      '12_34_56_00_01_01_01_b7',
      '12_34_56_00_01_01_01_b8',
      '12_34_56_00_01_01_01_b9',
    ].map((d): [string, string, string] => [d, 'set/state', 'ON']),
    ['12_34_56_00_01_01_01_b1', 'set/fan_speed', '2'],
    ...['12_34_56_00_f1_62', '12_34_56_00_f1_63', '12_34_56_10_b9_0e'].map((d): [string, string, string] => [
      d,
      'set/monitoring',
      'on',
    ]),
  ];

  async function burn(f: CommandBridge, token: string): Promise<void> {
    for (let i = 0; i < 200; i++) {
      if ((await f.api('homestatus', { home_id: HOME_ID }, token)).status !== 200) return;
    }
    throw new Error('the quota never ran out');
  }

  async function sendAll(f: CommandBridge): Promise<number> {
    const before = f.responses().length;
    await Promise.all(twenty.map(([d, s, p]) => f.send(`${d}/${s}`, p)));
    await f.until(() => f.responses().length - before >= 20, 20_000, '20 answers');
    return before;
  }

  it('per-token quota: 20 concurrent commands all succeed after exactly one refresh', async () => {
    fx = await startCommandBridge({
      brokerUrl: broker.url,
      sim: { quota: 'per-token', limits: { userPerHour: 80 } },
    });
    const f = fx;
    await ready(f);
    await burn(f, await f.bridge.netatmo.auth.accessToken());
    const refreshes = f.sim.stats().token_refreshes;
    const before = await sendAll(f);
    const answers = f.responses().slice(before);
    expect(
      answers.filter((r) => r.status !== 'ok'),
      JSON.stringify(answers.filter((r) => r.status !== 'ok')),
    ).toEqual([]);
    expect(f.sim.stats().token_refreshes - refreshes).toBe(1);
  }, 40_000);

  it('per-user quota: commands are answered with retry_at within two seconds and none is sent twice', async () => {
    fx = await startCommandBridge({
      brokerUrl: broker.url,
      sim: { quota: 'per-user', limits: { userPerHour: 80 } },
    });
    const f = fx;
    await ready(f);
    await burn(f, f.sim.mintTokens().access_token);
    f.sim.resetStats();
    const outcomesBefore = outcomes(f);
    const started = Date.now();
    const before = await sendAll(f);
    expect(Date.now() - started).toBeLessThan(2_500);
    const answers = f.responses().slice(before);
    for (const answer of answers) {
      expect(answer).toMatchObject({ status: 'error', data: { code: 'throttled' } });
      expect(Date.parse(answer.data.retry_at ?? '')).toBeGreaterThan(f.sim.clock.now());
    }
    const writes = f.sim.log().filter((e) => ['setstate', 'setroomthermpoint'].includes(e.endpoint));
    expect(writes.filter((e) => e.outcome === 'ok')).toEqual([]);
    const sent = writes.length;
    // Each command has its outcome and the gate holds no command for later: nothing is resent.
    await f.until(() => outcomes(f) - outcomesBefore >= twenty.length, 5_000, 'an outcome per command');
    await f.until(() => f.bridge.netatmo.gate.stats().queued.command === 0, 5_000, 'no queued command');
    expect(f.sim.log().filter((e) => ['setstate', 'setroomthermpoint'].includes(e.endpoint)).length).toBe(
      sent,
    );
  }, 40_000);
});
