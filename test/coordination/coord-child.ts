/**
 * A process of the coordination tests (bundled and run with plain node): one role per run,
 * given as JSON in argv[2]. Prints one JSON line per event on stdout; `ready` once set up.
 * Roles:
 * - lock: takes account `a`'s refresh lock `runs` times and counts holders seen inside it;
 * - refresh: forces refreshes of its accounts until it spent `target` refresh tokens itself;
 * - budget: floods one gate per account for `durationMs`, reporting each start;
 * - throttle: its accounts' gates meet a throttle lasting `durationMs` (Netatmo's 429/26);
 * - serve: leases; per owned account a Netatmo stack that polls (and forces refreshes every
 *   `refreshEvery` rounds), until SIGTERM.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { createCoordination } from '../../src/coordination/index.js';
import type { CoordinationTuning } from '../../src/coordination/types.js';
import { EventBus } from '../../src/events.js';
import { setLogLevel } from '../../src/log.js';
import { NetatmoAuth } from '../../src/netatmo/auth.js';
import { NetatmoClient } from '../../src/netatmo/client.js';
import { isNetatmoError } from '../../src/netatmo/errors.js';
import { RequestGate } from '../../src/netatmo/gate.js';
import { ApiSession } from '../../src/netatmo/session.js';
import { systemClock } from '../../src/util/clock.js';

export interface ChildSpec {
  role: 'lock' | 'refresh' | 'budget' | 'throttle' | 'serve';
  redisUrl: string;
  keyPrefix: string;
  name: string;
  accounts: string[];
  dataDir: string;
  simUrl?: string;
  leaseTtlMs?: number;
  tuning?: CoordinationTuning;
  runs?: number;
  target?: number;
  durationMs?: number;
  /** serve: force a token refresh every this many rounds (0: never). */
  refreshEvery?: number;
}

const spec = JSON.parse(process.argv[2] ?? '{}') as ChildSpec;
setLogLevel((process.env.CHILD_LOG as 'error' | undefined) ?? 'error');
const say = (event: Record<string, unknown>): void => {
  process.stdout.write(`${JSON.stringify({ ...event, at: Date.now(), process: spec.name })}\n`);
};

const events = new EventBus();
const coordination = createCoordination(
  {
    redisUrl: spec.redisUrl,
    keyPrefix: spec.keyPrefix,
    leaseTtlMs: spec.leaseTtlMs ?? 1_000,
    processName: spec.name,
    appUsers: spec.accounts.length,
  },
  { clock: systemClock, events, ...(spec.tuning ? { tuning: spec.tuning } : {}) },
);
const account = (name: string) => coordination.account({ name, dataDir: `${spec.dataDir}/${name}` });

function stack(name: string) {
  const coord = account(name);
  const auth = new NetatmoAuth({
    clientId: 'coord-test',
    clientSecret: 'coord-test-secret',
    baseUrl: spec.simUrl ?? 'http://127.0.0.1:9',
    store: coord.tokens,
    clock: systemClock,
    events,
    minForcedRefreshIntervalMs: 0,
    httpTimeoutMs: 5_000,
    ...(coord.refreshLock ? { refreshLock: coord.refreshLock } : {}),
  });
  const gate = new RequestGate({
    clock: systemClock,
    limits: { per10s: 40, perHour: 400 },
    share: coord.gateShare,
  });
  const session = new ApiSession({
    baseUrl: spec.simUrl ?? 'http://127.0.0.1:9',
    gate,
    auth,
    clock: systemClock,
  });
  return { auth, gate, client: new NetatmoClient(session) };
}

async function lockRole(): Promise<void> {
  const redis = new Redis(spec.redisUrl);
  const lock = account('a').refreshLock;
  if (!lock) throw new Error('no refresh lock');
  let overlaps = 0;
  say({ type: 'ready' });
  for (let i = 0; i < (spec.runs ?? 100); i++) {
    await lock.run(async () => {
      if ((await redis.incr(`${spec.keyPrefix}:inside`)) !== 1) overlaps += 1;
      await sleep(1);
      await redis.decr(`${spec.keyPrefix}:inside`);
    });
  }
  say({ type: 'done', overlaps, runs: spec.runs });
  redis.disconnect();
}

async function refreshRole(): Promise<void> {
  const auths = spec.accounts.map((name) => stack(name).auth);
  let reauth = 0;
  events.on('reauthRequired', () => {
    reauth += 1;
  });
  for (const auth of auths) await auth.init();
  say({ type: 'ready' });
  const errors: Record<string, number> = {};
  const spent = (): number => auths.reduce((sum, a) => sum + a.stats().refreshes, 0);
  let calls = 0;
  while (spent() < (spec.target ?? 100) && reauth === 0) {
    const auth = auths[calls % auths.length]!;
    calls += 1;
    try {
      await auth.forceRefresh(await auth.accessToken());
    } catch (error) {
      const kind = isNetatmoError(error) ? error.kind : String(error);
      errors[kind] = (errors[kind] ?? 0) + 1;
    }
  }
  say({ type: 'done', refreshes: spent(), calls, errors, reauth });
}

async function budgetRole(): Promise<void> {
  const gates = spec.accounts.map((name) => ({ name, gate: stack(name).gate }));
  say({ type: 'ready' });
  const until = Date.now() + (spec.durationMs ?? 3_000);
  const starts: [string, number, string][] = [];
  const run = (name: string, gate: RequestGate, priority: 'state' | 'command') =>
    gate
      .run(async () => void starts.push([name, Date.now(), priority]), { priority, deadline: until })
      .catch(() => undefined);
  const polls = gates.flatMap(({ name, gate }) =>
    Array.from({ length: 200 }, () => run(name, gate, 'state')),
  );
  // Halfway, one click: it must find the command reserve free however hard the polls push.
  await sleep((spec.durationMs ?? 3_000) / 2);
  const first = gates[0];
  const asked = Date.now();
  if (spec.name.endsWith('1') && first) await run(first.name, first.gate, 'command');
  const command = starts.find(([, , priority]) => priority === 'command');
  await Promise.all(polls);
  for (const { gate } of gates) gate.close();
  say({ type: 'done', starts, commandWaitMs: command ? command[1] - asked : undefined });
}

async function throttleRole(): Promise<void> {
  const until = Date.now() + (spec.durationMs ?? 1_000);
  for (const name of spec.accounts) stack(name).gate.openThrottleWindow(until, 'quota reached (test)');
  await sleep(200); // the shared windows are written in the background
  say({ type: 'done', until });
}

async function serveRole(): Promise<void> {
  const serving = new Map<string, { stop: AbortController; gate: RequestGate }>();
  let stopping = false;
  events.on('reauthRequired', ({ reason }) => say({ type: 'reauth', reason }));
  const serve = async (name: string): Promise<void> => {
    const { auth, client, gate } = stack(name);
    const stop = new AbortController();
    serving.set(name, { stop, gate });
    await auth.init();
    for (let round = 1; !stop.signal.aborted; round++) {
      // A call counts from when it was asked for: the gate is closed at `lost`, so none starts later.
      const asked = Date.now();
      try {
        const every = spec.refreshEvery ?? 4;
        if (every > 0 && round % every === 0) await auth.forceRefresh(await auth.accessToken());
        await client.homesData({}, { priority: 'state' });
        say({ type: 'call', account: name, ok: true, asked });
      } catch (error) {
        const kind = isNetatmoError(error) ? error.kind : String(error);
        if (!stop.signal.aborted) say({ type: 'call', account: name, ok: false, kind, asked });
      }
      await sleep(50, undefined, { signal: stop.signal }).catch(() => undefined);
    }
  };
  await coordination.leases.start(spec.accounts, {
    acquired: async (name) => {
      say({ type: 'acquired', account: name });
      void serve(name);
    },
    lost: async (name) => {
      const running = serving.get(name);
      running?.stop.abort();
      running?.gate.close();
      serving.delete(name);
      say({ type: 'lost', account: name });
    },
  });
  say({ type: 'ready' });
  const health = setInterval(() => say({ type: 'health', health: coordination.health() }), 100);
  await new Promise<void>((resolve) =>
    process.once('SIGTERM', () => {
      stopping = true;
      resolve();
    }),
  );
  clearInterval(health);
  if (stopping) await coordination.close();
}

const roles = {
  lock: lockRole,
  refresh: refreshRole,
  budget: budgetRole,
  throttle: throttleRole,
  serve: serveRole,
};
await roles[spec.role]();
if (spec.role !== 'serve') await coordination.close();
say({ type: 'exit' });
process.exit(0);
