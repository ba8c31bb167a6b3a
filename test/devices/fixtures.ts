/** Reads the pyatmo fixtures' `body` (real Netatmo answers) for the device-model tests. */
import { readFileSync } from 'node:fs';
import type {
  HomeCoachsDataBody,
  HomeStatusBody,
  HomesDataBody,
  StationsDataBody,
} from '../../src/netatmo/api-types.js';

const dir = new URL('../../src/simulator/fixtures/', import.meta.url);

function body<T>(name: string): T {
  return (JSON.parse(readFileSync(new URL(name, dir), 'utf8')) as { body: T }).body;
}

export const homes = (): HomesDataBody => body<HomesDataBody>('homesdata.json');
export const homesMulti = (): HomesDataBody => body<HomesDataBody>('homesdata_multi.json');
export const homeStatus = (): HomeStatusBody =>
  body<HomeStatusBody>('homestatus_91763b24c43d3e344f424e8b.json');
export const stations = (): StationsDataBody => body<StationsDataBody>('getstationsdata.json');
export const coaches = (): HomeCoachsDataBody => body<HomeCoachsDataBody>('gethomecoachsdata.json');
export const fixture = body;
