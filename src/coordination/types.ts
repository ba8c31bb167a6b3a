/**
 * What the accounts of one process, and the processes that share one Netatmo app, coordinate
 * (per-app limits, token rotation, who polls which account). The account host (src/bridge)
 * sees only this contract; behind it sit the in-process default (nothing to run) and Redis
 * (`coordination.redis_url`).
 */
import type { EventBus } from '../events.js';
import type { GateLimits } from '../netatmo/gate/limits.js';
import type { GateShare } from '../netatmo/gate/share.js';
import type { NetatmoProfile } from '../netatmo/quota.js';
import type { RefreshLock } from '../netatmo/refresh-lock.js';
import type { TokenStore } from '../tokens/stored-token.js';
import type { Clock } from '../util/clock.js';

export type CoordinationMode = 'local' | 'redis';

/** One Netatmo account (user) of the app, as the configuration names it. */
export interface AccountSpec {
  /** Topic-safe account name (`<base>/<name>/…` with several accounts). */
  name: string;
  /** The account's own data folder (token file, state cache, names). */
  dataDir: string;
  /** The account's profile (default own_app): its budget as every process counts it (Redis). */
  profile?: NetatmoProfile;
}

/** What one account's Netatmo stack (auth, gate) shares with the other accounts and processes. */
export interface AccountCoordination {
  readonly account: string;
  /** Where the account's token pair lives: its data folder by default, Redis with coordination. */
  readonly tokens: TokenStore;
  /** Accounts sharing the app: each account's gate plans for at most its fair share of the app. */
  readonly appUsers: number;
  /** The app budget and throttle windows the account's gate shares with the other accounts. */
  readonly gateShare: GateShare;
  /** Held around every token refresh across processes (Redis); absent in-process. */
  readonly refreshLock?: RefreshLock;
}

export interface LeaseHandlers {
  /** This process now owns the account: start polling it and serving its topics. */
  acquired(account: string): Promise<void>;
  /** Another process owns it now (or this one stops): stop touching it. */
  lost(account: string): Promise<void>;
}

/** Exactly one process polls each account; a dead owner's accounts move within the lease TTL. */
export interface AccountLeases {
  start(accounts: readonly string[], handlers: LeaseHandlers): Promise<void>;
  /** Releases every held lease (their `lost` handlers run first). */
  stop(): Promise<void>;
  /** True while this process holds the account's lease: checked before a command is sent. */
  holds(account: string): boolean;
  owned(): string[];
}

export interface CoordinationHealth {
  mode: CoordinationMode;
  /** Redis answers (always true in local mode). */
  connected: boolean;
  /** This process, as the leases name it. */
  process: string;
  owned: string[];
  /** Set while token refreshes wait (Redis down: never refresh without the lock). */
  refresh_blocked?: string;
  /** Processes sharing the app, as the leases count them (Redis). */
  live_processes?: number;
  /** Where budgets are counted now: Redis, or this process alone while Redis is away. */
  budget?: 'redis' | 'local_fallback';
  /**
   * Per account of this process: whether it holds the lease, and the calls it started on the
   * local fallback budget that Redis' windows have not counted yet.
   */
  accounts?: Record<string, { holds: boolean; offline_starts: number }>;
}

/**
 * What the host maps its configuration (`coordination`, `accounts`) to. Figures in ms.
 */
export interface CoordinationSettings {
  /** `redis://` or `rediss://` (TLS); absent = in-process coordination. */
  redisUrl?: string;
  /** Overrides a password in the URL. A secret: never logged. */
  redisPassword?: string;
  /** Every Redis key starts with `<keyPrefix>:`. */
  keyPrefix: string;
  /** Account ownership lease; a dead owner's accounts move within it. */
  leaseTtlMs: number;
  /** How the leases name this process; default `<hostname>-<pid>`. */
  processName?: string;
  /** Number of accounts (users) sharing the app: scales the app limit and each fair share. */
  appUsers: number;
}

export interface CoordinationDeps {
  /** Budgets and throttle windows are judged on it (all processes must share a time base). */
  clock: Clock;
  events: EventBus;
  /** Tests and benchmarks only: shorter timeouts and windows, smaller limits. */
  tuning?: CoordinationTuning;
}

export interface CoordinationTuning {
  commandTimeoutMs?: number;
  refreshLockTtlMs?: number;
  refreshWaitMs?: number;
  /** Length of the two budget windows (default Netatmo's 10 s and 1 h). */
  windowsMs?: GateLimits;
  /** Overrides of the shared budgets (default: derived in quota.ts). */
  userLimits?: GateLimits;
  appLimits?: GateLimits;
}

export interface Coordination {
  readonly mode: CoordinationMode;
  account(spec: AccountSpec): AccountCoordination;
  readonly leases: AccountLeases;
  health(): CoordinationHealth;
  close(): Promise<void>;
}
