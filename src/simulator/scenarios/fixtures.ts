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

function readBody<T>(dir: string, file: string): T {
  const parsed = JSON.parse(readFileSync(join(dir, file), 'utf8')) as { body?: T };
  if (parsed.body === undefined) throw new Error(`fixture ${file} has no body`);
  return parsed.body;
}

/** Module id from `getmeasure_energy_12_34_56_00_00_a1_4c_da.json` → `12:34:56:00:00:a1:4c:da`. */
function measureModuleId(file: string): string {
  return file
    .replace(/^getmeasure_energy_/, '')
    .replace(/\.json$/, '')
    .replaceAll('_', ':');
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
  const measures: WorldSeed['measures'] = {};
  for (const file of files.filter((f) => f.startsWith('getmeasure_energy_'))) {
    measures[measureModuleId(file)] = readBody<MeasureBody>(dir, file);
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
