/**
 * An in-memory Netatmo for schedule tests: answers from the pyatmo fixtures after a small
 * latency on the test's clock, records every call with its options, and fails on demand.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type {
  HomeCoachsDataBody,
  HomeStatusBody,
  HomesDataBody,
  StationsDataBody,
} from '../../src/netatmo/api-types.js';
import type { CallOptions } from '../../src/netatmo/types.js';
import type { GateStatsView, PollerApi } from '../../src/poller/ports.js';
import type { Clock } from '../../src/util/clock.js';

const fixturesDir = fileURLToPath(new URL('../../src/simulator/fixtures/', import.meta.url));

export function fixtureBody<T>(name: string): T {
  return (JSON.parse(readFileSync(`${fixturesDir}${name}`, 'utf8')) as { body: T }).body;
}

export interface RecordedCall {
  at: number;
  endpoint: 'homesdata' | 'homestatus' | 'getstationsdata' | 'gethomecoachsdata';
  homeId?: string;
  options: Partial<CallOptions>;
}

type Endpoint = RecordedCall['endpoint'];

export class ScriptedApi implements PollerApi {
  readonly calls: RecordedCall[] = [];
  homes: HomesDataBody = fixtureBody('homesdata.json');
  stations: StationsDataBody = fixtureBody('getstationsdata.json');
  coaches: HomeCoachsDataBody = fixtureBody('gethomecoachsdata.json');
  /** Returns an error to throw for this call, or undefined to answer normally. */
  failWith: (endpoint: Endpoint, homeId?: string) => Error | undefined = () => undefined;
  readonly #clock: Clock;
  readonly #latencyMs: number;

  constructor(clock: Clock, latencyMs = 150) {
    this.#clock = clock;
    this.#latencyMs = latencyMs;
  }

  callsTo(endpoint: Endpoint, homeId?: string): RecordedCall[] {
    return this.calls.filter((c) => c.endpoint === endpoint && (homeId === undefined || c.homeId === homeId));
  }

  homesData(_params: { homeId?: string }, call: Partial<CallOptions> = {}): Promise<HomesDataBody> {
    return this.#answer('homesdata', undefined, call, () => structuredClone(this.homes));
  }

  homeStatus(
    homeId: string,
    _params: { deviceTypes?: string[] },
    call: Partial<CallOptions> = {},
  ): Promise<HomeStatusBody> {
    return this.#answer('homestatus', homeId, call, () => ({ home: { id: homeId, rooms: [], modules: [] } }));
  }

  stationsData(_params: { deviceId?: string }, call: Partial<CallOptions> = {}): Promise<StationsDataBody> {
    return this.#answer('getstationsdata', undefined, call, () => structuredClone(this.stations));
  }

  homeCoachsData(
    _params: { deviceId?: string },
    call: Partial<CallOptions> = {},
  ): Promise<HomeCoachsDataBody> {
    return this.#answer('gethomecoachsdata', undefined, call, () => structuredClone(this.coaches));
  }

  async #answer<T>(
    endpoint: Endpoint,
    homeId: string | undefined,
    options: Partial<CallOptions>,
    body: () => T,
  ): Promise<T> {
    this.calls.push({
      at: this.#clock.now(),
      endpoint,
      ...(homeId === undefined ? {} : { homeId }),
      options,
    });
    await this.#clock.sleep(this.#latencyMs, options.signal);
    const error = this.failWith(endpoint, homeId);
    if (error) throw error;
    return body();
  }
}

/** Gate stats a test can steer (throttle windows, calls made by others). */
export class SteerableGateStats {
  callsLastHour = 0;
  remainingHour = 1_000;
  throttleWindow: { until: number; reason: string } | undefined;

  stats(): GateStatsView {
    return {
      callsLastHour: this.callsLastHour,
      remainingHour: this.remainingHour,
      ...(this.throttleWindow ? { throttleWindow: this.throttleWindow } : {}),
    };
  }
}
