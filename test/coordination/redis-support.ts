/**
 * Redis for the coordination tests: the shared one on 127.0.0.1:6379 (skipped with a message
 * when none answers), a private redis-server on a free port for restarts, and child processes
 * running test/coordination/coord-child.ts.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { Redis } from 'ioredis';
import { afterAll, beforeAll } from 'vitest';
import { PrivateRedis, redisServerMissing } from '../../bench/cluster/redis-server.js';
import { portAnswers } from '../../scripts/lib/broker.js';
import { createCoordination } from '../../src/coordination/index.js';
import { EventBus } from '../../src/events.js';
import type { RunningSimulator } from '../../src/simulator/types.js';
import { systemClock } from '../../src/util/clock.js';
import type { ChildSpec } from './coord-child.js';

export const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379/0';

/** Whether the shared Redis answers; the caller skips its tests with this message when not. */
export async function sharedRedis(): Promise<{ ok: boolean; why: string }> {
  const url = new URL(REDIS_URL);
  const ok = await portAnswers(url.hostname, Number(url.port || 6379));
  if (!ok)
    console.warn(`SKIPPED: no Redis answers at ${REDIS_URL} (set TEST_REDIS_URL); Redis tests skipped`);
  return { ok, why: `no Redis at ${REDIS_URL}` };
}

export const redisServerInstalled = redisServerMissing() === undefined;

/** A redis-server of the test's own without persistence: a restart (SIGKILL) empties it. */
export function ownRedis(): Promise<PrivateRedis> {
  return PrivateRedis.start({ config: ['appendonly no'] });
}

/** A fresh key prefix per test: tests never see each other's keys. */
export function testPrefix(): string {
  return `n2m-test-${randomBytes(4).toString('hex')}`;
}

/** Deletes every key under `prefix`. */
export async function dropPrefix(url: string, prefix: string): Promise<void> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0 });
  try {
    await redis.connect();
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length > 0) await redis.del(...keys);
  } catch {
    // Redis gone: nothing to clean.
  } finally {
    redis.disconnect();
  }
}

export interface ChildEvent {
  type: string;
  at: number;
  process: string;
  [key: string]: unknown;
}

/** One coord-child process; its events as they arrive. */
export class Child {
  readonly events: ChildEvent[] = [];
  readonly process: ChildProcess;
  readonly exited: Promise<void>;
  readonly stderr: string[] = [];

  constructor(script: string, spec: ChildSpec) {
    this.process = spawn(process.execPath, [script, JSON.stringify(spec)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let buffered = '';
    this.process.stdout?.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) {
        if (line.startsWith('{"type"')) this.events.push(JSON.parse(line) as ChildEvent);
        else if (line.trim()) this.stderr.push(`${line}\n`);
      }
    });
    this.process.stderr?.on('data', (chunk: Buffer) => this.stderr.push(chunk.toString()));
    this.exited = new Promise((resolve) => this.process.once('exit', () => resolve()));
  }

  async waitFor(type: string, timeoutMs = 20_000): Promise<ChildEvent> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.events.find((e) => e.type === type);
      if (found) return found;
      if (Date.now() > deadline || this.process.exitCode !== null) {
        throw new Error(`child ${type} not seen; stderr: ${this.stderr.join('').slice(-2000)}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
}

/** Bundles coord-child.ts once (plain node starts much faster than tsx). */
export async function childScript(): Promise<{ script: string; dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'n2m-coord-'));
  const script = join(dir, 'coord-child.mjs');
  await build({
    entryPoints: [join(import.meta.dirname, 'coord-child.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outfile: script,
    banner: {
      js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
    },
    logLevel: 'error',
  });
  return { script, dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/**
 * For a test file: bundles the child before its tests (when Redis answers) and kills what is
 * left of its children after them. `spawn` fills in the data folder, `dir` is a scratch folder.
 */
export function useChildren(enabled: boolean): {
  readonly dir: string;
  spawn(spec: Omit<ChildSpec, 'dataDir'> & { dataDir?: string }): Child;
} {
  let bundle: Awaited<ReturnType<typeof childScript>> | undefined;
  const children: Child[] = [];
  beforeAll(async () => {
    if (enabled) bundle = await childScript();
  }, 60_000);
  afterAll(async () => {
    for (const child of children) child.process.kill('SIGKILL');
    await bundle?.cleanup();
  });
  const ready = (): NonNullable<typeof bundle> => {
    if (!bundle) throw new Error('the child script is not bundled (no Redis?)');
    return bundle;
  };
  return {
    get dir() {
      return ready().dir;
    },
    spawn(spec) {
      const { script, dir } = ready();
      const child = new Child(script, { dataDir: join(dir, spec.keyPrefix, spec.name), ...spec });
      children.push(child);
      return child;
    },
  };
}

/** Stores a fresh simulator pair for each account, as one process would have. */
export async function seedTokens(
  sim: RunningSimulator,
  redisUrl: string,
  keyPrefix: string,
  accounts: readonly string[],
  dir: string,
): Promise<void> {
  const seed = createCoordination(
    { redisUrl, keyPrefix, leaseTtlMs: 1_000, appUsers: accounts.length },
    { clock: systemClock, events: new EventBus() },
  );
  for (const name of accounts) {
    const pair = sim.mintTokens();
    await seed.account({ name, dataDir: join(dir, 'seed', keyPrefix, name) }).tokens.save({
      access_token: pair.access_token,
      refresh_token: pair.refresh_token,
      expires_at: new Date(Date.now() + 3 * 3_600_000).toISOString(),
      obtained_at: new Date().toISOString(),
    });
  }
  await seed.close();
}
