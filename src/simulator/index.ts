/**
 * The Netatmo cloud simulator: a real HTTP server with Netatmo's OAuth, API, quotas and
 * failure modes, plus /__sim/* control endpoints. See README.md next to this file.
 */
import type { AddressInfo } from 'node:net';
import { systemClock } from '../util/clock.js';
import type { SimulatorCore } from './core.js';
import { FaultInjector } from './faults.js';
import { TokenAuthority } from './oauth.js';
import { QuotaTracker } from './quota.js';
import { controls } from './routes-control.js';
import { seedForScenario } from './scenarios/index.js';
import { createSimulatorServer } from './server.js';
import { OffsetClock } from './sim-clock.js';
import { StatsRecorder } from './stats.js';
import { DEFAULT_LIMITS, type RunningSimulator, type SimulatorOptions } from './types.js';
import { UserActivity } from './world/activity.js';
import { World } from './world/world.js';

export type * from './device-control-types.js';
export type * from './types.js';
export { DEFAULT_LIMITS } from './types.js';

export const DEFAULT_TOKEN_LIFETIME_SEC = 10_800;

export async function startSimulator(options: SimulatorOptions = {}): Promise<RunningSimulator> {
  const clock = new OffsetClock(options.clock ?? systemClock);
  const lifetime = options.tokenLifetimeSec ?? DEFAULT_TOKEN_LIFETIME_SEC;
  if (!(Number.isFinite(lifetime) && lifetime > 0))
    throw new Error(`token lifetime must be > 0 s, got ${lifetime}`);
  const seed = seedForScenario(options.scenario ?? 'fixtures', clock.now());
  const core: SimulatorCore = {
    clock,
    world: new World(seed, clock, options.seed ?? 1),
    authority: new TokenAuthority(clock, lifetime, options.clientId, options.clientSecret),
    quota: new QuotaTracker(clock, { ...DEFAULT_LIMITS, ...options.limits }, options.quota ?? 'per-token'),
    faults: new FaultInjector(),
    stats: new StatsRecorder(),
    throttle: options.throttle ?? '429',
    appKey: options.clientId ?? 'app',
  };
  const ops = controls(core);
  const activity = options.activity
    ? new UserActivity(core.world, clock, options.activity === true ? {} : options.activity)
    : undefined;
  const server = createSimulatorServer(core);
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  activity?.start();
  const urlHost = host.includes(':') ? `[${host}]` : host === '0.0.0.0' ? '127.0.0.1' : host;
  return {
    url: `http://${urlHost}:${port}`,
    port,
    clock,
    mintTokens: () => ops.mintTokens(),
    stats: () => core.stats.stats,
    resetStats: () => core.stats.reset(),
    log: () => core.stats.log(),
    setFaults: (request) => ops.setFaults(request),
    advanceClock: (ms) => {
      ops.advanceClock(ms);
    },
    setQuotaMode: (mode) => ops.setQuotaMode(mode),
    lastChange: (id, field) => {
      core.world.advance();
      return core.world.lastChange(id, field);
    },
    lastChanges: () => {
      core.world.advance();
      return core.world.lastChanges();
    },
    onChange: (listener) => {
      core.world.watchChanges(listener);
      return () => core.world.watchChanges(undefined);
    },
    onApiRequest: (listener) => {
      core.onApiRequest = listener;
      return () => {
        if (core.onApiRequest === listener) core.onApiRequest = undefined;
      };
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        activity?.stop();
        server.close((error) => (error ? reject(error) : resolve()));
        // Hanging requests (timeout faults) and keep-alive sockets would hold close() forever.
        server.closeAllConnections();
      }),
  };
}
