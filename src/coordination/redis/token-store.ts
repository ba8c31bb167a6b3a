/**
 * An account's token pair in Redis, shared by every process of the app: the same JSON the file
 * store writes, under `<prefix>:token:<account>`, with a copy in the account's data folder.
 *
 * What protects it: whoever can read the key can use the account, so Redis must require a
 * password (`requirepass` or an ACL user limited to the prefix's keys) and run on a private
 * network, or be reached with TLS (`rediss://`). Nothing here adds persistence: without
 * Redis' own (AOF/RDB), a Redis restart forgets the pair, and each process puts back the
 * newest it knows (restore, newest `obtained_at` wins); the file copy also lets a process
 * that starts while Redis is away begin with the last pair it saw.
 *
 * Rotations are stored by compare-and-set on the refresh token they replace (Lua): a process
 * that lost a race can never overwrite a newer pair.
 */
import { childLogger } from '../../log.js';
import type { FileTokenStore } from '../../tokens/file-store.js';
import {
  checkStoredToken,
  markCurrentToken,
  type StoredToken,
  type TokenStore,
  TokenStoreError,
} from '../../tokens/stored-token.js';
import type { RedisConnection } from './connection.js';
import { TOKEN_REPLACE, TOKEN_RESTORE } from './scripts.js';

const log = childLogger('coordination');

export class RedisTokenStore implements TokenStore {
  readonly #connection: RedisConnection;
  readonly #key: string;
  readonly #copy: FileTokenStore;
  /** The newest pair this process has seen: what it puts back when Redis lost the key. */
  #known: StoredToken | undefined;

  constructor(connection: RedisConnection, key: string, copy: FileTokenStore) {
    this.#connection = connection;
    this.#key = key;
    this.#copy = copy;
  }

  describe(): string {
    return `redis ${this.#connection.where} key ${this.#key} (copy in ${this.#copy.path})`;
  }

  /** The pair in Redis; the file copy when Redis has none (put back) or is away. */
  async load(): Promise<StoredToken | undefined> {
    let text: string | null;
    await this.#connection.connect();
    try {
      text = await this.#connection.redis.get(this.#key);
    } catch (error) {
      log.warning(
        `cannot read the token from Redis (${String(error)}); using the copy in ${this.#copy.path}`,
      );
      return this.#remember(await this.#copy.load());
    }
    if (text === null) {
      const copy = await this.#copy.load();
      if (copy) await this.restore(copy);
      return this.#remember(copy);
    }
    const checked = parse(text);
    if (typeof checked === 'string') {
      throw new TokenStoreError(
        'corrupt',
        this.#key,
        `the token in Redis key ${this.#key} is corrupt (${checked})`,
      );
    }
    markCurrentToken(checked, this.describe());
    return this.#remember(checked);
  }

  /** Unconditional (a new authorisation): the pair replaces whatever Redis holds. */
  async save(token: StoredToken): Promise<void> {
    markCurrentToken(token, this.describe());
    await this.#saveCopy(token);
    await this.#write(() => this.#connection.redis.set(this.#key, JSON.stringify(token)));
  }

  /**
   * The copy is written first: when Redis fails now, the newest pair still survives here and in
   * memory, and goes back to Redis (restore) when it answers again.
   */
  async replace(previousRefreshToken: string, token: StoredToken): Promise<void> {
    markCurrentToken(token, this.describe());
    await this.#saveCopy(token);
    const stored = await this.#write(() =>
      this.#connection.script(TOKEN_REPLACE, [this.#key], [previousRefreshToken, JSON.stringify(token)]),
    );
    if (stored !== 1) {
      throw new TokenStoreError(
        'conflict',
        this.#key,
        `another process stored a newer token pair in ${this.#key} meanwhile; this one was not stored`,
      );
    }
  }

  /** Puts `token` (default: the newest seen) back unless Redis holds a newer pair. True when written. */
  async restore(token: StoredToken | undefined = this.#known): Promise<boolean> {
    if (!token) return false;
    await this.#connection.connect();
    const written = await this.#connection.script(
      TOKEN_RESTORE,
      [this.#key],
      [JSON.stringify(token), token.obtained_at],
    );
    if (written === 1) log.info(`put the account's token pair back into Redis (${this.#key})`);
    return written === 1;
  }

  #remember(token: StoredToken | undefined): StoredToken | undefined {
    if (token && (!this.#known || token.obtained_at >= this.#known.obtained_at)) this.#known = token;
    return token;
  }

  async #write<T>(write: () => Promise<T>): Promise<T> {
    // Without an offline queue a command sent before the first connect fails: wait for that attempt.
    await this.#connection.connect();
    try {
      return await write();
    } catch (error) {
      throw new TokenStoreError(
        'write_failed',
        this.#key,
        `cannot store the token in Redis ${this.#connection.where} (${error instanceof Error ? error.message : String(error)})`,
        error,
      );
    }
  }

  async #saveCopy(token: StoredToken): Promise<void> {
    this.#remember(token);
    await this.#copy
      .save(token)
      .catch((error: unknown) =>
        log.warning(`cannot keep the token copy in ${this.#copy.path}: ${String(error)}`),
      );
  }
}

function parse(text: string): StoredToken | string {
  try {
    return checkStoredToken(JSON.parse(text));
  } catch {
    return 'not valid JSON';
  }
}
