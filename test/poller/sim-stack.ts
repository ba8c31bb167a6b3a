/**
 * The poller wired the way the bridge wires it — NetatmoClient → ApiSession → RequestGate +
 * NetatmoAuth (file token store in a temp dir) → the simulator over real HTTP — all on one
 * ScaledClock, so a simulated hour takes seconds.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventBus } from '../../src/events.js';
import type { HomeStatusBody } from '../../src/netatmo/api-types.js';
import { NetatmoAuth } from '../../src/netatmo/auth.js';
import { NetatmoClient } from '../../src/netatmo/client.js';
import { gateLimitsForProfile, RequestGate } from '../../src/netatmo/gate.js';
import { ApiSession } from '../../src/netatmo/session.js';
import { Poller, type PollerOptions } from '../../src/poller/poller.js';
import type { PublisherId } from '../../src/poller/ports.js';
import { type RunningSimulator, type SimulatorOptions, startSimulator } from '../../src/simulator/index.js';
import { FileTokenStore } from '../../src/tokens/file-store.js';
import { ScaledClock } from '../../src/util/clock.js';

export interface SimStack {
  sim: RunningSimulator;
  clock: ScaledClock;
  gate: RequestGate;
  poller: Poller;
  homeStatuses: Array<{ at: number; homeId: string; body: HomeStatusBody }>;
  errors: Array<{ at: number; publisher: PublisherId; failures: number; error: unknown }>;
  availability: Array<{ at: number; publisher: PublisherId; online: boolean }>;
  /** Resolves once `predicate` holds, polling every few wall milliseconds; rejects after `wallMs`. */
  until(predicate: () => boolean, wallMs?: number): Promise<void>;
  /** Waits `ms` of simulated time. */
  wait(ms: number): Promise<void>;
  close(): Promise<void>;
}

export async function startSimStack(
  options: {
    speed?: number;
    profile?: 'own_app' | 'shared_app';
    sim?: SimulatorOptions;
    poller?: Partial<PollerOptions>;
  } = {},
): Promise<SimStack> {
  const clock = new ScaledClock(options.speed ?? 300);
  const sim = await startSimulator({ port: 0, clock, seed: 7, ...options.sim });
  const dataDir = await mkdtemp(join(tmpdir(), 'n2m-poller-'));
  const events = new EventBus();
  const auth = new NetatmoAuth({
    clientId: 'poller-test',
    clientSecret: 'poller-test-secret',
    baseUrl: sim.url,
    store: new FileTokenStore(dataDir),
    clock,
    events,
  });
  await auth.init(sim.mintTokens().refresh_token);
  const gate = new RequestGate({ clock, limits: gateLimitsForProfile(options.profile ?? 'own_app'), events });
  const client = new NetatmoClient(new ApiSession({ baseUrl: sim.url, gate, auth, clock }));
  const stack: Omit<SimStack, 'poller' | 'until' | 'wait' | 'close'> = {
    sim,
    clock,
    gate,
    homeStatuses: [],
    errors: [],
    availability: [],
  };
  const poller = new Poller({
    clock,
    api: client,
    gate,
    sinks: {
      onTopology: () => {},
      onHomeStatus: (homeId, body) => stack.homeStatuses.push({ at: clock.now(), homeId, body }),
      onStations: () => {},
      onHomeCoachs: () => {},
      onPublisherError: (publisher, error, failures) =>
        stack.errors.push({ at: clock.now(), publisher, failures, error }),
      onAvailability: (publisher, online) => stack.availability.push({ at: clock.now(), publisher, online }),
    },
    ...options.poller,
  });
  const until = async (predicate: () => boolean, wallMs = 15_000): Promise<void> => {
    const end = Date.now() + wallMs;
    while (!predicate()) {
      if (Date.now() > end) throw new Error('condition not met in time');
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  };
  return {
    ...stack,
    poller,
    until,
    wait: (ms) => clock.sleep(ms),
    close: async () => {
      poller.stop();
      gate.close();
      await sim.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
