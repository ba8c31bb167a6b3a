/**
 * The state kinds whose freshness is measured, and where each one lives on both sides: the
 * simulator's tracked field and the key in the bridge's published device state.
 */
import { moduleDeviceId, roomDeviceId } from '../../src/devices/ids.js';

export type StateKind = 'setpoint' | 'measured' | 'shutter' | 'weather';

export const STATE_KINDS: readonly StateKind[] = ['setpoint', 'measured', 'shutter', 'weather'];

/** Kinds that come from homestatus, which the H·3600/(2B) bound is about. */
export const HOMESTATUS_KINDS: readonly StateKind[] = ['setpoint', 'measured', 'shutter'];

interface KindSpec {
  kind: StateKind;
  /** Field name in the simulator (room, module or weather dashboard). */
  simField: string;
  /** Key in the published JSON state. */
  stateKey: string;
  deviceId(simId: string): string;
}

const SPECS: readonly KindSpec[] = [
  {
    kind: 'setpoint',
    simField: 'therm_setpoint_temperature',
    stateKey: 'target_temperature',
    deviceId: roomDeviceId,
  },
  {
    kind: 'measured',
    simField: 'therm_measured_temperature',
    stateKey: 'current_temperature',
    deviceId: roomDeviceId,
  },
  { kind: 'shutter', simField: 'current_position', stateKey: 'position', deviceId: moduleDeviceId },
  // Weather dashboards (stations, their modules, Home Coaches) use Netatmo's capitalised keys.
  { kind: 'weather', simField: 'Temperature', stateKey: 'temperature', deviceId: moduleDeviceId },
];

const BY_SIM_FIELD = new Map(SPECS.map((s) => [s.simField, s]));
const STATE_KEYS = new Set(SPECS.map((s) => s.stateKey));

/** `<kind>|<device id>|<state key>` for a simulator change, or undefined when not measured. */
export function seriesForSimChange(
  simId: string,
  field: string,
): { kind: StateKind; series: string } | undefined {
  const spec = BY_SIM_FIELD.get(field);
  if (!spec) return undefined;
  return { kind: spec.kind, series: `${spec.deviceId(simId)}|${spec.stateKey}` };
}

/** Whether a published state key is one that is measured. */
export function isMeasuredStateKey(key: string): boolean {
  return STATE_KEYS.has(key);
}
