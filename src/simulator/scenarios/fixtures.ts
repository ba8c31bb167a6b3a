/** The `fixtures` scenario: the pyatmo sample responses, read from disk at run time. */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type {
  EventsBody,
  HomeCoachsDataBody,
  HomeStatusBody,
  HomesDataBody,
  MeasureBody,
  StationsDataBody,
} from '../../netatmo/api-types.js';
import { fixturesDir } from '../fixtures-dir.js';
import type { WorldSeed } from '../world/seed.js';

export function readBody<T>(dir: string, file: string): T {
  const parsed = JSON.parse(readFileSync(join(dir, file), 'utf8')) as { body?: T };
  if (parsed.body === undefined) throw new Error(`fixture ${file} has no body`);
  return parsed.body;
}

/** The four-type energy request pyatmo sends (`ENERGY_FILTERS`), recorded as `getmeasure_energy_*`. */
const ENERGY_FILTERS = [
  'sum_energy_buy_from_grid',
  'sum_energy_buy_from_grid$0',
  'sum_energy_buy_from_grid$1',
  'sum_energy_buy_from_grid$2',
];

/**
 * Module id and type list of a getmeasure fixture: `getmeasure_energy_<id>.json` holds the
 * four-type energy answer, `getmeasure_<types>_<id>.json` spells its types with `+` for `,` and
 * `-` for `$` (pyatmo's own names contain both). Ids are 8 hex pairs joined by `_`.
 */
export function cannedMeasureKey(file: string): { moduleId: string; types: string[] } | undefined {
  const match = /^getmeasure_(.+)_((?:[0-9a-f]{2}_){7}[0-9a-f]{2})\.json$/.exec(file);
  if (!match?.[1] || !match[2]) return undefined;
  const types = match[1] === 'energy' ? ENERGY_FILTERS : match[1].replaceAll('-', '$').split('+');
  return { moduleId: match[2].replaceAll('_', ':'), types };
}

export function loadFixturesSeed(dir: string = fixturesDir()): WorldSeed {
  const homesData = readBody<HomesDataBody>(dir, 'homesdata.json');
  const files = readdirSync(dir);
  const statuses: WorldSeed['statuses'] = {};
  for (const home of homesData.homes) {
    const file = `homestatus_${home.id}.json`;
    if (!files.includes(file)) continue;
    const status = readBody<HomeStatusBody>(dir, file).home;
    statuses[home.id] = { ...status, id: home.id };
  }
  const eventsBody = readBody<EventsBody>(dir, 'getevents.json');
  const measures: WorldSeed['measures'] = [];
  for (const file of files.sort()) {
    const key = cannedMeasureKey(file);
    if (key) measures.push({ ...key, body: readBody<MeasureBody>(dir, file) });
  }
  return {
    user: homesData.user ?? {},
    homes: homesData.homes,
    statuses,
    stations: readBody<StationsDataBody>(dir, 'getstationsdata.json').devices,
    homecoaches: readBody<HomeCoachsDataBody>(dir, 'gethomecoachsdata.json').devices,
    events: { [eventsBody.home.id]: eventsBody.home.events },
    measures,
  };
}
