/**
 * The single-home scenarios of pyatmo's newer fixtures: `homesdata_<name>.json` with
 * `homestatus_<name>_home_id.json` (copied in fixtures/, see its README). Each becomes a live
 * home like the fixtures home: its weather station (if any) also answers getstationsdata.
 */
import type { HomeStatusBody, HomesDataBody } from '../../netatmo/api-types.js';
import { fixturesDir } from '../fixtures-dir.js';
import { emptySeed, type WorldSeed } from '../world/seed.js';
import { readBody } from './fixtures.js';
import { homeStations } from './home-stations.js';

export const PYATMO_HOMES = ['velux', 'bticino', 'legrand', 'ac', 'bridged', 'realshape'] as const;
export type PyatmoHome = (typeof PYATMO_HOMES)[number];

export function isPyatmoHome(name: string): name is PyatmoHome {
  return (PYATMO_HOMES as readonly string[]).includes(name);
}

export function loadPyatmoHome(name: PyatmoHome, dir: string = fixturesDir()): WorldSeed {
  const data = readBody<HomesDataBody>(dir, `homesdata_${name}.json`);
  const status = readBody<HomeStatusBody>(dir, `homestatus_${name}_home_id.json`).home;
  const home = data.homes[0];
  if (!home || data.homes.length !== 1) throw new Error(`fixture homesdata_${name}.json must hold one home`);
  const live = { ...status, id: home.id };
  return {
    ...emptySeed(data.user ?? {}),
    homes: data.homes,
    statuses: { [home.id]: live },
    stations: homeStations(home, live),
  };
}
