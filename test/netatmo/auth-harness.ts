/**
 * Shared set-up for the auth/session tests: a simulator on port 0 driven by a JumpClock,
 * a temp data_dir with a FileTokenStore that records every saved pair, and a capture of
 * all logger output at debug level (to prove no secret is ever logged).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, afterEach } from 'vitest';
import winston from 'winston';
import { EventBus } from '../../src/events.js';
import { logger } from '../../src/log.js';
import { NetatmoAuth, type NetatmoAuthOptions } from '../../src/netatmo/auth.js';
import { startSimulator } from '../../src/simulator/index.js';
import type { RunningSimulator, SimulatorOptions, TokenPair } from '../../src/simulator/types.js';
import { FileTokenStore } from '../../src/tokens/file-store.js';
import type { StoredToken } from '../../src/tokens/stored-token.js';
import { JumpClock } from './jump-clock.js';

export const CLIENT_ID = 'test-client-id';
export const CLIENT_SECRET = 'test-client-secret-9f8e7d6c';

export class RecordingStore extends FileTokenStore {
  readonly saved: StoredToken[] = [];
  override async save(token: StoredToken): Promise<void> {
    await super.save(token);
    this.saved.push(token);
  }
}

export interface Harness {
  sim: RunningSimulator;
  clock: JumpClock;
  dataDir: string;
  store: RecordingStore;
  events: EventBus;
  /** Every token value the test saw (minted or saved), for the log check. */
  secrets: Set<string>;
  auth(options?: Partial<NetatmoAuthOptions>): NetatmoAuth;
  /** Writes a freshly minted pair into the store, as if a previous run had saved it. */
  seedStore(pair?: TokenPair, expiresAt?: number): Promise<StoredToken>;
  mint(): TokenPair;
  close(): Promise<void>;
}

export async function startHarness(options: SimulatorOptions = {}, speed = 1): Promise<Harness> {
  const clock = new JumpClock(speed);
  const sim = await startSimulator({
    clock,
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    ...options,
  });
  const dataDir = await mkdtemp(join(tmpdir(), 'n2m-auth-'));
  const store = new RecordingStore(dataDir);
  const events = new EventBus();
  const secrets = new Set<string>([CLIENT_SECRET]);
  const mint = (): TokenPair => {
    const pair = sim.mintTokens();
    secrets.add(pair.access_token);
    secrets.add(pair.refresh_token);
    return pair;
  };
  return {
    sim,
    clock,
    dataDir,
    store,
    events,
    secrets,
    mint,
    auth: (extra = {}) =>
      new NetatmoAuth({
        clientId: CLIENT_ID,
        clientSecret: CLIENT_SECRET,
        baseUrl: sim.url,
        store,
        clock,
        events,
        ...extra,
      }),
    seedStore: async (pair = mint(), expiresAt = clock.now() + pair.expires_in * 1000) => {
      const token: StoredToken = {
        access_token: pair.access_token,
        refresh_token: pair.refresh_token,
        expires_at: new Date(expiresAt).toISOString(),
        obtained_at: new Date(clock.now()).toISOString(),
      };
      await new FileTokenStore(dataDir).save(token);
      return token;
    },
    close: async () => {
      for (const token of store.saved) {
        secrets.add(token.access_token);
        secrets.add(token.refresh_token);
      }
      await sim.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** Adds a debug-level capture to the bridge logger; returns its lines and a function to remove it. */
export function captureLogs(): { lines: string[]; stop: () => void } {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString('utf8'));
      done();
    },
  });
  const transport = new winston.transports.Stream({ stream: sink, level: 'debug' });
  const previous = logger.level;
  // The console stays quiet while debug lines are captured (they are asserted, not read).
  const muted = logger.transports.filter((t) => !t.silent);
  for (const t of muted) t.silent = true;
  logger.level = 'debug';
  logger.add(transport);
  return {
    lines,
    stop: () => {
      logger.remove(transport);
      for (const t of muted) t.silent = false;
      logger.level = previous;
    },
  };
}

/** Asserts helper: the lines that contain any of the secrets (should be none). */
export function leakedLines(lines: string[], secrets: Iterable<string>): string[] {
  const values = [...secrets].filter((s) => s.length >= 6);
  return lines.filter(
    (line) => values.some((s) => line.includes(s)) || /Bearer\s+(?!\[REDACTED\])\S/.test(line),
  );
}

/**
 * Per-file bookkeeping for harness-based tests: captures the logger's output for the whole file,
 * closes the harness a test adopted after it, and remembers every secret it saw, so the file's
 * last test can grep the captured logs for all of them.
 */
export function harnessLifecycle(): {
  adopt(h: Harness): Harness;
  logs: { lines: string[] };
  allSecrets: Set<string>;
} {
  const logs = captureLogs();
  const allSecrets = new Set<string>();
  let current: Harness | undefined;
  afterEach(async () => {
    if (!current) return;
    for (const s of current.secrets) allSecrets.add(s);
    await current.close();
    current = undefined;
  });
  afterAll(() => logs.stop());
  return {
    adopt: (h) => {
      current = h;
      return h;
    },
    logs,
    allSecrets,
  };
}
