/**
 * `netatmo2mqtt demo`: the whole bridge on one machine with nothing installed — the Netatmo
 * simulator, an embedded MQTT broker (unless `--mqtt URL`) and the bridge, in one process.
 * It watches what the bridge publishes and prints what a newcomer wants to see: devices,
 * Home Assistant entities, states, how much Netatmo quota it spends, and what a command does
 * (demo-watch.ts): publish a position to a VELUX opener and its movement is printed.
 */
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { Bridge } from '../bridge/controller.js';
import { validateConfig } from '../config/index.js';
import type { Device } from '../devices/types.js';
import { startEmbeddedBroker } from '../mqtt/embedded-broker.js';
import { allowanceSentence, splitSentence } from '../netatmo/quota-plan.js';
import { startSimulator } from '../simulator/index.js';
import { PublishWatcher } from './demo-watch.js';
import { DEMO_USAGE } from './help.js';
import { runUntilSignal } from './lifecycle.js';
import { processTempDir } from './temp-dir.js';

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

/** A cover that takes positions, a VELUX opener first: what "Move it" moves. */
function positionable(bridge: Bridge): Device | undefined {
  const covers = bridge.store
    .devices()
    .filter((d) => d.capabilities.some((c) => c.key === 'position' && (c.writable?.step ?? 1) < 100));
  return covers.find((d) => d.type === 'NXO') ?? covers[0];
}

export async function runDemoCommand(argv: string[]): Promise<number> {
  let args: DemoArgs;
  try {
    args = parseDemoArgs(argv);
  } catch (error) {
    process.stderr.write(`netatmo2mqtt demo: ${(error as Error).message}\nUsage: ${DEMO_USAGE}\n`);
    return 2;
  }
  const out = (line: string): boolean => process.stdout.write(`${line}\n`);
  // Everything started is stopped in reverse order, however the demo ends.
  const started: Array<() => Promise<void>> = [];
  const stopAll = async (): Promise<void> => {
    for (const stop of started.splice(0).reverse()) await stop().catch(() => {});
  };
  try {
    const dataDir = await processTempDir('netatmo2mqtt-demo-');
    started.push(() => dataDir.remove());
    // Security devices come alive: an event about once a minute per home with cameras or alarms.
    const simulator = await startSimulator({ scenario: args.scenario, eventGenerator: { everyMs: 60_000 } });
    started.push(() => simulator.close());
    const broker = args.mqttUrl ? undefined : await startEmbeddedBroker();
    if (broker) started.push(() => broker.close());
    const mqttUrl = args.mqttUrl ?? broker!.url;
    // A throwaway login for this run's web UI, printed with its address.
    const webPassword = randomBytes(9).toString('base64url');
    const config = validateConfig({
      netatmo: { base_url: simulator.url, refresh_token: simulator.mintTokens().refresh_token },
      mqtt: { url: mqttUrl, base_topic: args.baseTopic, client_id: `netatmo2mqtt_demo_${process.pid}` },
      data_dir: dataDir.path,
      log_level: 'warning',
      // Port 0: any free port, printed below with the login; loopback only, it is a demo.
      web: { enabled: true, port: 0, host: '127.0.0.1', password: webPassword },
    });
    const watcher = new PublishWatcher(args.baseTopic, out);
    await watcher.start(mqttUrl);
    started.push(() => watcher.close());
    const bridge = new Bridge({ config, discoveryScanMs: 500 });
    started.push(() => bridge.stop());
    const profile = config.netatmo.profile;

    out('netatmo2mqtt demo: the bridge on the built-in Netatmo simulator');
    out(`  Netatmo simulator  ${simulator.url} (scenario ${args.scenario})`);
    out(`  MQTT broker        ${mqttUrl}${broker ? ' (embedded)' : ''}`);
    out(`  data directory     ${dataDir.path} (removed when the demo stops)`);
    out(`  Netatmo quota      ${profile}: ${allowanceSentence(profile)}; ${splitSentence(profile)}`);
    out('');
    const startedAt = Date.now();
    await bridge.start();
    out(`Waiting for the first poll of every feed (at most ${FIRST_ROUND_MS / 1000} s)...`);
    await firstRound(bridge, FIRST_ROUND_MS);
    await summary(bridge, watcher, `After the first poll (${seconds(startedAt)} s)`, out);
    out(
      `Web UI:    ${bridge.webUrl ?? '(disabled)'}  (password ${webPassword}; status, Connect Netatmo, rename; /metrics, /healthz)`,
    );
    out(`Watch it:  mosquitto_sub -L ${mqttUrl}/${args.baseTopic}/# -v`);
    out(`Events:    mosquitto_sub -L ${mqttUrl}/${args.baseTopic}/+/event -v  (about one a minute per home)`);
    out(`Try:       mosquitto_pub -L ${mqttUrl}/${args.baseTopic}/bridge/request/health -m '{}'`);
    const opener = positionable(bridge);
    if (opener) {
      // Friendly names may hold spaces: the topic is quoted for the shell.
      const { hostname, port } = new URL(mqttUrl);
      const topic = `${args.baseTopic}/${bridge.names.topicOf(opener)}/set/position`;
      out(`Move it:   mosquitto_pub -h ${hostname} -p ${port} -t '${topic}' -m 40`);
      out(
        `           (${opener.model} "${opener.name}": the command, the answer and its movement are printed)`,
      );
    }
    out('           (mosquitto_sub and mosquitto_pub: Debian/Ubuntu package mosquitto-clients)');
    out(
      args.durationS === undefined
        ? 'Stop with Ctrl+C.'
        : `Stopping by itself in ${args.durationS} s (or Ctrl+C).`,
    );

    const stop = async (): Promise<void> => {
      out('');
      await summary(bridge, watcher, `When stopped (after ${seconds(startedAt)} s)`, out);
      await stopAll();
      out(`Stopped; removed ${dataDir.path}.`);
    };
    return await runUntilSignal(stop, args.durationS === undefined ? {} : { afterMs: args.durationS * 1000 });
  } catch (error) {
    await stopAll();
    throw error;
  }
}

const FIRST_ROUND_MS = 20_000;

function seconds(since: number): string {
  return ((Date.now() - since) / 1000).toFixed(1);
}

/** What the bridge did so far, under a heading that says when. */
async function summary(
  bridge: Bridge,
  watcher: PublishWatcher,
  heading: string,
  out: (line: string) => void,
): Promise<void> {
  await bridge.sync.idle();
  const health = bridge.health();
  const devices = bridge.store.devices();
  const kinds = new Map<string, number>();
  for (const d of devices) kinds.set(d.kind, (kinds.get(d.kind) ?? 0) + 1);
  const byEndpoint = Object.entries(health.api.calls.by_endpoint)
    .map(([e, n]) => `${e} ${n}`)
    .join(', ');
  out(`${heading}:`);
  out(`  Devices: ${devices.length} (${[...kinds].map(([k, n]) => `${n} ${k}`).join(', ')})`);
  out(`  Home Assistant: ${watcher.discovery.size} device configs with ${watcher.entities()} entities`);
  out(`  State topics with values: ${watcher.states.size}; MQTT messages seen: ${watcher.messages}`);
  out(
    `  Netatmo API calls: ${health.api.calls.last_hour} in the last hour of the ${health.api.budget.per_hour}/h planned (${byEndpoint}); throttled ${health.api.throttle.count} times`,
  );
  if (health.polling.plan) out(`  Poll plan: ${health.polling.plan}`);
  out('');
}
