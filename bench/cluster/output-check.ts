/**
 * Does a cluster publish what one bridge would? The simulator's world stands still (its clock
 * frozen, as scripts/mqtt-snapshot.ts does it) so that two runs can be compared value for
 * value; the bridges' own timers run on a scaled clock from now (the leases' wall time and the
 * budgets' clock time then stay close, as in production). The cluster runs
 * until its output settles, loses one process to SIGKILL, settles again with that process's
 * accounts taken over, and its retained output is read. Then one process with the same
 * configuration owns every account, and its output is read the same way: the two must be equal
 * (their run values and volatile fields aside, see retained.ts).
 */
import { join } from 'node:path';
import { readRetained } from '../../scripts/lib/retained.js';
import { diffSnapshots, frozen, type Snapshot } from '../../scripts/mqtt-snapshot.js';
import { startSimulator } from '../../src/simulator/index.js';
import { ScaledClock } from '../../src/util/clock.js';
import { Cluster } from './cluster.js';
import type { PrivateRedis } from './redis-server.js';
import { clearRetained, comparableOutput } from './retained.js';
import { clusterConfig, mintAccounts } from './setup.js';

/** Nothing is throttled while the world stands still (its windows would never slide). */
const UNLIMITED = 1_000_000;
const SETTLE_TIMEOUT_MS = 180_000;
const SOLO = 'n2m-solo';

export interface OutputCheckResult {
  accounts: number;
  processes: number;
  /** Retained topics one bridge leaves (health counters aside). */
  topics: number;
  /** What differs between the cluster (after the kill) and one bridge: empty when equal. */
  differences: string[];
  /** The process killed, and how many accounts it owned. */
  killed: string;
  killedAccounts: number;
  /** RSS of the one process that owns every account, once its output settled (MB). */
  soloRssMb: number;
  wallSeconds: number;
}

export interface OutputCheckInput {
  accounts: number;
  processes: number;
  scenario: string;
  speed: number;
  leaseTtlS: number;
  mqttUrl: string;
  redis: PrivateRedis;
  dir: string;
  tag: string;
  log?: (line: string) => void;
}

export async function checkClusterOutput(input: OutputCheckInput): Promise<OutputCheckResult> {
  const wallStart = Date.now();
  const sim = await startSimulator({
    scenario: input.scenario,
    users: input.accounts,
    clock: frozen,
    limits: { userPer10s: UNLIMITED, userPerHour: UNLIMITED, appPer10s: UNLIMITED, appPerHour: UNLIMITED },
  });
  const seen = new Set<string>();
  const accounts = mintAccounts(sim, input.accounts);
  const names = accounts.entries.map((a) => a.name);
  const config = clusterConfig({
    simUrl: sim.url,
    mqttUrl: input.mqttUrl,
    redisUrl: input.redis.url,
    tag: input.tag,
    accounts: accounts.entries,
    leaseTtlS: input.leaseTtlS,
  });
  const processNames = Array.from({ length: input.processes }, (_, i) => `n2m-proc-${i + 1}`);
  const runValues: Record<string, string> = {
    [join(input.dir, 'cluster')]: '<dir>',
    [join(input.dir, 'solo')]: '<dir>',
    [sim.url]: '<simulator>',
    [input.mqttUrl]: '<broker>',
    [`ha_${input.tag}`]: '<discovery>',
    [input.tag]: '<base>',
    ...Object.fromEntries([...processNames, SOLO].map((n) => [n, '<process>'])),
  };
  const read = async (): Promise<Reading> => {
    const filters = [`${input.tag}/#`, `ha_${input.tag}/#`];
    const retained = await readRetained(input.mqttUrl, filters, `${input.tag}_out`, 500);
    for (const topic of retained.keys()) seen.add(topic);
    return {
      output: comparableOutput(retained, runValues, (topic) => topic.endsWith('/bridge/health')),
      waiting: names.filter((name) => !polledOnce(retained.get(`${input.tag}/${name}/bridge/health`))),
    };
  };
  const clock = new ScaledClock(input.speed);
  const cluster = await Cluster.create(join(input.dir, 'cluster'), config, clock);
  const solo = await Cluster.create(join(input.dir, 'solo'), config, clock);
  const say = input.log ?? (() => {});
  try {
    for (const name of processNames) await cluster.start(name);
    await settled(read, names, cluster);
    const victim = await cluster.killBusiest();
    say(`output check: cluster settled; killed ${victim.name} (${victim.accounts.length} accounts)`);
    await settled(read, names, cluster, () => takenOver(cluster, victim.accounts, victim.name));
    const together = (await read()).output;
    say(`output check: cluster settled again (${Object.keys(together).length} topics); one process …`);
    await cluster.stop();
    await clearRetained(input.mqttUrl, seen, `${input.tag}_clear`);

    const one = await solo.start(SOLO);
    await settled(read, names, solo);
    const rss = (await one.sample()).rssBytes;
    const alone = (await read()).output;
    return {
      accounts: input.accounts,
      processes: input.processes,
      topics: Object.keys(alone).length,
      differences: diffSnapshots(alone, together),
      killed: victim.name,
      killedAccounts: victim.accounts.length,
      soloRssMb: rss / 2 ** 20,
      wallSeconds: (Date.now() - wallStart) / 1000,
    };
  } finally {
    await cluster.kill();
    await solo.kill();
    await clearRetained(input.mqttUrl, seen, `${input.tag}_clear`).catch(() => {});
    await sim.close();
  }
}

/** Every one of `accounts` is claimed by a running process other than `from`. */
async function takenOver(cluster: Cluster, accounts: readonly string[], from: string): Promise<boolean> {
  const claimed = new Set<string>();
  for (const proc of cluster.processes.values()) {
    if (proc.name === from || !proc.running) continue;
    for (const a of await proc.owned()) claimed.add(a);
  }
  return accounts.every((a) => claimed.has(a));
}

interface Reading {
  output: Snapshot;
  /** Accounts whose poller has not yet read each of its feeds (energy aside) once, or failed trying. */
  waiting: string[];
}

interface PublisherHealth {
  id: string;
  last_success?: string;
  failures: number;
}

/**
 * From `<base>/<account>/bridge/health`: each poll publisher succeeded or failed once, energy
 * meters aside. On a small share of the app an account reads its meters hours apart, and which
 * meters the plan holds changes as it goes; the frozen world has no new measurement to give
 * them, so their reads leave the output as it was (it is compared in full all the same).
 */
function polledOnce(health: string | undefined): boolean {
  if (health === undefined) return false;
  const { polling } = JSON.parse(health) as { polling?: { publishers?: PublisherHealth[] } };
  const publishers = (polling?.publishers ?? []).filter((p) => !p.id.startsWith('feed:energy:'));
  return publishers.length > 1 && publishers.every((p) => p.last_success !== undefined || p.failures > 0);
}

/**
 * Waits until every account is online, each poller has read all its feeds once, `extra`
 * holds, and two reads a second apart are equal.
 */
async function settled(
  read: () => Promise<Reading>,
  accounts: readonly string[],
  cluster: Cluster,
  extra: () => Promise<boolean> = async () => true,
): Promise<void> {
  const deadline = Date.now() + SETTLE_TIMEOUT_MS;
  let previous = '';
  for (;;) {
    const { output, waiting } = await read();
    const text = JSON.stringify(output);
    const offline = accounts.filter(
      (a) => (output[`<base>/${a}/bridge/state`] as { state?: string } | undefined)?.state !== 'online',
    );
    const stable = text === previous;
    const moved = await extra();
    if (offline.length === 0 && waiting.length === 0 && stable && moved) return;
    previous = text;
    if (Date.now() > deadline) {
      const logs = [...cluster.processes.values()].map((p) => `--- ${p.name}\n${p.output}`).join('\n');
      throw new Error(
        `the output did not settle within ${SETTLE_TIMEOUT_MS / 1000} s: not online ${offline.join(' ')}; ` +
          `feeds not all read ${waiting.join(' ')}; changing ${!stable}; accounts not moved ${!moved}\n${logs}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 1_000));
  }
}
