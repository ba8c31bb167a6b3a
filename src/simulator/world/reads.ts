/** What the read endpoints answer, built from the world's current state. */
import type { HomeTopology, ModuleError, WeatherDevice } from '../../netatmo/api-types.js';
import { invalid, notFound } from '../api-error.js';
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

export interface MeasureQuery {
  deviceId: string;
  moduleId?: string;
  scale: string;
  types: string[];
  dateBegin?: number;
  dateEnd?: number;
  limit: number;
  optimize: boolean;
}

const SCALE_SECONDS: Record<string, number> = {
  max: 300,
  '30min': 1800,
  '1hour': 3600,
  '3hours': 10800,
  '1day': 86400,
  '1week': 604800,
  '1month': 2592000,
};

/** Lower-case measure type → dashboard key. */
const MEASURE_KEYS: Record<string, string> = {
  temperature: 'Temperature',
  humidity: 'Humidity',
  co2: 'CO2',
  pressure: 'Pressure',
  noise: 'Noise',
  rain: 'Rain',
  sum_rain: 'sum_rain_1',
  windstrength: 'WindStrength',
  windangle: 'WindAngle',
  guststrength: 'GustStrength',
  gustangle: 'GustAngle',
  min_temp: 'min_temp',
  max_temp: 'max_temp',
  health_idx: 'health_idx',
};

/**
 * getmeasure: a canned fixture answer when one exists for the module, otherwise a history
 * generated around the unit's current values (deterministic in the timestamp).
 */
export function measure(world: World, q: MeasureQuery, nowMs: number): unknown {
  const step = SCALE_SECONDS[q.scale];
  if (step === undefined) throw invalid(`Invalid scale ${q.scale}`);
  const targetId = q.moduleId ?? q.deviceId;
  const canned = world.measures[targetId];
  if (canned !== undefined) return structuredClone(canned);
  const unit = world.weather.get(targetId);
  const homeModule = [...world.homes.values()].map((h) => h.modules.get(targetId)).find((m) => m);
  if (!unit && !homeModule) throw notFound('Device not found');
  const end = Math.floor((q.dateEnd ?? nowMs / 1000) / step) * step;
  const begin = Math.max(q.dateBegin ?? end - step * (q.limit - 1), end - step * (q.limit - 1));
  const valueAt = (type: string, ts: number): number | null => {
    const wave = Math.sin(ts / 7200) + 0.5 * Math.sin(ts / 51_000);
    const key = MEASURE_KEYS[type.toLowerCase()];
    const current = key === undefined ? undefined : unit?.dashboard?.num(key);
    if (current !== undefined) return round(current + wave * Math.max(0.5, Math.abs(current) * 0.03));
    if (type.startsWith('sum_energy')) {
      const power = homeModule?.num('power') ?? 0;
      return Math.max(0, Math.round(((power || 150) * (1 + 0.3 * wave) * step) / 3600));
    }
    return null;
  };
  const stamps: number[] = [];
  for (let ts = begin; ts <= end; ts += step) stamps.push(ts);
  if (q.optimize) {
    return [
      { beg_time: begin, step_time: step, value: stamps.map((ts) => q.types.map((t) => valueAt(t, ts))) },
    ];
  }
  return Object.fromEntries(stamps.map((ts) => [String(ts), q.types.map((t) => valueAt(t, ts))]));
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}
