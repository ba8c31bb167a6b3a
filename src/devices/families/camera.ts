/**
 * Cameras and the doorbell: monitoring on/off, the outdoor camera's floodlight (on/off/auto),
 * and SD card and power supply diagnostics. Both settings are `setstate` module fields.
 */
import {
  ALIM_STATUSES,
  choice,
  diagnostics,
  enumSensor,
  hasCapability,
  SD_STATUSES,
  toggle,
} from '../capability.js';
import { moduleAction, moduleFamily } from '../family.js';
import { alimStatus, sdStatus, str } from '../normalize.js';
import type { Capability, DeviceState } from '../types.js';

const NETATMO = 'Netatmo';
const SETTINGS = ['monitoring', 'floodlight'] as const;

interface CameraOptions {
  /** Monitoring cannot be switched (the doorbell). */
  alwaysOn?: true;
  /** Has a floodlight (on/off/auto). */
  floodlight?: true;
}

export const camera = moduleFamily<CameraOptions>({
  id: 'camera',
  kind: 'camera',
  commandKeys: SETTINGS,
  // biome-ignore format: one line per type
  types: {
    NACamera: { model: 'Smart Indoor Camera', vendor: NETATMO, wifi: true },
    NPC: { model: 'Smart Indoor Camera (Advance)', vendor: NETATMO, wifi: true },
    NOC: { model: 'Smart Outdoor Camera', vendor: NETATMO, wifi: true, floodlight: true },
    NDB: { model: 'Smart Video Doorbell', vendor: NETATMO, wifi: true, alwaysOn: true },
  },
  capabilities: ({ entry, reported }) => {
    const caps: Capability[] = [];
    if (!entry.alwaysOn) caps.push(toggle('monitoring', 'Monitoring', ['on', 'off']));
    if (entry.floodlight) caps.push(choice('floodlight', 'Floodlight', ['on', 'off', 'auto']));
    caps.push(
      enumSensor('sd_status', 'SD card', SD_STATUSES, true),
      enumSensor('alim_status', 'Power supply', ALIM_STATUSES, true),
    );
    return [...caps, ...diagnostics(entry, reported)];
  },
  state: (m, device) => {
    const state: DeviceState = { sd_status: sdStatus(m.sd_status), alim_status: alimStatus(m.alim_status) };
    for (const key of SETTINGS) if (hasCapability(device, key)) state[key] = str(m[key]);
    return state;
  },
  encode({ device, values }) {
    const fields: Record<string, unknown> = {};
    for (const key of SETTINGS)
      if (values[key] !== undefined && values[key] !== null) fields[key] = values[key];
    const action = moduleAction(device, fields);
    return 'error' in action
      ? action
      : { actions: [action], expected: { ...fields } as DeviceState, confirmable: Object.keys(fields) };
  },
});
