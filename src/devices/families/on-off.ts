/**
 * What lights and switches share: Netatmo's `on` field read as ON/OFF, and one `setstate` entry
 * carrying `on` and, for dimmers, `brightness` (a brightness alone switches on, or off at 0).
 */

import type { EncodeResult, ValidCommand } from '../family.js';
import { moduleAction } from '../family.js';
import type { DeviceState } from '../types.js';

export function onOffState(on: unknown): string | null {
  return on === true ? 'ON' : on === false ? 'OFF' : null;
}

export function encodeOnOff({ device, values }: ValidCommand): EncodeResult {
  const brightness = values.brightness;
  const fields: Record<string, unknown> = {};
  const expected: DeviceState = {};
  if (typeof brightness === 'number') fields.brightness = brightness;
  const on =
    values.state !== undefined
      ? values.state === 'ON'
      : typeof brightness === 'number'
        ? brightness > 0
        : undefined;
  if (on !== undefined) {
    fields.on = on;
    expected.state = on ? 'ON' : 'OFF';
  }
  if (typeof brightness === 'number') expected.brightness = brightness;
  const action = moduleAction(device, fields);
  return 'error' in action ? action : { actions: [action], expected, confirmable: Object.keys(expected) };
}
