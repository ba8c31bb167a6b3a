/**
 * `npm run bench`: every scenario against the simulator and a real broker, then a markdown
 * table on stdout and bench/results/latest.json plus a dated copy. `--smoke` runs a short
 * version (correctness, not figures) for CI.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { availableParallelism, platform, release } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brokerAddress, useSharedBroker } from '../scripts/lib/broker.js';
import { setLogLevel } from '../src/log.js';
import { ScaledClock } from '../src/util/clock.js';
import { redisServerMissing } from './cluster/redis-server.js';
import { clusterSection } from './cluster/report.js';
import { type ClusterPlan, type ClusterResult, runClusterScenario } from './cluster/scenario.js';
import { type EnergyResult, type EnergyTiming, runEnergyScenario } from './energy/scenario.js';
import { type FootprintResult, type FootprintTiming, runFootprintScenario } from './footprint/scenario.js';
import type { FreshnessTiming, Strategy } from './freshness/run-strategy.js';
import { type FreshnessResult, runFreshnessScenario } from './freshness/scenario.js';
import { type LatencyResult, runLatencyScenario } from './latency/scenario.js';
import type { Profile } from './lib/setup.js';
import { type BenchResults, renderReport } from './report.js';
import {
  runSecurityScenario,
  type SecurityMode,
  type SecurityRun,
  type SecurityTiming,
} from './security/scenario.js';
import { runThrottleScenario, THROTTLE_STRATEGIES, type ThrottleRun } from './throttle/scenario.js';

const MINUTE = 60_000;
/** A simulated hour in 30 s of wall time. */
export const BENCH_SPEED = 120;

export interface BenchPlan {
  speed: number;
  freshness: Array<{
    scenario: string;
    profile: Profile;
    strategies?: readonly Strategy[];
    /** Simulated-clock speed for this scenario, when `speed` would distort it. */
    speed?: number;
  }>;
  timing: FreshnessTiming;
  throttle: Array<{ strategy: (typeof THROTTLE_STRATEGIES)[number]; quota: 'per-token' | 'per-user' }>;
  /** Scenario 3: how many single clicks. */
  commands: number;
  /** Scenario 4: which scenarios, and how long to wait and measure (wall ms). */
  footprint: string[];
  footprintTiming: FootprintTiming;
  /** Scenario 5: security events, polled and pushed. */
  security: Array<{ scenario: string; profile: Profile }>;
  securityTiming: SecurityTiming;
  /** Scenario 6: 20 energy meters against none, per profile, and the clock speed (a simulated day). */
  energy: Profile[];
  energyTiming: EnergyTiming;
  energySpeed: number;
  /** Scenario 7: several bridge processes sharing many accounts through Redis (absent: skipped). */
  cluster?: ClusterPlan;
}

export const FULL_PLAN: BenchPlan = {
  speed: BENCH_SPEED,
  freshness: [
    ...['fixtures', 'scale:10,30'].flatMap((scenario) =>
      (['own_app', 'shared_app'] as const).map((profile) => ({ scenario, profile })),
    ),
    // 5000 devices: the bridge against the bound only, at 40×. Reading one home of 50 modules
    // and publishing its states takes the event loop long enough that at 120× a poll's 30 s
    // (simulated) start deadline passes before it starts: 35 polls dropped, 129 calls/h instead
    // of ~325. Three pipelines of 5000 devices (baselines included) do not fit 10 minutes.
    // shared_app is left out: 16 calls/h for 100 homes reads each home every ~6 h, so a
    // one-hour window sees almost no change published and its staleness says nothing.
    { scenario: 'scale:100,50', profile: 'own_app', strategies: ['bridge'], speed: 40 },
  ],
  timing: {
    warmupMs: 5 * MINUTE,
    measureMs: 60 * MINUTE,
    tailMs: 10 * MINUTE,
    activityEveryMs: 7.5 * MINUTE,
  },
  throttle: (['per-token', 'per-user'] as const).flatMap((quota) =>
    THROTTLE_STRATEGIES.map((strategy) => ({ strategy, quota })),
  ),
  commands: 1000,
  footprint: ['fixtures', 'scale:100,50'],
  footprintTiming: { discoveryTimeoutMs: 60_000, settleMs: 20_000, steadyMs: 30_000 },
  // Every kind of camera, the doorbell, door tag, siren and smoke/CO alarms, on both quotas.
  security: [
    { scenario: 'catalogue', profile: 'own_app' },
    { scenario: 'legrand', profile: 'shared_app' },
  ],
  // The tail covers a shared app's slow events interval (about 15 min), so late events still count.
  securityTiming: {
    warmupMs: 5 * MINUTE,
    measureMs: 60 * MINUTE,
    tailMs: 20 * MINUTE,
    eventEveryMs: 5 * MINUTE,
  },
  // One simulated day in 144 s: one home's polls keep up at 600× (homestatus every 50 ms).
  energy: ['own_app', 'shared_app'],
  energyTiming: { durationMs: 24 * 60 * MINUTE, warmupMs: 10 * MINUTE },
  energySpeed: 600,
  // 3 processes × 30 accounts (a home of 28 modules each) over a simulated hour at 60×: the
  // three processes, the simulator and the broker share two cores; faster, polls start late.
  cluster: {
    accounts: 30,
    processes: 3,
    scenario: 'scale:30,28',
    speed: 60,
    // Leases expire in Redis's (wall) time: at 60× the shortest TTL, 5 s, is 5 simulated minutes.
    leaseTtlS: 5,
    forcedRefreshes: 1000,
    timing: {
      warmupMs: 5 * MINUTE,
      measureMs: 60 * MINUTE,
      // 15 rounds of forced refreshes from the warm-up on: 1000 and more despite the kill's losses.
      tailMs: 25 * MINUTE,
      killAtMs: 45 * MINUTE,
      redisDownAtMs: 55 * MINUTE,
      // A restart (2 s of wall time); a process counts its leases lost 3/8 of the TTL after its last renewal.
      redisDownMs: 2 * MINUTE,
      activityEveryMs: 7.5 * MINUTE,
    },
    checkOutput: true,
  },
};

export const SMOKE_PLAN: BenchPlan = {
  speed: BENCH_SPEED,
  freshness: [{ scenario: 'fixtures', profile: 'own_app' }],
  timing: { warmupMs: 1 * MINUTE, measureMs: 10 * MINUTE, tailMs: 2 * MINUTE, activityEveryMs: 2 * MINUTE },
  throttle: [
    { strategy: 'wrapper', quota: 'per-token' },
    { strategy: 'unlocked-refresh', quota: 'per-token' },
  ],
  commands: 20,
  footprint: ['fixtures'],
  footprintTiming: { discoveryTimeoutMs: 30_000, settleMs: 1_000, steadyMs: 2_000 },
  security: [{ scenario: 'catalogue', profile: 'own_app' }],
  securityTiming: {
    warmupMs: 3 * MINUTE,
    measureMs: 15 * MINUTE,
    tailMs: 8 * MINUTE,
    eventEveryMs: 3 * MINUTE,
  },
  energy: ['own_app'],
  energyTiming: { durationMs: 2 * 60 * MINUTE, warmupMs: 10 * MINUTE },
  energySpeed: 600,
};

export async function runBench(
  plan: BenchPlan,
  log: (line: string) => void = () => {},
): Promise<BenchResults> {
  const wallStart = Date.now();
  const broker = await useSharedBroker(brokerAddress('BENCH'));
  try {
    const freshness: FreshnessResult[] = [];
    for (const [i, f] of plan.freshness.entries()) {
      log(`freshness ${f.scenario} ${f.profile} …`);
      const speed = f.speed ?? plan.speed;
      const result = await runFreshnessScenario({
        ...f,
        clock: new ScaledClock(speed),
        mqttUrl: broker.url,
        timing: plan.timing,
        tag: `n2mbench_${process.pid}_${i}`,
      });
      freshness.push(speed === plan.speed ? result : { ...result, speed });
    }
    const throttle: ThrottleRun[] = [];
    for (const t of plan.throttle) {
      log(`throttle ${t.quota} ${t.strategy} …`);
      // Backoff waits are seconds of simulated time: 10× keeps them short and the order real.
      throttle.push(await runThrottleScenario({ ...t, clock: new ScaledClock(10), mqttUrl: broker.url }));
    }
    log(`command latency, ${plan.commands} clicks …`);
    const latency: LatencyResult = await runLatencyScenario({
      mqttUrl: broker.url,
      commands: plan.commands,
      tag: `n2mbench_${process.pid}`,
    });
    const footprint: FootprintResult[] = [];
    for (const [i, scenario] of plan.footprint.entries()) {
      log(`footprint ${scenario} …`);
      footprint.push(
        await runFootprintScenario({
          scenario,
          mqttUrl: broker.url,
          timing: plan.footprintTiming,
          tag: `n2mbench_${process.pid}_${i}`,
        }),
      );
    }
    const security: SecurityRun[] = [];
    for (const [i, run] of plan.security.entries()) {
      for (const mode of ['polled', 'pushed'] as SecurityMode[]) {
        log(`security events ${run.scenario} ${run.profile} ${mode} …`);
        security.push(
          await runSecurityScenario({
            ...run,
            mode,
            clock: new ScaledClock(plan.speed),
            mqttUrl: broker.url,
            timing: plan.securityTiming,
            tag: `n2mbench_${process.pid}_sec${i}_${mode}`,
          }),
        );
      }
    }
    const energy: EnergyResult[] = [];
    for (const [i, profile] of plan.energy.entries()) {
      log(`energy meters ${profile} …`);
      energy.push(
        await runEnergyScenario({
          profile,
          clock: new ScaledClock(plan.energySpeed),
          mqttUrl: broker.url,
          timing: plan.energyTiming,
          tag: `n2mbench_${process.pid}_energy${i}`,
        }),
      );
    }
    let cluster: ClusterResult | undefined;
    if (plan.cluster && !redisServerMissing()) {
      log(`cluster ${plan.cluster.processes} × ${plan.cluster.accounts} accounts …`);
      cluster = await runCluster(plan.cluster, broker.url, log);
    } else if (plan.cluster) log(`cluster: skipped (${redisServerMissing()})`);
    return {
      date: new Date().toISOString(),
      machine: {
        cores: availableParallelism(),
        node: process.versions.node,
        platform: `${platform()} ${release()}`,
        broker: broker.kind,
      },
      speed: plan.speed,
      freshness,
      throttle,
      latency,
      footprint,
      security,
      energy,
      energySpeed: plan.energySpeed,
      ...(cluster ? { cluster } : {}),
      wallSeconds: (Date.now() - wallStart) / 1000,
    };
  } finally {
    await broker.close();
  }
}

/** Scenario 7 on its own clock, with keys and topics of this run's own. */
function runCluster(plan: ClusterPlan, mqttUrl: string, log: (line: string) => void): Promise<ClusterResult> {
  return runClusterScenario({
    plan,
    clock: new ScaledClock(plan.speed),
    mqttUrl,
    tag: `n2mbench_${process.pid}_cluster`,
    log,
  });
}

/**
 * `--only cluster`: scenario 7 alone (the full plan's), written to bench/results/cluster-latest.*
 * and a dated copy, leaving the other scenarios' latest.* as they are.
 */
async function runClusterOnly(dir: string, log: (line: string) => void): Promise<void> {
  const plan = FULL_PLAN.cluster;
  if (!plan) throw new Error('the full plan has no cluster scenario');
  const missing = redisServerMissing();
  if (missing) throw new Error(`the cluster scenario needs redis-server: ${missing}`);
  const wallStart = Date.now();
  const broker = await useSharedBroker(brokerAddress('BENCH'));
  try {
    const cluster = await runCluster(plan, broker.url, log);
    const date = new Date().toISOString();
    const machine = `${availableParallelism()} cores, Node ${process.versions.node}, ${platform()} ${release()}, broker ${broker.kind}`;
    const report = [
      `Run ${date} on ${machine}; ${Math.round((Date.now() - wallStart) / 1000)} s wall.`,
      ...clusterSection(cluster),
    ].join('\n');
    process.stdout.write(`${report}\n`);
    const json = `${JSON.stringify({ date, machine, cluster }, null, 2)}\n`;
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'cluster-latest.json'), json);
    await writeFile(join(dir, `cluster-${date.slice(0, 10)}.json`), json);
    await writeFile(join(dir, 'cluster-latest.md'), `${report}\n`);
  } finally {
    await broker.close();
  }
}

async function main(): Promise<void> {
  setLogLevel('error');
  const dir = join(dirname(fileURLToPath(import.meta.url)), 'results');
  const only = process.argv[process.argv.indexOf('--only') + 1];
  if (process.argv.includes('--only')) {
    if (only !== 'cluster') throw new Error(`--only takes 'cluster', not '${only ?? ''}'`);
    await runClusterOnly(dir, (line) => process.stderr.write(`${line}\n`));
    return;
  }
  const smoke = process.argv.includes('--smoke');
  const results = await runBench(smoke ? SMOKE_PLAN : FULL_PLAN, (line) => process.stderr.write(`${line}\n`));
  const report = renderReport(results);
  process.stdout.write(`${report}\n`);
  if (smoke) return;
  await mkdir(dir, { recursive: true });
  const json = `${JSON.stringify(results, null, 2)}\n`;
  await writeFile(join(dir, 'latest.json'), json);
  await writeFile(join(dir, `${results.date.slice(0, 10)}.json`), json);
  await writeFile(join(dir, 'latest.md'), `${report}\n`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().then(
    () => process.exit(0),
    (error: unknown) => {
      process.stderr.write(`bench failed: ${(error as Error).stack ?? String(error)}\n`);
      process.exit(1);
    },
  );
}
