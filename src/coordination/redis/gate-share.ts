/**
 * An account's gate share through Redis: one Lua script checks the account's and the app's
 * sliding windows (10 s and 1 h each, as every process counts them) and the shared throttle
 * windows, and records the start only when all of them allow it. A script rather than
 * rate-limiter-flexible: its limiters consume one key at a time, so four windows checked one
 * after another could each record a start that another window then refuses (no all-or-nothing
 * consume across keys); it also has no command reserve.
 *
 * Redis away: the start is judged by a local budget at a safe fraction (the process's owned
 * share of the app budget, halved: processes that cannot see each other then stay under the
 * app limit together), its starts are kept and added to Redis' windows when it answers again.
 */
import { randomBytes } from 'node:crypto';
import { type GateLimits, pollLimits, WINDOW_MS } from '../../netatmo/gate/limits.js';
import type { GateShare, ShareVerdict, StartKind } from '../../netatmo/gate/share.js';
import type { WindowBudget } from '../../netatmo/gate/window-budget.js';
import type { Clock } from '../../util/clock.js';
import type { ThrottleBoard } from '../throttle-board.js';
import type { RedisConnection } from './connection.js';
import type { RedisKeys } from './keys.js';
import { BUDGET_TAKE, THROTTLE_OPEN } from './scripts.js';

/** Longest shared throttle window. */
const MAX_THROTTLE_MS = 3_600_000;

export interface GateShareParts {
  account: string;
  connection: RedisConnection;
  keys: RedisKeys;
  clock: Clock;
  /** The account's gate limits and the app budget (planned shares, quota.ts). */
  userLimits: GateLimits;
  appLimits: GateLimits;
  /** Used while Redis is away; shared by the accounts of the process. */
  fallback: WindowBudget;
  board: ThrottleBoard;
  /** Window lengths (tests shorten them). */
  windowsMs?: GateLimits;
}

export class RedisGateShare implements GateShare {
  readonly #p: GateShareParts;
  readonly #windows: GateLimits;
  readonly #id = randomBytes(6).toString('hex');
  #counter = 0;
  /** Starts made on the fallback budget, to be added to Redis' windows once it answers. */
  #offline: number[] = [];

  constructor(parts: GateShareParts) {
    this.#p = parts;
    this.#windows = parts.windowsMs ?? WINDOW_MS;
  }

  take(now: number, kind: StartKind): ShareVerdict | Promise<ShareVerdict> {
    const local = this.#p.board.refusal(this.#p.account, now);
    if (local) return local;
    // Just created: the first connection attempt decides (a start is not judged offline meanwhile).
    if (!this.#p.connection.settled)
      return this.#p.connection.connect().then(() => this.take(this.#p.clock.now(), kind));
    if (!this.#p.connection.up) return this.#offlineTake(now, kind);
    return this.#redisTake(now, kind).catch(() => this.#offlineTake(this.#p.clock.now(), kind));
  }

  throttled(until: number, reason: string): void {
    const now = Math.floor(this.#p.clock.now());
    const capped = Math.ceil(Math.min(until, now + MAX_THROTTLE_MS));
    this.#p.board.open(this.#p.account, capped, reason, now);
    void this.#publish(capped, reason, now);
  }

  async #publish(until: number, reason: string, now: number): Promise<void> {
    await this.#p.connection.connect();
    if (!this.#p.connection.up) return;
    const { keys, account } = this.#p;
    const ttl = Math.max(1, Math.min(until - now, MAX_THROTTLE_MS));
    await this.#p.connection
      .script(
        THROTTLE_OPEN,
        [keys.userThrottle(account), keys.appThrottle, keys.recentThrottles],
        [account, until, reason, now, ttl],
      )
      .catch(() => undefined);
  }

  /** Starts made on the fallback budget that Redis has not counted yet. */
  get offlineStarts(): number {
    return this.#offline.length;
  }

  /** Starts made while Redis was away: recorded in its windows now that it answers. */
  async replayOffline(): Promise<void> {
    const starts = this.#offline;
    if (starts.length === 0) return;
    this.#offline = [];
    const { keys, account, connection } = this.#p;
    const members = starts.flatMap((at) => [at, this.#member(at)]);
    await connection.redis
      .multi()
      .zadd(keys.userStarts(account), ...members)
      .zadd(keys.appStarts, ...members)
      .pexpire(keys.userStarts(account), this.#windows.perHour)
      .pexpire(keys.appStarts, this.#windows.perHour)
      .exec()
      .catch(() => {
        this.#offline.unshift(...starts);
      });
  }

  async #redisTake(clockNow: number, kind: StartKind): Promise<ShareVerdict> {
    const { keys, account } = this.#p;
    const now = Math.floor(clockNow);
    const user = kind === 'poll' ? pollLimits(this.#p.userLimits) : this.#p.userLimits;
    const app = kind === 'poll' ? pollLimits(this.#p.appLimits) : this.#p.appLimits;
    const answer = (await this.#p.connection.script(
      BUDGET_TAKE,
      [keys.userStarts(account), keys.appStarts, keys.userThrottle(account), keys.appThrottle],
      [
        now,
        this.#member(now),
        user.per10s,
        user.perHour,
        app.per10s,
        app.perHour,
        this.#windows.per10s,
        this.#windows.perHour,
      ],
    )) as [number, number?, string?];
    if (answer[0] === 1) return { ok: true };
    const retryAt = Number(answer[1]);
    const reason = answer[2] ?? '';
    if (reason === '') return { ok: false, retryAt };
    this.#p.board.open(this.#p.account, retryAt, reason, now);
    return { ok: false, retryAt, throttle: reason };
  }

  #offlineTake(now: number, kind: StartKind): ShareVerdict {
    const verdict = this.#p.fallback.take(now, kind);
    if (verdict.ok) this.#offline.push(Math.floor(now));
    return verdict;
  }

  #member(at: number): string {
    this.#counter += 1;
    return `${at}:${this.#id}:${this.#counter}`;
  }
}
