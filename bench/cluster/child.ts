/**
 * One process of the cluster bench: the account host, as `netatmo2mqtt start` runs it
 * (configuration from NETATMO2MQTT_CONFIG and NETATMO2MQTT_* variables, stop on SIGTERM), but
 * on the bench's scaled clock and with a record of what it does (process-log.ts).
 *
 * N2M_BENCH_CLOCK = "speed,origin,wallOrigin": the parent's ScaledClock, reproduced here, so
 * that every process and the simulator share one time origin (the app's budgets and throttle
 * windows are judged on it). N2M_BENCH_LOG: the record file. N2M_BENCH_STORM =
 * "startAt,everyMs,rounds": at those shared-clock times, force a token refresh of every
 * account of the configuration — owned here or not — through its own Netatmo stack on the
 * process's coordination, as a second caller of the account in this process would.
 */

import { clockFromSpec, loadChildConfig, runChild } from '../../scripts/lib/scaled-child.js';
import { AccountHost } from '../../src/bridge/account-host.js';
import { accountPlans } from '../../src/bridge/account-plans.js';
import { createNetatmoStack } from '../../src/bridge/netatmo-stack.js';
import { runUntilSignal } from '../../src/cli/lifecycle.js';
import type { BridgeConfig } from '../../src/config/types.js';
import type { Coordination } from '../../src/coordination/index.js';
import { EventBus } from '../../src/events.js';
import { childLogger } from '../../src/log.js';
import { isNetatmoError } from '../../src/netatmo/errors.js';
import type { Clock } from '../../src/util/clock.js';
import { ProcessLogWriter } from './process-log.js';

const log = childLogger('main');
/** How often the owned accounts are written down (wall ms). */
const OWNED_EVERY_MS = 200;

function numbers(name: string, count: number): number[] {
  const values = (process.env[name] ?? '').split(',').map(Number);
  if (values.length !== count || values.some((v) => !Number.isFinite(v)))
    throw new Error(`${name} must be ${count} comma-separated numbers`);
  return values;
}

/**
 * Forced refreshes of every account at the storm's rounds. A round starts for all processes at
 * the same shared-clock instant: each passes the access token it knows as the stale one, so the
 * processes contend for the account's refresh lock and token.
 */
function startStorm(
  config: BridgeConfig,
  coordination: Coordination,
  clock: Clock,
  record: ProcessLogWriter,
): () => void {
  if (!process.env.N2M_BENCH_STORM) return () => {};
  const [startAt = 0, everyMs = 0, rounds = 0] = numbers('N2M_BENCH_STORM', 3);
  const events = new EventBus();
  const stacks = accountPlans(config).map((plan) => ({
    name: plan.name,
    stack: createNetatmoStack(
      plan.config,
      clock,
      events,
      coordination.account({ name: plan.name, dataDir: plan.config.data_dir }),
    ),
  }));
  let stopped = false;
  const cancels: Array<() => void> = [];
  const round = async (): Promise<void> => {
    await Promise.all(
      stacks.map(async ({ name, stack }) => {
        let outcome: string;
        try {
          // Before the account's owner stored its first pair there is nothing to refresh.
          if (stack.auth.state === 'no_token' && (await stack.auth.init()) !== 'store') return;
          const before = stack.auth.stats().refreshes;
          await stack.auth.forceRefresh(await stack.auth.accessToken());
          outcome = stack.auth.stats().refreshes > before ? 'refreshed' : 'adopted';
        } catch (error) {
          outcome = isNetatmoError(error) ? error.kind : `error: ${String(error).slice(0, 80)}`;
        }
        if (!stopped) record.write({ t: 'forced', account: name, outcome });
      }),
    );
  };
  for (let i = 0; i < rounds; i++)
    cancels.push(clock.schedule(startAt + i * everyMs - clock.now(), () => void round()));
  return () => {
    stopped = true;
    for (const cancel of cancels) cancel();
    for (const { stack } of stacks) stack.gate.close();
  };
}

async function main(): Promise<number> {
  const config = await loadChildConfig();
  if (!config) return 2;
  const clock = clockFromSpec(process.env.N2M_BENCH_CLOCK ?? '', 'N2M_BENCH_CLOCK');
  const record = new ProcessLogWriter(process.env.N2M_BENCH_LOG ?? '', clock);
  record.recordFetch();
  const host = new AccountHost({ config, clock });
  const { coordination } = host;
  // From before the start on: leases are claimed while the host starts.
  const owned = setInterval(
    () => record.write({ t: 'owned', accounts: coordination.leases.owned() }),
    OWNED_EVERY_MS,
  );
  try {
    await host.start();
  } catch (error) {
    clearInterval(owned);
    log.error(`cannot start: ${(error as Error).message}`);
    await host.stop().catch(() => {});
    return 1;
  }
  const stopStorm = startStorm(config, coordination, clock, record);
  return runUntilSignal(async () => {
    clearInterval(owned);
    stopStorm();
    await host.stop();
  });
}

runChild(main);
