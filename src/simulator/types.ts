/**
 * The simulator's public contract: options, the running handle, and the shapes of its
 * control endpoints (/__sim/*). Tests, benchmarks and the demo rely on these names.
 */
import type { SecurityEvent } from '../netatmo/api-types.js';
import { NETATMO_LIMITS } from '../netatmo/quota.js';
import type { Clock } from '../util/clock.js';
import type { EventGeneratorOptions } from './security/event-generator.js';
import type { RaiseEventRequest } from './security/request.js';
import type { SecurityStats } from './security/service.js';
import type { WebhookOptions, WebhookStatus } from './security/webhooks.js';

export type { EventGeneratorOptions } from './security/event-generator.js';
export type { RaiseEventRequest } from './security/request.js';
export type { DeliveryRecord, WebhookOptions, WebhookStatus } from './security/webhooks.js';

/** Which quota a refresh resets: field reports say per token; Netatmo documents per user. */
export type QuotaMode = 'per-token' | 'per-user';
/** How an over-quota call is answered: 429+26 (today), 403+26 (historic), 429+11 with Retry-After (WAF). */
export type ThrottleDialect = '429' | '403' | 'waf';

export interface RateLimits {
  userPer10s: number;
  userPerHour: number;
  appPer10s: number;
  appPerHour: number;
}

/** Netatmo's documented limits for a small app (with `users`, the app's are scaled: `appLimit`). */
export const DEFAULT_LIMITS: RateLimits = {
  userPer10s: NETATMO_LIMITS.user.per10s,
  userPerHour: NETATMO_LIMITS.user.perHour,
  appPer10s: NETATMO_LIMITS.app.per10s,
  appPerHour: NETATMO_LIMITS.app.perHour,
};

export interface SimulatorOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  host?: string;
  /** `fixtures` (default), a pyatmo home, `catalogue`, `scale:HOMES,MODULES` or `meters:N` (README). */
  scenario?: string;
  quota?: QuotaMode;
  throttle?: ThrottleDialect;
  /** Overrides; `appPer10s`/`appPerHour` replace the app limit derived from `users`. */
  limits?: Partial<RateLimits>;
  /**
   * Users of the app, `user1..userN` (default 1: one user sees everything, as before). The
   * scenario's homes are dealt round robin to them; the app limit is Netatmo's for N users.
   */
  users?: number;
  /** Access token lifetime in seconds (default 10800). */
  tokenLifetimeSec?: number;
  /** When set, only these client credentials are accepted. */
  clientId?: string;
  clientSecret?: string;
  /** Time source; POST /__sim/clock adds an offset on top of it. */
  clock?: Clock;
  /** Seed for the pseudo-random drift of measured values (deterministic runs). */
  seed?: number;
  /**
   * Simulated residents: manual setpoint changes and shutter moves at realistic rates, and a
   * world tick so every change is stamped when it happens (benchmarks). Off by default.
   */
  activity?: boolean | ActivityOptions;
  /** Scripted security events for benchmarks (true: defaults). Off by default; see README.md. */
  eventGenerator?: boolean | EventGeneratorOptions;
  /** Webhook delivery: timeout, Netatmo's port rule. */
  webhooks?: WebhookOptions;
}

export interface ActivityOptions {
  /** How often the world is caught up to the clock (simulated ms). Default 5 s. */
  tickMs?: number;
  /** Mean time between manual setpoint changes in one home (simulated ms). Default 30 min. */
  setpointEveryMs?: number;
  /** Mean time between shutter moves in one home (simulated ms). Default 30 min. */
  shutterEveryMs?: number;
  seed?: number;
}

/** Told of every change of a tracked value: `id` is the room, module or weather unit. */
export type SimulatorChangeListener = (id: string, field: string, value: unknown, at: number) => void;

/** Told of every `/api/<endpoint>` request once its body is read, before any check (no secrets: form fields only). */
export type ApiRequestListener = (endpoint: string, params: Readonly<Record<string, string>>) => void;

export interface TokenPair {
  access_token: string;
  refresh_token: string;
  expires_in: number;
}

/** GET /__sim/stats `app`: every API request that got past authentication, whoever made it. */
export interface AppUsage {
  /** Requests made, served or throttled. */
  requests: number;
  /** Of those, answered as throttled by a full window (user's or app's). */
  throttled: number;
  /** Of the throttled, those refused because the app's window was full. */
  throttled_by_app_limit: number;
  /** Most requests (served or throttled) in any sliding 10 s / 1 h window of the simulator clock. */
  peak_10s: number;
  peak_hour: number;
  /** The app windows enforced. */
  limits: { per10s: number; perHour: number };
}

/** GET /__sim/stats `users.<name>`. */
export interface UserUsage {
  requests: number;
  throttled: number;
  peak_10s: number;
  peak_hour: number;
  token_refreshes: number;
  /** Refreshes with one of the user's spent refresh tokens (or a bad code of theirs). */
  invalid_grant: number;
}

/** GET /__sim/stats */
export interface SimulatorStats {
  requests: Record<string, number>;
  token_refreshes: number;
  token_grants: number;
  throttled: number;
  invalid_grant: number;
  /** Requests per access token (by a short non-secret label). */
  per_token: Record<string, number>;
  faults_injected: number;
  /** Security events raised since start or the last reset (control endpoint, generator, API). */
  events_raised?: number;
  /** The webhook: registered, banned, and deliveries since start or the last reset. */
  webhook?: SecurityStats['webhook'];
  app: AppUsage;
  users: Record<string, UserUsage>;
}

export type FaultKind =
  | 'latency' // add `ms` before answering
  | 'status' // answer `status` (default 503) with a Netatmo error body
  | 'timeout' // never answer
  | 'reset' // destroy the connection
  | 'malformed_json' // 200 with a body that is not JSON
  | 'truncated' // 200 with a JSON body cut short
  | 'html' // 200 with text/html
  | 'throttle' // answer as over-quota in the configured dialect
  | 'token_down' // /oauth2/token answers 503
  | 'body'; // answer `status` (default 200) with `body` verbatim as JSON (hostile answers)

/** One rule of POST /__sim/faults. */
export interface FaultRule {
  kind: FaultKind;
  /** How many matching requests it applies to; absent = until cleared. */
  count?: number;
  /** Endpoint names (`homestatus`, `token`, ...); absent = every API endpoint (not token). */
  endpoints?: string[];
  status?: number;
  ms?: number;
  /** For `throttle`: Retry-After seconds to send. */
  retry_after?: number;
  /**
   * For `body`: the whole JSON answer, sent as given (envelope included), e.g.
   * `{"status":"ok","body":{"home":{"id":…,"modules":"oops"}}}`. Keys such as `__proto__`
   * survive: the simulator serialises what POST /__sim/faults parsed, own properties only.
   */
  body?: unknown;
}

/** Body of POST /__sim/faults. `clear: true` removes all rules and unreachable modules first. */
export interface FaultRequest {
  clear?: boolean;
  rules?: FaultRule[];
  /** Module ids reported in body.errors[] with code 6 by homestatus and setstate. */
  unreachable_modules?: string[];
}

/** One entry of GET /__sim/log. Secrets are never recorded. */
export interface SimulatorLogEntry {
  at: number;
  endpoint: string;
  status: number;
  /** Short non-secret label of the access token used. */
  token?: string;
  params?: Record<string, unknown>;
  outcome: 'ok' | 'throttled' | 'error' | 'fault';
}

export interface RunningSimulator {
  /** `http://host:port` with no trailing slash; use as `netatmo.base_url`. */
  readonly url: string;
  readonly port: number;
  /** The simulator's clock (base clock + the offset added by POST /__sim/clock). */
  readonly clock: Clock;
  /** A fresh pair for `user` (default: the first user); throws on an unknown user. */
  mintTokens(user?: string): TokenPair;
  /** Each user's home ids (GET /__sim/users). */
  users(): Record<string, string[]>;
  stats(): SimulatorStats;
  resetStats(): void;
  log(): SimulatorLogEntry[];
  setFaults(request: FaultRequest): void;
  advanceClock(ms: number): void;
  setQuotaMode(mode: QuotaMode): void;
  /** Simulated ms at which `field` of room/module/weather unit `id` last changed (GET /__sim/changes). */
  lastChange(id: string, field: string): number | undefined;
  /** Every tracked value's last change, keyed `<id>/<field>`. */
  lastChanges(): Record<string, number>;
  /** Calls `listener` on every later value change (one listener at a time); returns a stop function. */
  onChange(listener: SimulatorChangeListener): () => void;
  /** Calls `listener` on every later API request as it arrives (one listener at a time); returns a stop function. */
  onApiRequest(listener: ApiRequestListener): () => void;
  /** Raises a security event (as POST /__sim/events) and returns it as getevents shows it; throws on a bad request. */
  raiseEvent(request: RaiseEventRequest): SecurityEvent;
  /** The webhook's registration, ban state and delivery log (GET /__sim/webhooks). */
  webhooks(): WebhookStatus;
  /**
   * Calls `listener` with every event raised from now on (control endpoint, generator, API side
   * effects), as getevents shows it, when it is raised (one listener at a time; benchmarks time
   * events with it); returns a stop function.
   */
  onSecurityEvent(listener: (homeId: string, event: SecurityEvent) => void): () => void;
  close(): Promise<void>;
}
