/**
 * People living in the simulated homes: now and then someone turns a thermostat or moves a
 * shutter in the Netatmo app or on the wall, outside the bridge. Benchmarks need such changes
 * at realistic rates to measure how late the bridge notices them.
 *
 * It also ticks the world forward on the clock. The world otherwise catches up only when a
 * request arrives, so a room that warmed up would be stamped with the time of the next poll and
 * look perfectly fresh; ticking stamps changes within `tickMs` of when they really happen.
 */
import type { Clock } from '../../util/clock.js';
import { SeededRandom } from '../random.js';
import type { ActivityOptions } from '../types.js';
import { setRoomThermPoint, setState } from './commands.js';
import { positionRefusal } from './covers.js';
import type { World } from './world.js';

/** Runs a resident's write to a home, so what Netatmo would push about it is pushed. */
export type WriteObserver = (homeId: string, write: () => void) => void;

const DEFAULT_TICK_MS = 5_000;
const DEFAULT_SETPOINT_EVERY_MS = 30 * 60_000;
const DEFAULT_SHUTTER_EVERY_MS = 30 * 60_000;
/** Manual setpoints last an hour, then the room falls back to its schedule (another change). */
const MANUAL_SETPOINT_SEC = 3_600;

export class UserActivity {
  readonly #world: World;
  readonly #clock: Clock;
  readonly #random: SeededRandom;
  readonly #tickMs: number;
  readonly #setpointEveryMs: number;
  readonly #shutterEveryMs: number;
  readonly #cancels = new Set<() => void>();
  readonly #observe: WriteObserver;
  #running = false;

  constructor(
    world: World,
    clock: Clock,
    options: ActivityOptions = {},
    observe: WriteObserver = (_, write) => write(),
  ) {
    this.#world = world;
    this.#observe = observe;
    this.#clock = clock;
    this.#random = new SeededRandom(options.seed ?? 7);
    this.#tickMs = options.tickMs ?? DEFAULT_TICK_MS;
    this.#setpointEveryMs = options.setpointEveryMs ?? DEFAULT_SETPOINT_EVERY_MS;
    this.#shutterEveryMs = options.shutterEveryMs ?? DEFAULT_SHUTTER_EVERY_MS;
    for (const [name, ms] of [
      ['tickMs', this.#tickMs],
      ['setpointEveryMs', this.#setpointEveryMs],
      ['shutterEveryMs', this.#shutterEveryMs],
    ] as const) {
      if (!(Number.isFinite(ms) && ms > 0)) throw new RangeError(`activity ${name} must be > 0, got ${ms}`);
    }
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#repeat(
      () => this.#tickMs,
      () => this.#world.advance(),
    );
    for (const homeId of this.#world.homes.keys()) {
      this.#repeat(
        () => this.#exponential(this.#setpointEveryMs),
        () => this.#observe(homeId, () => this.#changeSetpoint(homeId)),
      );
      this.#repeat(
        () => this.#exponential(this.#shutterEveryMs),
        () => this.#observe(homeId, () => this.#moveShutter(homeId)),
      );
    }
  }

  stop(): void {
    this.#running = false;
    for (const cancel of this.#cancels) cancel();
    this.#cancels.clear();
  }

  #repeat(delay: () => number, action: () => void): void {
    const arm = (): void => {
      const cancel = this.#clock.schedule(delay(), () => {
        this.#cancels.delete(cancel);
        if (!this.#running) return;
        action();
        arm();
      });
      this.#cancels.add(cancel);
    };
    arm();
  }

  /** Poisson arrivals: people do not act on a timetable. */
  #exponential(meanMs: number): number {
    return -Math.log(1 - this.#random.next()) * meanMs;
  }

  #pick<T>(items: T[]): T | undefined {
    return items[Math.floor(this.#random.next() * items.length)];
  }

  #changeSetpoint(homeId: string): void {
    const now = this.#world.advance();
    const home = this.#world.homes.get(homeId);
    if (!home) return;
    const rooms = [...home.rooms.values()].filter(
      (r) => r.num('therm_setpoint_temperature') !== undefined && !this.#world.isUnreachable(r.id),
    );
    const room = this.#pick(rooms);
    if (!room) return;
    // Half-degree steps between 17 and 23 °C, never the current value.
    const current = room.num('therm_setpoint_temperature');
    let temp = 17 + Math.floor(this.#random.next() * 13) / 2;
    if (temp === current) temp = temp >= 23 ? 22.5 : temp + 0.5;
    setRoomThermPoint(
      this.#world,
      {
        home_id: homeId,
        room_id: room.id,
        mode: 'manual',
        temp: String(temp),
        endtime: String(Math.floor(now / 1000) + MANUAL_SETPOINT_SEC),
      },
      now,
    );
  }

  #moveShutter(homeId: string): void {
    const now = this.#world.advance();
    const home = this.#world.homes.get(homeId);
    if (!home) return;
    const shutters = [...home.shutterPositions.keys()].filter((id) => !this.#world.isUnreachable(id));
    const id = this.#pick(shutters);
    if (id === undefined) return;
    const current = Math.round(home.shutterPositions.get(id) ?? 0);
    const picked = current > 50 ? this.#pick([0, 0, 25]) : this.#pick([100, 100, 75]);
    // Someone at an open/close-only cover (target_position:step 100) can only open or close it.
    const module = home.modules.get(id);
    const target =
      picked !== undefined && module && positionRefusal(module, picked) ? (current > 50 ? 0 : 100) : picked;
    setState(this.#world, { home: { id: homeId, modules: [{ id, target_position: target }] } }, now);
  }
}
