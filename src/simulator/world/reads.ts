/** What the read endpoints answer, built from the world's current state. */
import type { HomeTopology, ModuleError, WeatherDevice } from '../../netatmo/api-types.js';
import { notFound } from '../api-error.js';
import type { Fields } from './values.js';
import type { World } from './world.js';

export function homesData(world: World, homeId?: string): { homes: HomeTopology[]; user: Fields } {
  const homes = homeId === undefined ? [...world.homes.values()] : [world.home(homeId)];
  return { homes: homes.map((h) => structuredClone(h.topology)), user: structuredClone(world.user) };
}

export function homeStatus(
  world: World,
  homeId: string,
  deviceTypes?: string[],
): { home: Fields; errors?: ModuleError[] } {
  const home = world.home(homeId);
  const errors: ModuleError[] = [];
  const modules: Fields[] = [];
  const typeOf = (id: string | undefined): string | undefined =>
    id === undefined ? undefined : String(home.modules.get(id)?.get('type') ?? '');
  for (const module of home.modules.values()) {
    const type = typeOf(module.id);
    const bridge = module.get('bridge');
    const bridgeType = typeof bridge === 'string' ? typeOf(bridge) : undefined;
    if (deviceTypes && !deviceTypes.includes(type ?? '') && !deviceTypes.includes(bridgeType ?? '')) continue;
    // Netatmo leaves an unreachable module out and names it in body.errors.
    if (world.isUnreachable(module.id)) errors.push({ code: 6, id: module.id });
    else modules.push(world.renderModule(module));
  }
  const rooms = [...home.rooms.values()].map((r) => r.snapshot());
  const body: { home: Fields; errors?: ModuleError[] } = {
    home: { id: homeId, rooms, modules, persons: structuredClone(home.persons) },
  };
  if (errors.length > 0) body.errors = errors;
  return body;
}

function renderDevices(world: World, ids: string[], deviceId: string | undefined): WeatherDevice[] {
  const wanted = deviceId === undefined ? ids : ids.filter((id) => id === deviceId);
  if (deviceId !== undefined && wanted.length === 0) throw notFound('Device not found');
  return wanted.map((id) => {
    const unit = world.weather.get(id);
    if (!unit) throw notFound('Device not found');
    const device = unit.render(world.isUnreachable(id)) as WeatherDevice;
    const moduleIds = [...world.weather.values()].filter((u) => u.parentId === id);
    if (moduleIds.length > 0 || 'modules' in device) {
      device.modules = moduleIds.map((m) => m.render(world.isUnreachable(m.id)) as WeatherDevice);
    }
    return device;
  });
}

export function stationsData(world: World, deviceId?: string): { devices: WeatherDevice[]; user: Fields } {
  return { devices: renderDevices(world, world.stationIds, deviceId), user: structuredClone(world.user) };
}

export function homeCoachsData(world: World, deviceId?: string): { devices: WeatherDevice[]; user: Fields } {
  return { devices: renderDevices(world, world.coachIds, deviceId), user: structuredClone(world.user) };
}
