/**
 * The people a home knows: homesdata `persons` (`id`, `pseudo`, `url` of the face) and
 * homestatus `persons[]` (`id`, `out_of_sight`, `last_seen`). Seeing a person puts them home;
 * `setpersonsaway`/`setpersonshome` and geofencing move them.
 */
import type { Person } from '../../netatmo/api-types.js';
import { invalid } from '../api-error.js';
import type { Fields } from '../world/values.js';
import type { HomeState } from '../world/world.js';

export function knownPersons(home: HomeState): Person[] {
  return home.topology.persons ?? [];
}

export function personName(home: HomeState, personId: string): string {
  return knownPersons(home).find((p) => p.id === personId)?.pseudo ?? 'Unknown person';
}

/** The homestatus entry of a known person; throws code 21 "Invalid person" otherwise. */
export function personStatus(home: HomeState, personId: string): Fields {
  if (!knownPersons(home).some((p) => p.id === personId)) throw invalid('Invalid person');
  let status = home.persons.find((p) => p.id === personId);
  if (!status) {
    status = { id: personId, out_of_sight: true };
    home.persons.push(status);
  }
  return status;
}

/** Marks a person seen at `timeSec`; returns whether they were away (an arrival). */
export function markSeen(home: HomeState, personId: string, timeSec: number): boolean {
  const status = personStatus(home, personId);
  const wasAway = status.out_of_sight !== false;
  status.out_of_sight = false;
  status.last_seen = timeSec;
  return wasAway;
}

export function markAway(home: HomeState, personId: string): void {
  personStatus(home, personId).out_of_sight = true;
}

export function markHome(home: HomeState, personId: string): void {
  personStatus(home, personId).out_of_sight = false;
}
