/**
 * Whether a command the bridge accepted left in Netatmo (the simulator, read over its API) the
 * state it asked for: the values the bridge answered with (after rounding to the device step)
 * against the Netatmo fields that carry them — setstate `on`, `brightness`, `target_position`,
 * `fan_speed`, `monitoring`, `floodlight`; a room's `<therm|cooling|auto>_setpoint_*`; a home's
 * `therm_mode` and selected schedule; a person's `out_of_sight` (everybody's, for a home's
 * "everybody away"). A capability this file has no check for is a problem, so a new command
 * cannot pass unchecked.
 */
import type { Device } from '../../src/devices/types.js';
import type { HaCommand } from '../commands/ha-commands.js';

type Fields = Record<string, unknown>;
export type SimRead = (endpoint: string, params: Record<string, string>) => Promise<Fields>;

/** The Netatmo modes a bridge room or home mode may read back as. */
const NETATMO_MODES: Record<string, string[]> = {
  schedule: ['home', 'schedule'],
  manual: ['manual'],
  max: ['max'],
  off: ['off'],
  away: ['away'],
  frost_guard: ['hg'],
};
const COVER_TARGETS: Record<string, number> = { OPEN: 100, CLOSE: 0 };

const differs = (what: string, got: unknown, want: unknown): string | undefined =>
  got === want ? undefined : `${what} is ${JSON.stringify(got)}, not ${JSON.stringify(want)}`;

async function persons(device: Device, read: SimRead): Promise<Fields[]> {
  const { home } = (await read('homestatus', { home_id: device.homeId ?? '' })) as {
    home: { persons?: Fields[] };
  };
  return home.persons ?? [];
}

/** `presence` home/away → the person's `out_of_sight` false/true in homestatus. */
async function personProblem(device: Device, values: Fields, read: SimRead): Promise<string | undefined> {
  const person = (await persons(device, read)).find((p) => p.id === device.netatmoId);
  if (!person) return `person ${device.netatmoId} is not in homestatus`;
  for (const [key, value] of Object.entries(values)) {
    if (key !== 'presence') return `no check for person ${key}`;
    const problem = differs('out_of_sight', person.out_of_sight, value === 'away');
    if (problem) return problem;
  }
  return undefined;
}

async function homeProblem(device: Device, values: Fields, read: SimRead): Promise<string | undefined> {
  const { homes } = (await read('homesdata', { home_id: device.netatmoId })) as { homes: Fields[] };
  const home = homes[0] ?? {};
  for (const [key, value] of Object.entries(values)) {
    if (key === 'everybody_away') {
      const present = (await persons(device, read)).filter((p) => p.out_of_sight !== true);
      if (present.length > 0)
        return `after everybody_away ${present.map((p) => String(p.id)).join(', ')} still home`;
    } else if (key === 'thermostat_mode') {
      if (!NETATMO_MODES[String(value)]?.includes(String(home.therm_mode)))
        return `home therm_mode is ${String(home.therm_mode)} after ${String(value)}`;
    } else if (key === 'schedule') {
      const selected = ((home.schedules as Fields[] | undefined) ?? []).filter((s) => s.selected);
      if (!selected.some((s) => s.name === value)) return `schedule ${String(value)} is not selected`;
    } else return `no check for home ${key}`;
  }
  return undefined;
}

function roomProblem(device: Device, room: Fields | undefined, values: Fields): string | undefined {
  if (!room) return `room ${device.netatmoId} is not in homestatus`;
  const prefix =
    device.climateMode === undefined || device.climateMode === 'heating' ? 'therm' : device.climateMode;
  for (const [key, value] of Object.entries(values)) {
    if (key === 'target_temperature') {
      const problem =
        differs(`${prefix}_setpoint_temperature`, room[`${prefix}_setpoint_temperature`], value) ??
        differs(`${prefix}_setpoint_mode`, room[`${prefix}_setpoint_mode`], 'manual');
      if (problem) return problem;
    } else if (key === 'mode') {
      const mode = room[`${prefix}_setpoint_mode`];
      if (!NETATMO_MODES[String(value)]?.includes(String(mode)))
        return `${prefix}_setpoint_mode is ${String(mode)} after ${String(value)}`;
    } else return `no check for room ${key}`;
  }
  return undefined;
}

function moduleProblem(device: Device, module: Fields | undefined, values: Fields): string | undefined {
  if (!module) return `module ${device.netatmoId} is not in homestatus`;
  for (const [key, value] of Object.entries(values)) {
    let problem: string | undefined;
    if (key === 'state' && (value === 'ON' || value === 'OFF'))
      problem = differs('on', module.on, value === 'ON');
    else if (key === 'state' && device.family === 'cover') problem = coverProblem(module, String(value));
    else if (key === 'position') problem = differs('target_position', module.target_position, value);
    else if (['brightness', 'fan_speed', 'monitoring', 'floodlight'].includes(key))
      problem = differs(key, module[key], value);
    else problem = `no check for ${device.family} ${key}`;
    if (problem) return problem;
  }
  return undefined;
}

function coverProblem(module: Fields, command: string): string | undefined {
  const target = module.target_position;
  if (command in COVER_TARGETS) return differs('target_position', target, COVER_TARGETS[command]);
  if (command === 'PREFERRED') return differs('target_position', target, module.preferred_position ?? 50);
  if (command === 'STOP') {
    // Stopped where it was: the target is the position it stopped at.
    const current = module.current_position;
    return typeof target === 'number' && typeof current === 'number' && Math.abs(target - current) <= 1
      ? undefined
      : `after STOP target_position ${String(target)} is not current_position ${String(current)}`;
  }
  return `no check for cover state ${command}`;
}

/** Why the simulator does not hold what `command` (answered with `values`) asked for, if it does not. */
export async function executedProblem(
  device: Device,
  command: HaCommand,
  values: Fields,
  read: SimRead,
): Promise<string | undefined> {
  if (!device.homeId) return `${device.id} has no home: ${command.topic} cannot have reached Netatmo`;
  if (device.family === 'home') return homeProblem(device, values, read);
  if (device.family === 'person') return personProblem(device, values, read);
  const { home } = (await read('homestatus', { home_id: device.homeId })) as {
    home: { rooms?: Fields[]; modules?: Fields[] };
  };
  if (device.family === 'room')
    return roomProblem(
      device,
      (home.rooms ?? []).find((r) => r.id === device.netatmoId),
      values,
    );
  return moduleProblem(
    device,
    (home.modules ?? []).find((m) => m.id === device.netatmoId),
    values,
  );
}
