/**
 * One strategy on one scenario: a simulator with residents, a poller (this project's Bridge,
 * or a baseline poller feeding the same device model and MQTT publisher), and a subscriber.
 * Time is the shared simulated clock; figures come from the simulator's request log and the
 * subscriber's view.
 */
import { Bridge } from '../../src/bridge/controller.js';
import { NetatmoClient } from '../../src/netatmo/client.js';
import type { Clock } from '../../src/util/clock.js';
import { HaModelPoller } from '../baselines/ha-poller.js';
import { NaivePoller } from '../baselines/naive-poller.js';
import { TokenAccount, TokenCaller } from '../baselines/token-caller.js';
import { benchConfig, type Profile, startBenchSimulator, withTempDir } from '../lib/setup.js';
import type { StateKind } from './kinds.js';
import { ChangeLog, PublishLog } from './recorders.js';
import { homestatusStaleness, type KindStaleness, stalenessByKind } from './staleness.js';

export type Strategy = 'bridge' | 'ha' | 'naive';

export interface FreshnessTiming {
  /** Simulated ms before measuring starts (start-up reads are not steady state). */
  warmupMs: number;
  /** Simulated ms during which changes are measured and calls counted. */
  measureMs: number;
  /** Simulated ms after the window, so late observations still count. */
  tailMs: number;
  /** Simulated ms between resident actions per home (setpoints, shutters). */
  activityEveryMs: number;
}

export interface StrategyRun {
  strategy: Strategy;
  callsPerHour: number;
  callsByEndpoint: Record<string, number>;
  throttled: number;
  staleness: Partial<Record<StateKind, KindStaleness>>;
  /** Mean over every homestatus change (setpoint, measured, shutter). */
  meanHomestatusSec: number;
  /** The bridge's own plan explanation, when the strategy is the bridge. */
  plan?: string;
  /**
   * Bridge polls dropped because they could not start before their deadline (simulated time:
   * at 120× a 30 s deadline is 250 ms of wall time, so a busy bench process can cause them).
   */
  pollsDroppedAtDeadline?: number;
}

export interface StrategyInput {
  scenario: string;
  profile: Profile;
  strategy: Strategy;
  clock: Clock;
  mqttUrl: string;
  timing: FreshnessTiming;
  /** Unique per run: MQTT base topic and client ids. */
  tag: string;
}

interface RunningPoller {
  stop(): Promise<void>;
  plan(): string | undefined;
  deadlineRejections(): number | undefined;
}

export async function runStrategy(input: StrategyInput): Promise<StrategyRun> {
  const { clock, timing } = input;
  const sim = await startBenchSimulator(input.scenario, clock, input.profile, {
    activity: { setpointEveryMs: timing.activityEveryMs, shutterEveryMs: timing.activityEveryMs },
  });
  const changes = new ChangeLog(sim);
  const publishes = new PublishLog(clock, input.tag);
  try {
    await publishes.start(input.mqttUrl);
    return await withTempDir('netatmo2mqtt-bench-', async (dataDir) => {
      const tokens = sim.mintTokens();
      const config = benchConfig({
        simUrl: sim.url,
        refreshToken: tokens.refresh_token,
        mqttUrl: input.mqttUrl,
        baseTopic: input.tag,
        dataDir,
        profile: input.profile,
        discovery: false,
      });
      const startedAt = clock.now();
      const poller = await startPoller(input, config, sim.url, tokens);
      const from = startedAt + timing.warmupMs;
      const to = from + timing.measureMs;
      const end = to + timing.tailMs;
      await clock.sleep(end - clock.now());
      const plan = poller.plan();
      const dropped = poller.deadlineRejections();
      await poller.stop();
      changes.stop();

      const window = sim.log().filter((e) => e.at >= from && e.at < to && e.endpoint !== 'token');
      const callsByEndpoint: Record<string, number> = {};
      for (const e of window) callsByEndpoint[e.endpoint] = (callsByEndpoint[e.endpoint] ?? 0) + 1;
      const byKind = stalenessByKind({ changes: changes.series, publishes: publishes.series, from, to, end });
      const staleness = Object.fromEntries(byKind) as Partial<Record<StateKind, KindStaleness>>;
      const run: StrategyRun = {
        strategy: input.strategy,
        callsPerHour: (window.length * 3_600_000) / timing.measureMs,
        callsByEndpoint,
        throttled: sim.log().filter((e) => e.outcome === 'throttled').length,
        staleness,
        meanHomestatusSec: homestatusStaleness(byKind).meanSec,
      };
      if (plan !== undefined) run.plan = plan;
      if (dropped !== undefined) run.pollsDroppedAtDeadline = dropped;
      return run;
    });
  } finally {
    changes.stop();
    await publishes.close();
    await sim.close();
  }
}

async function startPoller(
  input: StrategyInput,
  config: ReturnType<typeof benchConfig>,
  simUrl: string,
  tokens: { access_token: string; refresh_token: string },
): Promise<RunningPoller> {
  const { clock } = input;
  const bridge = new Bridge({ config, clock });
  if (input.strategy === 'bridge') {
    await bridge.start();
    return {
      stop: () => bridge.stop(),
      plan: () => bridge.poller.plan?.explanation,
      deadlineRejections: () => bridge.netatmo.gate.stats().deadlineRejections,
    };
  }
  // Baselines: the same device model and MQTT publisher, their own polling over a bare client.
  // The publisher listens to the store as in Bridge.start(), names first (they make the topics).
  await bridge.names.load(false);
  const listeners = [bridge.store.subscribe(bridge.names), bridge.store.subscribe(bridge.devices)];
  await bridge.mqtt.start();
  const account = new TokenAccount({
    baseUrl: simUrl,
    clock,
    accessToken: tokens.access_token,
    refreshToken: tokens.refresh_token,
  });
  const api = new NetatmoClient(new TokenCaller(account));
  const poller =
    input.strategy === 'ha'
      ? new HaModelPoller({ clock, api, sinks: bridge.sync, profile: input.profile })
      : new NaivePoller({ clock, api, sinks: bridge.sync });
  await poller.start();
  return {
    stop: async () => {
      poller.stop();
      await bridge.sync.idle();
      for (const off of listeners) off();
      bridge.netatmo.gate.close();
      await bridge.mqtt.close();
    },
    plan: () => undefined,
    deadlineRejections: () => undefined,
  };
}
