/**
 * Live bodies → normalized device states.
 *
 * States are PARTIAL: each poll contributes the keys it knows about, and the consumer
 * merges them into the device's previous state (start from `initialState(device)`). This
 * matters because one device can be fed by two polls (a NAMain in both homestatus and
 * getstationsdata) and because an unreachable module keeps its last measured values:
 * only `reachable` turns false.
 *
 * What a module's fields mean is its family's business (families/); connectivity, battery,
 * signal and firmware read the same for every module and are read here.
 */
import type {
  HomeCoachsDataBody,
  HomeStatusBody,
  HomesDataBody,
  ModuleStatus,
  StationsDataBody,
  WeatherDevice,
  WeatherModule,
} from '../netatmo/api-types.js';
import { familyById } from './families/index.js';
import { type HomeStatusView, isModuleFamily } from './family.js';
import { cleanNetatmoId } from './ids.js';
import {
  batteryPercent,
  batteryVolts,
  dashboardState,
  isoTime,
  num,
  rawState,
  rfQuality,
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

/** Every capability key set to null: the state a device has before any poll (buttons have none). */
export function initialState(device: Device): DeviceState {
  return Object.fromEntries(
    device.capabilities.filter((c) => c.component !== 'button').map((c) => [c.key, null]),
  );
}

export function deviceStates(devices: Device[], input: StateInput): Map<string, DeviceState> {
  const out = new Map<string, DeviceState>();
  const merge = (id: string, state: DeviceState): void => {
    out.set(id, { ...(out.get(id) ?? {}), ...state });
  };
  const byNetatmoId = new Map<string, Device>();
  for (const d of devices) if (isModuleFamily(familyById(d.family))) byNetatmoId.set(d.netatmoId, d);

  const homes = new Map((input.homes?.homes ?? []).map((h) => [h.id, h]));
  for (const device of homes.size > 0 ? devices : []) {
    const home = device.homeId === undefined ? undefined : homes.get(device.homeId);
    const family = familyById(device.family);
    const state = home && !isModuleFamily(family) ? family.topologyState?.(device, home) : undefined;
    if (state) merge(device.id, state);
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
  const view: HomeStatusView = {
    home,
    rooms: new Map((home.rooms ?? []).map((r) => [r.id, r])),
    modules: new Map((home.modules ?? []).map((m) => [cleanNetatmoId(m.id), m])),
    devices: inHome,
  };
  const unreachable = new Set(
    (body.errors ?? []).filter((e) => e.code === UNREACHABLE).map((e) => cleanNetatmoId(e.id)),
  );

  for (const device of inHome) {
    const family = familyById(device.family);
    if (!isModuleFamily(family)) {
      const state = family.homeState?.(device, view);
      if (state) out.set(device.id, state);
      continue;
    }
    const m = view.modules.get(device.netatmoId);
    const room = device.roomId === undefined ? undefined : view.rooms.get(device.roomId);
    if (m) out.set(device.id, { ...(family.state?.(m, device, room) ?? {}), ...commonModuleState(m) });
    if (unreachable.has(device.netatmoId))
      out.set(device.id, { ...(out.get(device.id) ?? {}), reachable: false });
  }
  return out;
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
    const raw = device.family === 'unknown' && entry.dashboard_data ? rawState(entry.dashboard_data) : {};
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
