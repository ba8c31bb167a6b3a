/**
 * Every home's security events, newest first, as `getevents` pages through them.
 *
 * Paging (Netatmo documents `home_id`, `device_types`, `event_id`, `person_id`, `offset`,
 * `size`; see README.md): filters first (`device_types`, `device_id`, `person_id`), then
 * `event_id` keeps only the events older than that event (openHAB pages backwards this way),
 * then `offset` skips and `size` limits.
 */
import type { SecurityEvent } from '../../netatmo/api-types.js';
import { invalid } from '../api-error.js';
import type { World } from '../world/world.js';

/** A home keeps this many events; older ones are forgotten (Netatmo also expires them). */
export const MAX_EVENTS_PER_HOME = 2_000;

export interface EventQuery {
  size: number;
  offset: number;
  eventId?: string;
  personId?: string;
  deviceId?: string;
  deviceTypes?: string[];
}

export class EventLog {
  readonly #world: World;

  constructor(world: World) {
    this.#world = world;
    // Seeded events (fixtures) come in file order; the API answers newest first.
    for (const list of Object.values(world.events)) list.sort((a, b) => b.time - a.time);
  }

  /** Adds an event at its place in time (normally the front). */
  add(homeId: string, event: SecurityEvent): void {
    let list = this.#world.events[homeId];
    if (!list) {
      list = [];
      this.#world.events[homeId] = list;
    }
    const at = list.findIndex((e) => e.time <= event.time);
    if (at < 0) list.push(event);
    else list.splice(at, 0, event);
    if (list.length > MAX_EVENTS_PER_HOME) list.length = MAX_EVENTS_PER_HOME;
  }

  /** One page of a home's events, as `getevents` answers it. Throws code 21 for an unknown event_id. */
  page(homeId: string, query: EventQuery): SecurityEvent[] {
    const home = this.#world.home(homeId);
    const typeOf = (id: unknown): string | undefined =>
      typeof id === 'string' ? String(home.modules.get(id)?.get('type') ?? '') || undefined : undefined;
    const bridgeOf = (id: unknown): string | undefined => {
      const bridge = typeof id === 'string' ? home.modules.get(id)?.get('bridge') : undefined;
      return typeof bridge === 'string' ? bridge : undefined;
    };
    let list = this.#world.events[homeId] ?? [];
    if (query.eventId !== undefined) {
      const at = list.findIndex((e) => e.id === query.eventId);
      if (at < 0) throw invalid('Invalid event_id');
      list = list.slice(at + 1);
    }
    const matches = (event: SecurityEvent): boolean => {
      const moduleId = event.module_id ?? event.device_id;
      if (query.personId !== undefined && event.person_id !== query.personId) return false;
      if (
        query.deviceId !== undefined &&
        moduleId !== query.deviceId &&
        bridgeOf(moduleId) !== query.deviceId
      )
        return false;
      if (query.deviceTypes !== undefined) {
        const types = [typeOf(moduleId), typeOf(bridgeOf(moduleId))];
        if (!types.some((t) => t !== undefined && query.deviceTypes?.includes(t))) return false;
      }
      return true;
    };
    const filtered = list.filter(matches);
    return structuredClone(filtered.slice(query.offset, query.offset + query.size));
  }

  /** How many events a home holds. */
  count(homeId: string): number {
    return this.#world.events[homeId]?.length ?? 0;
  }
}
