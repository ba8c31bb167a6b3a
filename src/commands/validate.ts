/**
 * Validation of `<base>/<device>/set[/<attr>]` before anything is sent: the device must exist,
 * every attribute must be a writable capability of THAT device, and every value must have the
 * right type and lie within the capability's writable spec. The result is either a normalized
 * command or one clear rejection naming what was wrong.
 */
import type { Capability, Device, DeviceState, StateValue } from '../devices/types.js';
import type { IncomingOf } from '../mqtt/incoming.js';
import type { Transaction } from '../mqtt/topics.js';
import { truncate } from '../util/truncate.js';
import type { RejectionCode, ValidCommand } from './types.js';

export interface Rejection {
  code: RejectionCode;
  error: string;
  device: string;
  /** What was asked for, as received (for the response). */
  values: Record<string, unknown>;
  transaction?: Transaction;
}

export type Validation = { ok: true; command: ValidCommand } | { ok: false; rejection: Rejection };

/** Keys that qualify a command instead of naming a capability. */
const MODIFIERS = new Set(['end_time', 'duration']);
/** Every key some device kind accepts: a key in here that a device lacks is "unsupported", not "unknown". */
const WRITABLE_KEYS = new Set([
  'target_temperature',
  'mode',
  'thermostat_mode',
  'schedule',
  'state',
  'position',
  'brightness',
  'fan_speed',
  'monitoring',
  'floodlight',
]);
/** Room modes that may carry an end time; `schedule` and `off` have none. */
const TIMED_ROOM_MODES = new Set(['manual', 'max', 'away', 'frost_guard']);
const TIMED_HOME_MODES = new Set(['away', 'frost_guard']);

/** Deeper /set values are refused: `[[[…]]]` 20 000 levels deep breaks JSON.stringify. */
const MAX_VALUE_DEPTH = 8;

/** Breadth-first, so a hostile depth costs a loop, not the stack. */
function nestedDeeperThan(value: unknown, max: number): boolean {
  let level: unknown[] = [value];
  for (let depth = 0; level.length > 0; depth++) {
    if (depth > max) return true;
    const next: unknown[] = [];
    for (const item of level) {
      if (typeof item === 'object' && item !== null)
        for (const inner of Object.values(item)) next.push(inner);
    }
    level = next;
  }
  return false;
}

type SetMessage = Pick<IncomingOf<'device_set'>, 'device' | 'attribute' | 'values' | 'raw'>;

/** Reads what a `/set` message asks for; refuses payloads that are neither JSON objects nor bare words. */
export function commandValues(
  message: SetMessage,
):
  | { ok: true; values: Record<string, unknown>; transaction?: Transaction }
  | { ok: false; rejection: Rejection } {
  const reject = (code: RejectionCode, error: string): { ok: false; rejection: Rejection } => ({
    ok: false,
    rejection: { code, error, device: message.device, values: {} },
  });
  let values: Record<string, unknown>;
  if (message.attribute !== undefined) {
    values = { ...message.values };
  } else {
    const raw = message.raw.trim();
    if (raw === '')
      return reject('empty_command', 'empty payload: send a JSON object such as {"state":"ON"}');
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch {
      // zigbee2mqtt accepts a bare word (`ON`, `OPEN`) on /set as {"state": word}.
      if (/^[A-Za-z_]+$/.test(raw)) return { ok: true, values: { state: raw } };
      return reject(
        'malformed_json',
        `malformed JSON on ${truncate(message.device, 80)}/set: ${truncate(raw, 80)}`,
      );
    }
    if (typeof parsed === 'string') values = { state: parsed };
    else if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed))
      values = { ...(parsed as Record<string, unknown>) };
    else
      return reject(
        'malformed_json',
        `${truncate(message.device, 80)}/set expects a JSON object, got ${truncate(raw, 80)}`,
      );
  }
  // Command values are scalars; deep nesting would only overflow the stack when echoed back.
  if (nestedDeeperThan(values, MAX_VALUE_DEPTH))
    return reject(
      'invalid_value',
      `${truncate(message.device, 80)}/set: values nested deeper than ${MAX_VALUE_DEPTH} levels`,
    );
  const transaction = values.transaction;
  delete values.transaction;
  const result: { ok: true; values: Record<string, unknown>; transaction?: Transaction } = {
    ok: true,
    values,
  };
  if (typeof transaction === 'string' || typeof transaction === 'number') result.transaction = transaction;
  return result;
}

export interface ValidationInput {
  message: SetMessage;
  device: Device | undefined;
  /** The device's state as the bridge last knows or intends it (resolves TOGGLE). */
  state: DeviceState | undefined;
  /** Epoch ms, for `duration`. */
  now: number;
}

export function validateCommand(input: ValidationInput): Validation {
  const parsed = commandValues(input.message);
  if (!parsed.ok) return parsed;
  const { values, transaction } = parsed;
  const reject = (code: RejectionCode, error: string): Validation => ({
    ok: false,
    rejection: {
      code,
      error,
      device: input.message.device,
      values,
      ...(transaction === undefined ? {} : { transaction }),
    },
  });
  const device = input.device;
  if (!device) return reject('unknown_device', `unknown device '${truncate(input.message.device, 80)}'`);
  const keys = Object.keys(values).filter((k) => !MODIFIERS.has(k));
  if (keys.length === 0) return reject('empty_command', `nothing to set on ${device.id}`);

  const out: Record<string, StateValue> = {};
  for (const key of keys) {
    const cap = device.capabilities.find((c) => c.key === key);
    if (!cap) {
      return WRITABLE_KEYS.has(key)
        ? reject('unsupported_attribute', `${device.id} (${device.type}) has no ${key}`)
        : reject('unknown_attribute', `unknown attribute '${truncate(key, 80)}' for ${device.id}`);
    }
    if (!cap.writable) return reject('read_only', `${key} of ${device.id} is read-only`);
    const checked = checkValue(device, cap, values[key], input.state);
    if (!checked.ok) return reject(checked.code, checked.error);
    out[key] = checked.value;
  }

  const command: ValidCommand = { device, values: out };
  if (transaction !== undefined) command.transaction = transaction;
  const timing = endTime(values, input.now);
  if (!timing.ok) return reject('invalid_value', timing.error);
  if (timing.endTime !== undefined) {
    const timed =
      (device.kind === 'room' &&
        ('target_temperature' in out || TIMED_ROOM_MODES.has(String(out.mode ?? '')))) ||
      (device.kind === 'home' && TIMED_HOME_MODES.has(String(out.thermostat_mode ?? '')));
    if (!timed) {
      return reject(
        'invalid_value',
        'end_time/duration only go with a room target_temperature or mode (manual, max, away, frost_guard) or a home thermostat_mode away/frost_guard',
      );
    }
    command.endTime = timing.endTime;
  }
  if (device.kind === 'room') {
    const mode = out.mode;
    if ('target_temperature' in out && mode !== undefined && mode !== 'manual') {
      return reject('invalid_value', `target_temperature needs mode manual, not ${String(mode)}`);
    }
    const target = out.target_temperature ?? input.state?.target_temperature;
    if (mode === 'manual' && typeof target !== 'number') {
      return reject('invalid_value', `mode manual on ${device.id} needs a target_temperature`);
    }
  }
  return { ok: true, command };
}

type Checked = { ok: true; value: StateValue } | { ok: false; code: RejectionCode; error: string };

function checkValue(
  device: Device,
  cap: Capability,
  value: unknown,
  state: DeviceState | undefined,
): Checked {
  const spec = cap.writable ?? {};
  const where = `${cap.key} of ${device.id}`;
  if (spec.options) {
    if (typeof value !== 'string' && typeof value !== 'number') {
      return { ok: false, code: 'invalid_type', error: `${where} must be one of ${spec.options.join(', ')}` };
    }
    const text = String(value).trim();
    const option =
      spec.options.find((o) => o === text) ??
      spec.options.find((o) => o.toLowerCase() === text.toLowerCase());
    if (option === undefined) {
      return {
        ok: false,
        code: 'invalid_value',
        error: `${where} must be one of ${spec.options.join(', ')}, got ${truncate(text, 80)}`,
      };
    }
    if (option === 'TOGGLE') return { ok: true, value: state?.[cap.key] === 'ON' ? 'OFF' : 'ON' };
    return { ok: true, value: option };
  }
  const number = toNumber(value);
  if (number === undefined) {
    return {
      ok: false,
      code: 'invalid_type',
      error: `${where} must be a number, got ${truncate(JSON.stringify(value) ?? String(value), 80)}`,
    };
  }
  const { min, max, step } = spec;
  if ((min !== undefined && number < min) || (max !== undefined && number > max)) {
    return {
      ok: false,
      code: 'out_of_range',
      error: `${where} must be within ${min ?? '-∞'}..${max ?? '∞'}, got ${number}`,
    };
  }
  if (step !== undefined && step > 0) {
    const steps = (number - (min ?? 0)) / step;
    if (Math.abs(steps - Math.round(steps)) > 1e-6) {
      return {
        ok: false,
        code: 'invalid_value',
        error: `${where} must be a multiple of ${step}, got ${number}`,
      };
    }
  }
  return { ok: true, value: number };
}

function toNumber(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value === 'string' && value.trim() !== '') {
    const n = Number(value.trim());
    return Number.isFinite(n) ? n : undefined;
  }
  return undefined;
}

/** `end_time` (ISO 8601 or epoch seconds) or `duration` (minutes) → epoch seconds in the future. */
function endTime(
  values: Record<string, unknown>,
  now: number,
): { ok: true; endTime?: number } | { ok: false; error: string } {
  const { end_time: end, duration } = values;
  if (end !== undefined && duration !== undefined)
    return { ok: false, error: 'send end_time or duration, not both' };
  if (duration !== undefined) {
    const minutes = toNumber(duration);
    if (minutes === undefined || minutes <= 0 || minutes > 24 * 60 * 7) {
      return { ok: false, error: 'duration must be a number of minutes within 1..10080' };
    }
    return { ok: true, endTime: Math.round(now / 1000 + minutes * 60) };
  }
  if (end === undefined) return { ok: true };
  const numeric = toNumber(end);
  const ms = numeric !== undefined ? numeric * 1000 : typeof end === 'string' ? Date.parse(end) : Number.NaN;
  if (!Number.isFinite(ms)) return { ok: false, error: 'end_time must be an ISO 8601 time or epoch seconds' };
  if (ms <= now) return { ok: false, error: 'end_time is in the past' };
  return { ok: true, endTime: Math.round(ms / 1000) };
}
