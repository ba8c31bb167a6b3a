import { describe, expect, it } from 'vitest';
import { startSimulator } from '../../src/simulator/index.js';
import {
  type Child,
  type ChildEvent,
  dropPrefix,
  OwnRedis,
  REDIS_URL,
  redisServerInstalled,
  seedTokens,
  sharedRedis,
  testPrefix,
  useChildren,
} from './redis-support.js';

const redis = await sharedRedis();
const TTL = 1_000;
const ACCOUNTS = ['a', 'b', 'c', 'd', 'e', 'f'];
const children = useChildren(redis.ok);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * `refreshEvery`: rounds between forced refreshes. A process killed between Netatmo's rotation and
 * the save of the new pair loses the account whatever the store (Netatmo revoked the old pair):
 * the kill test, about leases, does not refresh.
 */
function servers(redisUrl: string, keyPrefix: string, simUrl: string, refreshEvery: number): Child[] {
  return ['s1', 's2', 's3'].map((name) =>
    children.spawn({
      role: 'serve',
      redisUrl,
      keyPrefix,
      name,
      accounts: ACCOUNTS,
      simUrl,
      leaseTtlMs: TTL,
      refreshEvery,
      tuning: { commandTimeoutMs: 300, refreshWaitMs: 3_000, refreshLockTtlMs: 2_000 },
    }),
  );
}

/** Who owns what now, from each process's latest health report. */
function owners(procs: readonly Child[]): Map<string, string[]> {
  const map = new Map<string, string[]>();
  for (const p of procs) {
    const health = [...p.events].reverse().find((e) => e.type === 'health')?.health as
      | { owned: string[] }
      | undefined;
    for (const account of health?.owned ?? [])
      map.set(account, [...(map.get(account) ?? []), p.events[0]?.process ?? '?']);
  }
  return map;
}

async function until(what: string, check: () => boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await sleep(20);
  }
}

/**
 * Every process's polling intervals per account (acquired → lost; a killed process's end at its
 * kill) and each call inside one of them; intervals of one account never overlap.
 */
function checkSinglePoller(events: ChildEvent[], killed: Map<string, number>): void {
  const intervals = new Map<string, { process: string; from: number; to: number }[]>();
  for (const e of [...events].sort((x, y) => x.at - y.at)) {
    const account = String(e.account);
    const list = intervals.get(account) ?? [];
    if (e.type === 'acquired') list.push({ process: e.process, from: e.at, to: Number.POSITIVE_INFINITY });
    if (e.type === 'lost') {
      const open = list.find((i) => i.process === e.process && i.to === Number.POSITIVE_INFINITY);
      if (open) open.to = e.at;
    }
    intervals.set(account, list);
  }
  for (const [account, list] of intervals) {
    for (const i of list) if (i.to === Number.POSITIVE_INFINITY) i.to = killed.get(i.process) ?? i.to;
    const sorted = [...list].sort((x, y) => x.from - y.from);
    for (let k = 1; k < sorted.length; k++) {
      expect(sorted[k]!.from, `account ${account}: ${JSON.stringify(sorted)}`).toBeGreaterThanOrEqual(
        sorted[k - 1]!.to,
      );
    }
  }
  for (const call of events.filter((e) => e.type === 'call')) {
    const asked = Number(call.asked);
    const inside = intervals
      .get(String(call.account))
      ?.some((i) => i.process === call.process && i.from <= asked && asked <= i.to);
    expect(inside, `call outside its process's lease: ${JSON.stringify(call)}`).toBe(true);
  }
}

describe.skipIf(!redis.ok)('account leases across processes', () => {
  it('moves a SIGKILLed process’s accounts to the others within the lease TTL, never to two pollers', async () => {
    const sim = await startSimulator();
    const keyPrefix = testPrefix();
    try {
      await seedTokens(sim, REDIS_URL, keyPrefix, ACCOUNTS, children.dir);
      const procs = servers(REDIS_URL, keyPrefix, sim.url, 0);
      await Promise.all(procs.map((p) => p.waitFor('ready')));
      await until('each process owns its fair share', () => {
        const map = owners(procs);
        return (
          map.size === ACCOUNTS.length &&
          procs.every((p) => [...map.values()].flat().filter((n) => n === p.events[0]?.process).length === 2)
        );
      });
      await sleep(500);
      const victim = procs[0]!;
      const theirs = [...owners(procs)].filter(([, who]) => who.includes('s1')).map(([account]) => account);
      const killedAt = Date.now();
      victim.process.kill('SIGKILL');
      await victim.exited;
      const survivors = procs.slice(1);
      await until('the others own every account', () => owners(survivors).size === ACCOUNTS.length, 5_000);
      const takeovers = survivors
        .flatMap((p) => p.events)
        .filter((e) => e.type === 'acquired' && theirs.includes(String(e.account)) && e.at > killedAt);
      expect(takeovers.map((e) => e.account).sort()).toEqual([...theirs].sort());
      for (const e of takeovers) expect(e.at - killedAt).toBeLessThanOrEqual(TTL + 150);
      // Every account is served again (within its budget, which counts the dead owner's calls).
      await until('every account is served after the kill', () =>
        ACCOUNTS.every((account) =>
          survivors.some((p) =>
            p.events.some(
              (e) => e.type === 'call' && e.ok === true && e.account === account && e.at > killedAt + TTL,
            ),
          ),
        ),
      );
      for (const p of survivors) p.process.kill('SIGTERM');
      await Promise.all(survivors.map((p) => p.exited));
      const events = procs.flatMap((p) => p.events);
      checkSinglePoller(events, new Map([['s1', killedAt]]));
      expect(events.filter((e) => e.type === 'reauth')).toEqual([]);
      expect(sim.stats().invalid_grant).toBe(0);
    } finally {
      await sim.close();
      await dropPrefix(REDIS_URL, keyPrefix);
    }
  }, 60_000);

  it.skipIf(!redisServerInstalled)(
    'survives a Redis restart without data in the middle: no lockout, no double refresh, service resumes',
    async () => {
      const own = await OwnRedis.start();
      const sim = await startSimulator();
      const keyPrefix = testPrefix();
      try {
        await seedTokens(sim, own.url, keyPrefix, ACCOUNTS, children.dir);
        const procs = servers(own.url, keyPrefix, sim.url, 4);
        await Promise.all(procs.map((p) => p.waitFor('ready')));
        await until('every account is owned', () => owners(procs).size === ACCOUNTS.length);
        await sleep(1_000);
        const restartedAt = Date.now();
        await own.restart();
        await sleep(4 * TTL);
        const resumedAfter = Date.now() - 1_000;
        await sleep(1_000);
        for (const p of procs) p.process.kill('SIGTERM');
        await Promise.all(procs.map((p) => p.exited));
        const events = procs.flatMap((p) => p.events);
        checkSinglePoller(events, new Map());
        expect(events.filter((e) => e.type === 'reauth')).toEqual([]);
        const stats = sim.stats();
        expect(stats.invalid_grant).toBe(0);
        expect(stats.token_refreshes).toBeGreaterThan(ACCOUNTS.length);
        for (const account of ACCOUNTS) {
          const calls = events.filter((e) => e.type === 'call' && e.account === account);
          expect(calls.some((e) => e.ok === true && e.at < restartedAt)).toBe(true);
          expect(
            calls.some((e) => e.ok === true && e.at > resumedAfter),
            `account ${account} resumed`,
          ).toBe(true);
        }
      } finally {
        await sim.close();
        await own.kill();
      }
    },
    60_000,
  );
});
