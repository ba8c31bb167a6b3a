/**
 * An account's refresh lock across processes: `SET key id NX PX ttl`, released by a Lua
 * compare-and-delete so a holder whose lock expired cannot delete the next holder's. A try that
 * timed out may still be applied by Redis later (it was only slow): every try of one wait uses
 * the same id and accepts the lock being its own already, and the ids of waits that gave up are
 * released as soon as Redis answers again, so such a lock never blocks until its TTL. Without
 * Redis there is no lock, so there is no refresh: the caller waits (up to `waitMs`), the
 * coordination's health says why, one log line says it once per outage.
 */
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { childLogger } from '../../log.js';
import { NetatmoError } from '../../netatmo/errors.js';
import type { RefreshLock } from '../../netatmo/refresh-lock.js';
import type { RedisConnection } from './connection.js';
import { CLAIM, RELEASE } from './scripts.js';

const log = childLogger('coordination');

export interface RefreshLockTuning {
  /** Lock lifetime: longer than a token request can take. Default 30 s. */
  ttlMs: number;
  /** How long a refresh waits for the lock before failing (transient). Default 35 s. */
  waitMs: number;
  /** Pause between two tries. Default 50 ms. */
  pollMs: number;
}

export const DEFAULT_REFRESH_LOCK_TUNING: RefreshLockTuning = { ttlMs: 30_000, waitMs: 35_000, pollMs: 50 };

/** Why refreshes wait, shared by the accounts of a process (health's refresh_blocked). */
export class RefreshBlock {
  #reason: string | undefined;

  get reason(): string | undefined {
    return this.#reason;
  }

  block(reason: string): void {
    if (this.#reason === undefined)
      log.warning(`token refreshes wait: ${reason}; no refresh without the lock`);
    this.#reason = reason;
  }

  clear(): void {
    if (this.#reason !== undefined) log.info('token refreshes may run again (the refresh lock is reachable)');
    this.#reason = undefined;
  }
}

export class RedisRefreshLock implements RefreshLock {
  readonly #connection: RedisConnection;
  readonly #key: string;
  readonly #tuning: RefreshLockTuning;
  readonly #block: RefreshBlock;
  /** Ids of waits that gave up: a late-applied try may hold the lock under one of them. */
  readonly #abandoned = new Set<string>();

  constructor(
    connection: RedisConnection,
    key: string,
    block: RefreshBlock,
    tuning = DEFAULT_REFRESH_LOCK_TUNING,
  ) {
    this.#connection = connection;
    this.#key = key;
    this.#block = block;
    this.#tuning = tuning;
  }

  async run<T>(fn: () => Promise<T>): Promise<T> {
    const id = randomBytes(12).toString('hex');
    await this.#acquire(id);
    try {
      return await fn();
    } finally {
      // A failed release is retried before the next wait (else the lock would block until its TTL).
      await this.#connection.script(RELEASE, [this.#key], [id]).catch(() => this.#abandoned.add(id));
    }
  }

  async #acquire(id: string): Promise<void> {
    const giveUpAt = Date.now() + this.#tuning.waitMs;
    for (;;) {
      try {
        await this.#releaseAbandoned();
        const taken = await this.#connection.script(CLAIM, [this.#key], [id, this.#tuning.ttlMs]);
        this.#block.clear();
        if (taken === 1 || taken === 2) return;
      } catch {
        this.#block.block(this.#connection.downReason);
      }
      if (Date.now() >= giveUpAt) {
        this.#abandoned.add(id);
        throw new NetatmoError(
          'transient',
          this.#block.reason === undefined
            ? 'the token refresh lock stayed taken by another process; the refresh is retried later'
            : `the token refresh waits for Redis: ${this.#block.reason}`,
        );
      }
      await sleep(this.#tuning.pollMs * (0.5 + Math.random()));
    }
  }

  async #releaseAbandoned(): Promise<void> {
    for (const id of this.#abandoned) {
      await this.#connection.script(RELEASE, [this.#key], [id]);
      this.#abandoned.delete(id);
    }
  }
}
