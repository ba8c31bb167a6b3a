/**
 * Scenario 1, freshness per API call: this project's bridge and both baselines on the same
 * homes, profile and simulated hour, side by side (concurrently, on one clock), and the bound
 * H·3600/(2B): with B calls per hour for H homes no poller can beat that mean homestatus
 * staleness.
 */
import type { Clock } from '../../src/util/clock.js';
import { homesWithModules, type Profile, quotaPerHour } from '../lib/setup.js';
import { ratio } from '../lib/stats.js';
import { type FreshnessTiming, runStrategy, type Strategy, type StrategyRun } from './run-strategy.js';

export interface FreshnessResult {
  scenario: string;
  profile: Profile;
  homes: number;
  quotaPerHour: number;
  /** Simulated-clock speed, when it differs from the run's. */
  speed?: number;
  /** The bridge always; the baselines unless the scenario ran the bridge alone. */
  runs: { bridge: StrategyRun } & Partial<Record<Strategy, StrategyRun>>;
  /** H·3600/(2B) with B = the calls/hour the bridge really made. */
  boundSecAtBridgeCalls: number;
  /** H·3600/(2B) with B = the profile's whole quota. */
  boundSecAtQuota: number;
  /** Bridge mean homestatus staleness ÷ each bound. */
  bridgeVsBoundAtCalls: number;
  bridgeVsBoundAtQuota: number;
  /** Baseline (a) mean homestatus staleness ÷ the bridge's (>= 2 is the target). */
  haStalenessOverBridge: number;
  /** Bridge calls/hour ÷ baseline (a) calls/hour (<= 1 is the target). */
  bridgeCallsOverHa: number;
}

export const STRATEGIES: readonly Strategy[] = ['bridge', 'ha', 'naive'];

export async function runFreshnessScenario(options: {
  scenario: string;
  profile: Profile;
  clock: Clock;
  mqttUrl: string;
  timing: FreshnessTiming;
  tag: string;
  /** Default: all three. The bridge is always run. */
  strategies?: readonly Strategy[];
}): Promise<FreshnessResult> {
  const strategies = options.strategies ?? STRATEGIES;
  const runs = await Promise.all(
    (['bridge', ...strategies.filter((s) => s !== 'bridge')] as Strategy[]).map((strategy) =>
      runStrategy({ ...options, strategy, tag: `${options.tag}_${strategy}` }).then(
        (run) => [strategy, run] as const,
      ),
    ),
  );
  const byStrategy = Object.fromEntries(runs) as FreshnessResult['runs'];
  const homes = homesWithModules(options.scenario);
  const quota = quotaPerHour(options.profile);
  const bridge = byStrategy.bridge;
  const bound = (perHour: number): number => (perHour > 0 ? (homes * 3600) / (2 * perHour) : Number.NaN);
  return {
    scenario: options.scenario,
    profile: options.profile,
    homes,
    quotaPerHour: quota,
    runs: byStrategy,
    boundSecAtBridgeCalls: bound(bridge.callsPerHour),
    boundSecAtQuota: bound(quota),
    bridgeVsBoundAtCalls: ratio(bridge.meanHomestatusSec, bound(bridge.callsPerHour)),
    bridgeVsBoundAtQuota: ratio(bridge.meanHomestatusSec, bound(quota)),
    haStalenessOverBridge: ratio(byStrategy.ha?.meanHomestatusSec ?? Number.NaN, bridge.meanHomestatusSec),
    bridgeCallsOverHa: ratio(bridge.callsPerHour, byStrategy.ha?.callsPerHour ?? Number.NaN),
  };
}
