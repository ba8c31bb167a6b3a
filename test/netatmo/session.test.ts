import { describe, expect, it } from 'vitest';
import { NetatmoError } from '../../src/netatmo/errors.js';
import { RequestGate } from '../../src/netatmo/gate.js';
import { ApiSession, type ApiSessionOptions } from '../../src/netatmo/session.js';
import type { CallOptions } from '../../src/netatmo/types.js';
import type { SimulatorOptions } from '../../src/simulator/types.js';
import { FileTokenStore } from '../../src/tokens/file-store.js';
import {
  CLIENT_ID,
  CLIENT_SECRET,
  type Harness,
  harnessLifecycle,
  leakedLines,
  startHarness,
} from './auth-harness.js';

const HOME = '91763b24c43d3e344f424e8b';
const READ: CallOptions = { priority: 'state', idempotent: true };
const BURST: CallOptions = { priority: 'command', idempotent: true };
const WRITE: CallOptions = { priority: 'command', idempotent: false };

const { adopt, logs, allSecrets } = harnessLifecycle();

async function setUp(sim: SimulatorOptions = {}, session: Partial<ApiSessionOptions> = {}, speed = 1) {
  const h = await startHarness(sim, speed);
  adopt(h);
  await h.seedStore();
  const auth = h.auth();
  await auth.init();
  const gate = new RequestGate({
    clock: h.clock,
    limits: { per10s: 1000, perHour: 100_000 },
    events: h.events,
    maxInFlight: 20,
  });
  const api = new ApiSession({
    baseUrl: h.sim.url,
    gate,
    auth,
    clock: h.clock,
    transientBaseDelayMs: 100,
    requestTimeoutMs: 2_000,
    random: () => 0.5,
    ...session,
  });
  return { h, auth, gate, api };
}

async function errorOf(promise: Promise<unknown>): Promise<NetatmoError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(NetatmoError);
  return error as NetatmoError;
}

const homesdata = { endpoint: 'homesdata' };

describe('ApiSession throttle recovery', () => {
  it('per-token quota: 20 concurrent throttled calls cause exactly one refresh and all succeed', async () => {
    const { h, auth, api } = await setUp({
      quota: 'per-token',
      limits: { userPer10s: 20, userPerHour: 1000 },
    });
    for (let i = 0; i < 20; i++) await api.call(homesdata, READ);
    const refreshed: boolean[] = [];
    h.events.on('tokenRefreshed', ({ forced }) => refreshed.push(forced));

    // Commands are not paced by the gate: the 20 calls really are in flight together.
    const results = await Promise.all(Array.from({ length: 20 }, () => api.call(homesdata, BURST)));
    expect(results).toHaveLength(20);
    for (const body of results) expect(body).toHaveProperty('homes');
    const stats = h.sim.stats();
    expect(stats.token_refreshes).toBe(1);
    expect(stats.throttled).toBe(20);
    expect(refreshed).toEqual([true]);
    expect(api.stats().throttleWindows).toBe(0);

    // The file holds the newest pair: its access token is what auth hands out, and its
    // refresh token is the one the simulator still accepts.
    const stored = await new FileTokenStore(h.dataDir).load();
    expect(stored?.access_token).toBe(await auth.accessToken());
    const check = await fetch(`${h.sim.url}/oauth2/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'refresh_token',
        refresh_token: stored!.refresh_token,
        client_id: CLIENT_ID,
        client_secret: CLIENT_SECRET,
      }),
    });
    expect(check.status).toBe(200);
    const rotated = (await check.json()) as { access_token: string; refresh_token: string };
    h.secrets.add(rotated.access_token);
    h.secrets.add(rotated.refresh_token);
  });

  it('per-user quota: one refresh, one retry, then a window; fast failures inside it; traffic resumes after it', async () => {
    const { h, gate, api } = await setUp({
      quota: 'per-user',
      limits: { userPer10s: 20, userPerHour: 1000 },
    });
    for (let i = 0; i < 20; i++) await api.call(homesdata, READ);
    const opened: number[] = [];
    h.events.on('throttleWindowOpened', ({ retryAt }) => opened.push(retryAt));

    const start = h.clock.now();
    const deadline = start + 30_000;
    const failures = await Promise.all(
      Array.from({ length: 20 }, () => errorOf(api.call(homesdata, { ...BURST, deadline }))),
    );
    for (const f of failures) {
      expect(f.kind).toBe('throttle_window');
      expect(f.retryAt).toBeGreaterThanOrEqual(start + 60_000);
      expect(f.retryAt).toBeLessThan(start + 70_000);
    }
    const afterBurst = h.sim.stats();
    expect(afterBurst.token_refreshes).toBe(1);
    // 20 first attempts, and at most one retry each (retries queued behind the window are refused by the gate).
    expect(afterBurst.throttled).toBeGreaterThan(20);
    expect(afterBurst.throttled).toBeLessThanOrEqual(40);
    expect(opened).toHaveLength(1);
    expect(gate.throttleWindow?.until).toBe(failures[0]!.retryAt);

    // Inside the window: fail fast, nothing sent, no refresh.
    const sentBefore = h.sim.stats().requests.homesdata;
    const fast = await errorOf(api.call(homesdata, { ...READ, deadline: h.clock.now() + 5_000 }));
    expect(fast.kind).toBe('throttle_window');
    expect(h.sim.stats().requests.homesdata).toBe(sentBefore);

    // A call without a deadline waits for the window, then goes through on its own.
    const waiting = api.call(homesdata, READ);
    h.clock.advance(61_000);
    await expect(waiting).resolves.toHaveProperty('homes');
    expect(h.sim.stats().token_refreshes).toBe(1);
    expect(api.stats().consecutiveWindows).toBe(0);
  });

  it('without Retry-After, consecutive windows grow (60 s, then 120 s) and the forced refresh is not repeated', async () => {
    const { h, api } = await setUp({ throttle: '403' });
    h.sim.setFaults({ rules: [{ kind: 'throttle' }] });
    const t0 = h.clock.now();
    const first = await errorOf(api.call(homesdata, READ));
    expect(first.kind).toBe('throttle_window');
    expect(first.retryAt! - t0).toBeGreaterThanOrEqual(60_000);
    expect(first.retryAt! - t0).toBeLessThan(62_000);
    h.clock.advance(61_000);
    const t1 = h.clock.now();
    const second = await errorOf(api.call(homesdata, READ));
    expect(second.kind).toBe('throttle_window');
    expect(second.retryAt! - t1).toBeGreaterThanOrEqual(120_000);
    expect(second.retryAt! - t1).toBeLessThan(122_000);
    expect(h.sim.stats().token_refreshes).toBe(1);
    h.sim.setFaults({ clear: true });
    h.clock.advance(121_000);
    await expect(api.call(homesdata, READ)).resolves.toHaveProperty('homes');
  });
});

describe('ApiSession other reactions', () => {
  it('an expired access token (403 code 3) is refreshed once and the call retried', async () => {
    const { h } = await setUp({ tokenLifetimeSec: 600 });
    // The stored expiry is wrong (too late), as after a clock jump: the server rejects the token first.
    const store = new FileTokenStore(h.dataDir);
    const seeded = await store.load();
    await store.save({ ...seeded!, expires_at: new Date(h.clock.now() + 3_600_000).toISOString() });
    const api = await sessionFromStore(h);
    h.clock.advance(601_000);
    await expect(api.call(homesdata, READ)).resolves.toHaveProperty('homes');
    expect(h.sim.stats().token_refreshes).toBe(1);
    expect(
      h.sim
        .log()
        .filter((e) => e.endpoint === 'homesdata')
        .map((e) => e.status),
    ).toEqual([403, 200]);
  });

  it('retries transient read failures (5xx, timeouts, malformed JSON) with backoff, then surfaces them typed', async () => {
    const { h, api } = await setUp({}, { requestTimeoutMs: 300 });
    h.sim.setFaults({
      rules: [
        { kind: 'status', status: 503, count: 1, endpoints: ['homesdata'] },
        { kind: 'timeout', count: 1, endpoints: ['homesdata'] },
        { kind: 'malformed_json', count: 1, endpoints: ['homesdata'] },
      ],
    });
    const before = h.sim.stats().requests.homesdata ?? 0;
    await expect(api.call(homesdata, READ)).resolves.toHaveProperty('homes');
    expect((h.sim.stats().requests.homesdata ?? 0) - before).toBe(4);

    h.sim.setFaults({ clear: true, rules: [{ kind: 'status', status: 502, endpoints: ['homesdata'] }] });
    const started = h.clock.now();
    const failure = await errorOf(api.call(homesdata, READ));
    expect(failure.kind).toBe('transient');
    expect(failure.status).toBe(502);
    // 3 backoffs of 100, 200, 400 ms (jitter pinned at 1×): backoff really happened.
    expect(h.clock.now() - started).toBeGreaterThanOrEqual(700);
    expect(api.stats().failed.transient).toBe(1);
  });

  it('does not resend a write after a 5xx', async () => {
    const { h, api } = await setUp();
    h.sim.setFaults({ rules: [{ kind: 'status', status: 503, endpoints: ['setthermmode'] }] });
    const failure = await errorOf(
      api.call({ endpoint: 'setthermmode', params: { home_id: HOME, mode: 'away' } }, WRITE),
    );
    expect(failure.kind).toBe('transient');
    expect(h.sim.stats().requests.setthermmode).toBe(1);
  });

  it('waits out WAF 429s (Retry-After) and retries, writes included', async () => {
    const { h, api } = await setUp({ throttle: 'waf' }, {}, 10);
    h.sim.setFaults({ rules: [{ kind: 'throttle', count: 2, retry_after: 1, endpoints: ['setthermmode'] }] });
    const started = h.clock.now();
    await api.call({ endpoint: 'setthermmode', params: { home_id: HOME, mode: 'away' } }, WRITE);
    expect(h.sim.stats().requests.setthermmode).toBe(3);
    expect(h.clock.now() - started).toBeGreaterThanOrEqual(2_000);
    expect(h.sim.stats().token_refreshes).toBe(0);
  });

  it('fails at once when re-authorisation is needed, without touching the API', async () => {
    const { h, auth, api } = await setUp();
    await auth.setCredentials({
      access_token: 'revoked-access-eeeeeeee',
      refresh_token: '0123456789abcdef01234567|0123456789abcdef0123456789abcdef',
      expires_at: new Date(h.clock.now() - 1).toISOString(),
      obtained_at: new Date(h.clock.now() - 10_800_000).toISOString(),
    });
    expect((await errorOf(api.call(homesdata, READ))).kind).toBe('reauth_required');
    expect((await errorOf(api.call(homesdata, READ))).kind).toBe('reauth_required');
    expect(h.sim.stats().invalid_grant).toBe(1);
    expect(h.sim.stats().requests.homesdata ?? 0).toBe(0);
  });
});

async function sessionFromStore(h: Harness): Promise<ApiSession> {
  const auth = h.auth();
  await auth.init();
  const gate = new RequestGate({ clock: h.clock, limits: { per10s: 1000, perHour: 100_000 } });
  return new ApiSession({ baseUrl: h.sim.url, gate, auth, clock: h.clock });
}

describe('logs', () => {
  it('never contain a token, the client secret or an Authorization header', () => {
    expect(logs.lines.length).toBeGreaterThan(0);
    expect(leakedLines(logs.lines, allSecrets)).toEqual([]);
  });
});
