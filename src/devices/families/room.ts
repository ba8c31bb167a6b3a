/**
 * Rooms heated by a thermostat, valve or other heating module become climate devices: current
 * and target temperature, setpoint mode (schedule, manual, max, away, frost guard, off) and what
 * the heating is doing. Commands go to `setroomthermpoint` (Smart Thermostat and valve rooms, as
 * pyatmo does) or to the `setstate` room payload (OpenTherm, Smarther and pilot-wire rooms, and
 * away/frost guard for any room, which only setstate can set per room).
 */
import type { HomeTopology, ModuleStatus, RoomStatus } from '../../netatmo/api-types.js';
import { binary, humidity, measure, reachable } from '../capability.js';
import type { Encoded, NetatmoAction, TypeEntry, TypeLookup, VirtualFamily } from '../family.js';
import { roomDeviceId } from '../ids.js';
import { bool, normalizeMode, num } from '../normalize.js';
import type { Capability, Device, DeviceState } from '../types.js';

/** Room modes as the bridge names them (Netatmo `hg` → `frost_guard`, `home` → `schedule`). */
export const ROOM_MODES = ['schedule', 'manual', 'max', 'away', 'frost_guard', 'off'] as const;
export const HEATING_ACTIONS = ['off', 'heating', 'idle'] as const;
/** Netatmo's setpoint range and step for rooms. */
export const SETPOINT_RANGE = { min: 7, max: 30, step: 0.5 } as const;

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
    for (const roomId of roomIds) if (roomId) out.set(roomId, [...(out.get(roomId) ?? []), entry]);
  }
  return out;
}

function roomCapabilities(withHumidity: boolean): Capability[] {
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
      writable: { ...SETPOINT_RANGE },
    },
    {
      key: 'mode',
      kind: 'enum',
      component: 'climate',
      options: [...ROOM_MODES],
      writable: { options: [...ROOM_MODES] },
    },
    { key: 'heating_action', kind: 'enum', component: 'climate', options: [...HEATING_ACTIONS] },
    measure('heating_power_request', 'Heating power request', '%'),
    binary('open_window', 'Open window', 'window'),
    binary('anticipating', 'Anticipating', 'heat', true),
    reachable,
  ];
  if (withHumidity) caps.push(humidity);
  return caps;
}

function roomState(
  room: RoomStatus,
  device: Device,
  inHome: readonly Device[],
  modules: ReadonlyMap<string, ModuleStatus>,
): DeviceState {
  const mode = normalizeMode(room.therm_setpoint_mode);
  const powerRequest = num(room.heating_power_request);
  // A thermostat or boiler module in the room reports whether the boiler is firing.
  const boilerOn = inHome
    .filter((d) => d.roomId === device.netatmoId)
    .some((d) => modules.get(d.netatmoId)?.boiler_status === true);
  let action: string | null = null;
  if (mode === 'off') action = 'off';
  else if ((powerRequest ?? 0) > 0 || boilerOn) action = 'heating';
  else if (mode !== null) action = 'idle';
  const state: DeviceState = {
    current_temperature: num(room.therm_measured_temperature),
    target_temperature: num(room.therm_setpoint_temperature),
    mode,
    heating_action: action,
    heating_power_request: powerRequest,
    open_window: bool(room.open_window),
    anticipating: bool(room.anticipating),
    reachable: bool(room.reachable),
  };
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
          capabilities: roomCapabilities(entries.some((e) => e.roomHumidity)),
          setpointApi: entries.some((e) => e.setstateRoom) ? 'setstate' : 'setroomthermpoint',
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
      const fields: { id: string; [field: string]: unknown } = {
        id: device.netatmoId,
        therm_setpoint_mode: netatmoMode,
      };
      if (temp !== undefined) fields.therm_setpoint_temperature = temp;
      if (endTime !== undefined) fields.therm_setpoint_end_time = endTime;
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

  /** HA modes auto (schedule), heat (manual), off; presets away, frost_guard, boost (max). */
  components(kit, caps) {
    const t = kit.stateTopic;
    const range = caps.get('target_temperature')?.writable ?? {};
    return {
      climate: {
        p: 'climate',
        ...kit.common('climate'),
        current_temperature_topic: t,
        current_temperature_template: kit.value('current_temperature'),
        temperature_state_topic: t,
        temperature_state_template: kit.value('target_temperature'),
        temperature_command_topic: kit.commandTopic('target_temperature'),
        mode_state_topic: t,
        mode_state_template:
          "{{ {'schedule':'auto','away':'auto','frost_guard':'auto','manual':'heat','max':'heat','off':'off'}" +
          ".get(value_json.mode, 'auto') }}",
        mode_command_topic: kit.commandTopic('mode'),
        mode_command_template: "{{ {'auto':'schedule','heat':'manual','off':'off'}[value] }}",
        modes: ['auto', 'heat', 'off'],
        preset_mode_state_topic: t,
        preset_mode_value_template:
          "{{ {'away':'away','frost_guard':'frost_guard','max':'boost'}.get(value_json.mode, 'none') }}",
        preset_mode_command_topic: kit.commandTopic('mode'),
        preset_mode_command_template:
          "{{ {'away':'away','frost_guard':'frost_guard','boost':'max','none':'schedule'}[value] }}",
        preset_modes: ['away', 'frost_guard', 'boost'],
        action_topic: t,
        action_template: kit.value('heating_action'),
        min_temp: range.min ?? SETPOINT_RANGE.min,
        max_temp: range.max ?? SETPOINT_RANGE.max,
        temp_step: range.step ?? SETPOINT_RANGE.step,
        precision: 0.1,
        temperature_unit: 'C',
      },
    };
  },
};
