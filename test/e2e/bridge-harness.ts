/**
 * The whole bridge in one test process, from real parts: the simulator over HTTP, a real MQTT
 * broker, the Bridge controller, and a subscriber that records everything the bridge publishes.
 * Each harness uses its own base topic and removes its retained messages when it closes, so
 * tests sharing one Mosquitto never see each other's state.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { Bridge, type BridgeOptions } from '../../src/bridge/controller.js';
import { validateConfig } from '../../src/config/index.js';
import type { BridgeConfig } from '../../src/config/types.js';
import { ENERGY_FEED } from '../../src/energy/energy-feed.js';
import type { PublisherStatus } from '../../src/poller/publisher-state.js';
import { type RunningSimulator, type SimulatorOptions, startSimulator } from '../../src/simulator/index.js';
import { type Clock, ScaledClock, systemClock } from '../../src/util/clock.js';

/**
 * A simulator clock that stands still (timers still run on wall time): simulated values do
 * not drift, so what the bridge publishes can be compared with what the simulator serves, and
 * only the test's own writes change anything.
 */
export const frozenClock = (at = Date.now()): Clock => ({
  now: () => at,
  sleep: (ms, signal) => systemClock.sleep(ms, signal),
  schedule: (ms, fn) => systemClock.schedule(ms, fn),
});

export interface Received {
  topic: string;
  payload: string;
  retain: boolean;
  at: number;
}

/** Records every message under a base topic and a discovery prefix. */
export class Recorder {
  readonly messages: Received[] = [];
  readonly last = new Map<string, Received>();
  readonly #client: mqtt.MqttClient;

  private constructor(client: mqtt.MqttClient) {
    this.#client = client;
    client.on('message', (topic, payload, packet) => {
      const message = { topic, payload: payload.toString(), retain: packet.retain, at: Date.now() };
      this.messages.push(message);
      this.last.set(topic, message);
    });
  }

  static async start(url: string, filters: string[]): Promise<Recorder> {
    const client = await mqtt.connectAsync(url, {
      protocolVersion: 4,
      clientId: `recorder_${randomBytes(4).toString('hex')}`,
    });
    const recorder = new Recorder(client);
    await client.subscribeAsync(filters, { qos: 1 });
    return recorder;
  }

  json<T = Record<string, unknown>>(topic: string): T | undefined {
    const message = this.last.get(topic);
    return message && message.payload.length > 0 ? (JSON.parse(message.payload) as T) : undefined;
  }

  count(topic: string): number {
    return this.messages.filter((m) => m.topic === topic).length;
  }

  topics(prefix: string): string[] {
    return [...this.last.keys()].filter(
      (t) => t.startsWith(prefix) && (this.last.get(t)?.payload.length ?? 0) > 0,
    );
  }

  publish(topic: string, payload: string, retain = false): Promise<unknown> {
    return this.#client.publishAsync(topic, payload, { qos: 1, retain });
  }

  async close(): Promise<void> {
    await this.#client.endAsync(true);
  }
}

export interface HarnessOptions {
  brokerUrl: string;
  scenario?: string;
  clock?: Clock;
  sim?: SimulatorOptions;
  bridge?: Partial<BridgeOptions>;
  profile?: 'own_app' | 'shared_app';
  /** Extra `homeassistant` settings (e.g. a custom status topic). */
  homeassistant?: { status_topic?: string };
  /** Extra `commands` settings (e.g. a small global cap). */
  commands?: { global_cap_per_minute?: number; coalesce_ms?: number; storm_cap_per_minute?: number };
  /** Further configuration sections (each replaces the harness's own: `web`, `webhook`, ...). */
  config?: Record<string, unknown>;
  /** `netatmo` settings added to the harness's (client credentials, ...). */
  netatmo?: Record<string, unknown>;
}

export interface Harness {
  sim: RunningSimulator;
  bridge: Bridge;
  recorder: Recorder;
  baseTopic: string;
  prefix: string;
  dataDir: string;
  /** The bridge's configuration (a second Bridge on it restarts with the same data_dir). */
  config: BridgeConfig;
  /** `<base>/<topic name>` of the device with this id (its friendly name; src/names). */
  deviceTopic(id: string): string;
  /** Resolves once `predicate` holds (checked every 50 ms of wall time); rejects after `ms`. */
  until(predicate: () => boolean, ms?: number, what?: string): Promise<void>;
  /**
   * Resolves once every planned poll has been answered (or refused by Netatmo) once and its
   * results are published; meters of the energy feed are left to energyRound().
   */
  firstRound(ms?: number): Promise<void>;
  /** Resolves once Netatmo has answered (or refused) a read of every meter and boiler of the energy feed. */
  energyRound(ms?: number): Promise<void>;
  /**
   * Resolves once everything the bridge has published so far has reached the recorder: the
   * answer to a bridge request travels behind it on the bridge's one connection.
   */
  flush(ms?: number): Promise<void>;
  close(): Promise<void>;
}

export async function startHarness(options: HarnessOptions): Promise<Harness> {
  const baseTopic = `n2m_${randomBytes(4).toString('hex')}`;
  const prefix = 'homeassistant';
  const sim = await startSimulator({
    scenario: options.scenario ?? 'fixtures',
    clock: options.clock,
    ...options.sim,
  });
  const dataDir = await mkdtemp(join(tmpdir(), 'n2m-e2e-'));
  const recorder = await Recorder.start(options.brokerUrl, [
    `${baseTopic}/#`,
    `${prefix}/device/${baseTopic}/#`,
  ]);
  const config = validateConfig({
    netatmo: {
      base_url: sim.url,
      refresh_token: sim.mintTokens().refresh_token,
      profile: options.profile ?? 'own_app',
      ...options.netatmo,
    },
    mqtt: { url: options.brokerUrl, base_topic: baseTopic, client_id: `bridge_${baseTopic}` },
    data_dir: dataDir,
    log_level: 'warning',
    web: { enabled: false },
    ...(options.homeassistant ? { homeassistant: options.homeassistant } : {}),
    ...(options.commands ? { commands: options.commands } : {}),
    ...options.config,
  });
  const bridge = new Bridge({ config, clock: options.clock, discoveryScanMs: 300, ...options.bridge });
  const until = async (predicate: () => boolean, ms = 15_000, what = 'condition'): Promise<void> => {
    const deadline = Date.now() + ms;
    while (!predicate()) {
      if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  let flushes = 0;
  const flush = async (ms = 10_000): Promise<void> => {
    const transaction = `flush-${++flushes}`;
    const answered = (): boolean =>
      recorder.messages.some(
        (m) => m.topic === `${baseTopic}/bridge/response/health` && m.payload.includes(`"${transaction}"`),
      );
    await recorder.publish(`${baseTopic}/bridge/request/health`, JSON.stringify({ transaction }));
    await until(answered, ms, 'the answer to a bridge request');
  };
  // Netatmo answered it, or refused it: a poll the gate never sent (its deadline passed in the
  // queue, a throttle window) is not an answer; it is tried again later. On a loaded
  // machine a scaled clock turns wall-time stalls into simulated minutes: such drops happen.
  const notSent = new Set(['deadline', 'throttle_window']);
  const answered = (p: PublisherStatus): boolean =>
    p.lastSuccessAt !== null || (p.failures > 0 && !notSent.has(String(p.lastError?.kind)));
  const isMeter = (p: PublisherStatus): boolean => p.id.startsWith(`feed:${ENERGY_FEED}:`);
  const firstRound = async (ms = 20_000): Promise<void> => {
    await until(
      () => {
        // Meters a tight budget reads hourly are spread over that hour: energyRound() waits for them.
        const publishers = bridge.poller.status().publishers.filter((p) => !isMeter(p));
        return publishers.length > 1 && publishers.every(answered);
      },
      ms,
      'the first round of polls',
    );
    await bridge.sync.idle();
    await flush();
  };
  const energyRound = async (ms = 20_000): Promise<void> => {
    await until(
      () => {
        const status = bridge.poller.status();
        return status.plan !== null && status.publishers.filter(isMeter).every(answered);
      },
      ms,
      'a first read of every meter',
    );
    await bridge.sync.idle();
    await flush();
  };
  return {
    sim,
    bridge,
    recorder,
    baseTopic,
    prefix,
    dataDir,
    config,
    deviceTopic: (id) => {
      const device = bridge.store.device(id);
      if (!device) throw new Error(`no device ${id}`);
      return `${baseTopic}/${bridge.names.topicOf(device)}`;
    },
    until,
    firstRound,
    energyRound,
    flush,
    close: async () => {
      await bridge.stop().catch(() => {});
      // Leave the shared broker as we found it: clear every retained topic this test created.
      // (Live deliveries carry retain=0, so every topic seen is cleared; clearing a topic that
      // holds nothing retained is a no-op.)
      for (const topic of recorder.topics('')) await recorder.publish(topic, '', true);
      await recorder.close();
      await sim.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * The fixtures scenario with the bridge 10× faster than wall time and the simulator's values
 * standing still (not started yet: a test may prepare data_dir or the broker first).
 */
export function startFrozenHarness(brokerUrl: string): Promise<Harness> {
  return startHarness({ brokerUrl, clock: new ScaledClock(10), sim: { clock: frozenClock() } });
}
