import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventBus } from '../../src/events.js';
import { NetatmoAuth } from '../../src/netatmo/auth.js';
import { NetatmoError } from '../../src/netatmo/errors.js';
import { FileTokenStore } from '../../src/tokens/file-store.js';
import type { StoredToken, TokenStore } from '../../src/tokens/stored-token.js';
import { systemClock } from '../../src/util/clock.js';
import { harnessLifecycle, leakedLines, startHarness } from './auth-harness.js';

const { adopt, logs, allSecrets } = harnessLifecycle();

async function errorOf(promise: Promise<unknown>): Promise<NetatmoError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(NetatmoError);
  return error as NetatmoError;
}

describe('NetatmoAuth against the simulator', () => {
  it('refreshes once for 20 concurrent callers near expiry and persists before handing out the token', async () => {
    const h = await startHarness();
    adopt(h);
    // Expires in 2 minutes: inside the 5-minute proactive margin.
    await h.seedStore(undefined, h.clock.now() + 120_000);
    const auth = h.auth();
    expect(await auth.init()).toBe('store');
    const results = await Promise.all(
      Array.from({ length: 20 }, async () => {
        const token = await auth.accessToken();
        // Whoever receives the new token finds it already on disk.
        const onDisk = await new FileTokenStore(h.dataDir).load();
        return { token, onDisk: onDisk?.access_token };
      }),
    );
    expect(h.sim.stats().token_refreshes).toBe(1);
    const tokens = new Set(results.map((r) => r.token));
    expect(tokens.size).toBe(1);
    for (const r of results) expect(r.onDisk).toBe(r.token);
    expect(auth.stats()).toMatchObject({ state: 'ok', refreshes: 1, forcedRefreshes: 0 });
  });

  it('forceRefresh: 20 callers with the same stale token cause one refresh; a second force right after is refused', async () => {
    const h = await startHarness();
    adopt(h);
    const seeded = await h.seedStore();
    const auth = h.auth();
    await auth.init();
    const fresh = await Promise.all(Array.from({ length: 20 }, () => auth.forceRefresh(seeded.access_token)));
    expect(new Set(fresh).size).toBe(1);
    expect(fresh[0]).not.toBe(seeded.access_token);
    expect(h.sim.stats().token_refreshes).toBe(1);
    const refused = await errorOf(auth.forceRefresh(fresh[0]!));
    expect(refused.kind).toBe('throttle_window');
    expect(refused.retryAt).toBeGreaterThan(h.clock.now());
    expect(h.sim.stats().token_refreshes).toBe(1);
    expect((await new FileTokenStore(h.dataDir).load())?.access_token).toBe(fresh[0]);
  });

  it('starts from the bootstrap refresh token only while the store is empty', async () => {
    const h = await startHarness();
    adopt(h);
    const pair = h.mint();
    const auth = h.auth();
    expect(await auth.init(pair.refresh_token)).toBe('bootstrap');
    const token = await auth.accessToken();
    expect(h.sim.stats().token_refreshes).toBe(1);
    const stored = await new FileTokenStore(h.dataDir).load();
    expect(stored?.access_token).toBe(token);
    // A restart with the same (now rotated) bootstrap token uses the store instead.
    const again = h.auth();
    expect(await again.init(pair.refresh_token)).toBe('store');
    expect(await again.accessToken()).toBe(token);
    expect(h.sim.stats().token_refreshes).toBe(1);
  });

  it('invalid_grant: one token request, one reauthRequired event, then no more requests until setCredentials', async () => {
    const h = await startHarness();
    adopt(h);
    const events: string[] = [];
    h.events.on('reauthRequired', ({ reason }) => events.push(reason));
    const auth = h.auth();
    await auth.init('0123456789abcdef01234567|0123456789abcdef0123456789abcdef');
    const first = await errorOf(auth.accessToken());
    expect(first.kind).toBe('reauth_required');
    for (let i = 0; i < 5; i++) expect((await errorOf(auth.accessToken())).kind).toBe('reauth_required');
    expect((await errorOf(auth.forceRefresh('whatever'))).kind).toBe('reauth_required');
    expect(h.sim.stats().invalid_grant).toBe(1);
    expect(h.sim.stats().requests.token ?? 0).toBeLessThanOrEqual(1);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatch(/invalid_grant/);
    expect(auth.state).toBe('reauth_required');

    const pair = h.mint();
    await auth.setCredentials({
      access_token: pair.access_token,
      refresh_token: pair.refresh_token,
      expires_at: new Date(h.clock.now() + 10_800_000).toISOString(),
      obtained_at: new Date(h.clock.now()).toISOString(),
    });
    expect(auth.state).toBe('ok');
    expect(await auth.accessToken()).toBe(pair.access_token);
    expect((await new FileTokenStore(h.dataDir).load())?.access_token).toBe(pair.access_token);
  });

  it('a proactive refresh that fails transiently keeps the valid token working and retries later', async () => {
    const h = await startHarness();
    adopt(h);
    const seeded = await h.seedStore(undefined, h.clock.now() + 120_000);
    const auth = h.auth({ proactiveRetryMs: 10_000 });
    await auth.init();
    h.sim.setFaults({ rules: [{ kind: 'token_down' }] });
    expect(await auth.accessToken()).toBe(seeded.access_token);
    // Within the retry pause: no new token request.
    expect(await auth.accessToken()).toBe(seeded.access_token);
    expect(auth.stats().refreshFailures).toBe(1);
    h.sim.setFaults({ clear: true });
    h.clock.advance(11_000);
    const renewed = await auth.accessToken();
    expect(renewed).not.toBe(seeded.access_token);
    expect(h.sim.stats().token_refreshes).toBe(1);
  });

  it('an expired token whose refresh fails transiently surfaces a transient error', async () => {
    const h = await startHarness();
    adopt(h);
    await h.seedStore(undefined, h.clock.now() - 1_000);
    const auth = h.auth();
    await auth.init();
    h.sim.setFaults({ rules: [{ kind: 'token_down' }] });
    expect((await errorOf(auth.accessToken())).kind).toBe('transient');
    expect(auth.state).toBe('ok');
  });

  it('keeps (and uses) the rotated pair in memory when it cannot be saved, and says so', async () => {
    const h = await startHarness();
    adopt(h);
    const seeded = await h.seedStore();
    const failures: string[] = [];
    h.events.on('tokenPersistFailed', ({ message }) => failures.push(message));
    const real = new FileTokenStore(h.dataDir);
    const broken: TokenStore = {
      load: () => real.load(),
      save: async () => {
        throw new Error(`cannot save the token to ${h.dataDir}/token.json: ENOSPC (the disk is full)`);
      },
      describe: () => real.describe(),
    };
    const auth = h.auth({ store: broken });
    await auth.init();
    const renewed = await auth.forceRefresh(seeded.access_token);
    expect(renewed).not.toBe(seeded.access_token);
    expect(await auth.accessToken()).toBe(renewed);
    expect(failures).toHaveLength(1);
    expect(failures[0]).toContain('ENOSPC');
    expect(auth.stats().persistError).toContain('token.json');
  });
});

describe('NetatmoAuth guards on odd token answers', () => {
  let server: Server;
  let answer: { status: number; body: unknown };
  let baseUrl: string;
  const saved: StoredToken[] = [];
  const memoryStore = (initial: StoredToken): TokenStore => ({
    load: async () => initial,
    save: async (token) => {
      saved.push(token);
    },
    describe: () => 'memory',
  });
  const initial: StoredToken = {
    access_token: 'old-access-aaaaaaaa',
    refresh_token: 'old-refresh-bbbbbbbb',
    expires_at: new Date(Date.now() + 3_600_000).toISOString(),
    obtained_at: new Date().toISOString(),
  };

  beforeAll(async () => {
    server = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        res.writeHead(answer.status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(answer.body));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  const auth = (): NetatmoAuth =>
    new NetatmoAuth({
      clientId: 'id',
      clientSecret: 'secret-cccccccc',
      baseUrl,
      store: memoryStore(initial),
      clock: systemClock,
      events: new EventBus(),
      minForcedRefreshIntervalMs: 0,
    });

  it('rejects a 200 answer without an access_token and keeps the old pair', async () => {
    answer = { status: 200, body: { error: 'server_error' } };
    const a = auth();
    await a.init();
    expect((await errorOf(a.forceRefresh(initial.access_token))).kind).toBe('invalid_response');
    expect(await a.accessToken()).toBe(initial.access_token);
  });

  it('keeps the previous refresh token when the answer has none, and computes expires_at from expires_in', async () => {
    answer = {
      status: 200,
      body: { access_token: 'new-access-dddddddd', expires_in: 600, scope: ['read_station'] },
    };
    const a = auth();
    await a.init();
    const before = Date.now();
    expect(await a.forceRefresh(initial.access_token)).toBe('new-access-dddddddd');
    const last = saved.at(-1)!;
    expect(last.refresh_token).toBe(initial.refresh_token);
    expect(last.scope).toEqual(['read_station']);
    const expires = Date.parse(last.expires_at);
    expect(expires).toBeGreaterThanOrEqual(before + 600_000 - 1_000);
    expect(expires).toBeLessThanOrEqual(Date.now() + 600_000);
  });

  it('maps 400 invalid_grant to reauth_required and 5xx to transient', async () => {
    answer = { status: 503, body: { error: 'temporarily_unavailable' } };
    const a = auth();
    await a.init();
    expect((await errorOf(a.forceRefresh(initial.access_token))).kind).toBe('transient');
    answer = { status: 400, body: { error: 'invalid_grant' } };
    expect((await errorOf(a.forceRefresh(initial.access_token))).kind).toBe('reauth_required');
    expect(a.state).toBe('reauth_required');
  });
});

describe('logs', () => {
  it('never contain a token, the client secret or an Authorization header', () => {
    expect(logs.lines.length).toBeGreaterThan(0);
    expect(leakedLines(logs.lines, allSecrets)).toEqual([]);
  });
});
