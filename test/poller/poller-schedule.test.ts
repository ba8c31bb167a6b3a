/**
 * The poller's timing, checked to the millisecond on a virtual clock against an in-memory
 * Netatmo that answers from the pyatmo fixtures. (poller-simulator.test.ts runs the same
 * poller against the real simulator over HTTP.)
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { setLogLevel } from '../../src/log.js';
import { NetatmoError } from '../../src/netatmo/errors.js';
import { Poller, type PollerOptions } from '../../src/poller/poller.js';
import type { PublisherId } from '../../src/poller/ports.js';
import { fixtureBody, ScriptedApi, SteerableGateStats } from './scripted-api.js';
import { VirtualClock } from './virtual-clock.js';

const HOME = '91763b24c43d3e344f424e8b';
const EMPTY_HOME = '91763b24c43d3e344f424e8c';
const MIN = 60_000;
const HOUR = 60 * MIN;

interface Harness {
  clock: VirtualClock;
  api: ScriptedApi;
  gate: SteerableGateStats;
  poller: Poller;
  homeStatuses: Array<{ at: number; homeId: string }>;
  errors: Array<{ publisher: PublisherId; failures: number; kind: string }>;
  availability: Array<{ publisher: PublisherId; online: boolean; at: number }>;
}

let running: Poller | undefined;
beforeAll(() => setLogLevel('error'));
afterEach(() => running?.stop());

function harness(options: Partial<PollerOptions> = {}, setup?: (api: ScriptedApi) => void): Harness {
  const clock = new VirtualClock();
  const api = new ScriptedApi(clock);
  setup?.(api);
  const gate = new SteerableGateStats();
  const h: Omit<Harness, 'poller'> = { clock, api, gate, homeStatuses: [], errors: [], availability: [] };
  const poller = new Poller({
    clock,
    api,
    gate,
    budgetPerHour: 360,
    sinks: {
      onTopology: () => {},
      onHomeStatus: (homeId) => h.homeStatuses.push({ at: clock.now(), homeId }),
      onStations: () => {},
      onHomeCoachs: () => {},
      onPublisherError: (publisher, error, failures) =>
        h.errors.push({ publisher, failures, kind: error instanceof NetatmoError ? error.kind : 'other' }),
      onAvailability: (publisher, online) => h.availability.push({ publisher, online, at: clock.now() }),
    },
    ...options,
  });
  running = poller;
  return { ...h, poller };
}

const gaps = (times: number[]): number[] => times.slice(1).map((t, i) => t - (times[i] ?? 0));

describe('Poller schedule', () => {
  it('reads topology first, then only homes with modules, and stays within the plan over an hour', async () => {
    const h = harness({ budgetPerHour: 450 });
    h.poller.start();
    await h.clock.advance(HOUR);

    expect(h.api.calls[0]?.endpoint).toBe('homesdata');
    expect(h.api.callsTo('homestatus', EMPTY_HOME)).toHaveLength(0);
    const plan = h.poller.plan;
    expect(plan?.homes.map((x) => x.homeId)).toEqual([HOME]);
    // One home on an own app: homestatus at its 30-s floor, weather and coach every 5 min.
    expect(plan?.homeStatusIntervalMs).toBe(30_000);
    const homeGaps = gaps(h.api.callsTo('homestatus').map((c) => c.at));
    expect(Math.min(...homeGaps)).toBeGreaterThanOrEqual(30_000);
    expect(gaps(h.api.callsTo('getstationsdata').map((c) => c.at)).every((g) => g >= 5 * MIN)).toBe(true);
    expect(h.api.callsTo('getstationsdata').length).toBeGreaterThanOrEqual(11);
    expect(h.api.calls.length).toBeLessThanOrEqual(Math.ceil(plan?.expectedCallsPerHour ?? 0) + 4);
    expect(h.api.calls.length).toBeLessThanOrEqual(450 * 0.9);
    expect(h.homeStatuses.length).toBe(h.api.callsTo('homestatus').length);
  });

  it('uses state priority for homestatus, background for the rest, always with a deadline', async () => {
    const h = harness();
    h.poller.start();
    await h.clock.advance(2 * MIN);
    for (const c of h.api.calls) {
      expect(c.options.priority).toBe(c.endpoint === 'homestatus' ? 'state' : 'background');
      expect(c.options.deadline).toBeGreaterThan(c.at);
      expect(c.options.deadline).toBeLessThanOrEqual(c.at + 120_000);
      expect(c.options.idempotent).toBe(true);
    }
    expect(h.api.callsTo('homestatus')[0]?.options.homeId).toBe(HOME);
  });

  it('phases several homes evenly so they never fire together', async () => {
    const h = harness({ budgetPerHour: 20 }, (api) => {
      api.homes = fixtureBody('homesdata_multi.json');
    });
    h.poller.start();
    await h.clock.advance(2 * HOUR);
    const plan = h.poller.plan;
    expect(plan?.homes).toHaveLength(2);
    const interval = plan?.homeStatusIntervalMs ?? 0;
    const times = h.api.callsTo('homestatus').map((c) => c.at);
    // Alternating homes, half an interval apart.
    const order = h.api.callsTo('homestatus').map((c) => c.homeId);
    expect(order.slice(0, 4)).toEqual([order[0], order[1], order[0], order[1]]);
    for (const gap of gaps(times)) expect(Math.abs(gap - interval / 2)).toBeLessThanOrEqual(1_000);
    // A shared app's tiny budget: never more than 20 calls in the hour, reserve left free.
    const lastHour = h.api.calls.filter((c) => c.at >= h.clock.now() - HOUR);
    expect(lastHour.length).toBeLessThanOrEqual(18);
  });

  it('drops weather and coach from the plan when the account has none', async () => {
    const h = harness({}, (api) => {
      api.stations = { devices: [] };
      api.coaches = { devices: [] };
    });
    h.poller.start();
    await h.clock.advance(HOUR);
    expect(h.api.callsTo('getstationsdata')).toHaveLength(1);
    expect(h.api.callsTo('gethomecoachsdata')).toHaveLength(1);
    expect(h.poller.plan?.weather).toBeNull();
    expect(h.poller.plan?.homeCoach).toBeNull();
  });

  it('waits out a throttle window reported by the gate, then resumes without a burst', async () => {
    const h = harness({}, (api) => {
      api.homes = fixtureBody('homesdata_multi.json');
    });
    h.poller.start();
    await h.clock.advance(MIN);
    const opened = h.clock.now();
    h.gate.throttleWindow = { until: opened + 20 * MIN, reason: 'test' };
    await h.clock.advance(20 * MIN);
    expect(h.api.calls.filter((c) => c.at > opened + 1_000 && c.at < opened + 20 * MIN)).toHaveLength(0);
    h.gate.throttleWindow = undefined;
    await h.clock.advance(2 * MIN);
    const after = h.api.calls.filter((c) => c.at >= opened + 20 * MIN);
    expect(after.length).toBeGreaterThan(5);
    // No two calls within a second of each other right after the window.
    const first10s = after.filter((c) => c.at < opened + 20 * MIN + 10_000);
    expect(first10s.length).toBeLessThanOrEqual(3);
    expect(h.availability.filter((a) => !a.online)).toEqual([]);
  });

  it('honours a throttle error retryAt for that publisher and does not mark it offline', async () => {
    let throttledUntil = 0;
    const h = harness({}, (api) => {
      api.failWith = (endpoint) =>
        endpoint === 'homestatus' &&
        api.calls.length > 0 &&
        throttledUntil > 0 &&
        h.clock.now() < throttledUntil
          ? new NetatmoError('throttled', 'Maximum api usage reached', {
              status: 429,
              code: 26,
              retryAt: throttledUntil,
            })
          : undefined;
    });
    h.poller.start();
    await h.clock.advance(MIN);
    throttledUntil = h.clock.now() + 30 * MIN;
    await h.clock.advance(40 * MIN);
    const during = h.api
      .callsTo('homestatus')
      .filter((c) => c.at > throttledUntil - 30 * MIN && c.at < throttledUntil);
    expect(during).toHaveLength(1);
    expect(h.api.callsTo('homestatus').some((c) => c.at >= throttledUntil)).toBe(true);
    expect(h.errors.filter((e) => e.kind === 'throttled')).toHaveLength(1);
    expect(h.availability.filter((a) => !a.online)).toEqual([]);
  });

  it('backs off exponentially on failures, goes offline after 3, recovers on success', async () => {
    let failing = false;
    const h = harness({}, (api) => {
      api.failWith = (endpoint) =>
        failing && endpoint === 'homestatus'
          ? new NetatmoError('transient', 'HTTP 503', { status: 503 })
          : undefined;
    });
    h.poller.start();
    await h.clock.advance(MIN);
    failing = true;
    const failStart = h.clock.now();
    await h.clock.advance(8 * MIN);
    const failedCalls = h.api.callsTo('homestatus').filter((c) => c.at > failStart);
    const g = gaps(failedCalls.map((c) => c.at));
    // 30 s, 60 s, 120 s, 240 s (± latency): each gap about double the previous.
    expect(g.length).toBeGreaterThanOrEqual(3);
    for (let i = 1; i < g.length; i++) expect((g[i] ?? 0) / (g[i - 1] ?? 1)).toBeCloseTo(2, 1);
    expect(h.errors.map((e) => e.failures).slice(0, 3)).toEqual([1, 2, 3]);
    const offline = h.availability.find((a) => !a.online);
    expect(offline?.publisher).toBe(`home:${HOME}`);
    const status = h.poller.status().publishers.find((p) => p.id === `home:${HOME}`);
    expect(status?.failures).toBeGreaterThanOrEqual(3);
    expect(status?.online).toBe(false);
    expect(status?.lastError).toMatchObject({ kind: 'transient', status: 503 });

    failing = false;
    // The next attempt comes after the longest backoff so far (at most the 15-min cap).
    await h.clock.advance(16 * MIN);
    expect(h.availability.at(-1)).toMatchObject({ publisher: `home:${HOME}`, online: true });
    const recovered = h.poller.status().publishers.find((p) => p.id === `home:${HOME}`);
    expect(recovered?.failures).toBe(0);
    // Back on the planned cadence.
    const last = h.api.callsTo('homestatus').slice(-4);
    const interval = h.poller.plan?.homeStatusIntervalMs ?? 0;
    for (const gap of gaps(last.map((c) => c.at))) expect(gap).toBe(interval);
  });

  it('confirms a command with one read a few seconds later, coalescing repeated requests', async () => {
    const h = harness({ budgetPerHour: 20 });
    h.poller.start();
    await h.clock.advance(2 * MIN);
    const before = h.api.callsTo('homestatus').length;
    const asked = h.clock.now();
    expect(h.poller.refreshHome(HOME, { soon: true })).toBe(true);
    await h.clock.advance(1_000);
    expect(h.poller.refreshHome(HOME, { soon: true })).toBe(true);
    await h.clock.advance(500);
    expect(h.poller.refreshHome(HOME, { soon: true })).toBe(true);
    await h.clock.advance(10_000);
    const extra = h.api.callsTo('homestatus').slice(before);
    expect(extra).toHaveLength(1);
    // Debounced to 3 s after the last request.
    expect(extra[0]?.at).toBe(asked + 1_500 + 3_000);
    expect(h.poller.refreshHome('no-such-home')).toBe(false);
  });

  it('makes no call after stop, and restart reads topology again', async () => {
    const h = harness();
    h.poller.start();
    await h.clock.advance(MIN);
    h.poller.stop();
    const stoppedAt = h.clock.now();
    const count = h.api.calls.length;
    await h.clock.advance(HOUR);
    expect(h.api.calls.length).toBe(count);
    expect(h.poller.status().running).toBe(false);
    expect(h.clock.pending).toBe(0);

    h.poller.restart();
    await h.clock.advance(30_000);
    const afterRestart = h.api.calls.filter((c) => c.at >= stoppedAt + HOUR);
    expect(afterRestart[0]?.endpoint).toBe('homesdata');
    expect(afterRestart.some((c) => c.endpoint === 'homestatus')).toBe(true);
  });

  it('refreshes topology on demand and re-plans when a home appears', async () => {
    const h = harness();
    h.poller.start();
    await h.clock.advance(MIN);
    expect(h.poller.plan?.homes).toHaveLength(1);
    h.api.homes = fixtureBody('homesdata_multi.json');
    h.poller.refreshTopology();
    await h.clock.advance(MIN);
    expect(h.api.callsTo('homesdata')).toHaveLength(2);
    expect(h.poller.plan?.homes.map((x) => x.homeId).sort()).toEqual([
      'aaaaaaaaaaabbbbbbbbbbccc',
      'eeeeeeeeeffffffffffaaaaa',
    ]);
    expect(h.api.callsTo('homestatus', 'aaaaaaaaaaabbbbbbbbbbccc').length).toBeGreaterThan(0);
    // The vanished home is no longer polled.
    const last = h.api.callsTo('homestatus', HOME).at(-1)?.at ?? 0;
    await h.clock.advance(MIN);
    expect(h.api.callsTo('homestatus', HOME).at(-1)?.at ?? 0).toBe(last);
  });

  it('re-plans slower when commands eat into the budget', async () => {
    const h = harness({ budgetPerHour: 20 }, (api) => {
      api.homes = fixtureBody('homesdata_multi.json');
    });
    h.poller.start();
    await h.clock.advance(5 * MIN);
    const calm = h.poller.plan?.homeStatusIntervalMs ?? 0;
    h.gate.callsLastHour = h.poller.status().ownCallsLastHour + 10;
    await h.clock.advance(2 * MIN);
    expect(h.poller.plan?.homeStatusIntervalMs).toBeGreaterThan(calm * 1.5);
  });
});
