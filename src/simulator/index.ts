/**
 * The Netatmo cloud simulator: a real HTTP server with Netatmo's OAuth, API, quotas and
 * failure modes, plus /__sim/* control endpoints. See README.md next to this file.
 */
import type { AddressInfo } from 'node:net';
import { appLimit } from '../netatmo/quota.js';
import { systemClock } from '../util/clock.js';
import type { SimulatorCore } from './core.js';
import { FaultInjector } from './faults.js';
import { TokenAuthority } from './oauth.js';
import { QuotaTracker } from './quota.js';
import { controls } from './routes-control.js';
import { seedForScenario } from './scenarios/index.js';
import { SecurityService } from './security/service.js';
import { createSimulatorServer } from './server.js';
import { OffsetClock } from './sim-clock.js';
import { StatsRecorder } from './stats.js';
import { DEFAULT_LIMITS, type RateLimits, type RunningSimulator, type SimulatorOptions } from './types.js';
import { UsageRecorder } from './usage.js';
import { AppUsers, userNames } from './users.js';
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
  const world = new World(seed, clock, options.seed ?? 1);
  const names = userNames(options.users ?? 1);
  const app = appLimit(names.length);
  const limits: RateLimits = {
    ...DEFAULT_LIMITS,
    appPer10s: app.per10s,
    appPerHour: app.perHour,
    ...options.limits,
  };
  const authority = new TokenAuthority(clock, lifetime, names, options.clientId, options.clientSecret);
  const core: SimulatorCore = {
    clock,
    world,
    security: new SecurityService(
      world,
      clock,
      () => ({
        userId: authority.userId,
        ...(typeof world.user.email === 'string' ? { email: world.user.email } : {}),
      }),
      // Netatmo signs with the app's client secret; unconfigured, the one the client presented.
      () => options.clientSecret ?? authority.presentedSecret ?? '',
      {
        seed: options.seed ?? 1,
        appName: options.clientId ?? 'netatmo2mqtt',
        ...(options.webhooks ? { webhooks: options.webhooks } : {}),
        ...(options.eventGenerator ? { eventGenerator: options.eventGenerator } : {}),
      },
    ),
    authority,
    quota: new QuotaTracker(clock, limits, options.quota ?? 'per-token'),
    faults: new FaultInjector(),
    stats: new StatsRecorder(),
    usage: new UsageRecorder(names, { per10s: limits.appPer10s, perHour: limits.appPerHour }),
    users: new AppUsers(names, world),
    throttle: options.throttle ?? '429',
    appKey: options.clientId ?? 'app',
  };
  const ops = controls(core);
  const activity = options.activity
    ? new UserActivity(
        core.world,
        clock,
        options.activity === true ? {} : options.activity,
        (homeId, write) => core.security.observe(homeId, write),
      )
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
  const urlHost = host.includes(':') ? `[${host}]` : host === '0.0.0.0' ? '127.0.0.1' : host;
  const url = `http://${urlHost}:${port}`;
  core.security.attach(url);
  activity?.start();
  return {
    url,
    port,
    clock,
    mintTokens: (user) => ops.mintTokens(user),
    users: () => core.users.homes(),
    stats: () => ops.stats(),
    resetStats: () => ops.resetStats(),
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
    raiseEvent: (request) => core.security.raiseRequest({ ...request }),
    webhooks: () => core.security.webhooks.status(),
    onSecurityEvent: (listener) => {
      core.security.onRaised = listener;
      return () => {
        if (core.security.onRaised === listener) core.security.onRaised = undefined;
      };
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        activity?.stop();
        core.security.close();
        server.close((error) => (error ? reject(error) : resolve()));
        // Hanging requests (timeout faults) and keep-alive sockets would hold close() forever.
        server.closeAllConnections();
      }),
  };
}
