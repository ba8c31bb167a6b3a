/**
 * Topology → devices: every Netatmo module, every heated room and every heated home
 * becomes a Device. An unknown module type is still a device (kind `unknown`), with a
 * warning logged once per type.
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
import { homeCapabilities, moduleCapabilities, roomCapabilities } from './capabilities.js';
import { catalogEntry, HEATING_TYPES } from './catalog.js';
import { cleanNetatmoId, homeDeviceId, moduleDeviceId, roomDeviceId } from './ids.js';
import type { Device, DeviceKind, DeviceSource } from './types.js';

const log = childLogger('devices');
const warnedTypes = new Set<string>();

export interface TopologyInput {
  homes?: HomesDataBody;
  stations?: StationsDataBody;
  coaches?: HomeCoachsDataBody;
}

/** Therm schedules of a home (the ones setthermmode/switchhomeschedule accept), by name. */
export function thermSchedules(home: HomeTopology): Array<{ id: string; name: string; selected: boolean }> {
  return (home.schedules ?? [])
    .filter((s) => s.type === undefined || s.type === 'therm')
    .map((s) => ({ id: s.id, name: s.name ?? s.id, selected: s.selected === true }));
}

export function buildDevices(input: TopologyInput): Device[] {
  const byId = new Map<string, Device>();
  const add = (device: Device): void => {
    // The same module can appear in homesdata and getstationsdata, or under two stations:
    // the first description wins, state from every source lands on the one device.
    if (!byId.has(device.id)) byId.set(device.id, device);
  };
  for (const home of input.homes?.homes ?? []) for (const d of homeDevices(home)) add(d);
  for (const station of input.stations?.devices ?? [])
    for (const d of stationDevices(station, 'stations')) add(d);
  for (const coach of input.coaches?.devices ?? []) for (const d of stationDevices(coach, 'coaches')) add(d);
  return [...byId.values()];
}

function kindOf(type: string): { kind: DeviceKind; model: string; manufacturer: string } {
  const entry = catalogEntry(type);
  if (entry) return entry;
  if (!warnedTypes.has(type)) {
    warnedTypes.add(type);
    log.warning(`unknown Netatmo module type ${type}: publishing its raw state`, { type });
  }
  return { kind: 'unknown', model: type, manufacturer: 'Netatmo' };
}

function homeDevices(home: HomeTopology): Device[] {
  const modules = home.modules ?? [];
  const rooms = home.rooms ?? [];
  const roomNames = new Map(rooms.map((r) => [r.id, r.name ?? r.id]));
  const devices: Device[] = [];

  for (const m of modules) devices.push(moduleDevice(m, home, modules, roomNames));

  const heatedRooms = new Set<string>();
  const humidRooms = new Set<string>();
  for (const m of modules) {
    const roomIds = [m.room_id, ...rooms.filter((r) => r.module_ids?.includes(m.id)).map((r) => r.id)];
    for (const roomId of roomIds) {
      if (!roomId || !HEATING_TYPES.has(m.type)) continue;
      heatedRooms.add(roomId);
      if (m.type === 'BNS' || m.type === 'NAC') humidRooms.add(roomId);
    }
  }
  for (const room of rooms) {
    if (!heatedRooms.has(room.id)) continue;
    devices.push({
      id: roomDeviceId(room.id),
      netatmoId: room.id,
      homeId: home.id,
      ...(home.name ? { homeName: home.name } : {}),
      roomId: room.id,
      kind: 'room',
      type: 'room',
      name: room.name ?? `Room ${room.id}`,
      model: 'Room',
      manufacturer: 'Netatmo',
      roomName: room.name,
      source: 'homes',
      capabilities: roomCapabilities({ humidity: humidRooms.has(room.id) }),
    });
  }

  const schedules = thermSchedules(home);
  if (heatedRooms.size > 0 || schedules.length > 0) {
    devices.push({
      id: homeDeviceId(home.id),
      netatmoId: home.id,
      homeId: home.id,
      ...(home.name ? { homeName: home.name } : {}),
      kind: 'home',
      type: 'home',
      name: home.name ?? `Home ${home.id}`,
      model: 'Home',
      manufacturer: 'Netatmo',
      source: 'homes',
      capabilities: homeCapabilities(schedules.map((s) => s.name)),
    });
  }
  return devices;
}

function moduleDevice(
  m: ModuleTopology,
  home: HomeTopology,
  all: ModuleTopology[],
  roomNames: Map<string, string>,
): Device {
  const netatmoId = cleanNetatmoId(m.id);
  const entry = kindOf(m.type);
  // A module whose channels are modules of their own (`<id>#0`, `<id>#1`, ...: Ecometer
  // lines, double-switch halves) only carries connectivity; its channels carry the function.
  const hasChannels = all.some((other) => other.id.startsWith(`${m.id}#`));
  const kind: DeviceKind = hasChannels && entry.kind !== 'unknown' ? 'gateway' : entry.kind;
  const category = typeof m.category === 'string' ? m.category : undefined;
  return {
    id: moduleDeviceId(netatmoId),
    netatmoId,
    homeId: home.id,
    ...(home.name ? { homeName: home.name } : {}),
    ...(m.bridge ? { bridgeId: cleanNetatmoId(m.bridge) } : {}),
    ...(m.room_id ? { roomId: m.room_id } : {}),
    kind,
    type: m.type,
    name: m.name ?? `${entry.model} ${netatmoId.slice(-5)}`,
    model: entry.model,
    manufacturer: entry.manufacturer,
    ...(m.room_id && roomNames.has(m.room_id) ? { roomName: roomNames.get(m.room_id) } : {}),
    source: 'homes',
    capabilities: moduleCapabilities(kind, m.type, category),
  };
}

function stationDevices(station: WeatherDevice, source: DeviceSource): Device[] {
  const mainId = cleanNetatmoId(station._id);
  // The station name is what the user named the place; the base module name is often generic ("Indoor").
  const home = { id: station.home_id, name: station.home_name };
  const main = weatherDevice(station, station.station_name ?? station.module_name, source, home);
  const modules = (station.modules ?? []).map((m) => ({
    ...weatherDevice(m, m.module_name, source, home),
    bridgeId: mainId,
  }));
  return [main, ...modules];
}

function weatherDevice(
  m: WeatherDevice | WeatherModule,
  name: string | undefined,
  source: DeviceSource,
  home: { id?: string; name?: string },
): Device {
  const netatmoId = cleanNetatmoId(m._id);
  const entry = kindOf(m.type);
  return {
    id: moduleDeviceId(netatmoId),
    netatmoId,
    ...(home.id ? { homeId: home.id } : {}),
    ...(home.name ? { homeName: home.name } : {}),
    kind: entry.kind,
    type: m.type,
    name: name ?? `${entry.model} ${netatmoId.slice(-5)}`,
    model: entry.model,
    manufacturer: entry.manufacturer,
    source,
    capabilities: moduleCapabilities(entry.kind, m.type),
  };
}
