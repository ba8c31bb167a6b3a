/**
 * Validation of `<base>/<device>/set[/<attr>]` before anything is sent: the device must exist,
 * every attribute must be a writable capability of THAT device, every value must have the
 * right type and lie within the capability's writable spec, and the device's family must agree
 * (a room's setpoint needs manual mode, ...). The result is either a normalized command or one
 * clear rejection naming what was wrong.
 *
 * A number within range but off the device's step is rounded to the nearest step (Home
 * Assistant does not round `climate.set_temperature` to `temp_step`; an automation may send
 * 20.9 °C) and the command says so (`adjusted`), so the answer carries the value applied.
 * Keys a family ignores (a light's `transition`) are dropped; keys it cannot do (`flash`) are
 * refused with its reason.
 */
import { type Adjustment, COMMAND_KEYS, familyById, type ValidCommand } from '../devices/index.js';
import type { Capability, Device, DeviceState, StateValue } from '../devices/types.js';
import { childLogger } from '../log.js';
import type { Transaction } from '../mqtt/topics.js';
import { truncate } from '../util/truncate.js';
import { decodeSet, type SetMessage } from './decode.js';
import type { RejectionCode } from './types.js';

export interface Rejection {
  code: RejectionCode;
  error: string;
  device: string;
  /** What was asked for, as received (for the response). */
  values: Record<string, unknown>;
  transaction?: Transaction;
}

export type Validation = { ok: true; command: ValidCommand } | { ok: false; rejection: Rejection };

const log = childLogger('commands');

/** Keys that qualify a command instead of naming a capability. */
const MODIFIERS = new Set(['end_time', 'duration']);

export interface ValidationInput {
  message: SetMessage;
  device: Device | undefined;
  /** The device's state as the bridge last knows or intends it (resolves TOGGLE). */
  state: DeviceState | undefined;
  /** Epoch ms, for `duration`. */
  now: number;
}

export function validateCommand(input: ValidationInput): Validation {
  const decoded = decodeSet(input.message);
  if (!decoded.ok)
    return {
      ok: false,
      rejection: { code: decoded.code, error: decoded.error, device: input.message.device, values: {} },
    };
  const { values, transaction } = decoded;
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
  const family = familyById(device.family);
  for (const key of Object.keys(values)) {
    const reason = family.unsupportedKeys?.[key];
    if (reason !== undefined) return reject('unsupported_attribute', `${key} on ${device.id}: ${reason}`);
  }
  const ignored = Object.keys(values).filter((k) => family.ignoredKeys?.includes(k));
  if (ignored.length > 0)
    log.debug(`ignoring ${ignored.join(', ')} for ${device.id}: Netatmo has no such setting`);
  const keys = Object.keys(values).filter((k) => !MODIFIERS.has(k) && !ignored.includes(k));
  if (keys.length === 0) return reject('empty_command', `nothing to set on ${device.id}`);

  const out: Record<string, StateValue> = {};
  const adjusted: Record<string, Adjustment> = {};
  for (const key of keys) {
    const cap = device.capabilities.find((c) => c.key === key);
    if (!cap) {
      return COMMAND_KEYS.has(key)
        ? reject('unsupported_attribute', `${device.id} (${device.type}) has no ${key}`)
        : reject('unknown_attribute', `unknown attribute '${truncate(key, 80)}' for ${device.id}`);
    }
    if (!cap.writable) return reject('read_only', `${key} of ${device.id} is read-only`);
    const checked = checkValue(device, cap, values[key], input.state);
    if (!checked.ok) return reject(checked.code, checked.error);
    out[key] = checked.value;
    if (checked.adjusted) adjusted[key] = checked.adjusted;
  }

  const command: ValidCommand = { device, values: out };
  if (Object.keys(adjusted).length > 0) command.adjusted = adjusted;
  if (transaction !== undefined) command.transaction = transaction;
  const timing = endTime(values, input.now);
  if (!timing.ok) return reject('invalid_value', timing.error);
  if (timing.endTime !== undefined) {
    if (!family.timed?.(out)) {
      return reject(
        'invalid_value',
        'end_time/duration only go with a room target_temperature or mode (manual, max, away, frost_guard) or a home thermostat_mode away/frost_guard',
      );
    }
    command.endTime = timing.endTime;
  }
  const refusal = family.validate?.(command, input.state);
  if (refusal !== undefined) return reject('invalid_value', refusal);
  return { ok: true, command };
}

type Checked =
  | { ok: true; value: StateValue; adjusted?: Adjustment }
  | { ok: false; code: RejectionCode; error: string };

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
    const applied = onStep(number, step, min, max);
    if (applied !== number)
      return { ok: true, value: applied, adjusted: { requested: number, applied, step } };
  }
  return { ok: true, value: number };
}

/**
 * The value on the step grid (from `min`, or 0) nearest to `value`, halves rounding up, kept
 * within `min..max`; rounded to the step's decimals so 0.1 + 0.2 reads 0.3.
 */
export function onStep(value: number, step: number, min?: number, max?: number): number {
  const base = min ?? 0;
  const decimals = Math.max(0, -Math.floor(Math.log10(step)) + 1);
  const round = (n: number): number => Number(n.toFixed(Math.min(decimals + 2, 10)));
  let steps = Math.floor((value - base) / step + 0.5 + 1e-9);
  if (max !== undefined && round(base + steps * step) > max) steps = Math.floor((max - base) / step + 1e-9);
  const applied = round(base + steps * step);
  return Math.abs(applied - value) < 1e-9 ? value : applied;
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
