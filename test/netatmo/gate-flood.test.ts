/**
 * 2000 queued calls through the gate to the simulator over real HTTP, with one ScaledClock
 * shared by both so a simulated hour passes in seconds. The simulator's request log is the
 * judge: it timestamps each request when it ARRIVES, on the same clock.
 *
 * Why timer granularity cannot break the assertion: the gate decides every start against
 * `clock.now()` at that moment, so a late (or early) setTimeout only delays a start, never
 * lets one through early. Arrivals can lag starts by the round trip (≈1 ms wall ≈ 0.5 s
 * simulated at 500×), which could crowd one simulated window with requests started earlier;
 * but a request still travelling holds one of the gate's few in-flight slots, so at most
 * `maxInFlight` of them can spill into a window. 40/10 s + 4 stays under 50, 400/h + 4 under 500.
 *
 * At 500× a round trip costs simulated seconds, so the first test binds on the hour; the
 * second runs at 20× for 45 simulated seconds, where the 10 s window is what binds.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { GateClosedError, gateLimitsForProfile, RequestGate } from '../../src/netatmo/gate.js';
import { sendApiRequest } from '../../src/netatmo/http.js';
import type { Priority } from '../../src/netatmo/types.js';
import { startSimulator } from '../../src/simulator/index.js';
import { DEFAULT_LIMITS, type RunningSimulator } from '../../src/simulator/types.js';
import { ScaledClock } from '../../src/util/clock.js';

const SPEED = 500;
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const CALLS = 2000;

/** Most entries in any half-open window [a, a + windowMs) of sorted times. */
function maxInWindow(times: number[], windowMs: number): number {
  let max = 0;
  let lo = 0;
  for (let hi = 0; hi < times.length; hi++) {
    while ((times[hi] ?? 0) - (times[lo] ?? 0) >= windowMs) lo++;
    max = Math.max(max, hi - lo + 1);
  }
  return max;
}

function priorityOf(i: number, commandEvery: number): Priority {
  if (i % commandEvery === 0) return 'command';
  return i % 3 === 0 ? 'background' : 'state';
}

interface Outcome {
  priority: Priority;
  ok: boolean;
  error?: unknown;
}

/** Queues `count` homesdata calls through the gate at once; resolves when all have settled. */
function flood(
  gate: RequestGate,
  server: RunningSimulator,
  clock: ScaledClock,
  count: number,
  commandEvery: number,
) {
  const { access_token: token } = server.mintTokens();
  const outcomes: Outcome[] = [];
  const calls = Array.from({ length: count }, (_, i) => {
    const priority = priorityOf(i, commandEvery);
    return gate
      .run(
        () =>
          sendApiRequest(server.url, { endpoint: 'homesdata' }, token, {
            timeoutMs: 5_000,
            now: () => clock.now(),
          }),
        { priority, label: 'homesdata' },
      )
      .then(
        (response) => outcomes.push({ priority, ok: response.status === 200 }),
        (error: unknown) => outcomes.push({ priority, ok: false, error }),
      );
  });
  return { outcomes, settled: Promise.all(calls) };
}

/** Arrival times of API calls at the simulator, sorted. */
function arrivals(server: RunningSimulator): { times: number[]; notOk: unknown[] } {
  const log = server
    .log()
    .filter((entry) => entry.endpoint === 'homesdata')
    .sort((a, b) => a.at - b.at);
  return { times: log.map((entry) => entry.at), notOk: log.filter((entry) => entry.outcome !== 'ok') };
}

let sim: RunningSimulator | undefined;
let gate: RequestGate | undefined;

afterEach(async () => {
  gate?.close();
  await sim?.close();
  gate = undefined;
  sim = undefined;
});

describe('RequestGate under a flood, against the simulator', () => {
  it('keeps 2000 queued calls under 50/10 s and 500/h at the server, which never throttles', async () => {
    const clock = new ScaledClock(SPEED);
    const server = await startSimulator({ clock, limits: DEFAULT_LIMITS });
    sim = server;
    const gateUnderTest = new RequestGate({ clock, limits: gateLimitsForProfile('own_app') });
    gate = gateUnderTest;
    const { outcomes, settled } = flood(gateUnderTest, server, clock, CALLS, 100);

    const start = clock.now();
    // One hour and five minutes: the hourly budget is spent, then the sliding hour frees it again.
    await clock.sleep(HOUR + 5 * MINUTE);
    const gateStats = gateUnderTest.stats();
    gateUnderTest.close();
    await settled;

    const { times, notOk } = arrivals(server);
    expect(maxInWindow(times, 10_000)).toBeLessThanOrEqual(DEFAULT_LIMITS.userPer10s);
    expect(maxInWindow(times, HOUR)).toBeLessThanOrEqual(DEFAULT_LIMITS.userPerHour);
    expect(notOk).toEqual([]);
    expect(server.stats().throttled).toBe(0);

    // The gate really used its budget (400/h planned), and traffic resumed once the hour slid.
    const firstHour = times.filter((t) => t < (times[0] ?? start) + HOUR).length;
    expect(firstHour).toBeGreaterThanOrEqual(360);
    expect(firstHour).toBeLessThanOrEqual(400 + 4);
    expect(times.some((t) => t >= (times[0] ?? start) + HOUR)).toBe(true);

    // Every call the gate let through succeeded; the rest were refused by close(), none failed.
    const sent = outcomes.filter((o) => o.ok);
    const refused = outcomes.filter((o) => o.error instanceof GateClosedError);
    expect(sent.length + refused.length).toBe(CALLS);
    expect(sent.length).toBe(times.length);
    expect(gateStats.totalCalls).toBe(times.length);
    // The 20 commands, spread through the queue, all went first.
    expect(sent.filter((o) => o.priority === 'command')).toHaveLength(20);
    expect(refused.some((o) => o.priority === 'command')).toBe(false);
  }, 40_000);

  it('holds the 10 s window at the server when requests are cheap enough to fill it', async () => {
    // A homesdata round trip costs ~10 ms of wall time (5 simulated seconds at 500×), so above
    // the hour binds long before the 10 s window. At 5× the server could answer ~200 per
    // simulated 10 s: here only the gate keeps it to 40.
    const clock = new ScaledClock(5);
    const server = await startSimulator({ clock, limits: DEFAULT_LIMITS });
    sim = server;
    const gateUnderTest = new RequestGate({ clock, limits: gateLimitsForProfile('own_app') });
    gate = gateUnderTest;
    // One call in four is a command: commands skip pacing, so they press on the hard window.
    const { outcomes, settled } = flood(gateUnderTest, server, clock, 300, 4);
    await clock.sleep(30_000);
    gateUnderTest.close();
    await settled;

    const { times, notOk } = arrivals(server);
    const busiest = maxInWindow(times, 10_000);
    expect(busiest).toBeLessThanOrEqual(DEFAULT_LIMITS.userPer10s);
    // The gate, not the server's speed, was the limit: its 40/10 s budget was used.
    expect(busiest).toBeGreaterThanOrEqual(36);
    expect(notOk).toEqual([]);
    expect(server.stats().throttled).toBe(0);
    expect(outcomes.filter((o) => o.ok)).toHaveLength(times.length);
  }, 20_000);
});
