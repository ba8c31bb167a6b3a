/**
 * Baseline (a): a faithful model of Home Assistant's Netatmo polling (core
 * `homeassistant/components/netatmo`, data handler / coordinator, 2026):
 *
 * - Publishers and default intervals: account/homesdata 10800 s, homestatus per home 300 s,
 *   getevents per home with cameras 600 s, weather 600 s, air care 300 s; each divided (integer
 *   division, as HA does) by DEV_FACTOR=7 (own app) or CLOUD_FACTOR=2 (cloud linking).
 * - A new publisher is fetched at once on registration, then scheduled `interval` later and
 *   appended to the deque.
 * - Every 60 s one tick: of the first BATCH_SIZE × factor publishers in the deque, each whose
 *   next_scan is due is fetched, one after the other (awaited); then the deque rotates by
 *   BATCH_SIZE.
 * - Budget: calls/hour estimated as poll_count / (now − poll_start) × 3600; above
 *   DEV_LIMIT=400 / CLOUD_LIMIT=150 every publisher's next_scan is pushed back 60 s; poll_count
 *   and poll_start reset when more than an hour has passed.
 * - Errors (throttling included, no global pause): the failing publisher's next scan is
 *   `interval × 2^(n−1)` later, n = consecutive failures, capped at 3600 s.
 *
 * What it reads is handed to the same sinks as this project's poller, so both are judged by
 * the same device model and MQTT publisher.
 */
import type { NetatmoClient } from '../../src/netatmo/client.js';
import type { PollerSinks } from '../../src/poller/ports.js';
import type { Clock } from '../../src/util/clock.js';

export const HA_SCAN_INTERVAL_S = 60;
export const HA_BATCH_SIZE = 3;
export const HA_DEV_FACTOR = 7;
export const HA_CLOUD_FACTOR = 2;
export const HA_DEV_LIMIT = 400;
export const HA_CLOUD_LIMIT = 150;
export const HA_MAX_ERROR_BACKOFF_S = 3600;
const DEFAULT_INTERVALS_S = { account: 10_800, home: 300, event: 600, weather: 600, air_care: 300 } as const;
const CAMERA_TYPES = new Set(['NACamera', 'NOC', 'NPC', 'NDB']);

type PublisherKind = keyof typeof DEFAULT_INTERVALS_S;

interface HaPublisher {
  kind: PublisherKind;
  homeId?: string;
  intervalS: number;
  nextScan: number;
  errorCount: number;
}

export interface HaModelOptions {
  clock: Clock;
  api: NetatmoClient;
  sinks: PollerSinks;
  profile: 'own_app' | 'shared_app';
}

export class HaModelPoller {
  readonly #o: HaModelOptions;
  readonly #factor: number;
  readonly #rateLimit: number;
  #queue: HaPublisher[] = [];
  #pollCount = 0;
  #pollStart = 0;
  #cancel: (() => void) | undefined;
  #running = false;
  /** Calls made, for the report. */
  calls = 0;
  errors = 0;

  constructor(options: HaModelOptions) {
    this.#o = options;
    this.#factor = options.profile === 'own_app' ? HA_DEV_FACTOR : HA_CLOUD_FACTOR;
    this.#rateLimit = options.profile === 'own_app' ? HA_DEV_LIMIT : HA_CLOUD_LIMIT;
  }

  async start(): Promise<void> {
    this.#running = true;
    this.#pollStart = this.#nowS();
    this.#pollCount = 0;
    this.#scheduleTick();
    // HA subscribes the account first; platform setup then subscribes what the account holds.
    const topology = await this.#register({ kind: 'account' });
    if (!topology) return;
    for (const home of topology.homes) {
      if ((home.modules ?? []).length === 0) continue;
      await this.#register({ kind: 'home', homeId: home.id });
      if ((home.modules ?? []).some((m) => CAMERA_TYPES.has(m.type))) {
        await this.#register({ kind: 'event', homeId: home.id });
      }
    }
    await this.#register({ kind: 'weather' });
    await this.#register({ kind: 'air_care' });
  }

  stop(): void {
    this.#running = false;
    this.#cancel?.();
  }

  #nowS(): number {
    return this.#o.clock.now() / 1000;
  }

  #scheduleTick(): void {
    this.#cancel = this.#o.clock.schedule(HA_SCAN_INTERVAL_S * 1000, () => {
      if (!this.#running) return;
      void this.#tick().finally(() => {
        if (this.#running) this.#scheduleTick();
      });
    });
  }

  async #register(spec: {
    kind: PublisherKind;
    homeId?: string;
  }): Promise<{ homes: Array<{ id: string; modules?: Array<{ type: string }> }> } | undefined> {
    const intervalS = Math.floor(DEFAULT_INTERVALS_S[spec.kind] / this.#factor);
    const publisher: HaPublisher = { ...spec, intervalS, nextScan: this.#nowS() + intervalS, errorCount: 0 };
    const result = await this.#fetch(publisher);
    if (!this.#running) return undefined;
    if (result.error) {
      this.#backOff(publisher);
    }
    this.#queue.push(publisher);
    return result.topology;
  }

  async #tick(): Promise<void> {
    const batch = this.#queue.slice(0, HA_BATCH_SIZE * this.#factor);
    for (const publisher of batch) {
      if (!this.#running) return;
      if (publisher.nextScan > this.#nowS()) continue;
      const { error } = await this.#fetch(publisher);
      if (error) this.#backOff(publisher);
      else publisher.nextScan = this.#nowS() + publisher.intervalS;
    }
    // deque.rotate(BATCH_SIZE): the last BATCH_SIZE move to the front.
    const n = this.#queue.length;
    if (n > 0) {
      const k = HA_BATCH_SIZE % n;
      this.#queue = [...this.#queue.slice(n - k), ...this.#queue.slice(0, n - k)];
    }
    const now = this.#nowS();
    const cph = (this.#pollCount / Math.max(now - this.#pollStart, 1e-3)) * 3600;
    if (cph > this.#rateLimit) for (const p of this.#queue) p.nextScan += 60;
    if (now - this.#pollStart > 3600) {
      this.#pollStart = now;
      this.#pollCount = 0;
    }
  }

  #backOff(publisher: HaPublisher): void {
    const delay = Math.min(publisher.intervalS * 2 ** (publisher.errorCount - 1), HA_MAX_ERROR_BACKOFF_S);
    publisher.nextScan = this.#nowS() + delay;
  }

  async #fetch(
    p: HaPublisher,
  ): Promise<{ error: boolean; topology?: Awaited<ReturnType<NetatmoClient['homesData']>> }> {
    this.#pollCount += 1;
    this.calls += 1;
    const { api, sinks } = this.#o;
    try {
      let topology: Awaited<ReturnType<NetatmoClient['homesData']>> | undefined;
      switch (p.kind) {
        case 'account':
          topology = await api.homesData({});
          sinks.onTopology(topology);
          break;
        case 'home':
          sinks.onHomeStatus(p.homeId as string, await api.homeStatus(p.homeId as string, {}));
          break;
        case 'event':
          await api.getEvents({ homeId: p.homeId as string });
          break;
        case 'weather':
          sinks.onStations(await api.stationsData({}));
          break;
        case 'air_care':
          sinks.onHomeCoachs(await api.homeCoachsData({}));
          break;
      }
      p.errorCount = 0;
      return topology ? { error: false, topology } : { error: false };
    } catch {
      p.errorCount += 1;
      this.errors += 1;
      return { error: true };
    }
  }
}
