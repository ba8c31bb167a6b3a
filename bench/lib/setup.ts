/**
 * Shared set-up for benchmark runs: a simulator with the quota of a profile, a bridge
 * configuration pointing at it, and a temporary data directory.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validateConfig } from '../../src/config/index.js';
import type { BridgeConfig } from '../../src/config/types.js';
import { type NetatmoProfile, PROFILE_ALLOWANCE } from '../../src/netatmo/quota.js';
import {
  DEFAULT_LIMITS,
  type RateLimits,
  type RunningSimulator,
  type SimulatorOptions,
  startSimulator,
} from '../../src/simulator/index.js';
import { seedForScenario } from '../../src/simulator/scenarios/index.js';
import type { Clock } from '../../src/util/clock.js';

export type Profile = NetatmoProfile;

/** What Netatmo lets one user spend under each profile (src/netatmo/quota.ts), as simulator limits. */
export function limitsForProfile(profile: Profile): Partial<RateLimits> {
  const user = PROFILE_ALLOWANCE[profile];
  return profile === 'own_app'
    ? { ...DEFAULT_LIMITS, userPer10s: user.per10s, userPerHour: user.perHour }
    : // A shared app has many users: its own limit is far away, the user's fair share bites.
      { userPer10s: user.per10s, userPerHour: user.perHour, appPer10s: 100_000, appPerHour: 1_000_000 };
}

/** A simulator on the shared clock that enforces the profile's quota per user (no refresh resets it). */
export function startBenchSimulator(
  scenario: string,
  clock: Clock,
  profile: Profile,
  extra: Partial<SimulatorOptions> = {},
): Promise<RunningSimulator> {
  return startSimulator({ scenario, clock, quota: 'per-user', limits: limitsForProfile(profile), ...extra });
}

export function quotaPerHour(profile: Profile): number {
  return limitsForProfile(profile).userPerHour as number;
}

/** Homes with modules: the ones a poller reads homestatus for. */
export function homesWithModules(scenario: string): number {
  return seedForScenario(scenario, Date.now()).homes.filter((h) => (h.modules ?? []).length > 0).length;
}

export interface BenchConfigInput {
  simUrl: string;
  refreshToken: string;
  mqttUrl: string;
  baseTopic: string;
  dataDir: string;
  profile: Profile;
  discovery: boolean;
  /** Further sections (`web`, `webhook`, `netatmo` credentials...), replacing the defaults'. */
  extra?: Record<string, unknown>;
}

export function benchConfig(input: BenchConfigInput): BridgeConfig {
  return validateConfig({
    netatmo: { base_url: input.simUrl, refresh_token: input.refreshToken, profile: input.profile },
    // Topics by id: the recorders key what they see by device id, as the simulator's changes are.
    mqtt: {
      url: input.mqttUrl,
      base_topic: input.baseTopic,
      client_id: `${input.baseTopic}_bridge`,
      device_topic: 'id',
    },
    homeassistant: { enabled: input.discovery },
    data_dir: input.dataDir,
    log_level: 'error',
    web: { enabled: false },
    ...input.extra,
  });
}

export async function withTempDir<T>(prefix: string, fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  try {
    return await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
