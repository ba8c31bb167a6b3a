/**
 * Where the bridge spends a command's time, for the latency scenario only: wall timestamps at
 * the bridge's own seams — the MQTT message handed to the bridge, the call queued at the
 * RequestGate (after validation, coalescing and dispatch), the gated task started, the access
 * token in hand — and the simulator receiving the call. Hooks wrap instance methods of one
 * Bridge; production code is untouched.
 */
import { performance } from 'node:perf_hooks';
import type { Bridge } from '../../src/bridge/controller.js';
import { percentile } from '../lib/stats.js';

export const STAGES = ['broker', 'router', 'gate', 'token', 'http'] as const;
export type Stage = (typeof STAGES)[number];

/** p50/p99 per stage in ms; `broker` = publish → the bridge's handler, `http` = token → simulator. */
export type StageFigures = Record<Stage, { p50Ms: number; p99Ms: number }>;

interface Stamps {
  received?: number;
  queued?: number;
  started?: number;
  token?: number;
}

export class StageRecorder {
  #current: Stamps = {};
  readonly #samples: Record<Stage, number[]> = { broker: [], router: [], gate: [], token: [], http: [] };

  constructor(bridge: Bridge, writeEndpoints: ReadonlySet<string>) {
    bridge.mqtt.onMessage('device_set', () => {
      this.#current.received ??= performance.now();
    });
    const gate = bridge.netatmo.gate;
    const run = gate.run.bind(gate);
    gate.run = ((task, opts) => {
      if (!writeEndpoints.has(opts.label ?? '')) return run(task, opts);
      this.#current.queued ??= performance.now();
      return run(() => {
        this.#current.started ??= performance.now();
        return task();
      }, opts);
    }) as typeof gate.run;
    const auth = bridge.netatmo.auth;
    const accessToken = auth.accessToken.bind(auth);
    auth.accessToken = async () => {
      const token = await accessToken();
      if (this.#current.started !== undefined) this.#current.token ??= performance.now();
      return token;
    };
  }

  /** Call right before publishing a click. */
  begin(): void {
    this.#current = {};
  }

  /** Call with the publish time and the simulator's arrival time once the call arrived. */
  end(publishedAt: number, arrivedAt: number): void {
    const { received, queued, started, token } = this.#current;
    if (received === undefined || queued === undefined || started === undefined || token === undefined)
      return;
    this.#samples.broker.push(received - publishedAt);
    this.#samples.router.push(queued - received);
    this.#samples.gate.push(started - queued);
    this.#samples.token.push(token - started);
    this.#samples.http.push(arrivedAt - token);
  }

  figures(): StageFigures {
    const out = {} as StageFigures;
    for (const stage of STAGES) {
      const ms = this.#samples[stage];
      out[stage] = { p50Ms: percentile(ms, 50), p99Ms: percentile(ms, 99) };
    }
    return out;
  }
}
