/**
 * The Bridge controller in the test process on a ScaledClock shared with the simulator, for
 * fault scenarios that need simulated minutes (backoff, availability, token expiry) in seconds.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { Bridge } from '../../../src/bridge/controller.js';
import { validateConfig } from '../../../src/config/index.js';
import { setLogLevel } from '../../../src/log.js';
import { startSimulator } from '../../../src/simulator/index.js';
import type { RunningSimulator, SimulatorOptions } from '../../../src/simulator/types.js';
import { ScaledClock } from '../../../src/util/clock.js';
import { type TestBroker, useTestBroker } from '../../support/broker.js';
import { clearRetained, MqttWatcher, sleep, uniqueBaseTopic } from './suite.js';

export interface ScaledBridge {
  sim: RunningSimulator;
  bridge: Bridge;
  clock: ScaledClock;
  watcher: MqttWatcher;
  baseTopic: string;
  dataDir: string;
  /** Waits `ms` of simulated time. */
  simSleep(ms: number): Promise<void>;
  /** Ids of the devices whose last availability is `online` / `offline`. */
  availability(state: 'online' | 'offline'): string[];
  close(): Promise<void>;
}

async function startScaledBridge(options: {
  brokerUrl: string;
  speed: number;
  sim?: SimulatorOptions;
}): Promise<ScaledBridge> {
  const clock = new ScaledClock(options.speed);
  const sim = await startSimulator({ clock, ...options.sim });
  const baseTopic = uniqueBaseTopic();
  const prefix = `ha_${baseTopic}`;
  const dataDir = await mkdtemp(join(tmpdir(), 'n2m-rel-scaled-'));
  const watcher = await MqttWatcher.start(options.brokerUrl, [`${baseTopic}/#`]);
  const config = validateConfig({
    netatmo: { base_url: sim.url, refresh_token: sim.mintTokens().refresh_token, request_timeout_ms: 1000 },
    mqtt: { url: options.brokerUrl, base_topic: baseTopic, client_id: `bridge_${baseTopic}` },
    homeassistant: { discovery_prefix: prefix },
    data_dir: dataDir,
    log_level: 'error',
    web: { enabled: false },
  });
  setLogLevel('error');
  const bridge = new Bridge({ config, clock, discoveryScanMs: 300 });
  await bridge.start();
  const availability = (state: 'online' | 'offline'): string[] =>
    [...watcher.last.entries()]
      .filter(([t, m]) => t.endsWith('/availability') && m.payload.toString() === JSON.stringify({ state }))
      .map(([t]) => {
        // The topic names the device by its friendly name: back to its id.
        const name = t.slice(baseTopic.length + 1, -'/availability'.length);
        return bridge.names.resolve(name)?.id ?? name;
      });
  return {
    sim,
    bridge,
    clock,
    watcher,
    baseTopic,
    dataDir,
    simSleep: (ms) => sleep(ms / options.speed),
    availability,
    close: async () => {
      await bridge.stop().catch(() => {});
      await watcher.close();
      await clearRetained(options.brokerUrl, [`${baseTopic}/#`, `${prefix}/#`]).catch(() => {});
      await sim.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * A ScaledBridge on the shared test broker for every test of the calling file or describe:
 * started before them, closed after them. The handle reads the running bridge lazily.
 */
export function useScaledBridge(options: { speed: number; sim?: SimulatorOptions }): ScaledBridge {
  let broker: TestBroker | undefined;
  let run: ScaledBridge | undefined;
  beforeAll(async () => {
    broker = await useTestBroker();
    run = await startScaledBridge({ brokerUrl: broker.url, ...options });
  });
  afterAll(async () => {
    await run?.close();
    await broker?.close();
  });
  const get = (): ScaledBridge => {
    if (!run) throw new Error('the scaled bridge has not started (used outside a test?)');
    return run;
  };
  return {
    get sim() {
      return get().sim;
    },
    get bridge() {
      return get().bridge;
    },
    get clock() {
      return get().clock;
    },
    get watcher() {
      return get().watcher;
    },
    get baseTopic() {
      return get().baseTopic;
    },
    get dataDir() {
      return get().dataDir;
    },
    simSleep: (ms) => get().simSleep(ms),
    availability: (state) => get().availability(state),
    close: () => get().close(),
  };
}

/** The largest number of log entries in any sliding window of `windowMs` (simulated time). */
export function peakInWindow(times: number[], windowMs: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let peak = 0;
  let start = 0;
  for (let end = 0; end < sorted.length; end++) {
    while ((sorted[end] ?? 0) - (sorted[start] ?? 0) >= windowMs) start++;
    peak = Math.max(peak, end - start + 1);
  }
  return peak;
}
