/**
 * Redis coordination across real processes (test/coordination/coord-child.ts): the refresh
 * lock's mutual exclusion, 1000 forced refreshes of shared accounts against the simulator
 * without one invalid_grant, budgets that several processes never exceed together, and a
 * throttle window one process met that another honours.
 */
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { createCoordination } from '../../src/coordination/index.js';
import { EventBus } from '../../src/events.js';
import { RequestGate } from '../../src/netatmo/gate.js';
import { startSimulator } from '../../src/simulator/index.js';
import type { RunningSimulator } from '../../src/simulator/types.js';
import { systemClock } from '../../src/util/clock.js';
import type { ChildSpec } from './coord-child.js';
import {
  type Child,
  dropPrefix,
  REDIS_URL,
  seedTokens,
  sharedRedis,
  testPrefix,
  useChildren,
} from './redis-support.js';

const redis = await sharedRedis();
const children = useChildren(redis.ok);
const child = (spec: Omit<ChildSpec, 'redisUrl' | 'dataDir'>): Child =>
  children.spawn({ redisUrl: REDIS_URL, ...spec });

/**
 * Most entries in any window of `windowMs`, minus `slackMs`: a task starts a little after the
 * share recorded its start, by a lag that differs between processes.
 */
function maxInWindow(times: number[], windowMs: number, slackMs = 100): number {
  const sorted = [...times].sort((a, b) => a - b);
  let max = 0;
  let lo = 0;
  for (let hi = 0; hi < sorted.length; hi++) {
    while ((sorted[hi] ?? 0) - (sorted[lo] ?? 0) >= windowMs - slackMs) lo++;
    max = Math.max(max, hi - lo + 1);
  }
  return max;
}

describe.skipIf(!redis.ok)('Redis coordination across processes', () => {
  it('lets one process at a time hold an account refresh lock', async () => {
    const keyPrefix = testPrefix();
    const runs = 150;
    const lockers = ['p1', 'p2'].map((name) =>
      child({ role: 'lock', name, keyPrefix, accounts: ['a'], runs }),
    );
    const done = await Promise.all(lockers.map((c) => c.waitFor('done', 30_000)));
    expect(done.map((d) => d.runs)).toEqual([runs, runs]);
    expect(done.map((d) => d.overlaps)).toEqual([0, 0]);
    await dropPrefix(REDIS_URL, keyPrefix);
  });

  it('spends 1000 forced refreshes of shared accounts over 3 processes without one invalid_grant', async () => {
    const sim: RunningSimulator = await startSimulator();
    const keyPrefix = testPrefix();
    const accounts = ['a', 'b', 'c', 'd'];
    try {
      await seedTokens(sim, REDIS_URL, keyPrefix, accounts, children.dir);
      const refreshers = ['r1', 'r2', 'r3'].map((name) =>
        child({ role: 'refresh', name, keyPrefix, accounts, simUrl: sim.url, target: 334 }),
      );
      const done = await Promise.all(refreshers.map((c) => c.waitFor('done', 120_000)));
      const spent = done.reduce((sum, d) => sum + Number(d.refreshes), 0);
      expect(spent).toBeGreaterThanOrEqual(1000);
      expect(done.map((d) => d.reauth)).toEqual([0, 0, 0]);
      expect(done.map((d) => d.errors)).toEqual([{}, {}, {}]);
      const stats = sim.stats();
      expect(stats.invalid_grant).toBe(0);
      expect(stats.token_refreshes).toBe(spent);
    } finally {
      await sim.close();
      await dropPrefix(REDIS_URL, keyPrefix);
    }
  }, 150_000);

  it("keeps several processes' gates together within every account's and the app's windows", async () => {
    const keyPrefix = testPrefix();
    const probe = new Redis(REDIS_URL);
    const windowsMs = { per10s: 1_000, perHour: 4_000 };
    const userLimits = { per10s: 4, perHour: 10 };
    const appLimits = { per10s: 6, perHour: 16 };
    const tuning = { windowsMs, userLimits, appLimits };
    const accounts = ['a', 'b', 'c'];
    const flooders = ['f1', 'f2', 'f3'].map((name) =>
      child({ role: 'budget', name, keyPrefix, accounts, tuning, durationMs: 6_000 }),
    );
    const done = await Promise.all(flooders.map((c) => c.waitFor('done', 30_000)));
    const starts = done.flatMap((d) => d.starts as [string, number, string][]);
    const times = starts.map(([, at]) => at);
    expect(maxInWindow(times, windowsMs.per10s)).toBeLessThanOrEqual(appLimits.per10s);
    expect(maxInWindow(times, windowsMs.perHour)).toBeLessThanOrEqual(appLimits.perHour);
    for (const account of accounts) {
      const mine = starts.filter(([name]) => name === account).map(([, at]) => at);
      expect(maxInWindow(mine, windowsMs.per10s)).toBeLessThanOrEqual(userLimits.per10s);
      expect(maxInWindow(mine, windowsMs.perHour)).toBeLessThanOrEqual(userLimits.perHour);
    }
    // Exactly, as Redis recorded them (the last long window's starts are still there).
    const recorded = async (key: string): Promise<number[]> => {
      const flat = await probe.zrange(key, '0', '-1', 'WITHSCORES');
      return flat.filter((_, i) => i % 2 === 1).map(Number);
    };
    const app = await recorded(`${keyPrefix}:starts:app`);
    // Polls may fill 15 of the last long window's 16 (one is the command reserve), but each
    // flooder stops at its own deadline, so on a loaded machine the last slots can go unused
    // (13 seen in CI): the record must hold more than a short window's worth, so the short-window
    // check on it spans more than one window.
    expect(app.length).toBeGreaterThan(appLimits.per10s);
    expect(maxInWindow(app, windowsMs.per10s, 0)).toBeLessThanOrEqual(appLimits.per10s);
    expect(maxInWindow(app, windowsMs.perHour, 0)).toBeLessThanOrEqual(appLimits.perHour);
    for (const account of accounts) {
      const mine = await recorded(`${keyPrefix}:starts:user:${account}`);
      expect(maxInWindow(mine, windowsMs.per10s, 0)).toBeLessThanOrEqual(userLimits.per10s);
    }
    // The app's hour was used, not starved: 6 s hold one full long window and a half.
    expect(starts.length).toBeGreaterThanOrEqual(appLimits.perHour);
    // Polls never took the app's last slots: one click halfway through got through at once.
    const polls = starts.filter(([, , priority]) => priority === 'state').map(([, at]) => at);
    expect(maxInWindow(polls, windowsMs.perHour)).toBeLessThan(appLimits.perHour);
    expect(Number(done[0]?.commandWaitMs)).toBeLessThan(200);
    probe.disconnect();
    await dropPrefix(REDIS_URL, keyPrefix);
  }, 60_000);

  it('makes every process wait out a throttle window another process met, app-wide once two accounts met one', async () => {
    const keyPrefix = testPrefix();
    const settings = { redisUrl: REDIS_URL, keyPrefix, leaseTtlMs: 1_000, appUsers: 3 };
    const here = createCoordination(settings, { clock: systemClock, events: new EventBus() });
    const gate = (name: string) =>
      new RequestGate({
        clock: systemClock,
        limits: { per10s: 40, perHour: 400 },
        share: here.account({ name, dataDir: join(children.dir, 'here', name) }).gateShare,
      });
    const [a, c] = [gate('a'), gate('c')];
    await a.run(async () => 'warm', { priority: 'state' });
    // Another process meets a throttle on account a's calls.
    const first = await child({
      role: 'throttle',
      name: 't1',
      keyPrefix,
      accounts: ['a'],
      durationMs: 1_500,
    }).waitFor('done');
    const startedA = await a.run(async () => Date.now(), { priority: 'state' });
    expect(startedA).toBeGreaterThanOrEqual(Number(first.until));
    // Account c was not throttled: taken as a's own limit, not the app's.
    const before = Date.now();
    expect((await c.run(async () => Date.now(), { priority: 'state' })) - before).toBeLessThan(500);
    // Two accounts throttled at once: the app's limit, every account waits.
    const second = await child({
      role: 'throttle',
      name: 't2',
      keyPrefix,
      accounts: ['a', 'b'],
      durationMs: 1_500,
    }).waitFor('done');
    const refused = c.run(async () => 'late', { priority: 'state', deadline: Date.now() + 300 });
    await expect(refused).rejects.toMatchObject({ kind: 'throttle_window' });
    expect(await c.run(async () => Date.now(), { priority: 'state' })).toBeGreaterThanOrEqual(
      Number(second.until),
    );
    a.close();
    c.close();
    await here.close();
    await dropPrefix(REDIS_URL, keyPrefix);
  }, 30_000);
});
