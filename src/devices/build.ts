/**
 * Topology → devices: every Netatmo module, and what the virtual families derive from each home
 * (heated rooms, the home itself), becomes a Device of one family. An unknown module type is
 * still a device (family `unknown`), with a warning logged once per type.
 *
 * Capabilities come from the catalogue and from the data: `reported` tells which state keys a
 * device already has values for, and a family may add capabilities for them (a module that
 * reports a battery has a battery). `needsRebuild` says when new data should change a device.
 */

import { childLogger } from '../log.js';
import type {
  HomeCoachsDataBody,
  HomesDataBody,
  HomeTopology,
  ModuleTopology,
  StationsDataBody,
  WeatherDevice,
  WeatherModule,
} from '../netatmo/api-types.js';
import { DIAGNOSTIC_DATA_KEYS, diagnostics } from './capability.js';
import { familyById, familyOfType, isModuleFamily, typeEntry, VIRTUAL_FAMILIES } from './families/index.js';
import type { ModuleFamily, Reported, TypeEntry } from './family.js';
import { HISTORY_DATA_KEYS, historyCapabilities } from './history.js';
import { cleanNetatmoId, moduleDeviceId } from './ids.js';
import type { Device, DeviceSource, DeviceState } from './types.js';

const log = childLogger('devices');
const warnedTypes = new Set<string>();

export interface TopologyInput {
  homes?: HomesDataBody;
  stations?: StationsDataBody;
  coaches?: HomeCoachsDataBody;
}

/** The values a device has reported so far (by device id). */
export type ReportedKeys = (deviceId: string) => Reported;

const NOTHING: Reported = new Map();
const noReports: ReportedKeys = () => NOTHING;

export function buildDevices(input: TopologyInput, reported: ReportedKeys = noReports): Device[] {
  const byId = new Map<string, Device>();
  const add = (device: Device): void => {
    // The same module can appear in homesdata and getstationsdata, or under two stations:
    // the first description wins, state from every source lands on the one device.
    if (!byId.has(device.id)) byId.set(device.id, device);
  };
  for (const home of input.homes?.homes ?? []) for (const d of buildHomeDevices(home, reported)) add(d);
  for (const station of input.stations?.devices ?? [])
    for (const d of stationDevices(station, 'stations', reported)) add(d);
  for (const coach of input.coaches?.devices ?? [])
    for (const d of stationDevices(coach, 'coaches', reported)) add(d);
  return [...byId.values()];
}

/** The devices of one home: its modules, then what the virtual families derive (rooms, home). */
export function buildHomeDevices(home: HomeTopology, reported: ReportedKeys = noReports): Device[] {
  const modules = home.modules ?? [];
  const roomNames = new Map((home.rooms ?? []).map((r) => [r.id, r.name ?? r.id]));
  return [
    ...modules.map((m) => moduleDevice(m, home, modules, roomNames, reported)),
    ...VIRTUAL_FAMILIES.flatMap((family) => family.devicesOf(home, typeEntry)),
  ];
}

/**
 * Whether a device's state now holds a value its capabilities do not cover yet, one the family
 * turns into a capability of the same key (capabilities from data). `tried` holds keys a rebuild
 * already considered, so a key the family does not use never triggers one again.
 */
export function needsRebuild(device: Device, state: DeviceState, tried: ReadonlySet<string>): string[] {
  const family = familyById(device.family);
  if (!isModuleFamily(family)) return [];
  const keys = [...DIAGNOSTIC_DATA_KEYS, ...HISTORY_DATA_KEYS, ...(family.dataKeys ?? [])];
  return keys.filter(
    (key) =>
      state[key] !== null &&
      state[key] !== undefined &&
      !tried.has(key) &&
      !device.capabilities.some((c) => c.key === key),
  );
}

function catalogue(type: string, family: ModuleFamily): TypeEntry {
  const entry = family.types[type];
  if (entry) return entry;
  if (!warnedTypes.has(type)) {
    warnedTypes.add(type);
    log.warning(`unknown Netatmo module type ${type}: publishing its raw state`, { type });
  }
  return { model: type, vendor: 'Netatmo' };
}

function moduleDevice(
  m: ModuleTopology,
  home: HomeTopology,
  all: ModuleTopology[],
  roomNames: Map<string, string>,
  reported: ReportedKeys,
): Device {
  const netatmoId = cleanNetatmoId(m.id);
  const id = moduleDeviceId(netatmoId);
  const family = familyOfType(m.type);
  const entry = catalogue(m.type, family);
  const category = typeof m.category === 'string' ? m.category : undefined;
  const facts = { type: m.type, reported: reported(id), attributes: m, ...(category ? { category } : {}) };
  // A module whose channels are modules of their own (`<id>#0`, `<id>#1`, ...: Ecometer
  // lines, double-switch halves) only carries connectivity, and the energy it counted where it
  // has a history (the Ecometer's sum); its channels carry the function.
  const channelParent = family.id !== 'unknown' && all.some((other) => other.id.startsWith(`${m.id}#`));
  return {
    id,
    netatmoId,
    homeId: home.id,
    ...(home.name ? { homeName: home.name } : {}),
    ...(m.bridge ? { bridgeId: cleanNetatmoId(m.bridge) } : {}),
    ...(m.room_id ? { roomId: m.room_id } : {}),
    kind: channelParent ? 'gateway' : (entry.kind ?? family.kind),
    family: channelParent ? 'gateway' : family.id,
    type: m.type,
    name: m.name ?? `${entry.model} ${netatmoId.slice(-5)}`,
    model: entry.model,
    manufacturer: entry.vendor,
    ...(m.room_id && roomNames.has(m.room_id) ? { roomName: roomNames.get(m.room_id) } : {}),
    ...(category ? { category } : {}),
    source: 'homes',
    capabilities: channelParent
      ? [...diagnostics(entry, facts.reported), ...historyCapabilities(entry, facts.reported)]
      : family.capabilities(facts),
  };
}

function stationDevices(station: WeatherDevice, source: DeviceSource, reported: ReportedKeys): Device[] {
  const mainId = cleanNetatmoId(station._id);
  // The station name is what the user named the place; the base module name is often generic ("Indoor").
  const home = { id: station.home_id, name: station.home_name };
  const main = weatherDevice(station, station.station_name ?? station.module_name, source, home, reported);
  const modules = (station.modules ?? []).map((m) => ({
    ...weatherDevice(m, m.module_name, source, home, reported),
    bridgeId: mainId,
  }));
  return [main, ...modules];
}

function weatherDevice(
  m: WeatherDevice | WeatherModule,
  name: string | undefined,
  source: DeviceSource,
  home: { id?: string; name?: string },
  reported: ReportedKeys,
): Device {
  const netatmoId = cleanNetatmoId(m._id);
  const id = moduleDeviceId(netatmoId);
  const family = familyOfType(m.type);
  const entry = catalogue(m.type, family);
  return {
    id,
    netatmoId,
    ...(home.id ? { homeId: home.id } : {}),
    ...(home.name ? { homeName: home.name } : {}),
    kind: entry.kind ?? family.kind,
    family: family.id,
    type: m.type,
    name: name ?? `${entry.model} ${netatmoId.slice(-5)}`,
    model: entry.model,
    manufacturer: entry.vendor,
    source,
    capabilities: family.capabilities({ type: m.type, reported: reported(id) }),
  };
}
