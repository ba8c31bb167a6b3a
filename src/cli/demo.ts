/**
 * `netatmo2mqtt demo`: the whole bridge on one machine with nothing installed — the Netatmo
 * simulator, an embedded MQTT broker (unless `--mqtt URL`) and the bridge, in one process.
 * It watches what the bridge publishes and prints what a newcomer wants to see: devices,
 * Home Assistant entities, states, and how much Netatmo quota it spends.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import mqtt from 'mqtt';
import { Bridge } from '../bridge/controller.js';
import { validateConfig } from '../config/index.js';
import { startEmbeddedBroker } from '../mqtt/embedded-broker.js';
import { startSimulator } from '../simulator/index.js';
import { runUntilSignal } from './lifecycle.js';

const USAGE =
  'netatmo2mqtt demo [--mqtt URL] [--scenario fixtures|scale:HOMES,MODULES] [--duration SECONDS] [--base-topic T]';

interface DemoArgs {
  mqttUrl?: string;
  scenario: string;
  durationS?: number;
  baseTopic: string;
}

function parseDemoArgs(argv: string[]): DemoArgs {
  const { values } = parseArgs({
    args: argv,
    options: {
      mqtt: { type: 'string' },
      scenario: { type: 'string', default: 'fixtures' },
      duration: { type: 'string' },
      'base-topic': { type: 'string', default: 'netatmo2mqtt' },
    },
  });
  const args: DemoArgs = { scenario: values.scenario, baseTopic: values['base-topic'] };
  if (values.mqtt !== undefined) args.mqttUrl = values.mqtt;
  if (values.duration !== undefined) {
    const seconds = Number(values.duration);
    if (!Number.isFinite(seconds) || seconds <= 0)
      throw new Error('--duration must be a positive number of seconds');
    args.durationS = seconds;
  }
  return args;
}

/** Counts what arrives under the base topic and the discovery prefix. */
class PublishWatcher {
  readonly states = new Set<string>();
  readonly discovery = new Map<string, number>();
  messages = 0;
  #client: mqtt.MqttClient | undefined;

  async start(url: string, baseTopic: string): Promise<void> {
    this.#client = await mqtt.connectAsync(url, {
      protocolVersion: 4,
      clientId: `netatmo2mqtt_demo_watch_${process.pid}`,
    });
    this.#client.on('message', (topic, payload) => {
      this.messages += 1;
      if (payload.length === 0) return;
      if (topic.startsWith('homeassistant/')) {
        try {
          const config = JSON.parse(payload.toString()) as { cmps?: Record<string, unknown> };
          this.discovery.set(topic, Object.keys(config.cmps ?? {}).length);
        } catch {
          // Not ours to judge here.
        }
      } else if (!topic.startsWith(`${baseTopic}/bridge/`) && !topic.endsWith('/availability')) {
        this.states.add(topic);
      }
    });
    await this.#client.subscribeAsync([`${baseTopic}/#`, 'homeassistant/device/#']);
  }

  entities(): number {
    return [...this.discovery.values()].reduce((a, b) => a + b, 0);
  }

  async close(): Promise<void> {
    await this.#client?.endAsync(true);
  }
}

/** Waits until every planned publisher has answered once (or failed), at most `limitMs`. */
async function firstRound(bridge: Bridge, limitMs: number): Promise<void> {
  const until = Date.now() + limitMs;
  while (Date.now() < until) {
    const publishers = bridge.poller.status().publishers;
    const waiting = publishers.filter((p) => p.lastSuccessAt === null && p.failures === 0);
    if (publishers.length > 1 && waiting.length === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

export async function runDemoCommand(argv: string[]): Promise<number> {
  let args: DemoArgs;
  try {
    args = parseDemoArgs(argv);
  } catch (error) {
    process.stderr.write(`netatmo2mqtt demo: ${(error as Error).message}\nUsage: ${USAGE}\n`);
    return 2;
  }
  const out = (line: string): boolean => process.stdout.write(`${line}\n`);
  // Security devices come alive: an event about once a minute per home with cameras or alarms.
  const simulator = await startSimulator({ scenario: args.scenario, eventGenerator: { everyMs: 60_000 } });
  const broker = args.mqttUrl ? undefined : await startEmbeddedBroker(0);
  const mqttUrl = args.mqttUrl ?? broker!.url;
  const dataDir = await mkdtemp(join(tmpdir(), 'netatmo2mqtt-demo-'));
  const config = validateConfig({
    netatmo: { base_url: simulator.url, refresh_token: simulator.mintTokens().refresh_token },
    mqtt: { url: mqttUrl, base_topic: args.baseTopic, client_id: `netatmo2mqtt_demo_${process.pid}` },
    data_dir: dataDir,
    log_level: 'warning',
    // Port 0: any free port, printed below; loopback only, it is a demo.
    web: { enabled: true, port: 0, host: '127.0.0.1' },
  });
  const watcher = new PublishWatcher();
  await watcher.start(mqttUrl, args.baseTopic);
  const bridge = new Bridge({ config, discoveryScanMs: 500 });

  out('netatmo2mqtt demo');
  out(`  Netatmo simulator  ${simulator.url} (scenario ${args.scenario})`);
  out(`  MQTT broker        ${mqttUrl}${broker ? ' (embedded)' : ''}`);
  out(`  data directory     ${dataDir}`);
  out('');
  await bridge.start();

  const summary = async (): Promise<void> => {
    await bridge.sync.idle();
    const health = bridge.health();
    const devices = bridge.store.devices();
    const kinds = new Map<string, number>();
    for (const d of devices) kinds.set(d.kind, (kinds.get(d.kind) ?? 0) + 1);
    out(`Devices: ${devices.length} (${[...kinds].map(([k, n]) => `${n} ${k}`).join(', ')})`);
    out(`Home Assistant: ${watcher.discovery.size} device configs with ${watcher.entities()} entities`);
    out(`State topics with values: ${watcher.states.size}; MQTT messages seen: ${watcher.messages}`);
    out(
      `Netatmo API: ${health.api.calls.last_hour} calls in the last hour of a budget of ${health.api.budget.per_hour}/h ` +
        `(${Object.entries(health.api.calls.by_endpoint)
          .map(([e, n]) => `${e} ${n}`)
          .join(', ')}); ` +
        `throttled ${health.api.throttle.count} times`,
    );
    if (health.polling.plan) out(`Poll plan: ${health.polling.plan}`);
    out('');
  };

  await firstRound(bridge, 20_000);
  await summary();
  out(`Web UI:    ${bridge.webUrl ?? '(disabled)'}  (status, onboarding; /metrics, /healthz)`);
  out(`Watch it:  mosquitto_sub -L ${mqttUrl}/${args.baseTopic}/# -v`);
  out(`Events:    mosquitto_sub -L ${mqttUrl}/${args.baseTopic}/+/event -v  (about one a minute per home)`);
  out(`Try:       mosquitto_pub -L ${mqttUrl}/${args.baseTopic}/bridge/request/health -m '{}'`);
  out('Stop with Ctrl+C.');

  const stop = async (): Promise<void> => {
    await summary();
    await bridge.stop();
    await watcher.close();
    await broker?.close();
    await simulator.close();
    await rm(dataDir, { recursive: true, force: true });
  };
  if (args.durationS !== undefined) {
    await new Promise((resolve) => setTimeout(resolve, args.durationS! * 1000));
    await stop();
    return 0;
  }
  return runUntilSignal(stop);
}
