/**
 * The simulated Netatmo world: homes (topology and live state), weather stations, Home
 * Coaches, events. Every value remembers when it last changed. Time moves only with the
 * injected clock: each read or write first catches the world up to `clock.now()`.
 */
import type { HomeTopology, SecurityEvent } from '../../netatmo/api-types.js';
import type { Clock } from '../../util/clock.js';
import { invalid } from '../api-error.js';
import { SeededRandom } from '../random.js';
import { DeviceModels } from './device-models.js';
import { approachTemperature, moveShutter, round1 } from './physics.js';
import { scheduledSetpoint } from './schedule.js';
import type { WorldSeed } from './seed.js';
import { type ChangeListener, type Fields, TrackedEntity } from './values.js';
import { homesModelValues, WeatherUnit } from './weather.js';

export interface HomeState {
  /** Topology as homesdata shows it; writes change therm_mode and the selected schedule. */
  topology: HomeTopology;
  rooms: Map<string, TrackedEntity>;
  modules: Map<string, TrackedEntity>;
  persons: Fields[];
  /** Unrounded room temperatures and shutter positions, so slow changes are not lost to rounding. */
  roomTemps: Map<string, number>;
  shutterPositions: Map<string, number>;
}

/** Setpoint modes that follow the schedule rather than a user override. */
const SCHEDULE_MODES = new Set(['schedule', 'home']);

export class World {
  readonly homes = new Map<string, HomeState>();
  readonly weather = new Map<string, WeatherUnit>();
  readonly stationIds: string[] = [];
  readonly coachIds: string[] = [];
  /** Modules (homes or weather model) that answer as unreachable (error code 6). */
  readonly unreachable = new Set<string>();
  readonly user: Fields;
  readonly events: Record<string, SecurityEvent[]>;
  readonly measures: WorldSeed['measures'];
  readonly random: SeededRandom;
  /** homeId → end of a timed away/hg home mode (ms). */
  readonly homeModeEnds = new Map<string, number>();
  /** AC rooms, VELUX gateways, energy meters, boiler run time. */
  readonly devices: DeviceModels;
  #last: number;

  constructor(
    seed: WorldSeed,
    readonly clock: Clock,
    randomSeed: number,
  ) {
    const now = clock.now();
    this.#last = now;
    this.random = new SeededRandom(randomSeed);
    this.user = structuredClone(seed.user);
    this.events = structuredClone(seed.events);
    this.measures = structuredClone(seed.measures);
    for (const topology of seed.homes) {
      const status = seed.statuses[topology.id];
      const home: HomeState = {
        topology: structuredClone(topology),
        rooms: new Map(),
        modules: new Map(),
        persons: structuredClone(status?.persons ?? []),
        roomTemps: new Map(),
        shutterPositions: new Map(),
      };
      for (const room of status?.rooms ?? []) {
        home.rooms.set(room.id, new TrackedEntity(room.id, room, now));
        if (typeof room.therm_measured_temperature === 'number') {
          home.roomTemps.set(room.id, room.therm_measured_temperature);
        }
      }
      for (const module of status?.modules ?? []) {
        home.modules.set(module.id, new TrackedEntity(module.id, module, now));
        if (typeof module.current_position === 'number') {
          home.shutterPositions.set(module.id, module.current_position);
        }
      }
      this.homes.set(topology.id, home);
    }
    const addUnits = (devices: WorldSeed['stations'], ids: string[]): void => {
      for (const device of devices) {
        ids.push(device._id);
        this.weather.set(device._id, new WeatherUnit(device, undefined, now, this.random));
        for (const m of device.modules ?? []) {
          this.weather.set(m._id, new WeatherUnit(m, device._id, now, this.random));
        }
      }
    };
    addUnits(seed.stations, this.stationIds);
    addUnits(seed.homecoaches, this.coachIds);
    this.devices = new DeviceModels(this, now);
  }

  /** Catches the world up to the clock and returns the current simulated time (ms). */
  advance(): number {
    const now = this.clock.now();
    const dt = now - this.#last;
    if (dt <= 0) return this.#last;
    for (const [homeId, home] of this.homes) this.#advanceHome(homeId, home, now, dt);
    this.devices.advance(now, dt);
    for (const unit of this.weather.values()) unit.catchUp(now, this.random);
    this.#last = now;
    return now;
  }

  #advanceHome(homeId: string, home: HomeState, now: number, dt: number): void {
    const modeEnd = this.homeModeEnds.get(homeId);
    if (modeEnd !== undefined && modeEnd <= now) {
      this.homeModeEnds.delete(homeId);
      home.topology.therm_mode = 'schedule';
      for (const room of home.rooms.values()) {
        if (room.get('therm_setpoint_mode') === 'away' || room.get('therm_setpoint_mode') === 'hg') {
          this.followSchedule(home, room, now);
        }
      }
    }
    for (const room of home.rooms.values()) {
      const mode = String(room.get('therm_setpoint_mode') ?? '');
      const end = room.num('therm_setpoint_end_time');
      if (!SCHEDULE_MODES.has(mode) && end !== undefined && end > 0 && end * 1000 <= now) {
        this.followSchedule(home, room, now);
      } else if (SCHEDULE_MODES.has(mode)) {
        room.set('therm_setpoint_temperature', scheduledSetpoint(home.topology, room.id, now), now);
      }
      const measured = home.roomTemps.get(room.id);
      const setpoint = room.num('therm_setpoint_temperature');
      if (measured === undefined || setpoint === undefined || this.isUnreachable(room.id)) continue;
      const next = approachTemperature(measured, setpoint, dt);
      home.roomTemps.set(room.id, next);
      room.set('therm_measured_temperature', round1(next), now);
      if (room.get('heating_power_request') !== undefined) {
        room.set('heating_power_request', next < setpoint - 0.2 ? 100 : 0, now);
      }
    }
    for (const [id, position] of home.shutterPositions) {
      const module = home.modules.get(id);
      const target = module?.num('target_position');
      if (!module || target === undefined || target < 0) continue;
      const next = moveShutter(position, target, dt);
      home.shutterPositions.set(id, next);
      module.set('current_position', Math.round(next), now);
    }
  }

  /** Puts a room back on its schedule. */
  followSchedule(home: HomeState, room: TrackedEntity, now: number): void {
    room.set('therm_setpoint_mode', 'schedule', now);
    room.set('therm_setpoint_temperature', scheduledSetpoint(home.topology, room.id, now), now);
    room.set('therm_setpoint_start_time', Math.floor(now / 1000), now);
    room.set('therm_setpoint_end_time', 0, now);
  }

  home(homeId: string | undefined): HomeState {
    const home = homeId === undefined ? undefined : this.homes.get(homeId);
    if (!home) throw invalid('Invalid id');
    return home;
  }

  isUnreachable(id: string): boolean {
    return this.unreachable.has(id);
  }

  /** Module id → "<id>/<field>" → last change (simulated ms) for every tracked value. */
  lastChanges(): Record<string, number> {
    const out: Record<string, number> = {};
    const add = (entity: TrackedEntity): void => {
      for (const [field, at] of Object.entries(entity.changedAt)) out[`${entity.id}/${field}`] = at;
    };
    for (const home of this.homes.values()) {
      for (const room of home.rooms.values()) add(room);
      for (const module of home.modules.values()) add(module);
    }
    for (const unit of this.weather.values()) {
      add(unit.info);
      if (unit.dashboard) add(unit.dashboard);
    }
    return out;
  }

  /** Calls `listener` on every later change of any tracked value; undefined stops it. */
  watchChanges(listener: ChangeListener | undefined): void {
    for (const home of this.homes.values()) {
      for (const room of home.rooms.values()) room.onChange = listener;
      for (const module of home.modules.values()) module.onChange = listener;
    }
    for (const unit of this.weather.values()) {
      unit.info.onChange = listener;
      if (unit.dashboard) unit.dashboard.onChange = listener;
    }
  }

  /** When `field` of room/module/weather unit `id` last changed, or undefined. */
  lastChange(id: string, field: string): number | undefined {
    for (const home of this.homes.values()) {
      const entity = home.modules.get(id) ?? home.rooms.get(id);
      if (entity) return entity.changedAt[field];
    }
    const unit = this.weather.get(id);
    return unit?.dashboard?.changedAt[field] ?? unit?.info.changedAt[field];
  }

  /** A homestatus module with the weather model's values merged in, so both models agree. */
  renderModule(module: TrackedEntity): Fields {
    const out = module.snapshot();
    const unit = this.weather.get(module.id);
    if (unit) Object.assign(out, homesModelValues(unit));
    return out;
  }
}
