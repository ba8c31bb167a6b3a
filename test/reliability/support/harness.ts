/**
 * The lifecycle the process tests of the reliability suite share. Called at the top of a test
 * file or inside a `describe`, it registers the hooks there: before the tests, the bridge is
 * bundled (processes.ts), a temporary directory is made and (useBridgeSuite) a simulator and a
 * broker start; after them, every bridge process still running is killed, what the test
 * registered with `onClose` runs, retained topics left on the shared broker are cleared, and
 * everything is closed and removed.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { startSimulator } from '../../../src/simulator/index.js';
import type { RunningSimulator, SimulatorOptions } from '../../../src/simulator/types.js';
import { FileTokenStore } from '../../../src/tokens/file-store.js';
import { ScaledClock, systemClock } from '../../../src/util/clock.js';
import { useTestBroker } from '../../support/broker.js';
import { type BridgeProcess, type Bundles, bundleBridge, killAll, spawnBridge } from './processes.js';
import { type BridgeEnvOptions, bridgeEnv, clearRetained, uniqueBaseTopic } from './suite.js';

export interface SuiteBroker {
  readonly url: string;
  close(): Promise<void>;
}

/** The bundled bridge and a temporary directory, for tests that need no simulator or broker. */
export interface BundledBridge {
  readonly bundles: Bundles;
  /** The temporary directory, removed at the end; the default data_dir and working directory. */
  readonly dir: string;
  /** `netatmo2mqtt start`, as users run it. */
  startCli(env: Record<string, string>, cwd?: string): BridgeProcess;
  /** bridge-child.ts: the same bridge on the clock N2M_TEST_CLOCK names (see BridgeSuite.env). */
  startChild(env: Record<string, string>, cwd?: string, nodeArgs?: string[]): BridgeProcess;
  /** Runs at the end, after the processes are killed and before anything else closes. */
  onClose(cleanup: () => void | Promise<void>): void;
}

export interface BridgeSuiteOptions<B extends SuiteBroker> {
  /** Names the temporary directory (`n2m-rel-<name>-…`). */
  name: string;
  /** Simulator options; with `speed` its clock is the suite's. */
  sim?: Omit<SimulatorOptions, 'clock'>;
  /** Simulated time runs this many times faster, for the simulator and every `startChild`. */
  speed?: number;
  /** A private broker; by default the shared test broker. */
  broker?: () => Promise<B>;
}

/** bridgeEnv() without what the suite knows: the simulator, the broker, the directory. */
export type SuiteEnvOptions = Omit<BridgeEnvOptions, 'simUrl' | 'mqttUrl' | 'dataDir'> &
  Partial<Pick<BridgeEnvOptions, 'mqttUrl' | 'dataDir'>>;

export interface BridgeSuite<B extends SuiteBroker> extends BundledBridge {
  readonly sim: RunningSimulator;
  readonly broker: B;
  /** The clock shared with the simulator and bridge-child processes (only with `speed`). */
  readonly clock: ScaledClock;
  /** A base topic of its own; on the shared broker its retained topics are cleared at the end. */
  baseTopic(): string;
  /** NETATMO2MQTT_* for a bridge on this simulator and broker, on the suite's clock with `speed`. */
  env(options: SuiteEnvOptions): Record<string, string>;
  /** Saves a freshly minted pair in `dataDir`, as if an earlier run had stored it. */
  seedToken(dataDir: string): Promise<FileTokenStore>;
}

interface Lifecycle<S> {
  bundled: BundledBridge;
  services(): S;
}

/** One beforeAll and one afterAll, so the order of the end is this function's, not vitest's. */
function lifecycle<S>(
  name: string,
  startServices: () => Promise<S>,
  stopServices: (services: S) => Promise<void>,
): Lifecycle<S> {
  const cleanups: Array<() => void | Promise<void>> = [];
  let started: { bundles: Bundles; dir: string; services: S } | undefined;
  const get = () => {
    if (!started) throw new Error('the reliability suite has not started (used outside a test?)');
    return started;
  };

  beforeAll(async () => {
    const [bundles, dir, services] = await Promise.all([
      bundleBridge(),
      mkdtemp(join(tmpdir(), `n2m-rel-${name}-`)),
      startServices(),
    ]);
    started = { bundles, dir, services };
  });

  afterAll(async () => {
    killAll();
    for (const cleanup of cleanups) await cleanup();
    if (!started) return;
    await stopServices(started.services);
    await started.bundles.dispose();
    await rm(started.dir, { recursive: true, force: true });
  });

  return {
    services: () => get().services,
    bundled: {
      get bundles() {
        return get().bundles;
      },
      get dir() {
        return get().dir;
      },
      startCli: (env, cwd) => spawnBridge(get().bundles.cli, ['start'], env, cwd ?? get().dir),
      startChild: (env, cwd, nodeArgs = []) =>
        spawnBridge(get().bundles.child, [], env, cwd ?? get().dir, nodeArgs),
      onClose(cleanup) {
        cleanups.push(cleanup);
      },
    },
  };
}

export function useBundledBridge(name: string): BundledBridge {
  return lifecycle(
    name,
    async () => undefined,
    async () => {},
  ).bundled;
}

export function useBridgeSuite<B extends SuiteBroker = SuiteBroker>(
  options: BridgeSuiteOptions<B>,
): BridgeSuite<B> {
  const clock = options.speed === undefined ? undefined : new ScaledClock(options.speed);
  // The child reproduces the clock from its speed, its reading and the wall time of that reading.
  const clockSpec = clock && `${options.speed},${clock.now()},${Date.now()}`;
  const sharedBroker = options.broker === undefined;
  const topics: string[] = [];
  const { bundled, services } = lifecycle(
    options.name,
    async () => {
      const [sim, broker] = await Promise.all([
        startSimulator({ ...options.sim, ...(clock ? { clock } : {}) }),
        (options.broker ?? useTestBroker)() as Promise<B>,
      ]);
      return { sim, broker };
    },
    async ({ sim, broker }) => {
      if (sharedBroker && topics.length > 0) await clearRetained(broker.url, topics).catch(() => {});
      await broker.close();
      await sim.close();
    },
  );

  return {
    get bundles() {
      return bundled.bundles;
    },
    get dir() {
      return bundled.dir;
    },
    get sim() {
      return services().sim;
    },
    get broker() {
      return services().broker;
    },
    get clock() {
      if (!clock) throw new Error('this suite runs on the system clock (no speed given)');
      return clock;
    },
    startCli: bundled.startCli,
    startChild: bundled.startChild,
    onClose: bundled.onClose,
    baseTopic() {
      const topic = uniqueBaseTopic();
      topics.push(`${topic}/#`, `ha_${topic}/#`);
      return topic;
    },
    env(o) {
      const { sim, broker } = services();
      return {
        ...bridgeEnv({ simUrl: sim.url, mqttUrl: broker.url, dataDir: bundled.dir, ...o }),
        ...(clockSpec ? { N2M_TEST_CLOCK: clockSpec } : {}),
      };
    },
    async seedToken(dataDir) {
      const now = (clock ?? systemClock).now();
      const pair = services().sim.mintTokens();
      const store = new FileTokenStore(dataDir);
      await store.save({
        access_token: pair.access_token,
        refresh_token: pair.refresh_token,
        expires_at: new Date(now + pair.expires_in * 1000).toISOString(),
        obtained_at: new Date(now).toISOString(),
      });
      return store;
    },
  };
}
