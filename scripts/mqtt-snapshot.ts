/**
 * The retained MQTT output of a simulator scenario, as one sorted JSON document: every retained
 * topic the bridge leaves on the broker after its first round of polls, with its payload.
 *
 *   tsx scripts/mqtt-snapshot.ts [--scenario fixtures] [--out FILE]
 *   tsx scripts/mqtt-snapshot.ts --diff BEFORE.json AFTER.json
 *
 * The simulator's clock stands still at a fixed instant and the bridge runs on an embedded
 * broker with base topic `netatmo2mqtt`, so two runs of the same code give the same document;
 * what differs between two commits is what the change did to the MQTT contract. Values that
 * depend on the run (the temporary data_dir, uptime) are replaced by placeholders.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Bridge } from '../src/bridge/controller.js';
import { validateConfig } from '../src/config/index.js';
import { setLogLevel } from '../src/log.js';
import { startEmbeddedBroker } from '../src/mqtt/embedded-broker.js';
import { startSimulator } from '../src/simulator/index.js';
import { type Clock, ScaledClock, systemClock } from '../src/util/clock.js';
import { readRetained } from './lib/retained.js';

/** 2026-01-01T12:00:00Z: a fixed simulated instant keeps every derived timestamp stable. */
const FROZEN_AT = Date.UTC(2026, 0, 1, 12, 0, 0);
const BASE_TOPIC = 'netatmo2mqtt';

export type Snapshot = Record<string, unknown>;

export const frozen: Clock = {
  now: () => FROZEN_AT,
  sleep: (ms, signal) => systemClock.sleep(ms, signal),
  schedule: (ms, fn) => systemClock.schedule(ms, fn),
};

/**
 * `text` with each of this run's own values (temporary paths, URLs: `{value: placeholder}`)
 * replaced, and the simulator's camera and picture URLs, capability URLs random per run by design.
 */
export function withoutRunValues(text: string, runValues: Readonly<Record<string, string>>): string {
  let out = text;
  for (const [value, placeholder] of Object.entries(runValues)) out = out.split(value).join(placeholder);
  return out
    .replace(/\/__sim\/cameras\/[0-9a-f]{32}/g, '/__sim/cameras/<camera>')
    .replace(/\/__sim\/snapshots\/[0-9a-f]+\.jpg/g, '/__sim/snapshots/<picture>.jpg');
}

export function parsePayload(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

export async function captureSnapshot(scenario: string): Promise<Snapshot> {
  setLogLevel('error');
  const broker = await startEmbeddedBroker();
  const sim = await startSimulator({ scenario, clock: frozen });
  const dataDir = await mkdtemp(join(tmpdir(), 'n2m-snapshot-'));
  const bridge = new Bridge({
    config: validateConfig({
      netatmo: { base_url: sim.url, refresh_token: sim.mintTokens().refresh_token },
      mqtt: { url: broker.url, base_topic: BASE_TOPIC },
      data_dir: dataDir,
      log_level: 'error',
      web: { enabled: false },
    }),
    // The bridge's own timers run 10× faster (the first round takes 2 s, not 20 s) from the
    // simulator's instant (a meter's first read asks from that day's midnight); the simulator's
    // frozen clock keeps what it serves the same.
    clock: new ScaledClock(10, FROZEN_AT),
    discoveryScanMs: 200,
  });
  try {
    await bridge.start();
    const deadline = Date.now() + 30_000;
    for (;;) {
      const publishers = bridge.poller.status().publishers;
      if (publishers.length > 1 && publishers.every((p) => p.lastSuccessAt !== null || p.failures > 0)) break;
      if (Date.now() > deadline) throw new Error('the first round of polls did not finish within 30 s');
      await new Promise((r) => setTimeout(r, 50));
    }
    await bridge.sync.idle();
    await new Promise((r) => setTimeout(r, 300));
    // A fresh subscriber sees exactly what is retained: what Home Assistant finds when it starts.
    const retained = await readRetained(broker.url, [`${BASE_TOPIC}/#`, 'homeassistant/#'], 'n2m_snapshot');
    const out: Snapshot = {};
    for (const topic of [...retained.keys()].sort()) {
      const text = withoutRunValues(retained.get(topic)!, {
        [dataDir]: '<data_dir>',
        [sim.url]: '<simulator>',
        [broker.url]: '<broker>',
      });
      const value = parsePayload(text);
      if (topic === `${BASE_TOPIC}/bridge/health`) continue; // counters of this run
      out[topic] = value;
    }
    return out;
  } finally {
    await bridge.stop().catch(() => {});
    await sim.close();
    await broker.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}

/** Lines describing what differs between two snapshots (empty when identical). */
export function diffSnapshots(before: Snapshot, after: Snapshot): string[] {
  const lines: string[] = [];
  const topics = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
  for (const topic of topics) {
    const a = before[topic];
    const b = after[topic];
    if (a === undefined) lines.push(`+ ${topic}: ${JSON.stringify(b)}`);
    else if (b === undefined) lines.push(`- ${topic}: ${JSON.stringify(a)}`);
    else diffValue(topic, a, b, lines);
  }
  return lines;
}

function diffValue(path: string, a: unknown, b: unknown, lines: string[]): void {
  const isObject = (v: unknown): v is Record<string, unknown> =>
    typeof v === 'object' && v !== null && !Array.isArray(v);
  if (isObject(a) && isObject(b)) {
    for (const key of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort())
      diffValue(`${path}.${key}`, a[key], b[key], lines);
    return;
  }
  if (JSON.stringify(a) === JSON.stringify(b)) return;
  if (a === undefined) lines.push(`+ ${path}: ${JSON.stringify(b)}`);
  else if (b === undefined) lines.push(`- ${path}: ${JSON.stringify(a)}`);
  else lines.push(`~ ${path}: ${JSON.stringify(a)} → ${JSON.stringify(b)}`);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      scenario: { type: 'string', default: 'fixtures' },
      out: { type: 'string' },
      diff: { type: 'string', multiple: true },
    },
    allowPositionals: true,
  });
  if (values.diff) {
    const [beforeFile, afterFile] = values.diff.length === 2 ? values.diff : [values.diff[0], undefined];
    if (!beforeFile) throw new Error('--diff BEFORE.json [--diff AFTER.json]');
    const before = JSON.parse(await readFile(beforeFile, 'utf8')) as Snapshot;
    const after = afterFile
      ? (JSON.parse(await readFile(afterFile, 'utf8')) as Snapshot)
      : await captureSnapshot(values.scenario);
    const lines = diffSnapshots(before, after);
    process.stdout.write(lines.length === 0 ? 'identical\n' : `${lines.join('\n')}\n`);
    return;
  }
  const snapshot = await captureSnapshot(values.scenario);
  const text = `${JSON.stringify(snapshot, null, 1)}\n`;
  if (values.out) await writeFile(values.out, text);
  else process.stdout.write(text);
  process.stderr.write(`${Object.keys(snapshot).length} retained topics\n`);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().then(
    () => process.exit(0),
    (error: unknown) => {
      process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
      process.exit(1);
    },
  );
}
