/**
 * A validated command → the Netatmo calls that carry it, and the state it should leave.
 *
 * Rooms with OpenTherm, Smarther or pilot-wire heating (OTM, BNS, NLC) take the `setstate` room
 * payload; rooms with a Smart Thermostat or valves take `setroomthermpoint` (as pyatmo does),
 * except for away and frost guard, which only `setstate` can set per room. Homes use
 * `setthermmode` and `switchhomeschedule`; every module command is a `setstate` module entry,
 * so several of them can share one call.
 */
import type { DeviceState } from '../devices/types.js';
import type { ExpectedState, NetatmoAction, ValidCommand } from './types.js';

/** Heating types whose rooms are driven through the setstate room payload. */
const SETSTATE_ROOM_TYPES: ReadonlySet<string> = new Set(['OTM', 'BNS', 'NLC']);
/** Bridge room/home mode names → Netatmo's. */
const NETATMO_ROOM_MODE: Record<string, string> = {
  schedule: 'home',
  manual: 'manual',
  max: 'max',
  off: 'off',
  away: 'away',
  frost_guard: 'hg',
};
const NETATMO_HOME_MODE: Record<string, string> = {
  schedule: 'schedule',
  away: 'away',
  frost_guard: 'hg',
  off: 'off',
};
const SHUTTER_TARGET: Record<string, number> = { OPEN: 100, CLOSE: 0, STOP: -1, PREFERRED: -2 };
/** Netatmo's maximum setpoint, which `max` (boost) applies. */
const MAX_SETPOINT = 30;

export interface EncodeContext {
  /** The device's current state (a manual mode without a temperature keeps the current target). */
  state: DeviceState | undefined;
  /** Netatmo types of the heating modules in a room (for rooms). */
  roomModuleTypes: readonly string[];
  /** Therm schedule id by name in a home; undefined when unknown. */
  scheduleId(homeId: string, name: string): string | undefined;
}

export interface Encoded {
  actions: NetatmoAction[];
  /** Optimistic state published once Netatmo accepted the command. */
  expected: ExpectedState;
  /** Keys the next poll should confirm (moving shutters report positions in transit). */
  confirmable: string[];
}

export function encodeCommand(command: ValidCommand, ctx: EncodeContext): Encoded | { error: string } {
  const { device, values } = command;
  const homeId = device.homeId;
  if (!homeId) return { error: `${device.id} belongs to no Netatmo home; it cannot be controlled` };
  switch (device.kind) {
    case 'room':
      return encodeRoom(command, homeId, ctx);
    case 'home':
      return encodeHome(command, homeId, ctx);
    default:
      break;
  }
  const module: { id: string; [field: string]: unknown } = { id: device.netatmoId };
  if (device.bridgeId) module.bridge = device.bridgeId;
  const expected: ExpectedState = {};
  let confirmable = true;
  if (device.kind === 'shutter') {
    const target =
      typeof values.position === 'number' ? values.position : SHUTTER_TARGET[String(values.state)];
    if (target === undefined) return { error: `cannot move ${device.id} to ${String(values.state)}` };
    module.target_position = target;
    confirmable = false;
    const current = ctx.state?.position;
    if (target === -1) expected.state = 'stopped';
    else if (target >= 0 && typeof current === 'number' && target !== current)
      expected.state = target > current ? 'opening' : 'closing';
  } else if (device.kind === 'light' || device.kind === 'switch') {
    const brightness = values.brightness;
    if (typeof brightness === 'number') module.brightness = brightness;
    const on =
      values.state !== undefined
        ? values.state === 'ON'
        : typeof brightness === 'number'
          ? brightness > 0
          : undefined;
    if (on !== undefined) {
      module.on = on;
      expected.state = on ? 'ON' : 'OFF';
    }
    if (typeof brightness === 'number') expected.brightness = brightness;
  } else {
    for (const key of ['fan_speed', 'monitoring', 'floodlight'] as const) {
      if (values[key] !== undefined && values[key] !== null) {
        module[key] = values[key];
        expected[key] = values[key];
      }
    }
  }
  return {
    actions: [{ kind: 'setstate_module', homeId, module }],
    expected,
    confirmable: confirmable ? Object.keys(expected) : [],
  };
}

function encodeRoom(command: ValidCommand, homeId: string, ctx: EncodeContext): Encoded | { error: string } {
  const { device, values, endTime } = command;
  const mode = typeof values.mode === 'string' ? values.mode : 'manual';
  const netatmoMode = NETATMO_ROOM_MODE[mode];
  if (netatmoMode === undefined) return { error: `unknown room mode ${mode}` };
  const temp =
    mode === 'manual'
      ? ((values.target_temperature as number | undefined) ?? (ctx.state?.target_temperature as number))
      : undefined;
  const expected: ExpectedState = { mode };
  if (temp !== undefined) expected.target_temperature = temp;
  if (mode === 'max') expected.target_temperature = MAX_SETPOINT;
  const viaSetState =
    ctx.roomModuleTypes.some((t) => SETSTATE_ROOM_TYPES.has(t)) || mode === 'away' || mode === 'frost_guard';
  let action: NetatmoAction;
  if (viaSetState) {
    const room: { id: string; [field: string]: unknown } = {
      id: device.netatmoId,
      therm_setpoint_mode: netatmoMode,
    };
    if (temp !== undefined) room.therm_setpoint_temperature = temp;
    if (endTime !== undefined) room.therm_setpoint_end_time = endTime;
    action = { kind: 'setstate_room', homeId, room };
  } else {
    action = {
      kind: 'room_therm_point',
      homeId,
      roomId: device.netatmoId,
      mode: netatmoMode,
      ...(temp === undefined ? {} : { temp }),
      ...(endTime === undefined ? {} : { endtime: endTime }),
    };
  }
  return { actions: [action], expected, confirmable: Object.keys(expected) };
}

function encodeHome(command: ValidCommand, homeId: string, ctx: EncodeContext): Encoded | { error: string } {
  const { values, endTime } = command;
  const actions: NetatmoAction[] = [];
  const expected: ExpectedState = {};
  if (typeof values.thermostat_mode === 'string') {
    const mode = NETATMO_HOME_MODE[values.thermostat_mode];
    if (mode === undefined) return { error: `unknown thermostat mode ${values.thermostat_mode}` };
    actions.push({
      kind: 'therm_mode',
      homeId,
      mode,
      ...(endTime === undefined ? {} : { endtime: endTime }),
    });
    expected.thermostat_mode = values.thermostat_mode;
  }
  if (typeof values.schedule === 'string') {
    const scheduleId = ctx.scheduleId(homeId, values.schedule);
    if (scheduleId === undefined)
      return {
        error: `schedule '${values.schedule}' is not known yet; try again after the next topology refresh`,
      };
    actions.push({ kind: 'switch_schedule', homeId, scheduleId });
    expected.schedule = values.schedule;
  }
  return { actions, expected, confirmable: Object.keys(expected).filter((k) => k !== 'schedule') };
}
