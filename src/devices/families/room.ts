/**
 * Rooms heated or air-conditioned by a Netatmo module become climate devices: current and
 * target temperature, setpoint mode (schedule, manual, max, away, frost guard, off) and, for
 * heated rooms, what the heating is doing.
 *
 * Heated rooms take commands through `setroomthermpoint` (Smart Thermostat and valve rooms, as
 * pyatmo does) or the `setstate` room payload (OpenTherm, Smarther, pilot-wire and BTicino rooms,
 * and away/frost guard for any room, which only setstate can set per room). A room with a Smart
 * AC Control in a home whose `temperature_control_mode` is `cooling` or `auto` reads and writes
 * `cooling_setpoint_*` / `auto_setpoint_*` through setstate instead (room-climate.ts).
 */
import type { HomeTopology, ModuleStatus, RoomStatus } from '../../netatmo/api-types.js';
import { binary, humidity, measure, reachable } from '../capability.js';
import type { Encoded, NetatmoAction, TypeEntry, TypeLookup, VirtualFamily } from '../family.js';
import { roomDeviceId } from '../ids.js';
import { bool, normalizeMode, num } from '../normalize.js';
import type { Capability, ClimateMode, Device, DeviceState } from '../types.js';
import { climateComponent, roomModes, setpointPrefix, setpointRange } from './room-climate.js';

export { ROOM_MODES, SETPOINT_RANGE } from './room-climate.js';
export const HEATING_ACTIONS = ['off', 'heating', 'idle'] as const;

/** Bridge room mode names → Netatmo's. */
const NETATMO_ROOM_MODE: Record<string, string> = {
  schedule: 'home',
  manual: 'manual',
  max: 'max',
  off: 'off',
  away: 'away',
  frost_guard: 'hg',
};
/** Room modes that may carry an end time; `schedule` and `off` have none. */
const TIMED_ROOM_MODES = new Set(['manual', 'max', 'away', 'frost_guard']);
/** Netatmo's maximum setpoint, which `max` (boost) applies. */
const MAX_SETPOINT = 30;

/** Room ids of a home that a heating module heats, with the entries of those modules. */
export function heatedRooms(home: HomeTopology, entryOf: TypeLookup): Map<string, TypeEntry[]> {
  const rooms = home.rooms ?? [];
  const out = new Map<string, TypeEntry[]>();
  for (const m of home.modules ?? []) {
    const entry = entryOf(m.type);
    if (!entry?.heats) continue;
    const roomIds = [m.room_id, ...rooms.filter((r) => r.module_ids?.includes(m.id)).map((r) => r.id)];
    for (const roomId of new Set(roomIds)) if (roomId) out.set(roomId, [...(out.get(roomId) ?? []), entry]);
  }
  return out;
}

/** How a room's temperature is controlled: an AC follows the home's cooling or auto mode. */
function climateModeOf(home: HomeTopology, entries: TypeEntry[]): ClimateMode {
  const mode = home.temperature_control_mode;
  return entries.some((e) => e.cools) && (mode === 'cooling' || mode === 'auto') ? mode : 'heating';
}

function roomCapabilities(mode: ClimateMode, withHumidity: boolean): Capability[] {
  const modes = [...roomModes(mode)];
  const caps: Capability[] = [
    {
      key: 'current_temperature',
      name: 'Temperature',
      kind: 'number',
      component: 'climate',
      unit: '°C',
      deviceClass: 'temperature',
      stateClass: 'measurement',
    },
    {
      key: 'target_temperature',
      kind: 'number',
      component: 'climate',
      unit: '°C',
      writable: { ...setpointRange(mode) },
    },
    { key: 'mode', kind: 'enum', component: 'climate', options: modes, writable: { options: modes } },
  ];
  if (mode === 'heating') {
    caps.push(
      { key: 'heating_action', kind: 'enum', component: 'climate', options: [...HEATING_ACTIONS] },
      measure('heating_power_request', 'Heating power request', '%'),
      binary('open_window', 'Open window', 'window'),
      binary('anticipating', 'Anticipating', 'heat', true),
    );
  }
  caps.push(reachable);
  if (withHumidity) caps.push(humidity);
  return caps;
}

function roomState(
  room: RoomStatus,
  device: Device,
  inHome: readonly Device[],
  modules: ReadonlyMap<string, ModuleStatus>,
): DeviceState {
  const climate = device.climateMode ?? 'heating';
  const prefix = setpointPrefix(climate);
  const mode = normalizeMode(room[`${prefix}_setpoint_mode`]);
  const state: DeviceState = {
    current_temperature: num(room.therm_measured_temperature),
    target_temperature: num(room[`${prefix}_setpoint_temperature`]),
    mode,
    reachable: bool(room.reachable),
  };
  if (climate === 'heating') {
    const powerRequest = num(room.heating_power_request);
    // A thermostat or boiler module in the room reports whether the boiler is firing.
    const boilerOn = inHome
      .filter((d) => d.roomId === device.netatmoId)
      .some((d) => modules.get(d.netatmoId)?.boiler_status === true);
    let action: string | null = null;
    if (mode === 'off') action = 'off';
    else if ((powerRequest ?? 0) > 0 || boilerOn) action = 'heating';
    else if (mode !== null) action = 'idle';
    state.heating_action = action;
    state.heating_power_request = powerRequest;
    state.open_window = bool(room.open_window);
    state.anticipating = bool(room.anticipating);
  }
  if (device.capabilities.some((c) => c.key === 'humidity')) state.humidity = num(room.humidity);
  return state;
}

export const room: VirtualFamily = {
  id: 'room',
  kind: 'room',
  commandKeys: ['target_temperature', 'mode'],

  devicesOf(home, entryOf) {
    const heated = heatedRooms(home, entryOf);
    return (home.rooms ?? [])
      .filter((r) => heated.has(r.id))
      .map((r): Device => {
        const entries = heated.get(r.id) ?? [];
        const climateMode = climateModeOf(home, entries);
        return {
          id: roomDeviceId(r.id),
          netatmoId: r.id,
          homeId: home.id,
          ...(home.name ? { homeName: home.name } : {}),
          roomId: r.id,
          kind: 'room',
          family: 'room',
          type: 'room',
          name: r.name ?? `Room ${r.id}`,
          model: 'Room',
          manufacturer: 'Netatmo',
          roomName: r.name,
          source: 'homes',
          capabilities: roomCapabilities(
            climateMode,
            entries.some((e) => e.roomHumidity),
          ),
          setpointApi:
            climateMode !== 'heating' || entries.some((e) => e.setstateRoom)
              ? 'setstate'
              : 'setroomthermpoint',
          ...(climateMode === 'heating' ? {} : { climateMode }),
        };
      });
  },

  homeState(device, status) {
    const r = status.rooms.get(device.netatmoId);
    return r ? roomState(r, device, status.devices, status.modules) : undefined;
  },

  validate({ device, values }, state) {
    const mode = values.mode;
    if ('target_temperature' in values && mode !== undefined && mode !== 'manual')
      return `target_temperature needs mode manual, not ${String(mode)}`;
    const target = values.target_temperature ?? state?.target_temperature;
    if (mode === 'manual' && typeof target !== 'number')
      return `mode manual on ${device.id} needs a target_temperature`;
    return undefined;
  },

  timed: (values) => 'target_temperature' in values || TIMED_ROOM_MODES.has(String(values.mode ?? '')),

  encode({ device, values, endTime }, state) {
    const homeId = device.homeId;
    if (!homeId) return { error: `${device.id} belongs to no Netatmo home; it cannot be controlled` };
    const mode = typeof values.mode === 'string' ? values.mode : 'manual';
    const netatmoMode = NETATMO_ROOM_MODE[mode];
    if (netatmoMode === undefined) return { error: `unknown room mode ${mode}` };
    const temp =
      mode === 'manual'
        ? ((values.target_temperature as number | undefined) ?? (state?.target_temperature as number))
        : undefined;
    const expected: DeviceState = { mode };
    if (temp !== undefined) expected.target_temperature = temp;
    if (mode === 'max') expected.target_temperature = MAX_SETPOINT;
    const viaSetState = device.setpointApi === 'setstate' || mode === 'away' || mode === 'frost_guard';
    let action: NetatmoAction;
    if (viaSetState) {
      const prefix = setpointPrefix(device.climateMode ?? 'heating');
      const fields: { id: string; [field: string]: unknown } = {
        id: device.netatmoId,
        [`${prefix}_setpoint_mode`]: netatmoMode,
      };
      if (temp !== undefined) fields[`${prefix}_setpoint_temperature`] = temp;
      if (endTime !== undefined) fields[`${prefix}_setpoint_end_time`] = endTime;
      action = { kind: 'setstate_room', homeId, room: fields };
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
    const encoded: Encoded = { actions: [action], expected, confirmable: Object.keys(expected) };
    return encoded;
  },

  components: (kit, caps, device) => ({
    climate: climateComponent(kit, caps, device.climateMode ?? 'heating'),
  }),
};
