/**
 * Account ownership through Redis: each account is polled by exactly one process.
 *
 * - A lease is `<prefix>:lease:<account>` = the process name with PX ttl, taken when missing
 *   (SET NX PX, in a script that also accepts it being ours already: a claim that timed out may
 *   have been applied late), renewed every ttl/4 by compare-and-pexpire (one late round does not lose it), released by
 *   compare-and-delete after the `lost` handler finished.
 * - A process takes at most its fair share, ceil(accounts / live processes) (membership: a
 *   sorted set scored by Redis' clock), preferring accounts by rendezvous hashing so processes
 *   rarely contend; above its share it releases the surplus, so load spreads as processes join.
 * - A dead owner's leases expire within the TTL; the others then take them. Its membership ends
 *   after half a TTL, so the survivors' share has grown before its leases run out, and a survivor
 *   with room looks again the moment the first of them does (takeover ≈ TTL after the kill).
 * - `lost` fires before anyone else can take the account: a lease not renewed for ttl/2 (Redis
 *   away) counts as lost here, while Redis still holds it for at least another ttl/2, which is
 *   the time the `lost` handler has to stop touching the account.
 * - Redis restarted empty (the epoch key is gone): owners re-claim their own accounts at the next
 *   renewal (the renew script sets a missing key); every process waits one TTL before taking an
 *   account it did not own, so nothing is polled twice.
 * Lease times are elapsed real time (Redis PX and TTLs, timers, `performance.now()` here), never
 * the injected Clock: a bench's clock runs faster and from another origin; nor Date.now(): a
 * stepped system clock must not make a lease look held longer than Redis keeps it.
 */
import { createHash, randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { childLogger } from '../../log.js';
import type { AccountLeases, LeaseHandlers } from '../types.js';
import type { RedisConnection } from './connection.js';
import type { RedisKeys } from './keys.js';
import { CLAIM, HEARTBEAT, RELEASE } from './scripts.js';

const log = childLogger('leases');

/** Lease rounds (heartbeat, renewals, claims) per lease TTL. */
const ROUNDS_PER_TTL = 4;

/** Monotonic ms: what lease deadlines here are measured in (see the header). */
const elapsed = (): number => performance.now();

interface Held {
  /** Before then (`elapsed()` ms) the lease is surely still ours in Redis (renew sent + ttl/2). */
  safeUntil: number;
  lostTimer: NodeJS.Timeout;
  /** Being handed over: still renewed until its `lost` handler finished, no longer held. */
  releasing: boolean;
}

export interface LeaseEvents {
  /** Redis came back empty (a restart or a flush): stores put their pairs back. */
  onRedisReset?: () => void;
}

export class RedisLeases implements AccountLeases {
  readonly #connection: RedisConnection;
  readonly #keys: RedisKeys;
  readonly #name: string;
  readonly #ttlMs: number;
  readonly #events: LeaseEvents;
  readonly #held = new Map<string, Held>();
  /** Per account, handlers run one after another. */
  readonly #chains = new Map<string, Promise<void>>();
  #accounts: readonly string[] = [];
  #handlers: LeaseHandlers | undefined;
  #timer: NodeJS.Timeout | undefined;
  #ticking = false;
  #epoch: string | undefined;
  /** No account this process did not own is taken before then (`elapsed()` ms). */
  #holdUntil = 0;
  #live = 1;
  #surplusRounds = 0;
  #stopped = false;
  /** An extra round when a wanted lease runs out before the next regular one. */
  #soon: NodeJS.Timeout | undefined;

  constructor(
    connection: RedisConnection,
    keys: RedisKeys,
    name: string,
    ttlMs: number,
    events: LeaseEvents = {},
  ) {
    this.#connection = connection;
    this.#keys = keys;
    this.#name = name;
    this.#ttlMs = ttlMs;
    this.#events = events;
  }

  /** Resolves once the first round's `acquired` handlers ran. */
  async start(accounts: readonly string[], handlers: LeaseHandlers): Promise<void> {
    this.#accounts = [...new Set(accounts)];
    this.#handlers = handlers;
    this.#stopped = false;
    await this.#tick();
    this.#timer = setInterval(
      () => void this.#tick(),
      Math.max(10, Math.floor(this.#ttlMs / ROUNDS_PER_TTL)),
    );
    await Promise.all(this.#chains.values());
  }

  /** Hands every account over (renewing them until their `lost` handlers finished). */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#soon);
    await Promise.all([...this.#held.keys()].map((account) => this.#release(account)));
    await Promise.all(this.#chains.values());
    clearInterval(this.#timer);
    await this.#connection.redis.zrem(this.#keys.processes, this.#name).catch(() => undefined);
  }

  holds(account: string): boolean {
    const held = this.#held.get(account);
    return held !== undefined && !held.releasing && elapsed() < held.safeUntil;
  }

  owned(): string[] {
    return [...this.#held]
      .filter(([, h]) => !h.releasing)
      .map(([account]) => account)
      .sort();
  }

  /** Live processes as last seen (1 while Redis is away). */
  get liveProcesses(): number {
    return this.#live;
  }

  async #tick(): Promise<void> {
    if (this.#ticking) return;
    this.#ticking = true;
    try {
      const generation = this.#connection.generation;
      if (!(await this.#heartbeat())) return;
      await this.#renewAll();
      if (!this.#stopped) await this.#balance(generation);
    } catch (error) {
      log.debug(`lease round failed: ${String(error)}`);
    } finally {
      this.#ticking = false;
    }
  }

  /** False when Redis is away (leases then run out on their own timers). */
  async #heartbeat(): Promise<boolean> {
    if (!this.#connection.up) return false;
    const candidate = randomBytes(8).toString('hex');
    const [live, epoch, created] = (await this.#connection.script(
      HEARTBEAT,
      [this.#keys.processes, this.#keys.epoch],
      // Half a lease: a dead process leaves the count while the others still have a round
      // (every ttl/4) before its leases run out, in which they plan to take them at expiry.
      [this.#name, Math.floor(this.#ttlMs / 2), candidate],
    )) as [number, string, number];
    this.#live = Math.max(1, live);
    if ((this.#epoch !== undefined && epoch !== this.#epoch) || created === 1) {
      this.#holdUntil = elapsed() + this.#ttlMs;
      if (this.#epoch !== undefined) {
        log.warning(
          'Redis lost its data (restarted empty?): re-claiming owned accounts, taking others after one lease TTL',
        );
        this.#events.onRedisReset?.();
      }
    }
    this.#epoch = epoch;
    return true;
  }

  async #renewAll(): Promise<void> {
    await Promise.all(
      [...this.#held.keys()].map(async (account) => {
        const sent = elapsed();
        const answer = await this.#connection
          .script(CLAIM, [this.#keys.lease(account)], [this.#name, this.#ttlMs])
          .catch(() => undefined);
        if (answer === 0) this.#lose(account, 'another process owns it now');
        else if (answer !== 1 && answer !== 2) return;
        else if (this.#held.has(account)) this.#extend(account, sent);
        // Given up while the renewal was under way (its `lost` handler ran): let it go.
        else await this.#connection.script(RELEASE, [this.#keys.lease(account)], [this.#name]).catch(() => 0);
      }),
    );
  }

  /** Claims stop when the connection changed since the heartbeat (a restarted Redis is empty). */
  async #balance(generation: number): Promise<void> {
    const share = Math.ceil(this.#accounts.length / this.#live);
    const ranked = [...this.#accounts].sort((a, b) => this.#rank(b) - this.#rank(a));
    const owned = ranked.filter((a) => this.#held.has(a));
    // Above the fair share two rounds in a row (one late heartbeat elsewhere is no reason to
    // hand accounts around): release the accounts this process ranks lowest.
    const surplus = owned.slice(share).reverse();
    if (surplus.length > 0 && this.#surplusRounds++ > 0)
      for (const account of surplus) void this.#release(account);
    if (surplus.length === 0) this.#surplusRounds = 0;
    if (elapsed() < this.#holdUntil) return;
    let free = share - Math.min(owned.length, share);
    const busy: string[] = [];
    for (const account of ranked) {
      if (free <= 0 || this.#stopped || this.#connection.generation !== generation) break;
      if (this.#held.has(account)) continue;
      const sent = elapsed();
      // CLAIM rather than SET NX: a claim that timed out here may have been applied late.
      const taken = await this.#connection
        .script(CLAIM, [this.#keys.lease(account)], [this.#name, this.#ttlMs])
        .catch(() => 0);
      if (taken !== 1 && taken !== 2) {
        busy.push(account);
        continue;
      }
      free -= 1;
      this.#extend(account, sent);
      log.info(`owns account ${account} now`);
      this.#chain(account, () => this.#handlers?.acquired(account));
    }
    if (free > 0 && busy.length > 0) await this.#retryWhenFree(busy);
  }

  /** A wanted account's lease may run out (its owner died) before the next round: look then. */
  async #retryWhenFree(busy: readonly string[]): Promise<void> {
    const left = await Promise.all(
      busy.map((account) => this.#connection.redis.pttl(this.#keys.lease(account)).catch(() => -1)),
    );
    const soonest = Math.min(...left.filter((ms) => ms > 0));
    if (!Number.isFinite(soonest) || soonest >= this.#ttlMs / ROUNDS_PER_TTL) return;
    clearTimeout(this.#soon);
    this.#soon = setTimeout(() => void this.#tick(), soonest + 5);
  }

  #extend(account: string, sent: number): void {
    const held = this.#held.get(account);
    if (held) clearTimeout(held.lostTimer);
    const safeUntil = sent + Math.floor(this.#ttlMs / 2);
    const lostTimer = setTimeout(
      () =>
        this.#lose(
          account,
          // Renewals late while Redis answers: this process (its event loop) or Redis is too slow.
          this.#connection.up
            ? `its lease was not renewed within ${Math.floor(this.#ttlMs / 2)} ms (Redis or this process too slow)`
            : 'its lease could not be renewed (Redis away)',
        ),
      Math.max(0, safeUntil - elapsed()),
    );
    this.#held.set(account, { safeUntil, lostTimer, releasing: held?.releasing ?? false });
  }

  /** Stops touching the account at once; Redis' lease runs out on its own. */
  #lose(account: string, why: string): void {
    const held = this.#held.get(account);
    if (!held) return;
    clearTimeout(held.lostTimer);
    this.#held.delete(account);
    // A release in progress already runs the `lost` handler.
    if (held.releasing) return;
    log.warning(`gave up account ${account}: ${why}`);
    this.#chain(account, () => this.#handlers?.lost(account));
  }

  /** Hands the account over: `lost` runs while the lease is still ours, then the lease is deleted. */
  async #release(account: string): Promise<void> {
    const held = this.#held.get(account);
    if (!held || held.releasing) return;
    log.info(`releases account ${account} (fair share, or stopping)`);
    // Still renewed while `lost` runs; holds() is false at once: no command is sent any more.
    held.releasing = true;
    await this.#chain(account, () => this.#handlers?.lost(account));
    const still = this.#held.get(account);
    if (!still) return;
    clearTimeout(still.lostTimer);
    this.#held.delete(account);
    await this.#connection.script(RELEASE, [this.#keys.lease(account)], [this.#name]).catch(() => undefined);
  }

  #chain(account: string, step: () => Promise<void> | undefined): Promise<void> {
    const next = (this.#chains.get(account) ?? Promise.resolve()).then(step).then(
      () => undefined,
      (error: unknown) => {
        log.error(`lease handler for ${account} failed: ${String(error)}`);
      },
    );
    this.#chains.set(account, next);
    return next;
  }

  /** Rendezvous hashing: each process prefers a different, stable set of accounts. */
  #rank(account: string): number {
    return createHash('sha1').update(`${account}\u0000${this.#name}`).digest().readUInt32BE(0);
  }
}
