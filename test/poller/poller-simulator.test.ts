/**
 * The poller against the real simulator over HTTP, through the real client, session, gate and
 * auth, on one ScaledClock: a simulated hour takes seconds.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { setLogLevel } from '../../src/log.js';
import { isNetatmoError } from '../../src/netatmo/errors.js';
import { type SimStack, startSimStack } from './sim-stack.js';

const HOME = '91763b24c43d3e344f424e8b';
const ROOM = '2746182631';
const MIN = 60_000;
const HOUR = 60 * MIN;

let stack: SimStack | undefined;
beforeAll(() => setLogLevel('error'));
afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

describe('Poller against the simulator', () => {
  it('spends a simulated hour within the planned budget, without a throttle', async () => {
    stack = await startSimStack({ speed: 300 });
    const s = stack;
    s.poller.start();
    await s.wait(HOUR);
    s.poller.stop();

    const plan = s.poller.plan;
    const requests = s.sim.stats().requests;
    const total = Object.values(requests).reduce((a, b) => a + b, 0);
    expect(s.sim.stats().throttled).toBe(0);
    // Never above the gate's own_app hourly limit, and close to what the plan promised.
    expect(total).toBeLessThanOrEqual(400);
    expect(total).toBeLessThanOrEqual(Math.ceil(plan?.expectedCallsPerHour ?? 0) + 4);
    // At 300× a 10-ms stall of this shared machine is 3 s of simulated time: the poller skips
    // the slots it missed rather than catching up in a burst, so allow for some lost slots.
    expect(requests.homestatus ?? 0).toBeGreaterThan(0.6 * (3_600_000 / (plan?.homeStatusIntervalMs ?? 1)));
    // Weather at its upload cadence (every 5 min), not faster.
    expect(requests.getstationsdata ?? 0).toBeLessThanOrEqual(13);
    expect(requests.getstationsdata ?? 0).toBeGreaterThanOrEqual(10);
    expect(requests.homesdata).toBe(1);
    // Only the home with modules is polled.
    expect(new Set(s.homeStatuses.map((h) => h.homeId))).toEqual(new Set([HOME]));
  });

  it('delivers a change made in the simulator within one planned interval', async () => {
    stack = await startSimStack({ speed: 100, profile: 'shared_app' });
    const s = stack;
    s.poller.start();
    await s.until(() => s.homeStatuses.length > 0);
    const interval = s.poller.plan?.homeStatusIntervalMs ?? 0;
    expect(interval).toBeGreaterThan(MIN); // a shared app's tiny budget: minutes, not seconds

    const token = s.sim.mintTokens().access_token;
    const answer = await fetch(`${s.sim.url}/api/setroomthermpoint`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ home_id: HOME, room_id: ROOM, mode: 'manual', temp: '23.5' }),
    });
    expect(answer.status).toBe(200);
    const changedAt = s.clock.now();
    const seen = (): boolean =>
      s.homeStatuses.some(
        (h) =>
          h.at >= changedAt &&
          h.body.home.rooms?.find((r) => r.id === ROOM)?.therm_setpoint_temperature === 23.5,
      );
    await s.until(seen, 30_000);
    const deliveredAt = s.homeStatuses.find((h) => h.at >= changedAt)?.at ?? 0;
    expect(deliveredAt - changedAt).toBeLessThanOrEqual(interval + 5_000);
  });

  it('waits out a throttle window instead of hammering, then resumes', async () => {
    stack = await startSimStack({ speed: 300, sim: { quota: 'per-user' } });
    const s = stack;
    s.poller.start();
    await s.until(() => s.homeStatuses.length >= 3);
    // Netatmo answers over-quota (twice: the forced refresh's retry is throttled too) with Retry-After 120 s.
    s.sim.setFaults({ rules: [{ kind: 'throttle', count: 2, retry_after: 120 }] });
    await s.until(() => s.gate.stats().throttleWindow !== undefined);
    const window = s.gate.stats().throttleWindow;
    expect(window).toBeDefined();
    const until = window?.until ?? 0;
    const opened = s.clock.now();
    await s.until(() => s.clock.now() > until + 30_000, 20_000);
    const log = s.sim.log();
    const during = log.filter((e) => e.at > opened + 500 && e.at < until - 500);
    expect(during).toEqual([]);
    expect(log.some((e) => e.at >= until && e.endpoint === 'homestatus' && e.outcome === 'ok')).toBe(true);
    // A throttle is not an outage: the home never went offline.
    expect(s.availability.filter((a) => !a.online)).toEqual([]);
    expect(s.errors.some((e) => isNetatmoError(e.error) && e.error.kind.startsWith('throttle'))).toBe(true);
  });

  it('backs off on failures, reports the home offline after 3, and online again when Netatmo recovers', async () => {
    stack = await startSimStack({ speed: 300 });
    const s = stack;
    s.poller.start();
    await s.until(() => s.homeStatuses.length >= 2);
    s.sim.setFaults({ rules: [{ kind: 'status', status: 500, endpoints: ['homestatus'] }] });
    const publisher = `home:${HOME}` as const;
    await s.until(() => s.availability.some((a) => a.publisher === publisher && !a.online), 20_000);
    const failures = s.errors.filter((e) => e.publisher === publisher);
    expect(failures.slice(0, 3).map((e) => e.failures)).toEqual([1, 2, 3]);
    await s.until(() => s.errors.filter((e) => e.publisher === publisher).length >= 4, 20_000);
    // The wait from each failed poll to the next poll's first request doubles (the session's own
    // quick retries happen inside one poll, before the failure is reported).
    const interval = s.poller.plan?.homeStatusIntervalMs ?? 0;
    const requests = s.sim
      .log()
      .filter((e) => e.endpoint === 'homestatus')
      .map((e) => e.at);
    const failedAt = s.errors.filter((e) => e.publisher === publisher).map((e) => e.at);
    const waits = failedAt.slice(0, 3).map((t) => (requests.find((r) => r > t) ?? Number.NaN) - t);
    waits.forEach((wait, i) => {
      expect(wait).toBeGreaterThanOrEqual(0.8 * interval * 2 ** i);
      expect(wait).toBeLessThanOrEqual(1.2 * interval * 2 ** i + 5_000);
    });
    expect(s.poller.status().publishers.find((p) => p.id === publisher)?.online).toBe(false);

    s.sim.setFaults({ clear: true });
    await s.until(() => s.availability.at(-1)?.online === true, 20_000);
    expect(s.poller.status().publishers.find((p) => p.id === publisher)?.failures).toBe(0);
  });
});
