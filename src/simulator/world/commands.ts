/**
 * The write endpoints. Each validates the whole request first (a bad value changes nothing),
 * then applies it; a module that cannot execute its part (module-writes.ts) or is unreachable
 * (code 6) is reported in body.errors and left as it was, the rest is applied.
 */
import type { ModuleError } from '../../netatmo/api-types.js';
import { invalid, missing, SimApiError } from '../api-error.js';
import { applyModuleWrite, checkModuleWrite, moduleRefusal } from './module-writes.js';
import {
  applyAcSetpoint,
  checkAcSetpoint,
  familyOfKey,
  roomFamilies,
  type SetpointFamily,
} from './room-climate.js';
import { activeSchedule, isThermSchedule } from './schedule.js';
import type { Fields, TrackedEntity } from './values.js';
import type { HomeState, World } from './world.js';

const ROOM_MODES = ['manual', 'max', 'off', 'home', 'schedule', 'away', 'hg'];
const FP_MODES = ['comfort', 'away', 'frost_guard', 'stand_by'];
const MAX_SETPOINT = 30;
const OFF_SETPOINT = 7;

const isObject = (v: unknown): v is Fields => typeof v === 'object' && v !== null && !Array.isArray(v);
export function setState(world: World, request: unknown, now: number): Fields | undefined {
  const homeReq = isObject(request) ? request.home : undefined;
  if (!isObject(homeReq) || typeof homeReq.id !== 'string') throw missing('home_id');
  const home = world.home(homeReq.id);
  const moduleReqs = asList(homeReq.modules, 'modules');
  const roomReqs = asList(homeReq.rooms, 'rooms');
  const modules = moduleReqs.map((m) => [m, checkModuleWrite(home, m)] as const);
  const rooms = roomReqs.map((r) => [r, checkRoom(home, r)] as const);

  const errors: ModuleError[] = [];
  for (const [req, module] of modules) {
    const refusal = world.isUnreachable(module.id)
      ? { code: 6, id: module.id, message: 'Device unreachable', command: 'command/setstate' }
      : moduleRefusal(module, req);
    if (refusal) errors.push(refusal);
    else applyModuleWrite(home, module, req, now);
  }
  for (const [req, room] of rooms) {
    if (world.isUnreachable(room.id)) {
      errors.push({ code: 6, id: room.id, message: 'Device unreachable', command: 'command/setstate' });
    } else applyRoom(world, home, room, req, now);
  }
  return errors.length > 0 ? { home: { id: homeReq.id }, errors } : undefined;
}

function asList(value: unknown, what: string): Fields[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || !value.every(isObject)) throw invalid(`Invalid ${what}`);
  return value;
}

function checkRoom(home: HomeState, req: Fields): TrackedEntity {
  if (typeof req.id !== 'string') throw missing('room id');
  const room = home.rooms.get(req.id);
  if (!room) throw invalid(`Invalid room_id, ${req.id}`);
  // A room takes the setpoint family it reports (therm, cooling or auto), nothing else.
  const families = roomFamilies(room);
  for (const key of Object.keys(req)) {
    if (key === 'id') continue;
    const family = key === 'therm_setpoint_fp' ? 'therm' : familyOfKey(key);
    if (!family || !families.includes(family)) throw invalid(`cannot set property ${key} for room ${req.id}`);
  }
  for (const family of requestFamilies(req)) {
    if (family !== 'therm') checkAcSetpoint(family, req);
  }
  if (!requestFamilies(req).includes('therm')) return room;
  const mode = req.therm_setpoint_mode;
  if (mode !== undefined && !ROOM_MODES.includes(String(mode))) throw invalid('mode not authorized');
  const temp = req.therm_setpoint_temperature;
  if (temp !== undefined && !(typeof temp === 'number' && temp >= 5 && temp <= MAX_SETPOINT)) {
    throw invalid('Invalid therm_setpoint_temperature');
  }
  if (mode === 'manual' && temp === undefined) throw missing('therm_setpoint_temperature');
  const end = req.therm_setpoint_end_time;
  if (end !== undefined && !(typeof end === 'number' && Number.isInteger(end) && end >= 0)) {
    throw invalid('Invalid therm_setpoint_end_time');
  }
  const fp = req.therm_setpoint_fp;
  if (fp !== undefined && !FP_MODES.includes(String(fp))) throw invalid('Invalid therm_setpoint_fp');
  return room;
}

/** The setpoint families a setstate room entry writes. */
function requestFamilies(req: Fields): SetpointFamily[] {
  const out = new Set<SetpointFamily>();
  for (const key of Object.keys(req)) {
    const family = key === 'therm_setpoint_fp' ? 'therm' : familyOfKey(key);
    if (family) out.add(family);
  }
  return [...out];
}

function applyRoom(world: World, home: HomeState, room: TrackedEntity, req: Fields, now: number): void {
  for (const family of requestFamilies(req)) {
    if (family !== 'therm') applyAcSetpoint(home, room, family, req, now);
  }
  if (!requestFamilies(req).includes('therm')) return;
  if (req.therm_setpoint_fp !== undefined) room.set('therm_setpoint_fp', req.therm_setpoint_fp, now);
  const temp = req.therm_setpoint_temperature as number | undefined;
  const mode = (req.therm_setpoint_mode as string | undefined) ?? (temp !== undefined ? 'manual' : undefined);
  if (mode === undefined) return;
  const end = req.therm_setpoint_end_time as number | undefined;
  setRoomMode(world, home, room, mode, temp, end, now);
}

/** Shared by setstate rooms and setroomthermpoint. */
function setRoomMode(
  world: World,
  home: HomeState,
  room: TrackedEntity,
  mode: string,
  temp: number | undefined,
  endSec: number | undefined,
  now: number,
): void {
  if (mode === 'home' || mode === 'schedule') {
    world.followSchedule(home, room, now);
    return;
  }
  const schedule = activeSchedule(home.topology);
  const setpoint =
    mode === 'max'
      ? MAX_SETPOINT
      : mode === 'off'
        ? OFF_SETPOINT
        : mode === 'away'
          ? (schedule?.away_temp ?? 12)
          : mode === 'hg'
            ? (schedule?.hg_temp ?? 7)
            : (temp ?? room.num('therm_setpoint_temperature') ?? 19);
  const durationMin = home.topology.therm_setpoint_default_duration ?? 180;
  const end = endSec ?? (mode === 'off' ? 0 : Math.floor(now / 1000) + durationMin * 60);
  room.set('therm_setpoint_mode', mode, now);
  room.set('therm_setpoint_temperature', setpoint, now);
  room.set('therm_setpoint_start_time', Math.floor(now / 1000), now);
  room.set('therm_setpoint_end_time', end, now);
}

export type Params = Record<string, string>;

function required(params: Params, key: string, message = `Missing ${key}`): string {
  const value = params[key];
  if (value === undefined || value === '') throw new SimApiError(400, 10, message);
  return value;
}

function optionalEpoch(params: Params, key: string): number | undefined {
  const raw = params[key];
  if (raw === undefined || raw === '') return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) throw invalid(`Invalid ${key}`);
  return n;
}

export function setRoomThermPoint(world: World, params: Params, now: number): void {
  const home = world.home(required(params, 'home_id'));
  const roomId = required(params, 'room_id');
  const mode = required(params, 'mode', 'mode is missing');
  const room = home.rooms.get(roomId);
  if (!room) throw invalid(`Invalid room_id, ${roomId}`);
  if (!roomFamilies(room).includes('therm')) throw invalid(`room ${roomId} has no heating setpoint`);
  if (!['manual', 'max', 'home', 'off'].includes(mode)) throw invalid('mode not authorized');
  let temp: number | undefined;
  if (mode === 'manual') {
    temp = Number(required(params, 'temp'));
    if (!Number.isFinite(temp) || temp < 5 || temp > MAX_SETPOINT) throw invalid('Invalid temp');
  }
  setRoomMode(world, home, room, mode, temp, optionalEpoch(params, 'endtime'), now);
}

export function setThermMode(world: World, params: Params, now: number): void {
  const homeId = required(params, 'home_id');
  const home = world.home(homeId);
  const mode = required(params, 'mode', 'mode is missing');
  if (!['schedule', 'away', 'hg', 'off'].includes(mode)) throw invalid('mode not authorized');
  const endSec = optionalEpoch(params, 'endtime');
  if (params.schedule_id !== undefined && params.schedule_id !== '') {
    if (mode !== 'schedule') throw invalid('schedule_id is only allowed with mode schedule');
    selectSchedule(home, params.schedule_id);
  }
  home.topology.therm_mode = mode;
  if (endSec !== undefined && (mode === 'away' || mode === 'hg'))
    world.homeModeEnds.set(homeId, endSec * 1000);
  else world.homeModeEnds.delete(homeId);
  for (const room of home.rooms.values()) {
    if (room.get('therm_setpoint_temperature') === undefined) continue;
    if (mode === 'schedule') world.followSchedule(home, room, now);
    else setRoomMode(world, home, room, mode, undefined, endSec ?? 0, now);
  }
}

export function switchHomeSchedule(world: World, params: Params, now: number): void {
  const home = world.home(required(params, 'home_id'));
  selectSchedule(home, required(params, 'schedule_id'));
  for (const room of home.rooms.values()) {
    const mode = room.get('therm_setpoint_mode');
    if (mode === 'schedule' || mode === 'home') world.followSchedule(home, room, now);
  }
}

/** Climate schedules a home can run; electricity and event schedules stay as they are. */
const CLIMATE_SCHEDULES = new Set(['therm', 'cooling', 'auto']);

/**
 * Heating schedules, or those of the home's own climate mode (`cooling`, `auto`: the ones
 * pyatmo offers as `get_available_schedules`), can be switched to; electricity and event
 * schedules cannot ("schedule <id> is not therm schedule", a recorded answer).
 */
function selectSchedule(home: HomeState, scheduleId: string): void {
  const schedules = home.topology.schedules ?? [];
  const target = schedules.find((s) => s.id === scheduleId);
  const ownMode = home.topology.temperature_control_mode;
  if (!target || !(isThermSchedule(target) || target.type === ownMode)) {
    throw invalid(`schedule <${scheduleId}> is not therm schedule`);
  }
  for (const s of schedules) {
    if (CLIMATE_SCHEDULES.has(s.type ?? 'therm')) s.selected = s.id === scheduleId;
  }
}
