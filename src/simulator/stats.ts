/** Counters for GET /__sim/stats and the request log for GET /__sim/log (never a secret in either). */
import type { SimulatorLogEntry, SimulatorStats } from './types.js';

/** The counters kept here; `app` and `users` come from the UsageRecorder. */
type Counters = Omit<SimulatorStats, 'app' | 'users'>;

const MAX_LOG_ENTRIES = 10_000;
/** Parameters never recorded, even though only simulator tokens pass through here (`url`: a webhook's capability URL). */
const SECRET_PARAMS = new Set(['access_token', 'refresh_token', 'client_secret', 'code', 'password', 'url']);

export class StatsRecorder {
  #stats: Counters = empty();
  #log: SimulatorLogEntry[] = [];

  get stats(): Counters {
    return structuredClone(this.#stats);
  }

  count(endpoint: string): void {
    this.#stats.requests[endpoint] = (this.#stats.requests[endpoint] ?? 0) + 1;
  }

  countToken(label: string): void {
    this.#stats.per_token[label] = (this.#stats.per_token[label] ?? 0) + 1;
  }

  bump(key: 'token_refreshes' | 'token_grants' | 'throttled' | 'invalid_grant' | 'faults_injected'): void {
    this.#stats[key]++;
  }

  record(entry: SimulatorLogEntry): void {
    if (entry.params) {
      entry.params = Object.fromEntries(Object.entries(entry.params).filter(([k]) => !SECRET_PARAMS.has(k)));
    }
    this.#log.push(entry);
    if (this.#log.length > MAX_LOG_ENTRIES) this.#log.splice(0, this.#log.length - MAX_LOG_ENTRIES);
  }

  log(): SimulatorLogEntry[] {
    return structuredClone(this.#log);
  }

  /** Clears counters and the log. */
  reset(): void {
    this.#stats = empty();
    this.#log = [];
  }
}

function empty(): Counters {
  return {
    requests: {},
    token_refreshes: 0,
    token_grants: 0,
    throttled: 0,
    invalid_grant: 0,
    per_token: {},
    faults_injected: 0,
  };
}
