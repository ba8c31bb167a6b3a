/**
 * Scenario 7, several bridges and many accounts on one Netatmo app (issue 17's proof): N bridge
 * processes share M accounts through a real Redis, against one simulated app with a user per
 * account and Netatmo's per-app and per-user limits, over a simulated hour on one shared
 * clock. Along the way every process forces refreshes of every account (rounds on the shared
 * clock, so the processes contend for each token), one process is killed with SIGKILL, and
 * Redis is killed and restarted. Then the output check (output-check.ts) compares what the
 * cluster publishes with what one bridge publishes.
 *
 * Figures: simulator peaks against the limits, throttles, calls and freshness per account
 * against the bound, forced refreshes and invalid_grant, how fast the killed process's accounts
 * moved, whether any account was polled by two processes, what Redis's absence cost, RSS.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NETATMO_LIMITS, type QuotaWindows } from '../../src/netatmo/quota.js';
import { type RunningSimulator, type SimulatorStats, startSimulator } from '../../src/simulator/index.js';
import type { ScaledClock } from '../../src/util/clock.js';
import { mean } from '../lib/stats.js';
import { Cluster } from './cluster.js';
import { type AccountFreshness, ClusterFreshness } from './freshness.js';
import { checkClusterOutput, type OutputCheckResult } from './output-check.js';
import { firstTakeover, ownershipReport } from './ownership.js';
import type { ForcedLine, ProcessLine } from './process-log.js';
import { PrivateRedis } from './redis-server.js';
import { clusterConfig, mintAccounts } from './setup.js';

const MINUTE = 60_000;
/**
 * Between two rounds of forced refreshes: NetatmoAuth's shortest interval between two (5 min),
 * and half a minute for a round that waited for the refresh lock.
 */
const FORCED_EVERY_MS = 5.5 * MINUTE;
const RSS_EVERY_MS = 1_000;

export interface ClusterTiming {
  /** Simulated ms from the start: before it the processes start and settle (not steady state). */
  warmupMs: number;
  /** Simulated ms of steady state measured after the warm-up. */
  measureMs: number;
  /** Simulated ms after the window, so late observations still count. */
  tailMs: number;
  /** Simulated ms from the start when the busiest process gets SIGKILL. */
  killAtMs: number;
  /** Simulated ms from the start when Redis gets SIGKILL, and how long it stays away. */
  redisDownAtMs: number;
  redisDownMs: number;
  /** Simulated ms between resident actions per home (setpoints, shutters). */
  activityEveryMs: number;
}

export interface ClusterPlan {
  accounts: number;
  processes: number;
  /** `scale:HOMES,MODULES` with HOMES = accounts: a home per account. */
  scenario: string;
  speed: number;
  leaseTtlS: number;
  /**
   * Forced refreshes the run should make at least (the target it is judged by): every process
   * forces one of every account per round, a round every 5.5 simulated minutes (NetatmoAuth's
   * shortest interval between two, and a margin), from the warm-up to the end.
   */
  forcedRefreshes: number;
  timing: ClusterTiming;
  /** Also compare the cluster's output with one bridge's (output-check.ts). */
  checkOutput: boolean;
}

export interface ClusterResult {
  accounts: number;
  processes: number;
  scenario: string;
  speed: number;
  leaseTtlS: number;
  /** Simulated minutes measured (steady state). */
  measuredMinutes: number;
  limits: { app: QuotaWindows; user: QuotaWindows };
  peaks: { app: QuotaWindows; user: QuotaWindows };
  throttled: { total: number; steady: number; byAppLimit: number };
  calls: { perAccountPerHour: { mean: number; min: number; max: number }; unattributed: number };
  freshness: AccountFreshness[];
  forced: {
    /** Rounds × accounts × processes (a killed process's later rounds included). */
    planned: number;
    target: number;
    calls: number;
    refreshed: number;
    adopted: number;
    failed: Record<string, number>;
    tokenRefreshes: number;
    invalidGrant: number;
  };
  kill: {
    process: string;
    accounts: number;
    /**
     * Longest time until another process claimed / polled one of its accounts, in wall seconds:
     * leases expire in Redis's time, which the scaled clock does not speed up.
     */
    claimedAfterWallSec: number;
    polledAfterWallSec: number;
    /** Its accounts nobody had claimed by the end. */
    unmoved: number;
  };
  /**
   * Polled twice: claims of one account by two processes at once, and requests a process sent
   * for an account while another one claimed it.
   */
  doublePolls: { claims: number; polls: number; examples: string[] };
  redis: {
    downSec: number;
    /** API requests the processes made while Redis was away, and token refreshes then. */
    requestsWhileDown: number;
    refreshesWhileDown: number;
    /** Longest time after Redis came back until an account was polled successfully (simulated s). */
    resumedAfterSec: number;
    /** Accounts with no successful request after Redis came back. */
    notResumed: number;
  };
  /** Most RSS each process reached (MB). */
  rssMb: Record<string, number>;
  output?: OutputCheckResult;
  /** Why the output check gave no answer (it did not settle in time), when it did not. */
  outputError?: string;
  wallSeconds: number;
}

interface Marks {
  start: number;
  killAt: number;
  redisDownAt: number;
  redisUpAt: number;
  end: number;
}

export async function runClusterScenario(options: {
  plan: ClusterPlan;
  clock: ScaledClock;
  mqttUrl: string;
  tag: string;
  log?: (line: string) => void;
}): Promise<ClusterResult> {
  const { plan, clock } = options;
  const say = options.log ?? (() => {});
  const wallStart = Date.now();
  const dir = await mkdtemp(join(tmpdir(), 'n2m-cluster-'));
  const redis = await PrivateRedis.start({ config: ['appendfsync always'] });
  const sim = await startSimulator({
    scenario: plan.scenario,
    users: plan.accounts,
    clock,
    quota: 'per-user',
    activity: { setpointEveryMs: plan.timing.activityEveryMs, shutterEveryMs: plan.timing.activityEveryMs },
  });
  const accounts = mintAccounts(sim, plan.accounts);
  const freshness = new ClusterFreshness(sim, plan.scenario, accounts.bySimUser, clock, options.tag);
  const start = clock.now();
  const rounds = Math.floor((plan.timing.measureMs + plan.timing.tailMs) / FORCED_EVERY_MS);
  const cluster = await Cluster.create(
    join(dir, 'run'),
    clusterConfig({
      simUrl: sim.url,
      mqttUrl: options.mqttUrl,
      redisUrl: redis.url,
      tag: options.tag,
      accounts: accounts.entries,
      leaseTtlS: plan.leaseTtlS,
    }),
    clock,
    { startAt: start + plan.timing.warmupMs, everyMs: FORCED_EVERY_MS, rounds },
  );
  const rss: Record<string, number> = {};
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      for (const proc of cluster.processes.values()) {
        const mb = (await proc.sample()).rssBytes / 2 ** 20;
        if (Number.isFinite(mb)) rss[proc.name] = Math.max(rss[proc.name] ?? 0, mb);
      }
      await new Promise((resolve) => setTimeout(resolve, RSS_EVERY_MS));
    }
  })();
  try {
    await freshness.start(options.mqttUrl);
    for (let i = 1; i <= plan.processes; i++) await cluster.start(`n2m-proc-${i}`);
    say(
      `cluster: ${plan.processes} processes × ${plan.accounts} accounts, ${rounds} rounds of forced refreshes`,
    );

    const { timing } = plan;
    const atWarmup = await statsAt(sim, clock, start + timing.warmupMs);
    await clock.sleep(start + timing.killAtMs - clock.now());
    const victim = await cluster.killBusiest();
    const killAt = clock.now();
    say(`cluster: killed ${victim.name} (${victim.accounts.length} accounts)`);

    await clock.sleep(start + timing.redisDownAtMs - clock.now());
    const beforeDown = sim.stats();
    await redis.stop('SIGKILL');
    const redisDownAt = clock.now();
    await clock.sleep(timing.redisDownMs);
    const refreshesWhileDown = tokenRefreshes(sim.stats()) - tokenRefreshes(beforeDown);
    await redis.restart();
    const redisUpAt = clock.now();
    say('cluster: Redis restarted');

    const measureEnd = start + timing.warmupMs + timing.measureMs;
    const atEnd = await statsAt(sim, clock, measureEnd);
    await clock.sleep(measureEnd + timing.tailMs - clock.now());
    const end = clock.now();
    const lines = await cluster.lines();
    await cluster.stop();
    const final = sim.stats();
    const marks: Marks = { start, killAt, redisDownAt, redisUpAt, end };
    const window = { from: start + timing.warmupMs, to: measureEnd };
    const report = ownershipReport(lines, accounts.byTokenUser, window);
    const result: ClusterResult = {
      accounts: plan.accounts,
      processes: plan.processes,
      scenario: plan.scenario,
      speed: plan.speed,
      leaseTtlS: plan.leaseTtlS,
      measuredMinutes: timing.measureMs / MINUTE,
      limits: { app: final.app.limits, user: NETATMO_LIMITS.user },
      peaks: {
        app: { per10s: final.app.peak_10s, perHour: final.app.peak_hour },
        user: {
          per10s: Math.max(...Object.values(final.users).map((u) => u.peak_10s)),
          perHour: Math.max(...Object.values(final.users).map((u) => u.peak_hour)),
        },
      },
      throttled: {
        total: final.app.throttled,
        steady: atEnd.app.throttled - atWarmup.app.throttled,
        byAppLimit: final.app.throttled_by_app_limit,
      },
      calls: {
        perAccountPerHour: spread(
          accounts.entries.map((a) => ((report.calls.get(a.name) ?? 0) * 60) / (timing.measureMs / MINUTE)),
        ),
        unattributed: report.unattributed,
      },
      freshness: freshness.measure({ ...window, end }, report.calls),
      forced: {
        planned: rounds * plan.accounts * plan.processes,
        target: plan.forcedRefreshes,
        ...forcedOutcomes(lines),
        tokenRefreshes: tokenRefreshes(final),
        invalidGrant: Object.values(final.users).reduce(
          (sum, u) => sum + u.invalid_grant,
          final.invalid_grant,
        ),
      },
      kill: killFigures(lines, accounts.byTokenUser, victim, marks, plan.speed),
      doublePolls: doublePollFigures(lines, accounts.byTokenUser),
      redis: redisFigures(lines, accounts.byTokenUser, marks, refreshesWhileDown),
      rssMb: rss,
      wallSeconds: 0,
    };
    if (plan.checkOutput) {
      say('cluster: output check (one bridge against the cluster) …');
      try {
        result.output = await checkClusterOutput({
          accounts: plan.accounts,
          processes: plan.processes,
          scenario: plan.scenario,
          speed: plan.speed,
          leaseTtlS: plan.leaseTtlS,
          mqttUrl: options.mqttUrl,
          redis,
          dir: join(dir, 'output'),
          tag: `${options.tag}_out`,
          log: say,
        });
      } catch (error) {
        // The figures above stand on their own; say why this one is missing.
        result.outputError = String((error as Error).message).split('\n')[0];
      }
    }
    result.wallSeconds = (Date.now() - wallStart) / 1000;
    return result;
  } finally {
    sampling = false;
    await sampler;
    await cluster.kill();
    await freshness.close();
    await sim.close();
    await redis.close();
    await rm(dir, { recursive: true, force: true });
  }
}

/** The simulator's stats once the shared clock reaches `at`. */
async function statsAt(sim: RunningSimulator, clock: ScaledClock, at: number): Promise<SimulatorStats> {
  await clock.sleep(at - clock.now());
  return sim.stats();
}

function tokenRefreshes(stats: SimulatorStats): number {
  return Object.values(stats.users).reduce((sum, u) => sum + u.token_refreshes, 0);
}

function spread(values: number[]): { mean: number; min: number; max: number } {
  return { mean: mean(values), min: Math.min(...values), max: Math.max(...values) };
}

function forcedOutcomes(lines: ReadonlyMap<string, readonly ProcessLine[]>): {
  calls: number;
  refreshed: number;
  adopted: number;
  failed: Record<string, number>;
} {
  const forced = [...lines.values()].flat().filter((l): l is ForcedLine => l.t === 'forced');
  const failed: Record<string, number> = {};
  for (const line of forced) {
    if (line.outcome !== 'refreshed' && line.outcome !== 'adopted')
      failed[line.outcome] = (failed[line.outcome] ?? 0) + 1;
  }
  return {
    calls: forced.length,
    refreshed: forced.filter((l) => l.outcome === 'refreshed').length,
    adopted: forced.filter((l) => l.outcome === 'adopted').length,
    failed,
  };
}

function killFigures(
  lines: ReadonlyMap<string, readonly ProcessLine[]>,
  byTokenUser: ReadonlyMap<string, string>,
  victim: { name: string; accounts: string[] },
  marks: Marks,
  speed: number,
): ClusterResult['kill'] {
  const first = firstTakeover(lines, byTokenUser, victim.name, victim.accounts, marks.killAt);
  const claims = victim.accounts.map((account) => first.get(account)?.claimedAt);
  const polls = victim.accounts.map((account) => first.get(account)?.polledAt);
  const latest = (times: Array<number | undefined>): number =>
    Math.max(0, ...times.map((t) => ((t ?? marks.end) - marks.killAt) / 1000 / speed));
  return {
    process: victim.name,
    accounts: victim.accounts.length,
    claimedAfterWallSec: latest(claims),
    polledAfterWallSec: latest(polls),
    unmoved: claims.filter((t) => t === undefined).length,
  };
}

function doublePollFigures(
  lines: ReadonlyMap<string, readonly ProcessLine[]>,
  byTokenUser: ReadonlyMap<string, string>,
): ClusterResult['doublePolls'] {
  const whole = ownershipReport(lines, byTokenUser);
  return {
    claims: whole.overlappingClaims.length,
    polls: whole.pollsOfOthers.length,
    examples: [...whole.overlappingClaims, ...whole.pollsOfOthers]
      .slice(0, 5)
      .map((d) => `${d.account}: ${d.what} (${new Date(d.at).toISOString()})`),
  };
}

function redisFigures(
  lines: ReadonlyMap<string, readonly ProcessLine[]>,
  byTokenUser: ReadonlyMap<string, string>,
  marks: Marks,
  refreshesWhileDown: number,
): ClusterResult['redis'] {
  const api = [...lines.values()].flat().filter((l) => l.t === 'api');
  const firstOkAfter = new Map<string, number>();
  for (const line of api) {
    const account = byTokenUser.get(line.user);
    if (account === undefined || line.at < marks.redisUpAt || line.status !== 200) continue;
    firstOkAfter.set(account, Math.min(firstOkAfter.get(account) ?? Infinity, line.at));
  }
  const accounts = new Set(byTokenUser.values());
  return {
    downSec: (marks.redisUpAt - marks.redisDownAt) / 1000,
    requestsWhileDown: api.filter((l) => l.at >= marks.redisDownAt && l.at < marks.redisUpAt).length,
    refreshesWhileDown,
    resumedAfterSec: Math.max(0, ...[...firstOkAfter.values()].map((t) => (t - marks.redisUpAt) / 1000)),
    notResumed: [...accounts].filter((a) => !firstOkAfter.has(a)).length,
  };
}
