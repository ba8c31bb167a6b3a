/**
 * Redis coordination in one process: the token store's compare-and-set and restore, and the
 * connection guards that keep a down or paused Redis from hanging anything.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../scripts/lib/broker.js';
import { createCoordination } from '../../src/coordination/index.js';
import type { Coordination } from '../../src/coordination/types.js';
import { EventBus } from '../../src/events.js';
import type { StoredToken } from '../../src/tokens/stored-token.js';
import { systemClock } from '../../src/util/clock.js';
import { redactString } from '../../src/util/redact.js';
import {
  dropPrefix,
  ownRedis,
  REDIS_URL,
  redisServerInstalled,
  sharedRedis,
  testPrefix,
} from './redis-support.js';

const redis = await sharedRedis();
const open: Coordination[] = [];
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'n2m-guards-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));
afterEach(async () => {
  await Promise.all(open.splice(0).map((c) => c.close()));
});

function coordination(url: string, prefix: string, tuning = {}): Coordination {
  const c = createCoordination(
    { redisUrl: url, keyPrefix: prefix, leaseTtlMs: 1_000, processName: 'guards', appUsers: 2 },
    { clock: systemClock, events: new EventBus(), tuning },
  );
  open.push(c);
  return c;
}

function pair(n: number, obtainedAt = new Date(Date.UTC(2026, 0, 1, 0, n)).toISOString()): StoredToken {
  return {
    access_token: `access-${n}-xxxxxxxxxxxx`,
    refresh_token: `refresh-${n}-xxxxxxxxxxxx`,
    expires_at: new Date(Date.UTC(2026, 0, 1, 3, n)).toISOString(),
    obtained_at: obtainedAt,
  };
}

describe.skipIf(!redis.ok)('the Redis token store', () => {
  it('stores a rotation only over the pair it replaces, so a process that lost a race cannot go back', async () => {
    const prefix = testPrefix();
    const [one, two] = [coordination(REDIS_URL, prefix), coordination(REDIS_URL, prefix)];
    const a = one.account({ name: 'alice', dataDir: join(dir, prefix, 'p1') }).tokens;
    const b = two.account({ name: 'alice', dataDir: join(dir, prefix, 'p2') }).tokens;
    await a.save(pair(1));
    expect((await b.load())?.refresh_token).toBe(pair(1).refresh_token);
    await b.replace?.(pair(1).refresh_token, pair(2));
    // a still believes pair 1 is current: its rotation of pair 1 is refused.
    await expect(a.replace?.(pair(1).refresh_token, pair(3))).rejects.toMatchObject({ kind: 'conflict' });
    expect((await a.load())?.refresh_token).toBe(pair(2).refresh_token);
    await dropPrefix(REDIS_URL, prefix);
  });

  it('puts the newest pair back after Redis lost it, and never an older one over a newer', async () => {
    const prefix = testPrefix();
    const [one, two] = [coordination(REDIS_URL, prefix), coordination(REDIS_URL, prefix)];
    const a = one.account({ name: 'bob', dataDir: join(dir, prefix, 'p1') }).tokens;
    const b = two.account({ name: 'bob', dataDir: join(dir, prefix, 'p2') }).tokens;
    await a.save(pair(1));
    await b.load();
    await a.replace?.(pair(1).refresh_token, pair(2));
    await dropPrefix(REDIS_URL, prefix); // Redis forgot everything
    // b knows only pair 1, a knows pair 2: whatever the order, pair 2 ends up stored.
    const storeB = b as unknown as { restore(): Promise<boolean> };
    const storeA = a as unknown as { restore(): Promise<boolean> };
    expect(await storeB.restore()).toBe(true);
    expect(await storeA.restore()).toBe(true);
    expect(await storeB.restore()).toBe(false);
    expect((await b.load())?.refresh_token).toBe(pair(2).refresh_token);
    // A process starting while Redis has nothing begins from its file copy, and puts it back.
    await dropPrefix(REDIS_URL, prefix);
    const three = coordination(REDIS_URL, prefix).account({ name: 'bob', dataDir: join(dir, prefix, 'p1') });
    expect((await three.tokens.load())?.refresh_token).toBe(pair(2).refresh_token);
    expect((await b.load())?.refresh_token).toBe(pair(2).refresh_token);
    await dropPrefix(REDIS_URL, prefix);
  });
});

describe('the Redis connection guards', () => {
  it('refuses URLs it cannot use, naming the key, and never echoes the password', () => {
    const make = (url: string) => () => coordination(url, 'x');
    expect(make('http://127.0.0.1:6379')).toThrow(
      /coordination\.redis_url must start with redis:\/\/ or rediss:\/\//,
    );
    expect(make('redis://127.0.0.1:6379/0?enableOfflineQueue=true')).toThrow(
      /coordination\.redis_url must not carry query/,
    );
    expect(make('redis://127.0.0.1:6379/zero')).toThrow(
      /coordination\.redis_url: the path must be a database number/,
    );
    const c = coordination('redis://:s3cret-passw0rd@127.0.0.1:1/0', 'x');
    expect(redactString('auth s3cret-passw0rd')).not.toContain('s3cret-passw0rd');
    expect(JSON.stringify(c.health())).not.toContain('s3cret-passw0rd');
  });

  it('with Redis down: calls fail at once, refreshes wait (health says why) and then give up', async () => {
    const port = await freePort();
    const c = coordination(`redis://127.0.0.1:${port}/0`, testPrefix(), { refreshWaitMs: 600 });
    const account = c.account({ name: 'alice', dataDir: join(dir, 'down') });
    const started = Date.now();
    let ran = false;
    await expect(
      account.refreshLock?.run(async () => {
        ran = true;
      }),
    ).rejects.toMatchObject({ kind: 'transient', message: expect.stringContaining('waits for Redis') });
    expect(ran).toBe(false);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(c.health()).toMatchObject({
      mode: 'redis',
      connected: false,
      refresh_blocked: expect.stringContaining('unreachable'),
    });
    // The gate's share answers from the local fallback at once, without Redis.
    const verdict = account.gateShare.take(Date.now(), 'command');
    expect(verdict).toEqual({ ok: true });
    expect(c.health().accounts?.alice?.offline_starts).toBe(1);
  });

  it.skipIf(!redisServerInstalled)(
    'with Redis paused (accepts, never answers): a call fails within the command timeout',
    async () => {
      const own = await ownRedis();
      try {
        const prefix = testPrefix();
        const c = coordination(own.url, prefix, { commandTimeoutMs: 300, refreshWaitMs: 1_000 });
        const account = c.account({ name: 'alice', dataDir: join(dir, 'paused') });
        await account.tokens.save(pair(1));
        process.kill(own.pid ?? 0, 'SIGSTOP');
        try {
          const started = Date.now();
          await expect(account.tokens.load()).resolves.toMatchObject({
            refresh_token: pair(1).refresh_token,
          });
          const verdict = await account.gateShare.take(Date.now(), 'poll');
          expect(verdict).toEqual({ ok: true }); // judged locally once Redis did not answer
          await expect(account.refreshLock?.run(async () => 'ran')).rejects.toMatchObject({
            kind: 'transient',
          });
          expect(Date.now() - started).toBeLessThan(3_000);
        } finally {
          process.kill(own.pid ?? 0, 'SIGCONT');
        }
        // And it recovers by itself.
        await expect(account.refreshLock?.run(async () => 'ran')).resolves.toBe('ran');
      } finally {
        await own.close();
      }
    },
  );
});
