/**
 * The `catalogue` scenario: every fixture home in one account — the fixtures scenario (homes
 * `…8b` and `…8c`, stations, coaches, events, canned measures) followed by velux, bticino,
 * legrand, ac, bridged and realshape, in that order.
 *
 * Ids must be unique across the account. Sources are merged in that fixed order; an id of a
 * later source (home, room, module, schedule, person, station or coach) that an earlier source
 * already uses is renamed `<id>-<source>` (`-<source>-2`, … if that is taken too), everywhere
 * it appears in the later source: as a value equal to the id, as the parent part of a
 * sub-module id (`<id>#1`), and as a key (statuses and events are keyed by home id). Today only
 * the schedule ids `schedule_01` and `schedule_02` collide (legrand and ac): the ac home's
 * become `schedule_01-ac` and `schedule_02-ac`.
 */
import { fixturesDir } from '../fixtures-dir.js';
import { emptySeed, type WorldSeed } from '../world/seed.js';
import { loadFixturesSeed } from './fixtures.js';
import { loadPyatmoHome, PYATMO_HOMES } from './pyatmo-homes.js';

export function loadCatalogueSeed(dir: string = fixturesDir()): WorldSeed {
  const sources: Array<[string, WorldSeed]> = [
    ['fixtures', loadFixturesSeed(dir)],
    ...PYATMO_HOMES.map((name): [string, WorldSeed] => [name, loadPyatmoHome(name, dir)]),
  ];
  const merged = emptySeed(sources[0]![1].user);
  const taken = new Set<string>();
  for (const [name, source] of sources) {
    const renames = new Map<string, string>();
    for (const id of seedIds(source)) {
      if (!taken.has(id)) continue;
      let fresh = `${id}-${name}`;
      for (let n = 2; taken.has(fresh); n++) fresh = `${id}-${name}-${n}`;
      renames.set(id, fresh);
    }
    const seed = renames.size > 0 ? (renameIds(source, renames) as WorldSeed) : source;
    for (const id of seedIds(seed)) taken.add(id);
    merged.homes.push(...seed.homes);
    Object.assign(merged.statuses, seed.statuses);
    merged.stations.push(...seed.stations);
    merged.homecoaches.push(...seed.homecoaches);
    Object.assign(merged.events, seed.events);
    merged.measures.push(...seed.measures);
  }
  return merged;
}

/** Every id a seed defines. */
function seedIds(seed: WorldSeed): Set<string> {
  const ids = new Set<string>();
  for (const home of seed.homes) {
    ids.add(home.id);
    for (const list of [home.rooms, home.modules, home.schedules, home.persons]) {
      for (const item of list ?? []) ids.add(item.id);
    }
  }
  for (const status of Object.values(seed.statuses)) {
    for (const item of [...(status.rooms ?? []), ...(status.modules ?? [])]) ids.add(item.id);
  }
  for (const device of [...seed.stations, ...seed.homecoaches]) {
    ids.add(device._id);
    for (const module of device.modules ?? []) ids.add(module._id);
  }
  return ids;
}

/** A copy of `value` with every renamed id replaced, in values and in keys. */
function renameIds(value: unknown, renames: Map<string, string>): unknown {
  const rename = (text: string): string => {
    const direct = renames.get(text);
    if (direct !== undefined) return direct;
    const hash = text.indexOf('#');
    const parent = hash > 0 ? renames.get(text.slice(0, hash)) : undefined;
    return parent === undefined ? text : `${parent}${text.slice(hash)}`;
  };
  if (typeof value === 'string') return rename(value);
  if (Array.isArray(value)) return value.map((v) => renameIds(v, renames));
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [rename(k), renameIds(v, renames)]));
  }
  return value;
}
