import { describe, expect, it } from 'vitest';
import { encodeCommand } from '../../src/commands/encode.js';
import { validateCommand } from '../../src/commands/validate.js';
import { buildDevices, type Encoded, type ValidCommand } from '../../src/devices/index.js';
import type { Device, DeviceState } from '../../src/devices/types.js';
import { homes } from '../devices/fixtures.js';
import {
  CAMERA,
  DIMMER,
  FAN,
  fixtureDevice,
  fixtureDevices,
  HOME,
  OTM_ROOM,
  PLUG,
  ROOM,
  SHUTTER,
  setMessage,
} from './devices.js';

const NOW = Date.UTC(2026, 0, 5, 8, 0, 0);
const HOME_ID = '91763b24c43d3e344f424e8b';
/** The fixture home's therm schedule "Winter" (homesdata.json). */
const WINTER_ID = 'b1b54a2f45795764f59d50d8';

function command(device: string | Device, payload: string, state?: DeviceState): ValidCommand {
  const target = typeof device === 'string' ? fixtureDevice(device) : device;
  const v = validateCommand({
    message: setMessage(target.id, undefined, payload),
    device: target,
    state,
    now: NOW,
  });
  if (!v.ok) throw new Error(v.rejection.error);
  return v.command;
}

function encode(device: string | Device, payload: string, options: { state?: DeviceState } = {}): Encoded {
  const result = encodeCommand(command(device, payload, options.state), options.state);
  if ('error' in result) throw new Error(result.error);
  return result;
}

/** The room device of a one-room home heated by one module of `type`, as the device model builds it. */
function roomHeatedBy(type: string): Device {
  const devices = buildDevices({
    homes: {
      homes: [
        {
          id: HOME_ID,
          rooms: [{ id: '1002003001', name: 'Room', module_ids: ['70:ee:50:00:00:01'] }],
          modules: [{ id: '70:ee:50:00:00:01', type, room_id: '1002003001' }],
        },
      ],
    },
  });
  const room = devices.find((d) => d.family === 'room');
  if (!room) throw new Error(`a ${type} heats no room`);
  return room;
}

describe('encodeCommand: rooms choose their Netatmo call by heating type', () => {
  it('a Smart Thermostat room: setroomthermpoint with the end time', () => {
    const e = encode(ROOM, '{"target_temperature":21.5,"duration":60}');
    expect(e.actions).toEqual([
      {
        kind: 'room_therm_point',
        homeId: HOME_ID,
        roomId: '2746182631',
        mode: 'manual',
        temp: 21.5,
        endtime: NOW / 1000 + 3600,
      },
    ]);
    expect(e.expected).toEqual({ mode: 'manual', target_temperature: 21.5 });
  });

  it('a valve room back to its schedule: Netatmo mode "home", no temperature', () => {
    const e = encode(ROOM, '{"mode":"schedule"}');
    expect(e.actions).toEqual([
      { kind: 'room_therm_point', homeId: HOME_ID, roomId: '2746182631', mode: 'home' },
    ]);
    expect(e.expected).toEqual({ mode: 'schedule' });
  });

  it('boost (max) shows the maximum setpoint', () => {
    const e = encode(ROOM, '{"mode":"max"}');
    expect(e.actions[0]).toMatchObject({ kind: 'room_therm_point', mode: 'max' });
    expect(e.expected).toEqual({ mode: 'max', target_temperature: 30 });
  });

  it('manual without a temperature keeps the current target', () => {
    const e = encode(ROOM, '{"mode":"manual"}', {
      state: { target_temperature: 19.5 },
    });
    expect(e.actions[0]).toMatchObject({ kind: 'room_therm_point', mode: 'manual', temp: 19.5 });
  });

  it('away and frost guard need the setstate room payload even in a thermostat room', () => {
    expect(encode(ROOM, '{"mode":"away"}').actions).toEqual([
      { kind: 'setstate_room', homeId: HOME_ID, room: { id: '2746182631', therm_setpoint_mode: 'away' } },
    ]);
    const hg = encode(ROOM, '{"mode":"frost_guard","duration":10}');
    expect(hg.actions).toEqual([
      {
        kind: 'setstate_room',
        homeId: HOME_ID,
        room: { id: '2746182631', therm_setpoint_mode: 'hg', therm_setpoint_end_time: NOW / 1000 + 600 },
      },
    ]);
  });

  for (const type of ['OTM', 'BNS', 'NLC']) {
    it(`an ${type} room: the setstate room payload`, () => {
      const e = encode(roomHeatedBy(type), '{"target_temperature":22}');
      expect(e.actions).toEqual([
        {
          kind: 'setstate_room',
          homeId: HOME_ID,
          room: { id: '1002003001', therm_setpoint_mode: 'manual', therm_setpoint_temperature: 22 },
        },
      ]);
    });
  }

  it("the fixture's OpenTherm room takes setstate; its Smart Thermostat room setroomthermpoint", () => {
    expect(encode(OTM_ROOM, '{"target_temperature":22}').actions[0]?.kind).toBe('setstate_room');
    expect(encode(ROOM, '{"target_temperature":22}').actions[0]?.kind).toBe('room_therm_point');
  });
});

describe('encodeCommand: homes', () => {
  it('thermostat mode → setthermmode with Netatmo names and the end time', () => {
    const e = encode(HOME, '{"thermostat_mode":"frost_guard","duration":120}');
    expect(e.actions).toEqual([
      { kind: 'therm_mode', homeId: HOME_ID, mode: 'hg', endtime: NOW / 1000 + 7200 },
    ]);
    expect(e.expected).toEqual({ thermostat_mode: 'frost_guard' });
    expect(encode(HOME, '{"thermostat_mode":"schedule"}').actions).toEqual([
      { kind: 'therm_mode', homeId: HOME_ID, mode: 'schedule' },
    ]);
  });

  it('schedule name → switchhomeschedule with its id; not confirmed by homestatus', () => {
    const e = encode(HOME, '{"schedule":"Winter"}');
    expect(e.actions).toEqual([{ kind: 'switch_schedule', homeId: HOME_ID, scheduleId: WINTER_ID }]);
    expect(e.confirmable).toEqual([]);
  });

  it('two schedules of one name are told apart: the select offers both and each switches its own', () => {
    const [topology] = homes().homes;
    if (!topology) throw new Error('no fixture home');
    topology.schedules = [
      { id: 'a', name: 'Winter', type: 'therm', selected: true },
      { id: 'b', name: 'Winter', type: 'therm' },
      { id: 'c', name: 'Winter (2)', type: 'therm' },
    ];
    const home = buildDevices({ homes: { homes: [topology] } }).find((d) => d.kind === 'home');
    if (!home) throw new Error('no home device');
    const names = ['Winter', 'Winter (2)', 'Winter (2) (2)'];
    expect(home.capabilities.find((c) => c.key === 'schedule')?.writable?.options).toEqual(names);
    expect(names.map((name) => encode(home, JSON.stringify({ schedule: name })).actions[0])).toEqual(
      ['a', 'b', 'c'].map((scheduleId) => ({ kind: 'switch_schedule', homeId: HOME_ID, scheduleId })),
    );
  });

  it('a schedule whose id is not known yet is an error, not a call', () => {
    const home = fixtureDevice(HOME);
    const valid = command(home, '{"schedule":"Winter"}');
    // The schedule list the command was checked against no longer has it (renamed meanwhile).
    const result = encodeCommand({ ...valid, device: { ...home, schedules: [] } }, undefined);
    expect(result).toMatchObject({ error: expect.stringContaining('not known yet') });
  });
});

describe('encodeCommand: modules are setstate module entries', () => {
  const bridgeOf = (id: string): string | undefined => fixtureDevice(id).bridgeId;

  const shutterCases: Array<[string, number]> = [
    ['OPEN', 100],
    ['CLOSE', 0],
    ['STOP', -1],
    ['PREFERRED', -2],
  ];
  for (const [word, target] of shutterCases) {
    it(`shutter ${word} → target_position ${target}`, () => {
      const e = encode(SHUTTER, JSON.stringify({ state: word }), { state: { position: 40 } });
      expect(e.actions).toEqual([
        {
          kind: 'setstate_module',
          homeId: HOME_ID,
          module: { id: '0009999992', bridge: bridgeOf(SHUTTER), target_position: target },
        },
      ]);
      // A moving shutter reports positions in transit: nothing for the next poll to confirm.
      expect(e.confirmable).toEqual([]);
    });
  }

  it('shutter motion is published optimistically', () => {
    expect(encode(SHUTTER, '{"position":70}', { state: { position: 40 } }).expected).toEqual({
      state: 'opening',
    });
    expect(encode(SHUTTER, '{"position":10}', { state: { position: 40 } }).expected).toEqual({
      state: 'closing',
    });
    expect(encode(SHUTTER, '{"state":"STOP"}', { state: { position: 40 } }).expected).toEqual({
      state: 'stopped',
    });
  });

  it('a dimmer gets on with its brightness; brightness 0 switches it off', () => {
    const on = encode(DIMMER, '{"state":"ON","brightness":40}');
    expect(on.actions[0]).toMatchObject({
      module: { id: '12:34:56:00:01:01:01:a1', on: true, brightness: 40 },
    });
    expect(on.expected).toEqual({ state: 'ON', brightness: 40 });
    expect(encode(DIMMER, '{"brightness":0}').actions[0]).toMatchObject({
      module: { on: false, brightness: 0 },
    });
    expect(encode(DIMMER, '{"brightness":5}').expected).toEqual({ state: 'ON', brightness: 5 });
  });

  it('a plug: on true/false, confirmed by the next poll', () => {
    const e = encode(PLUG, '{"state":"OFF"}');
    expect(e.actions).toEqual([
      {
        kind: 'setstate_module',
        homeId: HOME_ID,
        module: { id: '12:34:56:80:00:12:ac:f2', bridge: bridgeOf(PLUG), on: false },
      },
    ]);
    expect(e.confirmable).toEqual(['state']);
  });

  it('fan speed, camera monitoring and floodlight pass through', () => {
    expect(encode(FAN, '{"fan_speed":2}').actions[0]).toMatchObject({ module: { fan_speed: 2 } });
    expect(encode(CAMERA, '{"monitoring":"off","floodlight":"auto"}').actions[0]).toMatchObject({
      module: { id: '12:34:56:10:b9:0e', monitoring: 'off', floodlight: 'auto' },
    });
  });

  it('every writable fixture device encodes to at least one call of its own home', () => {
    for (const device of fixtureDevices().filter((d) => d.capabilities.some((c) => c.writable))) {
      const cap = device.capabilities.find((c) => c.writable)!;
      const spec = cap.writable!;
      const value = spec.options ? spec.options[0] : spec.min;
      if (value === undefined) continue; // a home without therm schedules
      const result = encodeCommand(
        command(device.id, JSON.stringify({ [cap.key]: value }), { target_temperature: 20 }),
        {
          target_temperature: 20,
        },
      );
      if ('error' in result) throw new Error(`${device.id}: ${result.error}`);
      expect(result.actions.length, device.id).toBeGreaterThan(0);
      for (const action of result.actions) expect(action.homeId, device.id).toBe(device.homeId);
    }
  });
});
