/**
 * A room of a home in `cooling` mode reports `cooling_setpoint_*` (home-assistant/core#175581).
 * No fixture home has one, so this test makes the AC home of the fixtures a cooling home and
 * drives the world in-process.
 */
import { describe, expect, it } from 'vitest';
import { loadPyatmoHome } from '../../src/simulator/scenarios/pyatmo-homes.js';
import { setState } from '../../src/simulator/world/commands.js';
import { World } from '../../src/simulator/world/world.js';
import { frozenAt, WINTER_MORNING } from './meter-helpers.js';

const LIVING = 'ac_room_living';

function coolingWorld(): { world: World; advance: (ms: number) => number } {
  const seed = loadPyatmoHome('ac');
  const home = seed.homes[0]!;
  home.temperature_control_mode = 'cooling';
  const room = seed.statuses[home.id]!.rooms!.find((r) => r.id === LIVING)!;
  for (const key of Object.keys(room)) if (key.startsWith('auto_setpoint_')) delete room[key];
  Object.assign(room, { cooling_setpoint_mode: 'home', cooling_setpoint_temperature: 26 });
  let now = WINTER_MORNING;
  const base = frozenAt(now);
  const clock = { ...base, now: () => now };
  const world = new World(seed, clock, 1);
  return {
    world,
    advance: (ms) => {
      now += ms;
      return world.advance();
    },
  };
}

const living = (world: World) => world.home('ac_home_id').rooms.get(LIVING)!;

describe('cooling rooms', () => {
  it('cool towards a manual setpoint and never heat', async () => {
    const { world, advance } = coolingWorld();
    const write = (room: Record<string, unknown>, at: number) =>
      setState(world, { home: { id: 'ac_home_id', rooms: [{ id: LIVING, ...room }] } }, at);
    expect(() =>
      write({ therm_setpoint_mode: 'manual', therm_setpoint_temperature: 20 }, advance(0)),
    ).toThrow(/cannot set property therm_setpoint_mode/);
    write({ cooling_setpoint_mode: 'manual', cooling_setpoint_temperature: 21 }, advance(0));
    advance(20 * 60_000);
    const cooled = living(world).num('therm_measured_temperature')!;
    expect(cooled).toBeLessThan(23);
    expect(cooled).toBeGreaterThan(21);
    write(
      { cooling_setpoint_mode: 'manual', cooling_setpoint_temperature: 28, cooling_setpoint_end_time: 0 },
      advance(0),
    );
    advance(60 * 60_000);
    expect(living(world).num('therm_measured_temperature')).toBe(cooled);
    expect(living(world).get('cooling_setpoint_mode')).toBe('manual');
    // Away with the schedule's `away_temperature_mode: off` leaves the AC off.
    write({ cooling_setpoint_mode: 'away' }, advance(0));
    expect(living(world).get('cooling_setpoint_temperature')).toBe(30);
    write({ cooling_setpoint_mode: 'schedule' }, advance(0));
    expect(living(world).get('cooling_setpoint_mode')).toBe('home');
  });
});
