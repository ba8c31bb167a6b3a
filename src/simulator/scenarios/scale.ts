/**
 * The `scale:HOMES,MODULES` scenario: generated homes with exactly MODULES modules each,
 * covering every device kind the bridge supports, with deterministic ids and values.
 */
import type {
  HomeTopology,
  ModuleStatus,
  ModuleTopology,
  RoomStatus,
  RoomTopology,
  SecurityEvent,
  WeatherDevice,
  WeatherModule,
} from '../../netatmo/api-types.js';
import { SeededRandom } from '../random.js';
import { emptySeed, type WorldSeed } from '../world/seed.js';
import type { Fields } from '../world/values.js';
import { moduleStatus, stationDevice, weatherModule } from './scale-devices.js';

/** One of each kind, gateways before what they bridge. `bridge` names the kind of its gateway. */
const BASE_KINDS: ReadonlyArray<{ type: string; bridge?: string; room?: 'own' }> = [
  { type: 'NAPlug' },
  { type: 'NATherm1', bridge: 'NAPlug', room: 'own' },
  { type: 'NRV', bridge: 'NAPlug', room: 'own' },
  { type: 'OTH' },
  { type: 'OTM', bridge: 'OTH', room: 'own' },
  { type: 'BNS', room: 'own' },
  { type: 'NLG' },
  { type: 'NLF', bridge: 'NLG' },
  { type: 'NLFN', bridge: 'NLG' },
  { type: 'NLP', bridge: 'NLG' },
  { type: 'NLPT', bridge: 'NLG' },
  { type: 'NLV', bridge: 'NLG' },
  { type: 'NBG' },
  { type: 'NBR', bridge: 'NBG' },
  { type: 'Z3V', bridge: 'NLG' },
  { type: 'NLLF', bridge: 'NLG' },
  { type: 'NACamera' },
  { type: 'NOC' },
  { type: 'NSD' },
  { type: 'NCO' },
  { type: 'NACamDoorTag', bridge: 'NACamera' },
  { type: 'NIS', bridge: 'NACamera' },
  { type: 'NAMain' },
  { type: 'NAModule1', bridge: 'NAMain' },
  { type: 'NAModule2', bridge: 'NAMain' },
  { type: 'NAModule3', bridge: 'NAMain' },
  { type: 'NAModule4', bridge: 'NAMain' },
  { type: 'NHC' },
];

/** Kinds repeated, in turn, to fill homes beyond one of each. */
const EXTRA_KINDS: ReadonlyArray<{ type: string; bridge?: string; room?: 'own' }> = [
  { type: 'NRV', bridge: 'NAPlug', room: 'own' },
  { type: 'NLF', bridge: 'NLG' },
  { type: 'NLFN', bridge: 'NLG' },
  { type: 'NLP', bridge: 'NLG' },
  { type: 'NLPT', bridge: 'NLG' },
  { type: 'NLV', bridge: 'NLG' },
  { type: 'NBR', bridge: 'NBG' },
  { type: 'Z3V', bridge: 'NLG' },
  { type: 'NLLF', bridge: 'NLG' },
  { type: 'NACamDoorTag', bridge: 'NACamera' },
  { type: 'NSD' },
  { type: 'NCO' },
];

export const MIN_MODULES = BASE_KINDS.length;
export const MAX_MODULES = 1000;
export const MAX_HOMES = 1000;

/** Every module kind a scale home contains. */
export const SCALE_KINDS: readonly string[] = BASE_KINDS.map((k) => k.type);

const THERMAL = new Set(['NATherm1', 'NRV', 'OTM', 'BNS']);
const SHARED_ROOMS = ['Kitchen', 'Hall', 'Garage', 'Living room'];

const hex2 = (n: number): string => (n & 0xff).toString(16).padStart(2, '0');
export const scaleHomeId = (h: number): string => `5ca1e0${h.toString(16).padStart(18, '0')}`;
export const scaleModuleId = (h: number, m: number): string =>
  `70:ee:${hex2(h >> 8)}:${hex2(h)}:${hex2(m >> 8)}:${hex2(m)}`;

export function generateScaleSeed(
  homeCount: number,
  modulesPerHome: number,
  nowMs = 1_750_000_000_000,
): WorldSeed {
  const nowSec = Math.floor(nowMs / 1000);
  const seed = emptySeed({
    email: 'sim@example.com',
    language: 'en-US',
    locale: 'en-US',
    unit_system: 0,
    unit_pressure: 0,
  });
  for (let h = 0; h < homeCount; h++) {
    const random = new SeededRandom(0x5ca1e + h);
    const homeId = scaleHomeId(h);
    const kinds = [...BASE_KINDS];
    for (let i = 0; kinds.length < modulesPerHome; i++) kinds.push(EXTRA_KINDS[i % EXTRA_KINDS.length]!);

    const rooms: RoomTopology[] = [];
    const roomId = (r: number): string => String(2_000_000_000 + h * 10_000 + r);
    for (const [i, name] of SHARED_ROOMS.entries())
      rooms.push({ id: roomId(i), name, type: 'custom', module_ids: [] });
    const modules: ModuleTopology[] = [];
    const statusModules: ModuleStatus[] = [];
    const statusRooms: RoomStatus[] = [];
    const gateways = new Map<string, string>();
    const thermalRoomIds: string[] = [];
    const station: { main?: WeatherDevice; modules: WeatherModule[] } = { modules: [] };

    kinds.forEach((kind, m) => {
      const id = scaleModuleId(h, m);
      const bridge = kind.bridge ? gateways.get(kind.bridge) : undefined;
      if (!kind.bridge && !gateways.has(kind.type)) gateways.set(kind.type, id);
      let room: RoomTopology | undefined;
      if (kind.room === 'own') {
        room = {
          id: roomId(rooms.length),
          name: `${kind.type} room ${rooms.length}`,
          type: 'bedroom',
          module_ids: [],
        };
        rooms.push(room);
      } else if (!kind.type.startsWith('NAModule')) {
        room = rooms[m % SHARED_ROOMS.length];
      }
      room?.module_ids?.push(id);
      const topo: ModuleTopology = {
        id,
        type: kind.type,
        name: `${kind.type} ${m}`,
        setup_date: nowSec - 86_400 * 30,
      };
      if (room) topo.room_id = room.id;
      if (bridge) topo.bridge = bridge;
      modules.push(topo);
      statusModules.push(moduleStatus(kind.type, id, bridge, random, nowSec));
      if (THERMAL.has(kind.type) && room) {
        thermalRoomIds.push(room.id);
        const measured = Math.round(random.between(17, 21.5) * 10) / 10;
        statusRooms.push({
          id: room.id,
          reachable: true,
          therm_measured_temperature: measured,
          therm_setpoint_temperature: 19,
          therm_setpoint_mode: 'schedule',
          therm_setpoint_start_time: 0,
          therm_setpoint_end_time: 0,
          heating_power_request: 0,
          anticipating: false,
          open_window: false,
        });
      }
      if (kind.type === 'NAMain') station.main = stationDevice('NAMain', id, homeId, h, random, nowSec);
      if (kind.type.startsWith('NAModule'))
        station.modules.push(weatherModule(kind.type, id, random, nowSec));
      if (kind.type === 'NHC') seed.homecoaches.push(stationDevice('NHC', id, homeId, h, random, nowSec));
    });
    for (const gateway of gateways.values()) {
      const bridged = modules.filter((mod) => mod.bridge === gateway).map((mod) => mod.id);
      const topo = modules.find((mod) => mod.id === gateway);
      if (topo && bridged.length > 0) topo.modules_bridged = bridged;
    }
    if (station.main) seed.stations.push({ ...station.main, modules: station.modules });

    const home: HomeTopology = {
      id: homeId,
      name: `Sim home ${h + 1}`,
      altitude: 100,
      coordinates: [2.35, 48.85],
      country: 'FR',
      timezone: 'Europe/Paris',
      temperature_control_mode: 'heating',
      therm_mode: 'schedule',
      therm_setpoint_default_duration: 180,
      rooms,
      modules,
      schedules: [schedule(`${homeId.slice(0, 16)}00000001`, 'Standard', true, thermalRoomIds)],
      persons: [],
    };
    seed.homes.push(home);
    seed.statuses[homeId] = { id: homeId, rooms: statusRooms, modules: statusModules, persons: [] };
    seed.events[homeId] = events(h, modules, nowSec);
  }
  return seed;
}

function schedule(
  id: string,
  name: string,
  selected: boolean,
  roomIds: string[],
): NonNullable<HomeTopology['schedules']>[number] {
  const zone = (zoneId: number, zoneName: string, type: number, temp: number) => ({
    id: zoneId,
    name: zoneName,
    type,
    rooms: roomIds.map((rid) => ({ id: rid, therm_setpoint_temperature: temp })),
  });
  const timetable: Array<{ zone_id: number; m_offset: number }> = [];
  for (let day = 0; day < 7; day++) {
    const base = day * 1440;
    timetable.push({ zone_id: 1, m_offset: base }, { zone_id: 0, m_offset: base + 390 });
    if (day < 5) timetable.push({ zone_id: 4, m_offset: base + 510 }, { zone_id: 0, m_offset: base + 1020 });
    timetable.push({ zone_id: 1, m_offset: base + 1350 });
  }
  return {
    id,
    name,
    type: 'therm',
    selected,
    away_temp: 12,
    hg_temp: 7,
    zones: [zone(0, 'Comfort', 0, 21), zone(1, 'Night', 1, 17), zone(4, 'Eco', 5, 18)],
    timetable,
  };
}

function events(h: number, modules: ModuleTopology[], nowSec: number): SecurityEvent[] {
  const byType = (type: string): string | undefined => modules.find((m) => m.type === type)?.id;
  const out: SecurityEvent[] = [];
  const add = (type: string, moduleId: string | undefined, ago: number, extra: Fields = {}): void => {
    if (moduleId === undefined) return;
    out.push({
      id: `${scaleHomeId(h).slice(0, 16)}${String(out.length).padStart(9, '0')}`,
      type,
      time: nowSec - ago,
      module_id: moduleId,
      ...extra,
    });
  };
  add('outdoor', byType('NOC'), 120, {
    video_status: 'available',
    subevents: [
      {
        id: `sub-${h}-0`,
        type: 'human',
        time: nowSec - 120,
        verified: true,
        offset: 0,
        message: 'Person seen',
      },
    ],
  });
  add('movement', byType('NACamera'), 600, { message: 'Motion detected' });
  add('tag_open', byType('NACamDoorTag'), 1800, { message: 'Door opened' });
  add('connection', byType('NACamera'), 7200, { message: 'Camera connected' });
  return out;
}
