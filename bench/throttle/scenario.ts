/**
 * Scenario 2, throttle recovery: the user's hourly quota runs out while 20 commands are in
 * flight. Each strategy spends the quota down with reads, then sends 20 distinct setpoint
 * commands at once. Figures come from the simulator: refreshes, invalid_grant, commands that
 * reached it more than once; and from the callers: failures, and whether they carry retryAt.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createNetatmoStack } from '../../src/bridge/netatmo-stack.js';
import { validateConfig } from '../../src/config/index.js';
import { singleAccountCoordination } from '../../src/coordination/index.js';
import { EventBus } from '../../src/events.js';
import { NetatmoClient } from '../../src/netatmo/client.js';
import { isNetatmoError } from '../../src/netatmo/errors.js';
import { type QuotaMode, startSimulator } from '../../src/simulator/index.js';
import { seedForScenario } from '../../src/simulator/scenarios/index.js';
import type { Clock } from '../../src/util/clock.js';
import { TokenAccount } from '../baselines/token-caller.js';
import { benchConfig } from '../lib/setup.js';
import { BackoffCaller, UnlockedRefreshCaller } from './strategies.js';

export type ThrottleStrategy = 'wrapper' | 'backoff' | 'unlocked-refresh';
export const THROTTLE_STRATEGIES: readonly ThrottleStrategy[] = ['wrapper', 'backoff', 'unlocked-refresh'];

export interface ThrottleRun {
  strategy: ThrottleStrategy;
  quota: QuotaMode;
  commands: number;
  /** Simulated seconds from the first throttled answer to the next successful call; NaN if none. */
  timeToFirstSuccessSec: number;
  /** Simulated seconds until every command had succeeded or failed. */
  settleSec: number;
  tokenRefreshes: number;
  invalidGrant: number;
  failed: number;
  /** Failures that said when to retry (a NetatmoError with retryAt). */
  failedWithRetryAt: number;
  /** Commands the simulator applied more than once. */
  duplicated: number;
  throttledAnswers: number;
}

const SCENARIO = 'scale:1,28';
const COMMANDS = 20;
const HOURLY_QUOTA = 30;
/** Reads made before the commands: the quota has 5 calls left when they start. */
const SPEND = HOURLY_QUOTA - 5;

export async function runThrottleScenario(options: {
  strategy: ThrottleStrategy;
  quota: QuotaMode;
  clock: Clock;
  mqttUrl: string;
}): Promise<ThrottleRun> {
  const { clock } = options;
  const seed = seedForScenario(SCENARIO, clock.now());
  const home = seed.homes[0];
  const room = seed.statuses[home?.id ?? '']?.rooms?.find(
    (r) => typeof r.therm_setpoint_temperature === 'number',
  );
  if (!home || !room) throw new Error(`${SCENARIO} has no heated room`);
  const sim = await startSimulator({
    scenario: SCENARIO,
    clock,
    quota: options.quota,
    limits: { userPer10s: 100, userPerHour: HOURLY_QUOTA },
  });
  const dataDir = await mkdtemp(join(tmpdir(), 'netatmo2mqtt-bench-throttle-'));
  try {
    const tokens = sim.mintTokens();
    const api = await clientFor(options.strategy, sim.url, tokens, clock, dataDir, options.mqttUrl);
    for (let i = 0; i < SPEND; i++) await api.homeStatus(home.id, {}, { priority: 'state' });
    sim.resetStats();
    const started = clock.now();
    // Each command carries the bridge's command deadline (commands.deadline_ms), as the
    // CommandRouter gives it: a click must not wait out an hour-long throttle window.
    const deadlineMs = validateConfig({ netatmo: { base_url: sim.url } }).commands.deadline_ms;
    const temps = Array.from({ length: COMMANDS }, (_, i) => 10 + i * 0.5);
    const outcomes = await Promise.allSettled(
      temps.map((temp) =>
        api.setRoomThermPoint(
          { homeId: home.id, roomId: room.id, mode: 'manual', temp },
          { priority: 'command', deadline: started + deadlineMs },
        ),
      ),
    );
    const settled = clock.now();
    const log = sim.log();
    const firstThrottle = log.find((e) => e.outcome === 'throttled');
    const firstSuccess = firstThrottle
      ? log.find((e) => e.outcome === 'ok' && e.at >= firstThrottle.at && e.endpoint !== 'token')
      : undefined;
    const applied = new Map<string, number>();
    for (const e of log) {
      if (e.endpoint !== 'setroomthermpoint' || e.outcome !== 'ok') continue;
      const key = String(e.params?.temp);
      applied.set(key, (applied.get(key) ?? 0) + 1);
    }
    const failures = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
    const stats = sim.stats();
    return {
      strategy: options.strategy,
      quota: options.quota,
      commands: COMMANDS,
      timeToFirstSuccessSec:
        firstThrottle && firstSuccess ? (firstSuccess.at - firstThrottle.at) / 1000 : Number.NaN,
      settleSec: (settled - started) / 1000,
      tokenRefreshes: stats.token_refreshes,
      invalidGrant: stats.invalid_grant,
      failed: failures.length,
      failedWithRetryAt: failures.filter((f) => isNetatmoError(f.reason) && f.reason.retryAt !== undefined)
        .length,
      duplicated: [...applied.values()].reduce((sum, n) => sum + Math.max(0, n - 1), 0),
      throttledAnswers: stats.throttled,
    };
  } finally {
    await sim.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}

async function clientFor(
  strategy: ThrottleStrategy,
  simUrl: string,
  tokens: { access_token: string; refresh_token: string },
  clock: Clock,
  dataDir: string,
  mqttUrl: string,
): Promise<NetatmoClient> {
  if (strategy === 'wrapper') {
    const config = benchConfig({
      simUrl,
      refreshToken: tokens.refresh_token,
      mqttUrl,
      baseTopic: 'bench_throttle',
      dataDir,
      profile: 'own_app',
      discovery: false,
    });
    const events = new EventBus();
    const stack = createNetatmoStack(
      config,
      clock,
      events,
      singleAccountCoordination(dataDir, { clock, events }),
    );
    await stack.auth.init(config.netatmo.refresh_token);
    return stack.client;
  }
  const account = new TokenAccount({
    baseUrl: simUrl,
    clock,
    accessToken: tokens.access_token,
    refreshToken: tokens.refresh_token,
  });
  return new NetatmoClient(
    strategy === 'backoff' ? new BackoffCaller(account, clock) : new UnlockedRefreshCaller(account),
  );
}
