/**
 * Live bodies → normalized device states.
 *
 * States are PARTIAL: each poll contributes the keys it knows about, and the consumer
 * merges them into the device's previous state (start from `initialState(device)`). This
 * matters because one device can be fed by two polls (a NAMain in both homestatus and
 * getstationsdata) and because an unreachable module keeps its last measured values:
 * only `reachable` turns false.
 */
import type {
  HomeCoachsDataBody,
  HomeStatusBody,
  HomesDataBody,
  ModuleStatus,
  RoomStatus,
  StationsDataBody,
  WeatherDevice,
  WeatherModule,
} from '../netatmo/api-types.js';
import { thermSchedules } from './build.js';
import { cleanNetatmoId } from './ids.js';
import {
  alimStatus,
  batteryPercent,
  batteryVolts,
  bool,
  dashboardState,
  isoTime,
  normalizeMode,
  num,
  rawState,
  rfQuality,
  sdStatus,
  str,
  wifiQuality,
} from './normalize.js';
import type { Device, DeviceState } from './types.js';

export interface StateInput {
  /** Topology: gives the home devices their thermostat mode and active schedule. */
  homes?: HomesDataBody;
  homeStatus?: HomeStatusBody;
  stations?: StationsDataBody;
  coaches?: HomeCoachsDataBody;
}

/** Netatmo's per-module error code for "unreachable" in an HTTP 200 answer. */
const UNREACHABLE = 6;

/** Every capability key set to null: the state a device has before any poll. */
export function initialState(device: Device): DeviceState {
  return Object.fromEntries(device.capabilities.map((c) => [c.key, null]));
}

export function deviceStates(devices: Device[], input: StateInput): Map<string, DeviceState> {
  const out = new Map<string, DeviceState>();
  const merge = (id: string, state: DeviceState): void => {
    out.set(id, { ...(out.get(id) ?? {}), ...state });
  };
  const byNetatmoId = new Map<string, Device>();
  for (const d of devices) if (d.kind !== 'room' && d.kind !== 'home') byNetatmoId.set(d.netatmoId, d);

  for (const home of input.homes?.homes ?? []) {
    const device = devices.find((d) => d.kind === 'home' && d.netatmoId === home.id);
    if (!device) continue;
    const selected = thermSchedules(home).find((s) => s.selected);
    merge(device.id, { thermostat_mode: normalizeMode(home.therm_mode), schedule: selected?.name ?? null });
  }

  if (input.homeStatus) for (const [id, s] of homeStatusStates(devices, input.homeStatus)) merge(id, s);

  for (const body of [input.stations, input.coaches]) {
    for (const [id, s] of weatherStates(byNetatmoId, body?.devices ?? [])) merge(id, s);
  }
  return out;
}

function homeStatusStates(devices: Device[], body: HomeStatusBody): Map<string, DeviceState> {
  const out = new Map<string, DeviceState>();
  const home = body.home;
  const inHome = devices.filter((d) => d.homeId === home.id && d.source === 'homes');
  const modules = new Map((home.modules ?? []).map((m) => [cleanNetatmoId(m.id), m]));
  const rooms = new Map((home.rooms ?? []).map((r) => [r.id, r]));
  const unreachable = new Set(
    (body.errors ?? []).filter((e) => e.code === UNREACHABLE).map((e) => cleanNetatmoId(e.id)),
  );

  for (const device of inHome) {
    if (device.kind === 'room') {
      const room = rooms.get(device.netatmoId);
      if (room) out.set(device.id, roomState(room, device, inHome, modules));
      continue;
    }
    if (device.kind === 'home') {
      if (typeof home.therm_mode === 'string')
        out.set(device.id, { thermostat_mode: normalizeMode(home.therm_mode) });
      continue;
    }
    const m = modules.get(device.netatmoId);
    if (m) out.set(device.id, moduleState(device, m));
    if (unreachable.has(device.netatmoId))
      out.set(device.id, { ...(out.get(device.id) ?? {}), reachable: false });
  }
  return out;
}

function roomState(
  room: RoomStatus,
  device: Device,
  inHome: Device[],
  modules: Map<string, ModuleStatus>,
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

/** Fields every module may report: connectivity, battery, signal, firmware. */
function commonModuleState(m: ModuleStatus): DeviceState {
  const state: DeviceState = {
    // A module present in homestatus without a `reachable` field (gateways, cameras) answered.
    reachable: typeof m.reachable === 'boolean' ? m.reachable : true,
    last_seen: isoTime(m.last_seen ?? m.ts ?? m.last_message),
  };
  if ('battery_state' in m || 'battery_level' in m) {
    state.battery = batteryPercent(m);
    state.battery_voltage = batteryVolts(m.battery_level);
  }
  if ('rf_strength' in m) {
    state.rf_strength = num(m.rf_strength);
    state.rf_quality = rfQuality(num(m.rf_strength));
  }
  if ('wifi_strength' in m) {
    state.wifi_strength = num(m.wifi_strength);
    state.wifi_quality = wifiQuality(num(m.wifi_strength));
  }
  const firmware =
    str(m.firmware_name) ?? (num(m.firmware_revision) !== null ? String(m.firmware_revision) : null);
  if (firmware !== null) state.firmware = firmware;
  return state;
}

/** Door tag `status`: open/closed; `no_news`, `undefined`, ... are unknown. */
function openState(status: unknown): boolean | null {
  if (status === 'open') return true;
  if (status === 'closed') return false;
  return null;
}

/** Smoke/CO `status` words that mean an alarm is (not) sounding; anything else is unknown. */
function alarmState(status: unknown): boolean | null {
  if (status === 'alarm' || status === 'smoke' || status === 'co') return true;
  if (status === 'ok' || status === 'no_alarm' || status === 'idle') return false;
  return null;
}

function coverState(current: number | null, target: number | null): string | null {
  if (current === null) return target === null ? null : target > 0 ? 'open' : 'closed';
  if (target !== null && target >= 0 && target !== current) return target > current ? 'opening' : 'closing';
  return current > 0 ? 'open' : 'closed';
}

function moduleState(device: Device, m: ModuleStatus): DeviceState {
  const state = commonModuleState(m);
  const has = (key: string): boolean => device.capabilities.some((c) => c.key === key);
  switch (device.kind) {
    case 'unknown':
      return { ...rawState(m), ...state };
    case 'thermostat':
    case 'boiler':
      if (has('boiler_status')) state.boiler_status = bool(m.boiler_status);
      if (has('outdoor_temperature')) state.outdoor_temperature = num(m.outdoor_temperature);
      break;
    case 'shutter': {
      const current = num(m.current_position);
      const target = num(m.target_position);
      state.position = current ?? (target !== null && target >= 0 ? target : null);
      state.state = coverState(current, target);
      break;
    }
    case 'light':
    case 'switch':
      if ('on' in m) state.state = m.on === true ? 'ON' : m.on === false ? 'OFF' : null;
      if (has('brightness')) state.brightness = num(m.brightness);
      if ('power' in m) state.power = num(m.power);
      break;
    case 'fan':
      state.fan_speed = num(m.fan_speed);
      if ('power' in m) state.power = num(m.power);
      break;
    case 'meter':
      if ('power' in m) state.power = num(m.power);
      break;
    case 'camera':
      if (has('monitoring')) state.monitoring = str(m.monitoring);
      if (has('floodlight')) state.floodlight = str(m.floodlight);
      state.sd_status = sdStatus(m.sd_status);
      state.alim_status = alimStatus(m.alim_status);
      break;
    case 'door_tag':
      state.open = openState(m.status);
      break;
    case 'siren':
      state.siren_status = str(m.status);
      state.monitoring = m.monitoring === 'on' ? true : m.monitoring === 'off' ? false : null;
      break;
    case 'smoke_alarm':
    case 'co_alarm':
      state.alarm = alarmState(m.status);
      break;
    case 'weather_station':
    case 'weather_module':
      for (const key of ['temperature', 'humidity', 'co2', 'noise', 'pressure', 'absolute_pressure']) {
        if (key in m && has(key)) state[key] = num(m[key]);
      }
      break;
    default:
      break;
  }
  return state;
}

/** getstationsdata / gethomecoachsdata entries → states, keeping the freshest duplicate. */
function weatherStates(
  byNetatmoId: Map<string, Device>,
  stations: WeatherDevice[],
): Map<string, DeviceState> {
  const out = new Map<string, { state: DeviceState; freshness: number }>();
  const consider = (entry: WeatherDevice | WeatherModule): void => {
    const device = byNetatmoId.get(cleanNetatmoId(entry._id));
    if (!device) return;
    const freshness = num(entry.dashboard_data?.time_utc) ?? num(entry.last_seen) ?? 0;
    const previous = out.get(device.id);
    if (previous && previous.freshness >= freshness) return;
    const state = weatherState(entry);
    const raw = device.kind === 'unknown' && entry.dashboard_data ? rawState(entry.dashboard_data) : {};
    out.set(device.id, { state: { ...raw, ...state }, freshness });
  };
  for (const station of stations) {
    consider(station);
    for (const m of station.modules ?? []) consider(m);
  }
  return new Map([...out].map(([id, v]) => [id, v.state]));
}

function weatherState(entry: WeatherDevice | WeatherModule): DeviceState {
  const state: DeviceState = {
    reachable: typeof entry.reachable === 'boolean' ? entry.reachable : entry.dashboard_data !== undefined,
    last_seen: isoTime(entry.last_seen ?? entry.dashboard_data?.time_utc ?? entry.last_status_store),
    ...(entry.dashboard_data ? dashboardState(entry.dashboard_data) : {}),
  };
  if ('battery_percent' in entry || 'battery_vp' in entry) {
    state.battery = batteryPercent({ battery_percent: entry.battery_percent });
    state.battery_voltage = batteryVolts(entry.battery_vp);
  }
  if ('rf_status' in entry) {
    state.rf_strength = num(entry.rf_status);
    state.rf_quality = rfQuality(num(entry.rf_status));
  }
  if ('wifi_status' in entry) {
    state.wifi_strength = num(entry.wifi_status);
    state.wifi_quality = wifiQuality(num(entry.wifi_status));
  }
  if (num(entry.firmware) !== null) state.firmware = String(entry.firmware);
  return state;
}
