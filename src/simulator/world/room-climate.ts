/**
 * Rooms cooled or air-conditioned (Netatmo Smart AC Control, NAC). A room reports one setpoint
 * family per climate mode of its home: `therm_setpoint_*` (heating), `cooling_setpoint_*`
 * (a home whose `temperature_control_mode` is `cooling`) or `auto_setpoint_*` (`auto`: the AC
 * heats or cools to the setpoint; the NAC room of `homestatus_ac_home_id.json`). setstate writes
 * the family the room reports, `{"rooms":[{"id","<family>_setpoint_mode","<family>_setpoint_
 * temperature","<family>_setpoint_end_time"}]}` — the payload pyatmo builds
 * (`room.py` `_async_therm_set`, prefix from the home's mode) — and refuses the others.
 * `therm` stays with the heating code in commands.ts; this file covers `cooling` and `auto`.
 */
import type { HomeTopology, Schedule } from '../../netatmo/api-types.js';
import { invalid, missing } from '../api-error.js';
import { round1 } from './physics.js';
import { currentZone } from './schedule.js';
import type { Fields, TrackedEntity } from './values.js';
import type { HomeState, World } from './world.js';

export type SetpointFamily = 'therm' | 'cooling' | 'auto';
export type AcFamily = Exclude<SetpointFamily, 'therm'>;

const FAMILY_KEY = /^(therm|cooling|auto)_setpoint_/;
/** setstate's `schedule` is Netatmo's `home` (pyatmo `MODE_MAP`); `max` is a heating boost. */
const AC_MODES = ['manual', 'home', 'schedule', 'off', 'away', 'hg'];
const AC_MIN = 16;
const AC_MAX = 30;
/** An AC closes about 63 % of the gap to its setpoint in 30 minutes. */
const AC_TAU_MS = 30 * 60_000;
const DEFAULT_AWAY = 30;

export function familyOfKey(key: string): SetpointFamily | undefined {
  return FAMILY_KEY.exec(key)?.[1] as SetpointFamily | undefined;
}

/** The setpoint families a room reports in homestatus. */
export function roomFamilies(room: TrackedEntity): SetpointFamily[] {
  const out = new Set<SetpointFamily>();
  for (const key of Object.keys(room.fields)) {
    const family = familyOfKey(key);
    if (family) out.add(family);
  }
  return [...out];
}

/** Validates the `cooling_`/`auto_` keys of a setstate room entry (the caller checked the family). */
export function checkAcSetpoint(family: AcFamily, req: Fields): void {
  const mode = req[`${family}_setpoint_mode`];
  const temp = req[`${family}_setpoint_temperature`];
  const end = req[`${family}_setpoint_end_time`];
  if (mode !== undefined && !AC_MODES.includes(String(mode))) throw invalid('mode not authorized');
  if (temp !== undefined && !(typeof temp === 'number' && temp >= AC_MIN && temp <= AC_MAX)) {
    throw invalid(`Invalid ${family}_setpoint_temperature`);
  }
  if (mode === 'manual' && temp === undefined) throw missing(`${family}_setpoint_temperature`);
  if (end !== undefined && end !== null && !(typeof end === 'number' && Number.isInteger(end) && end >= 0)) {
    throw invalid(`Invalid ${family}_setpoint_end_time`);
  }
  if (mode === undefined && temp === undefined) throw missing(`${family}_setpoint_mode`);
}

export function applyAcSetpoint(
  home: HomeState,
  room: TrackedEntity,
  family: AcFamily,
  req: Fields,
  now: number,
): void {
  const temp = req[`${family}_setpoint_temperature`] as number | undefined;
  const requested = (req[`${family}_setpoint_mode`] as string | undefined) ?? 'manual';
  const mode = requested === 'schedule' ? 'home' : requested;
  const nowSec = Math.floor(now / 1000);
  const end = req[`${family}_setpoint_end_time`] as number | undefined;
  const durationMin = home.topology.therm_setpoint_default_duration ?? 180;
  room.set(`${family}_setpoint_mode`, mode, now);
  room.set(`${family}_setpoint_start_time`, nowSec, now);
  if (mode === 'manual') {
    room.set(`${family}_setpoint_temperature`, temp, now);
    room.set(`${family}_setpoint_end_time`, end ?? nowSec + durationMin * 60, now);
  } else if (mode === 'home') {
    room.set(`${family}_setpoint_end_time`, null, now);
    followAcSchedule(home.topology, room, family, now);
  } else {
    if (mode === 'away') room.set(`${family}_setpoint_temperature`, awayTemp(home.topology, family), now);
    room.set(`${family}_setpoint_end_time`, end ?? 0, now);
  }
}

/** The selected schedule of a family's type (`cooling`, `auto`), else the first of that type. */
function familySchedule(home: HomeTopology, family: AcFamily): Schedule | undefined {
  const own = (home.schedules ?? []).filter((s) => s.type === family);
  return own.find((s) => s.selected) ?? own[0];
}

function awayTemp(home: HomeTopology, family: AcFamily): number {
  const value = familySchedule(home, family)?.[`${family}_away_temp`];
  return typeof value === 'number' ? value : DEFAULT_AWAY;
}

/**
 * What the schedule asks of the room now: a temperature, `off` (the zone lists
 * `<family>_setpoint_mode: off`), or undefined when no zone names the room.
 */
function scheduled(
  home: HomeTopology,
  roomId: string,
  family: AcFamily,
  now: number,
): number | 'off' | undefined {
  const schedule = familySchedule(home, family);
  const zone = schedule && currentZone(schedule, home.timezone, now);
  const entry = zone?.rooms?.find((r) => r.id === roomId);
  const temp = entry?.[`${family}_setpoint_temperature`];
  if (typeof temp === 'number') return temp;
  return entry?.[`${family}_setpoint_mode`] === 'off' ? 'off' : undefined;
}

function followAcSchedule(home: HomeTopology, room: TrackedEntity, family: AcFamily, now: number): void {
  const target = scheduled(home, room.id, family, now);
  if (typeof target === 'number') room.set(`${family}_setpoint_temperature`, target, now);
}

/** AC rooms over simulated time: timed modes expire, `home` follows its schedule, the air moves. */
export class RoomClimate {
  /** Rooms with an AC setpoint family; a room keeps the families it reports. */
  readonly #rooms: Array<{ home: HomeState; room: TrackedEntity; family: AcFamily }> = [];

  constructor(private readonly world: World) {
    for (const home of world.homes.values()) {
      for (const room of home.rooms.values()) {
        for (const family of roomFamilies(room))
          if (family !== 'therm') this.#rooms.push({ home, room, family });
      }
    }
  }

  advance(now: number, dtMs: number): void {
    for (const { home, room, family } of this.#rooms) this.#advanceRoom(home, room, family, now, dtMs);
  }

  #advanceRoom(home: HomeState, room: TrackedEntity, family: AcFamily, now: number, dtMs: number): void {
    const mode = String(room.get(`${family}_setpoint_mode`) ?? '');
    const end = room.num(`${family}_setpoint_end_time`);
    if (mode !== 'home' && end !== undefined && end > 0 && end * 1000 <= now) {
      room.set(`${family}_setpoint_mode`, 'home', now);
      room.set(`${family}_setpoint_start_time`, Math.floor(now / 1000), now);
      room.set(`${family}_setpoint_end_time`, null, now);
    }
    let running = !['off', 'hg'].includes(String(room.get(`${family}_setpoint_mode`)));
    if (room.get(`${family}_setpoint_mode`) === 'home') {
      followAcSchedule(home.topology, room, family, now);
      running = scheduled(home.topology, room.id, family, now) !== 'off';
    } else if (room.get(`${family}_setpoint_mode`) === 'away') {
      running = familySchedule(home.topology, family)?.away_temperature_mode !== 'off';
    }
    const measured = home.roomTemps.get(room.id);
    const setpoint = room.num(`${family}_setpoint_temperature`);
    if (!running || measured === undefined || setpoint === undefined || this.world.isUnreachable(room.id))
      return;
    // `auto` heats or cools to the setpoint; `cooling` only cools.
    if (family === 'cooling' && measured <= setpoint) return;
    const next = setpoint + (measured - setpoint) * Math.exp(-dtMs / AC_TAU_MS);
    home.roomTemps.set(room.id, next);
    room.set('therm_measured_temperature', round1(next), now);
  }
}
