/**
 * What the accounts of one process, and the processes that share one Netatmo app, coordinate
 * (per-app limits, token rotation, who polls which account). The account host (src/bridge)
 * sees only this contract; behind it sit the in-process default (nothing to run) and Redis
 * (`coordination.redis_url`).
 */
import type { TokenStore } from '../tokens/stored-token.js';

export type CoordinationMode = 'local' | 'redis';

/** One Netatmo account (user) of the app, as the configuration names it. */
export interface AccountSpec {
  /** Topic-safe account name (`<base>/<name>/…` with several accounts). */
  name: string;
  /** The account's own data folder (token file, state cache, names). */
  dataDir: string;
}

/** What one account's Netatmo stack (auth, gate) shares with the other accounts and processes. */
export interface AccountCoordination {
  readonly account: string;
  /** Where the account's token pair lives: its data folder by default, Redis with coordination. */
  readonly tokens: TokenStore;
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
}

export interface Coordination {
  readonly mode: CoordinationMode;
  account(spec: AccountSpec): AccountCoordination;
  readonly leases: AccountLeases;
  health(): CoordinationHealth;
  close(): Promise<void>;
}
