/**
 * The one ioredis connection of a process, with options chosen so that a Redis that is down,
 * paused or unreachable never hangs a caller (ioredis' defaults would):
 * - `enableOfflineQueue: false`: while disconnected a command fails at once instead of waiting
 *   in an unbounded queue for a reconnect that may never come;
 * - `commandTimeout`: a Redis that accepts the connection but never answers (paused, half-open
 *   socket) fails the command after a bound instead of never;
 * - `maxRetriesPerRequest: 0` and `autoResendUnfulfilledCommands: false`: a script whose answer
 *   was lost with the connection is not silently sent again (a budget start or a lease claim
 *   must not count twice);
 * - `retryStrategy`: reconnects forever, with a backoff bounded at 2 s, so recovery is by itself;
 * - an `error` listener: without one ioredis prints "Unhandled error event" for every failed
 *   reconnect; here one line per outage is logged;
 * - the URL is parsed here, not by ioredis: ioredis merges URL query options OVER the options
 *   given beside it, so `?enableOfflineQueue=true` could silently undo the guards above. A query
 *   is refused, as is any scheme but redis:// and rediss:// (TLS).
 * Scripts run by EVALSHA and fall back to EVAL on NOSCRIPT (a restarted Redis forgot them).
 */
import { createHash } from 'node:crypto';
import { Redis, type RedisOptions } from 'ioredis';
import { BridgeError } from '../../errors.js';
import { childLogger } from '../../log.js';
import { registerSecret } from '../../util/redact.js';

const log = childLogger('coordination');

export class RedisSettingsError extends BridgeError {}

export interface ConnectionTuning {
  /** A command that gets no answer within this fails. Default 2 s. */
  commandTimeoutMs: number;
  /** TCP (and TLS) connect bound. Default 3 s. */
  connectTimeoutMs: number;
  /** Longest pause between reconnect attempts. Default 2 s. */
  maxReconnectDelayMs: number;
}

export const DEFAULT_CONNECTION_TUNING: ConnectionTuning = {
  commandTimeoutMs: 2_000,
  connectTimeoutMs: 3_000,
  maxReconnectDelayMs: 2_000,
};

/** ioredis options for `url`, with the guards above. Throws RedisSettingsError naming the key. */
export function redisOptions(
  url: string,
  password: string | undefined,
  connectionName: string,
  tuning: ConnectionTuning = DEFAULT_CONNECTION_TUNING,
): RedisOptions {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new RedisSettingsError('coordination.redis_url is not a URL (expected redis://host:port/db)');
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
    throw new RedisSettingsError(
      `coordination.redis_url must start with redis:// or rediss:// (TLS), not ${parsed.protocol}//`,
    );
  }
  if (parsed.search !== '') {
    throw new RedisSettingsError(
      'coordination.redis_url must not carry query options (?…): they are not used',
    );
  }
  const db = parsed.pathname.replace(/^\//, '');
  if (db !== '' && !/^\d+$/.test(db)) {
    throw new RedisSettingsError(`coordination.redis_url: the path must be a database number, not "/${db}"`);
  }
  const secret = password ?? (parsed.password === '' ? undefined : decodeURIComponent(parsed.password));
  registerSecret(secret);
  const host = parsed.hostname.replace(/^\[|\]$/g, '');
  return {
    host,
    port: parsed.port === '' ? 6379 : Number(parsed.port),
    db: db === '' ? 0 : Number(db),
    ...(parsed.username === '' ? {} : { username: decodeURIComponent(parsed.username) }),
    ...(secret === undefined ? {} : { password: secret }),
    ...(parsed.protocol === 'rediss:' ? { tls: { servername: host } } : {}),
    connectionName,
    lazyConnect: true,
    enableOfflineQueue: false,
    enableReadyCheck: true,
    maxRetriesPerRequest: 0,
    autoResendUnfulfilledCommands: false,
    commandTimeout: tuning.commandTimeoutMs,
    connectTimeout: tuning.connectTimeoutMs,
    retryStrategy: (attempt: number) => Math.min(50 * 2 ** Math.min(attempt, 10), tuning.maxReconnectDelayMs),
  };
}

/** `redis://host:port/db` without credentials, for logs and health. */
export function describeRedisUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname === '/' ? '' : u.pathname}`;
  } catch {
    return 'redis (unparsable URL)';
  }
}

export type ScriptArg = string | number;

export class RedisConnection {
  readonly redis: Redis;
  readonly where: string;
  readonly #shas = new Map<string, string>();
  readonly #listeners = new Set<(up: boolean) => void>();
  #up = false;
  #downSince: number | undefined;
  #lastError = '';
  #firstAttempt: Promise<void> | undefined;
  #settled = false;
  #generation = 0;

  constructor(url: string, password: string | undefined, connectionName: string, tuning?: ConnectionTuning) {
    this.where = describeRedisUrl(url);
    this.redis = new Redis(redisOptions(url, password, connectionName, tuning));
    this.redis.on('ready', () => {
      this.#generation += 1;
      this.#set(true);
    });
    this.redis.on('close', () => this.#set(false));
    this.redis.on('error', (error: Error) => {
      this.#lastError = error.message;
      if (this.#downSince === undefined) this.#set(false);
    });
  }

  /** Starts connecting (reconnects on its own afterwards); resolves once connected or failed once. */
  connect(): Promise<void> {
    this.#firstAttempt ??= this.redis
      .connect()
      .catch((error: unknown) => {
        this.#lastError = error instanceof Error ? error.message : String(error);
        this.#set(false);
      })
      .finally(() => {
        this.#settled = true;
      });
    return this.#firstAttempt;
  }

  /** Counts connections made: a reconnect may reach a Redis that lost its data meanwhile. */
  get generation(): number {
    return this.#generation;
  }

  /** The first connection attempt has ended (either way): until then, callers wait for it. */
  get settled(): boolean {
    return this.#settled;
  }

  get up(): boolean {
    return this.#up && this.redis.status === 'ready';
  }

  /** Why Redis is not usable now (for health and messages; never a secret). */
  get downReason(): string {
    return `Redis at ${this.where} is unreachable${this.#lastError ? ` (${this.#lastError})` : ''}`;
  }

  onChange(listener: (up: boolean) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Runs a Lua script by its hash, sending it again when Redis does not know it (NOSCRIPT). */
  async script(source: string, keys: readonly string[], args: readonly ScriptArg[]): Promise<unknown> {
    let sha = this.#shas.get(source);
    if (sha === undefined) {
      sha = createHash('sha1').update(source).digest('hex');
      this.#shas.set(source, sha);
    }
    try {
      return await this.redis.evalsha(sha, keys.length, ...keys, ...args);
    } catch (error) {
      if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
      return this.redis.eval(source, keys.length, ...keys, ...args);
    }
  }

  async close(): Promise<void> {
    this.#listeners.clear();
    await this.redis.quit().catch(() => this.redis.disconnect());
  }

  #set(up: boolean): void {
    if (up === this.#up && (up || this.#downSince !== undefined)) return;
    this.#up = up;
    if (up) {
      if (this.#downSince !== undefined) log.info(`Redis at ${this.where} answers again`);
      this.#downSince = undefined;
    } else {
      this.#downSince = Date.now();
      log.warning(`${this.downReason}; serving owned accounts on a local budget, token refreshes wait`);
    }
    for (const listener of this.#listeners) listener(up);
  }
}
