/**
 * Shared pieces of the reliability suite: the short/full switch, the figures each test
 * reports to `npm run reliability`, an MQTT watcher, and the environment of a bridge process.
 */
import { randomBytes } from 'node:crypto';
import { appendFileSync } from 'node:fs';
import mqtt from 'mqtt';
import type { RunningSimulator } from '../../../src/simulator/types.js';

/** `npm run reliability` sets N2M_RELIABILITY=full: longer outages, more kills, more fuzz. */
export const FULL = process.env.N2M_RELIABILITY === 'full';

/** The CI value or the full run's. */
export function size<T>(ci: T, full: T): T {
  return FULL ? full : ci;
}

/** The figures the runner's table adds up; each test reports what it measured. */
export interface Figures {
  faults_injected?: number;
  faults_survived?: number;
  restarts?: number;
  lockouts?: number;
  commands_sent?: number;
  commands_executed?: number;
  commands_duplicated?: number;
  commands_lost?: number;
  fuzz_inputs?: number;
  crashes?: number;
  corrupt_files?: number;
  secrets_leaked?: number;
  /** Distinct secret values searched for in everything collected. */
  secrets_checked?: number;
  /** token.json / state.json not 0600, or data_dir not 0700. */
  files_not_private?: number;
  /** Heap after GC at the end of the fuzz run minus at warm-up (bytes; flat is near 0). */
  heap_growth_bytes?: number;
  peak_rss_bytes?: number;
  /** Unauthenticated and cross-site attempts against the standalone web UI. */
  web_attacks?: number;
  /** Of those, attempts the UI did not refuse (or whose effect reached the bridge). */
  web_attacks_accepted?: number;
  /** Free text for the report (e.g. each lockout's cause). */
  notes?: string[];
}

export function recordFigures(test: string, figures: Figures): void {
  process.stderr.write(`[reliability] ${test}: ${JSON.stringify(figures)}\n`);
  const file = process.env.N2M_RELIABILITY_FIGURES;
  if (file) appendFileSync(file, `${JSON.stringify({ test, ...figures })}\n`);
}

export async function waitUntil(
  what: string,
  predicate: () => boolean | Promise<boolean>,
  ms = 15_000,
): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Until the simulator has answered a homestatus: the bridge has read device states once. */
export function firstHomeStatus(sim: RunningSimulator, ms = 20_000): Promise<void> {
  return waitUntil('first homestatus', () => (sim.stats().requests.homestatus ?? 0) > 0, ms);
}

export function uniqueBaseTopic(): string {
  return `n2mrel_${randomBytes(4).toString('hex')}`;
}

export interface Message {
  topic: string;
  payload: Buffer;
  retain: boolean;
}

/** A subscriber that keeps every message (and the last per topic). */
export class MqttWatcher {
  readonly messages: Message[] = [];
  readonly last = new Map<string, Message>();
  readonly client: mqtt.MqttClient;

  private constructor(client: mqtt.MqttClient) {
    this.client = client;
    client.on('message', (topic, payload, packet) => {
      const message = { topic, payload, retain: packet.retain };
      this.messages.push(message);
      this.last.set(topic, message);
    });
  }

  static async start(
    url: string,
    filters: string[],
    options: mqtt.IClientOptions = {},
  ): Promise<MqttWatcher> {
    const client = await mqtt.connectAsync(url, {
      protocolVersion: 4,
      clientId: `watcher_${randomBytes(4).toString('hex')}`,
      reconnectPeriod: 0,
      ...options,
    });
    const watcher = new MqttWatcher(client);
    if (filters.length > 0) await client.subscribeAsync(filters, { qos: 1 });
    return watcher;
  }

  text(topic: string): string | undefined {
    return this.last.get(topic)?.payload.toString();
  }

  json(topic: string): unknown {
    const text = this.text(topic);
    return text ? (JSON.parse(text) as unknown) : undefined;
  }

  /** Topics whose last message is non-empty and starts with `prefix`. */
  topics(prefix = ''): string[] {
    return [...this.last.entries()]
      .filter(([t, m]) => t.startsWith(prefix) && m.payload.length > 0)
      .map(([t]) => t);
  }

  #barriers = 0;

  /**
   * Until the bridge under `baseTopic` answers a bridge request sent now: it is subscribed, and
   * has handled (and published for) every message it received before. Needs `<base>/bridge/#`.
   */
  async bridgeAnswers(baseTopic: string, ms = 20_000): Promise<void> {
    const transaction = `barrier-${++this.#barriers}`;
    const answer = `${baseTopic}/bridge/response/health`;
    await this.client.publishAsync(`${baseTopic}/bridge/request/health`, JSON.stringify({ transaction }), {
      qos: 1,
    });
    await waitUntil(
      'the answer to a bridge request',
      () => this.messages.some((m) => m.topic === answer && m.payload.includes(`"${transaction}"`)),
      ms,
    );
  }

  async close(): Promise<void> {
    await this.client.endAsync(true);
  }
}

/** Clears every retained topic under the filters (tests share one Mosquitto). */
export async function clearRetained(url: string, filters: string[]): Promise<void> {
  const sweeper = await MqttWatcher.start(url, filters);
  await sleep(300);
  for (const message of sweeper.last.values()) {
    if (message.retain && message.payload.length > 0)
      await sweeper.client.publishAsync(message.topic, '', { retain: true, qos: 1 });
  }
  await sweeper.close();
}

export interface BridgeEnvOptions {
  simUrl: string;
  refreshToken?: string;
  mqttUrl: string;
  baseTopic: string;
  dataDir: string;
  logLevel?: 'error' | 'warning' | 'info' | 'debug';
  extra?: Record<string, string>;
}

/** NETATMO2MQTT_* variables for a bridge process (web UI off). */
export function bridgeEnv(o: BridgeEnvOptions): Record<string, string> {
  return {
    NETATMO2MQTT_NETATMO_BASE_URL: o.simUrl,
    ...(o.refreshToken ? { NETATMO2MQTT_NETATMO_REFRESH_TOKEN: o.refreshToken } : {}),
    NETATMO2MQTT_MQTT_URL: o.mqttUrl,
    NETATMO2MQTT_MQTT_BASE_TOPIC: o.baseTopic,
    NETATMO2MQTT_MQTT_CLIENT_ID: `bridge_${o.baseTopic}`,
    NETATMO2MQTT_HOMEASSISTANT_DISCOVERY_PREFIX: `ha_${o.baseTopic}`,
    NETATMO2MQTT_DATA_DIR: o.dataDir,
    NETATMO2MQTT_LOG_LEVEL: o.logLevel ?? 'info',
    NETATMO2MQTT_WEB_ENABLED: 'false',
    ...o.extra,
  };
}
