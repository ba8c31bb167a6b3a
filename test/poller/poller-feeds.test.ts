/**
 * Feeds in the poller, on a virtual clock: the events feed (the real EventsFeed, reading an
 * in-memory getevents) is planned beside homestatus within the budget, reads each home with
 * security devices on its own interval, slows while webhook pushes arrive and returns when they
 * stop, pages back after a gap, and backs off on failures without touching homestatus.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { setLogLevel } from '../../src/log.js';
import type { EventsBody, SecurityEvent } from '../../src/netatmo/api-types.js';
import type { EventsQuery } from '../../src/netatmo/client.js';
import { NetatmoError } from '../../src/netatmo/errors.js';
import type { CallOptions } from '../../src/netatmo/types.js';
import { Poller } from '../../src/poller/poller.js';
import {
  DEFAULT_EVENTS_FLOOR_MS,
  DEFAULT_PUSHED_EVENTS_FLOOR_MS,
  EVENTS_PAGE_SIZE,
  EventsFeed,
} from '../../src/security/events-feed.js';
import { PushActivity } from '../../src/security/push-activity.js';
import { ScriptedApi, SteerableGateStats } from './scripted-api.js';
import { VirtualClock } from './virtual-clock.js';

const HOME = '91763b24c43d3e344f424e8b'; // the fixtures home: cameras, a door tag, a siren
const MIN = 60_000;
const HOUR = 60 * MIN;

/** getevents in memory: records each call, answers pages of `events`, fails on demand. */
class EventsApi {
  readonly calls: Array<{ at: number; query: EventsQuery; options: Partial<CallOptions> }> = [];
  events: SecurityEvent[] = [];
  failure: Error | undefined;
  constructor(readonly clock: VirtualClock) {}

  async getEvents(query: EventsQuery, options: Partial<CallOptions> = {}): Promise<EventsBody> {
    this.calls.push({ at: this.clock.now(), query, options });
    await this.clock.sleep(100);
    if (this.failure) throw this.failure;
    const from = query.eventId === undefined ? 0 : this.events.findIndex((e) => e.id === query.eventId) + 1;
    return { home: { id: query.homeId, events: this.events.slice(from, from + (query.size ?? 30)) } };
  }
}

let running: Poller | undefined;
beforeAll(() => setLogLevel('error'));
afterEach(() => running?.stop());

function harness(budgetPerHour = 360) {
  const clock = new VirtualClock();
  const api = new ScriptedApi(clock);
  const events = new EventsApi(clock);
  const pushes = new PushActivity(clock, 30 * MIN);
  const delivered: Array<{ homeId: string; count: number }> = [];
  let gap = false;
  const feed = new EventsFeed({
    api: events,
    hub: {
      polled: async (homeId, list) => {
        delivered.push({ homeId, count: list.length });
      },
      gapBehind: () => gap,
    },
    pushes,
  });
  const errors: string[] = [];
  const poller = new Poller({
    clock,
    api,
    gate: new SteerableGateStats(),
    budgetPerHour,
    feeds: [feed],
    sinks: {
      onTopology: () => {},
      onHomeStatus: () => {},
      onStations: () => {},
      onHomeCoachs: () => {},
      onPublisherError: (publisher) => errors.push(publisher),
    },
  });
  pushes.onChange((active) => poller.feedsChanged(active ? 'pushes' : 'no pushes'));
  running = poller;
  const reads = () => events.calls.filter((c) => c.query.eventId === undefined).map((c) => c.at);
  return { clock, api, events, pushes, poller, delivered, errors, reads, setGap: (v: boolean) => (gap = v) };
}

const gaps = (times: number[]): number[] => times.slice(1).map((t, i) => t - (times[i] ?? 0));

describe('the events feed in the poller', () => {
  it('reads each home with security devices on its planned interval, beside homestatus, within the plan', async () => {
    const h = harness();
    h.poller.start();
    await h.clock.advance(HOUR);
    const feed = h.poller.plan?.feeds.find((f) => f.key === `feed:events:${HOME}`);
    expect(h.poller.plan?.feeds).toHaveLength(1); // the empty second home has no devices
    expect(feed?.intervalMs).toBeGreaterThanOrEqual(DEFAULT_EVENTS_FLOOR_MS);
    const times = h.reads();
    expect(times.length).toBeGreaterThan(10);
    for (const gap of gaps(times)) expect(gap).toBeGreaterThanOrEqual((feed?.intervalMs ?? 0) - 1);
    expect(h.delivered.every((d) => d.homeId === HOME)).toBe(true);
    const [first] = h.events.calls;
    expect(first?.options).toMatchObject({ priority: 'state', homeId: HOME, idempotent: true });
    expect(first?.options.deadline).toBeGreaterThan(first?.at ?? 0);
    // Events and homestatus together stay within what the plan expects.
    const calls = h.api.calls.length + h.events.calls.length;
    expect(calls).toBeLessThanOrEqual(Math.ceil(h.poller.plan?.expectedCallsPerHour ?? 0) + 4);
    expect(h.poller.status().publishers.map((p) => p.id)).toContain(`feed:events:${HOME}`);
  });

  it('slows to a safety net while pushes arrive and comes back when they stop', async () => {
    const h = harness();
    h.poller.start();
    await h.clock.advance(5 * MIN);
    const normal = h.poller.plan?.feeds[0]?.intervalMs ?? 0;
    h.pushes.pushed();
    await h.clock.advance(MIN);
    expect(h.poller.plan?.feeds[0]?.intervalMs).toBeGreaterThanOrEqual(DEFAULT_PUSHED_EVENTS_FLOOR_MS);
    const during = h.reads().length;
    await h.clock.advance(20 * MIN);
    expect(h.reads().length - during).toBeLessThanOrEqual(2);
    // No push for 30 minutes: back to the normal rate.
    await h.clock.advance(15 * MIN);
    expect(h.poller.plan?.feeds[0]?.intervalMs).toBe(normal);
    // A push, then a poll that finds a missed push: back at once.
    h.pushes.pushed();
    await h.clock.advance(MIN);
    expect(h.poller.plan?.feeds[0]?.intervalMs).toBeGreaterThan(normal);
    h.pushes.missed();
    await h.clock.advance(1_000);
    expect(h.poller.plan?.feeds[0]?.intervalMs).toBe(normal);
  });

  it('pages back by the oldest event id after a gap, a few pages at most, and counts those calls', async () => {
    const h = harness();
    h.events.events = Array.from({ length: 200 }, (_, i) => ({
      id: `e${i}`,
      type: 'movement',
      time: 2e9 - i,
    }));
    h.setGap(true);
    h.poller.start();
    await h.clock.advance(2 * MIN);
    const paged = h.events.calls.filter((c) => c.query.eventId !== undefined);
    expect(paged[0]?.query).toMatchObject({ homeId: HOME, eventId: `e${EVENTS_PAGE_SIZE - 1}` });
    // Three pages per read at most, handed over together.
    expect(h.delivered[0]?.count).toBe(3 * EVENTS_PAGE_SIZE);
    expect(h.poller.status().ownCallsLastHour).toBeGreaterThanOrEqual(
      h.api.calls.length + h.events.calls.length,
    );
  });

  it('backs off a failing events read without slowing homestatus', async () => {
    const h = harness();
    h.events.failure = new NetatmoError('transient', 'getevents: HTTP 503', { status: 503 });
    h.poller.start();
    await h.clock.advance(30 * MIN);
    const interval = h.poller.plan?.feeds[0]?.intervalMs ?? 0;
    const times = h.events.calls.map((c) => c.at);
    const backoff = gaps(times);
    // Each wait at least the one before (doubling from the interval), never a tight loop.
    for (let i = 1; i < backoff.length; i++)
      expect(backoff[i] ?? 0).toBeGreaterThanOrEqual((backoff[i - 1] ?? 0) - 1);
    expect(backoff.every((g) => g >= interval - 1)).toBe(true);
    expect(h.errors.filter((e) => e === `feed:events:${HOME}`).length).toBe(times.length);
    expect(h.api.callsTo('homestatus', HOME).length).toBeGreaterThan(50);
  });
});
