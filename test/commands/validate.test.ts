import { describe, expect, it } from 'vitest';
import { type Validation, validateCommand } from '../../src/commands/validate.js';
import type { DeviceState } from '../../src/devices/types.js';
import {
  CAMERA,
  DIMMER,
  FAN,
  fixtureDevice,
  GARAGE,
  HOME,
  PLUG,
  ROOM,
  SHUTTER,
  STATION,
  setMessage,
} from './devices.js';

const NOW = Date.UTC(2026, 0, 5, 8, 0, 0);

function validate(
  device: string,
  attribute: string | undefined,
  payload: string,
  state?: DeviceState,
): Validation {
  const known = (() => {
    try {
      return fixtureDevice(device);
    } catch {
      return undefined;
    }
  })();
  return validateCommand({ message: setMessage(device, attribute, payload), device: known, state, now: NOW });
}

function rejected(v: Validation): { code: string; error: string; values: Record<string, unknown> } {
  if (v.ok) throw new Error(`expected a rejection, got ${JSON.stringify(v.command.values)}`);
  return v.rejection;
}

function accepted(v: Validation): {
  values: Record<string, unknown>;
  endTime?: number;
  adjusted?: unknown;
  transaction?: unknown;
} {
  if (!v.ok) throw new Error(`expected acceptance, got ${v.rejection.code}: ${v.rejection.error}`);
  return v.command;
}

describe('validateCommand: every rejection code', () => {
  const cases: Array<[string, string, string | undefined, string, string]> = [
    ['unknown device', 'no_such_device', 'state', 'ON', 'unknown_device'],
    ['unknown attribute', PLUG, 'colour', 'red', 'unknown_attribute'],
    ['a writable key the device lacks', PLUG, 'brightness', '50', 'unsupported_attribute'],
    ['a shutter has no target temperature', SHUTTER, 'target_temperature', '20', 'unsupported_attribute'],
    ['a read-only capability', PLUG, 'power', '5', 'read_only'],
    ['a weather station cannot be set', STATION, 'temperature', '20', 'read_only'],
    ['a word for a number', ROOM, 'target_temperature', 'warm', 'invalid_type'],
    ['JSON true for a number', PLUG, undefined, '{"state":true}', 'invalid_type'],
    ['an object for an option', ROOM, undefined, '{"mode":{"x":1}}', 'invalid_type'],
    ['99 °C', ROOM, 'target_temperature', '99', 'out_of_range'],
    ['below the minimum setpoint', ROOM, 'target_temperature', '6.5', 'out_of_range'],
    ['position 150', SHUTTER, 'position', '150', 'out_of_range'],
    ['position -1', SHUTTER, 'position', '-1', 'out_of_range'],
    ['brightness 101', DIMMER, 'brightness', '101', 'out_of_range'],
    ['fan speed 3', FAN, 'fan_speed', '3', 'out_of_range'],
    ['just above the maximum setpoint', ROOM, 'target_temperature', '30.1', 'out_of_range'],
    ['a light flash', DIMMER, undefined, '{"state":"ON","flash":2}', 'unsupported_attribute'],
    ['an unknown room mode', ROOM, 'mode', 'party', 'invalid_value'],
    ['an unknown camera floodlight mode', CAMERA, 'floodlight', 'disco', 'invalid_value'],
    ['a schedule that does not exist', HOME, 'schedule', 'Summer', 'invalid_value'],
    ['preferred position on a garage door', GARAGE, 'state', 'PREFERRED', 'invalid_value'],
    ['broken JSON', PLUG, undefined, '{"state": "ON"', 'malformed_json'],
    ['a JSON array', PLUG, undefined, '["ON"]', 'malformed_json'],
    ['a JSON number on /set', PLUG, undefined, '42', 'malformed_json'],
    ['an empty payload', PLUG, undefined, '', 'empty_command'],
    ['an empty object', PLUG, undefined, '{}', 'empty_command'],
    ['only a transaction', PLUG, undefined, '{"transaction":"t1"}', 'empty_command'],
    ['only a duration', ROOM, undefined, '{"duration":30}', 'empty_command'],
  ];
  for (const [what, device, attribute, payload, code] of cases) {
    it(`${what} → ${code}`, () => {
      const r = rejected(validate(device, attribute, payload, { state: 'OFF', target_temperature: 20 }));
      expect(r.code).toBe(code);
      expect(r.error.length).toBeGreaterThan(10);
    });
  }

  it('names the device and echoes the transaction in a rejection', () => {
    const r = validateCommand({
      message: setMessage(ROOM, undefined, '{"target_temperature":99,"transaction":"t9"}'),
      device: fixtureDevice(ROOM),
      state: undefined,
      now: NOW,
    });
    expect(r).toMatchObject({
      ok: false,
      rejection: {
        code: 'out_of_range',
        device: ROOM,
        transaction: 't9',
        values: { target_temperature: 99 },
      },
    });
    if (!r.ok) expect(r.rejection.error).toContain('7..30');
  });
});

describe('validateCommand: values', () => {
  it('accepts a bare word on /set as {"state": word} and a JSON string likewise', () => {
    expect(accepted(validate(PLUG, undefined, 'ON')).values).toEqual({ state: 'ON' });
    expect(accepted(validate(SHUTTER, undefined, '"CLOSE"')).values).toEqual({ state: 'CLOSE' });
  });

  it('matches options case-insensitively and returns their declared spelling', () => {
    expect(accepted(validate(PLUG, 'state', 'on')).values).toEqual({ state: 'ON' });
    expect(accepted(validate(ROOM, 'mode', 'Frost_Guard')).values).toEqual({ mode: 'frost_guard' });
    expect(accepted(validate(CAMERA, 'monitoring', 'OFF')).values).toEqual({ monitoring: 'off' });
    expect(accepted(validate(SHUTTER, 'state', 'preferred')).values).toEqual({ state: 'PREFERRED' });
  });

  it('turns numbers sent as text into numbers', () => {
    expect(accepted(validate(ROOM, 'target_temperature', ' 21.5 ')).values).toEqual({
      target_temperature: 21.5,
    });
    expect(accepted(validate(DIMMER, undefined, '{"brightness":"40"}')).values).toEqual({ brightness: 40 });
    expect(accepted(validate(ROOM, 'target_temperature', '22.0')).values).toEqual({ target_temperature: 22 });
  });

  it('rounds a number off the device step to the nearest step and says so', () => {
    // Home Assistant does not round climate.set_temperature to temp_step: 20.9 °C arrives as is.
    const setpoint = accepted(validate(ROOM, 'target_temperature', '20.9'));
    expect(setpoint.values).toEqual({ target_temperature: 21 });
    expect(setpoint.adjusted).toEqual({ target_temperature: { requested: 20.9, applied: 21, step: 0.5 } });
    expect(accepted(validate(ROOM, 'target_temperature', '21.24')).values).toEqual({
      target_temperature: 21,
    });
    expect(accepted(validate(ROOM, 'target_temperature', '21.25')).values).toEqual({
      target_temperature: 21.5,
    });
    expect(accepted(validate(ROOM, 'target_temperature', '29.9')).values).toEqual({ target_temperature: 30 });
    expect(accepted(validate(SHUTTER, 'position', '33.3')).values).toEqual({ position: 33 });
    expect(accepted(validate(DIMMER, 'brightness', '40.5')).values).toEqual({ brightness: 41 });
    // On the step already: nothing to say.
    expect(accepted(validate(ROOM, 'target_temperature', '21.5')).adjusted).toBeUndefined();
  });

  it("accepts a light's transition and drops it: Netatmo switches at once", () => {
    const command = accepted(validate(DIMMER, undefined, '{"state":"ON","brightness":40,"transition":2.5}'));
    expect(command.values).toEqual({ state: 'ON', brightness: 40 });
    expect(rejected(validate(DIMMER, undefined, '{"transition":1}')).code).toBe('empty_command');
    expect(rejected(validate(PLUG, undefined, '{"state":"ON","transition":1}')).code).toBe(
      'unknown_attribute',
    );
    expect(rejected(validate(DIMMER, undefined, '{"state":"ON","flash":10}')).error).toContain(
      'cannot flash',
    );
  });

  it('resolves TOGGLE against the state the bridge knows', () => {
    expect(accepted(validate(PLUG, 'state', 'TOGGLE', { state: 'ON' })).values).toEqual({ state: 'OFF' });
    expect(accepted(validate(PLUG, 'state', 'toggle', { state: 'OFF' })).values).toEqual({ state: 'ON' });
    expect(accepted(validate(PLUG, 'state', 'TOGGLE', undefined)).values).toEqual({ state: 'ON' });
  });

  it('takes the transaction out of the values', () => {
    const command = accepted(validate(PLUG, undefined, '{"state":"OFF","transaction":7}'));
    expect(command.values).toEqual({ state: 'OFF' });
    expect(command.transaction).toBe(7);
  });
});

describe('validateCommand: end_time and duration', () => {
  const nowS = NOW / 1000;

  it('turns a duration in minutes into an end time from now', () => {
    const command = accepted(validate(ROOM, undefined, '{"target_temperature":21,"duration":30}'));
    expect(command.endTime).toBe(nowS + 1800);
  });

  it('accepts end_time as ISO 8601 or epoch seconds', () => {
    const iso = new Date(NOW + 3_600_000).toISOString();
    expect(
      accepted(validate(ROOM, undefined, JSON.stringify({ target_temperature: 21, end_time: iso }))).endTime,
    ).toBe(nowS + 3600);
    expect(
      accepted(validate(HOME, undefined, `{"thermostat_mode":"away","end_time":${nowS + 600}}`)).endTime,
    ).toBe(nowS + 600);
  });

  const refusals: Array<[string, string, string]> = [
    ['both end_time and duration', ROOM, `{"target_temperature":21,"duration":5,"end_time":${nowS + 60}}`],
    ['an end time in the past', ROOM, `{"target_temperature":21,"end_time":${nowS - 60}}`],
    ['an end time that is not a time', ROOM, '{"target_temperature":21,"end_time":"tomorrow-ish"}'],
    ['a zero duration', ROOM, '{"target_temperature":21,"duration":0}'],
    ['a duration over a week', ROOM, '{"target_temperature":21,"duration":10081}'],
    ['a duration on the schedule mode', ROOM, '{"mode":"schedule","duration":30}'],
    ['a duration on a home schedule mode', HOME, '{"thermostat_mode":"schedule","duration":30}'],
    ['a duration on a plug', PLUG, '{"state":"ON","duration":30}'],
    ['a setpoint with a non-manual mode', ROOM, '{"target_temperature":21,"mode":"away"}'],
  ];
  for (const [what, device, payload] of refusals) {
    it(`refuses ${what}`, () => {
      expect(rejected(validate(device, undefined, payload, { target_temperature: 20 })).code).toBe(
        'invalid_value',
      );
    });
  }

  it('refuses manual mode when no target temperature is known or given', () => {
    expect(rejected(validate(ROOM, 'mode', 'manual', {})).error).toContain('needs a target_temperature');
    expect(accepted(validate(ROOM, 'mode', 'manual', { target_temperature: 19 })).values).toEqual({
      mode: 'manual',
    });
    expect(
      accepted(validate(ROOM, undefined, '{"mode":"manual","target_temperature":19}', {})).values,
    ).toEqual({
      mode: 'manual',
      target_temperature: 19,
    });
  });
});
