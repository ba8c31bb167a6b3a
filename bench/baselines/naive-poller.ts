/**
 * Baseline (b): the poller most scripts have. Topology once at start (and hourly); then every
 * home's homestatus, the weather stations and the home coaches on one fixed interval, all at
 * the same moment. A failing read backs off exponentially (interval × 2^failures, at most an
 * hour) and resets on success. No budget, no shared throttle pause.
 */
import type { NetatmoClient } from '../../src/netatmo/client.js';
import type { PollerSinks } from '../../src/poller/ports.js';
import type { Clock } from '../../src/util/clock.js';

export const NAIVE_INTERVAL_MS = 60_000;
const TOPOLOGY_INTERVAL_MS = 3_600_000;
const MAX_BACKOFF_MS = 3_600_000;

export interface NaivePollerOptions {
  clock: Clock;
  api: NetatmoClient;
  sinks: PollerSinks;
  intervalMs?: number;
}

export class NaivePoller {
  readonly #o: NaivePollerOptions;
  readonly #interval: number;
  readonly #cancels = new Set<() => void>();
  #running = false;
  calls = 0;
  errors = 0;

  constructor(options: NaivePollerOptions) {
    this.#o = options;
    this.#interval = options.intervalMs ?? NAIVE_INTERVAL_MS;
  }

  async start(): Promise<void> {
    this.#running = true;
    const { api, sinks } = this.#o;
    let homeIds: string[] = [];
    const topology = async (): Promise<void> => {
      const body = await api.homesData({});
      homeIds = body.homes.filter((h) => (h.modules ?? []).length > 0).map((h) => h.id);
      sinks.onTopology(body);
    };
    await this.#loop(topology, TOPOLOGY_INTERVAL_MS, true);
    for (const homeId of homeIds) {
      await this.#loop(
        async () => sinks.onHomeStatus(homeId, await api.homeStatus(homeId, {})),
        this.#interval,
      );
    }
    await this.#loop(async () => sinks.onStations(await api.stationsData({})), this.#interval);
    await this.#loop(async () => sinks.onHomeCoachs(await api.homeCoachsData({})), this.#interval);
  }

  stop(): void {
    this.#running = false;
    for (const cancel of this.#cancels) cancel();
    this.#cancels.clear();
  }

  /** Runs `read` now (awaited when `first`), then every interval, backing off on failures. */
  async #loop(read: () => Promise<void>, intervalMs: number, awaitFirst = false): Promise<void> {
    let failures = 0;
    const run = async (): Promise<void> => {
      if (!this.#running) return;
      this.calls += 1;
      try {
        await read();
        failures = 0;
      } catch {
        failures += 1;
        this.errors += 1;
      }
      if (!this.#running) return;
      const delay = failures === 0 ? intervalMs : Math.min(intervalMs * 2 ** failures, MAX_BACKOFF_MS);
      const cancel = this.#o.clock.schedule(delay, () => {
        this.#cancels.delete(cancel);
        void run();
      });
      this.#cancels.add(cancel);
    };
    if (awaitFirst) await run();
    else void run();
  }
}
