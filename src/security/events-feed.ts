/**
 * The events feed: `getevents` for every home with security devices, planned by the poller
 * within the budget (poller/feeds.ts). A home's share grows with its cameras and detectors
 * (door tags and sirens report through a camera) and shrinks to a slow safety net while the
 * webhook delivers; when pushes stop, the next re-plan brings it back.
 *
 * A read takes the newest page; when every event on it is new (the bridge was away, or a burst)
 * it pages backwards by the oldest event id, as openHAB does, a few pages at most.
 */
import { EVENT_DEVICE_TYPES, EVENT_SOURCE_TYPES } from '../devices/events.js';
import type { EventsBody, HomesDataBody, SecurityEvent } from '../netatmo/api-types.js';
import type { EventsQuery } from '../netatmo/client.js';
import type { CallOptions } from '../netatmo/types.js';
import type { FeedTarget, PollFeed } from '../poller/feeds.js';

export const EVENTS_FEED = 'events';
/** One page; Netatmo's default is 30. */
export const EVENTS_PAGE_SIZE = 30;
/** Pages per read at most (the first included). */
const MAX_PAGES = 3;
/** Weight of a home's events relative to its homestatus: a base, plus per camera or detector. */
const BASE_WEIGHT = 0.2;
const WEIGHT_PER_SOURCE = 0.1;
const MAX_WEIGHT = 0.8;
/** While pushes flow, polling is a safety net: a tenth of the weight, at most every 10 min. */
const PUSHED_WEIGHT_FACTOR = 0.1;
export const DEFAULT_EVENTS_FLOOR_MS = 30_000;
export const DEFAULT_PUSHED_EVENTS_FLOOR_MS = 10 * 60_000;

export interface EventsFeedOptions {
  api: { getEvents(query: EventsQuery, call?: Partial<CallOptions>): Promise<EventsBody> };
  hub: {
    polled(homeId: string, events: readonly SecurityEvent[]): Promise<void>;
    gapBehind(homeId: string, events: readonly SecurityEvent[]): boolean;
  };
  /** Whether the webhook delivers. */
  pushes: { readonly active: boolean };
  floorMs?: number;
  pushedFloorMs?: number;
}

export class EventsFeed implements PollFeed {
  readonly name = EVENTS_FEED;
  readonly priority = 'state' as const;
  readonly #o: EventsFeedOptions;

  constructor(options: EventsFeedOptions) {
    this.#o = options;
  }

  targets(topology: HomesDataBody | undefined): FeedTarget[] {
    const pushed = this.#o.pushes.active;
    const floorMs = pushed
      ? (this.#o.pushedFloorMs ?? DEFAULT_PUSHED_EVENTS_FLOOR_MS)
      : (this.#o.floorMs ?? DEFAULT_EVENTS_FLOOR_MS);
    const targets: FeedTarget[] = [];
    for (const home of topology?.homes ?? []) {
      const types = (home.modules ?? []).map((m) => m.type);
      if (!types.some((t) => EVENT_DEVICE_TYPES.has(t))) continue;
      const sources = types.filter((t) => EVENT_SOURCE_TYPES.has(t)).length;
      const weight = Math.min(MAX_WEIGHT, BASE_WEIGHT + WEIGHT_PER_SOURCE * sources);
      targets.push({
        id: home.id,
        homeId: home.id,
        weight: pushed ? weight * PUSHED_WEIGHT_FACTOR : weight,
        floorMs,
      });
    }
    return targets;
  }

  async read(homeId: string, call: Partial<CallOptions>): Promise<number> {
    const events: SecurityEvent[] = [];
    let page = await this.#o.api.getEvents({ homeId, size: EVENTS_PAGE_SIZE }, call);
    let pages = 1;
    events.push(...page.home.events);
    while (
      pages < MAX_PAGES &&
      page.home.events.length === EVENTS_PAGE_SIZE &&
      this.#o.hub.gapBehind(homeId, page.home.events)
    ) {
      const oldest = page.home.events.at(-1);
      if (!oldest) break;
      page = await this.#o.api.getEvents({ homeId, size: EVENTS_PAGE_SIZE, eventId: oldest.id }, call);
      pages += 1;
      events.push(...page.home.events);
    }
    await this.#o.hub.polled(homeId, events);
    return pages;
  }
}
