/**
 * The OAuth wrapper: hands out access tokens and refreshes them safely.
 *
 * Since May 2024 every refresh returns a new access AND refresh token and revokes the previous
 * pair; a client that loses the new refresh token gets invalid_grant about 3 h later. Rules it
 * keeps:
 * - one refresh at a time (async-mutex), re-checked after taking the lock, so N concurrent
 *   callers cause one refresh;
 * - the rotated pair is persisted (TokenStore.save resolved) BEFORE anyone gets the new
 *   access token. If the save fails the new pair is still kept in memory and used: Netatmo
 *   has already revoked the old pair, so dropping the new one would lock the user out now
 *   instead of at the next restart. The failure is logged and emitted (tokenPersistFailed);
 * - invalid_grant is terminal: state 'reauth_required', one event, no more token requests
 *   until setCredentials();
 * - forced refreshes (throttle recovery) are rate-limited so a flapping server cannot make
 *   the bridge churn tokens;
 * - with a RefreshLock (several processes share the token), the refresh runs inside it and
 *   first re-reads the store: a pair another process stored meanwhile is adopted, not spent
 *   again; the rotated pair is stored by compare-and-set on the refresh token it replaces.
 */
import { Mutex } from 'async-mutex';
import type { EventBus } from '../events.js';
import { childLogger } from '../log.js';
import { type InterruptedRefresh, type RefreshJournal, tokenFingerprint } from '../tokens/file-store.js';
import { type InitialToken, resolveInitialToken } from '../tokens/initial-token.js';
import { expiresAtMs, markCurrentToken, type StoredToken, type TokenStore } from '../tokens/stored-token.js';
import type { Clock } from '../util/clock.js';
import { isNetatmoError, NetatmoError } from './errors.js';
import type { RefreshLock } from './refresh-lock.js';
import { type TokenAnswer, TokenEndpoint } from './token-endpoint.js';

const log = childLogger('auth');

export type AuthState = 'ok' | 'no_token' | 'reauth_required';

export interface NetatmoAuthOptions {
  clientId: string;
  clientSecret: string;
  baseUrl: string;
  store: TokenStore;
  clock: Clock;
  events: EventBus;
  /** Refresh this long before expiry. Default 5 min. */
  refreshMarginMs?: number;
  /** At most one forced refresh per this interval. Default 5 min. */
  minForcedRefreshIntervalMs?: number;
  /** After a failed proactive refresh, wait this long before trying again. Default 30 s. */
  proactiveRetryMs?: number;
  /** Token endpoint HTTP timeout (wall time). Default 10 s. */
  httpTimeoutMs?: number;
  /** Held around each refresh when other processes share the token (coordination). */
  refreshLock?: RefreshLock;
}

export interface AuthStats {
  state: AuthState;
  refreshes: number;
  forcedRefreshes: number;
  refreshFailures: number;
  /** Epoch ms of the last successful refresh. */
  lastRefreshAt?: number;
  /** Epoch ms when the current access token expires. */
  expiresAt?: number;
  /** Set while the newest pair exists only in memory. */
  persistError?: string;
  reauthReason?: string;
}

/** The in-memory pair. A bootstrap refresh token has no access token yet. */
interface Current {
  accessToken: string;
  refreshToken: string;
  expiresAt: number;
  scope?: string[];
  obtainedAt: number;
}

function isJournal(store: TokenStore): store is TokenStore & RefreshJournal {
  const candidate = store as Partial<RefreshJournal>;
  return typeof candidate.beginRefresh === 'function' && typeof candidate.interruptedRefresh === 'function';
}

export class NetatmoAuth {
  readonly #store: TokenStore;
  readonly #clock: Clock;
  readonly #events: EventBus;
  readonly #endpoint: TokenEndpoint;
  readonly #lock = new Mutex();
  readonly #refreshLock: RefreshLock | undefined;
  readonly #marginMs: number;
  readonly #minForcedMs: number;
  readonly #proactiveRetryMs: number;
  #current: Current | undefined;
  #state: AuthState = 'no_token';
  #reauthReason: string | undefined;
  #lastForcedAt: number | undefined;
  /** After a failed proactive refresh: the still-valid token is used until then. */
  #nextProactiveAt = 0;
  #refreshes = 0;
  #forced = 0;
  #failures = 0;
  #lastRefreshAt: number | undefined;
  #persistError: string | undefined;
  /** A refresh an earlier run started and never finished (from the store's journal). */
  #interruptedAtBoot: InterruptedRefresh | undefined;

  constructor(options: NetatmoAuthOptions) {
    this.#store = options.store;
    this.#clock = options.clock;
    this.#events = options.events;
    this.#marginMs = options.refreshMarginMs ?? 300_000;
    this.#minForcedMs = options.minForcedRefreshIntervalMs ?? 300_000;
    this.#proactiveRetryMs = options.proactiveRetryMs ?? 30_000;
    this.#refreshLock = options.refreshLock;
    this.#endpoint = new TokenEndpoint({
      clientId: options.clientId,
      clientSecret: options.clientSecret,
      baseUrl: options.baseUrl,
      timeoutMs: options.httpTimeoutMs ?? 10_000,
      secretSlot: options.store.describe(),
    });
  }

  /** Loads the stored pair (or the bootstrap refresh token when the store is empty). */
  async init(bootstrapRefreshToken?: string): Promise<InitialToken['source']> {
    const initial = await resolveInitialToken(this.#store, bootstrapRefreshToken);
    if (isJournal(this.#store)) {
      this.#interruptedAtBoot = await this.#store.interruptedRefresh();
      if (this.#interruptedAtBoot) {
        log.warning(
          `the previous run stopped during a token refresh started at ${this.#interruptedAtBoot.startedAt}; ` +
            'if Netatmo rotated the pair before the stop, the stored one is no longer valid',
        );
      }
    }
    if (initial.source === 'store') this.#adopt(initial.token);
    if (initial.source === 'bootstrap') {
      this.#current = { accessToken: '', refreshToken: initial.refreshToken, expiresAt: 0, obtainedAt: 0 };
      this.#state = 'ok';
    }
    log.info(`token source: ${initial.source} (${this.#store.describe()})`);
    return initial.source;
  }

  get state(): AuthState {
    return this.#state;
  }

  /** A valid access token, refreshed shortly before expiry (one refresh for all callers). */
  async accessToken(): Promise<string> {
    const fresh = this.#usable();
    if (fresh) return fresh;
    return this.#lock.runExclusive(async () => {
      const again = this.#usable();
      if (again) return again;
      const current = this.#requireCurrent();
      const now = this.#clock.now();
      try {
        return await this.#refresh(current, false);
      } catch (error) {
        // A proactive refresh that failed transiently: the old token still works for a while.
        if (isNetatmoError(error) && error.kind !== 'reauth_required' && current.expiresAt > now) {
          this.#nextProactiveAt = now + Math.min(this.#proactiveRetryMs, (current.expiresAt - now) / 2);
          log.warning(
            `proactive token refresh failed (${error.message}); using the current token until it is retried`,
          );
          return current.accessToken;
        }
        throw error;
      }
    });
  }

  /**
   * Refreshes because `staleAccessToken` was rejected or throttled. When the current token
   * is no longer that one, someone already refreshed: it is returned without a request.
   * Throws NetatmoError('throttle_window') when a forced refresh happened too recently.
   */
  async forceRefresh(staleAccessToken: string): Promise<string> {
    return this.#lock.runExclusive(async () => {
      const current = this.#requireCurrent();
      if (current.accessToken !== staleAccessToken && current.accessToken !== '') return current.accessToken;
      return this.#refresh(current, true);
    });
  }

  /** A forced refresh spends the token at most once per interval: throws throttle_window when too soon. */
  #claimForcedRefresh(): void {
    const now = this.#clock.now();
    if (this.#lastForcedAt !== undefined && now - this.#lastForcedAt < this.#minForcedMs) {
      const retryAt = this.#lastForcedAt + this.#minForcedMs;
      throw new NetatmoError(
        'throttle_window',
        'a forced token refresh happened moments ago; not refreshing again',
        {
          retryAt,
          retryAfterMs: retryAt - now,
        },
      );
    }
    this.#lastForcedAt = now;
  }

  /** New credentials from onboarding or a pasted token: saved, then used. Ends 'reauth_required'. */
  async setCredentials(token: StoredToken): Promise<void> {
    await this.#lock.runExclusive(async () => {
      this.#adopt(token);
      this.#reauthReason = undefined;
      this.#lastForcedAt = undefined;
      this.#events.emit('credentialsRestored', { at: this.#clock.now() });
      await this.#persist(token, true);
    });
  }

  /**
   * A refresh token pasted by the user (Netatmo's token generator): like a bootstrap token it
   * has no access token, so it is traded for a pair at once. A bad token is refused here,
   * with the state left as it was; a good one is saved and used, and polling can start.
   */
  async setRefreshToken(refreshToken: string): Promise<void> {
    const pasted = refreshToken.trim();
    if (pasted === '') throw new NetatmoError('api', 'the refresh token is empty');
    // Not registered as a secret before Netatmo accepts it (see #adopt): a refused paste is
    // nobody's token, and redacting it would blank out whatever text it happens to match.
    const answer = await this.#endpoint.refresh(pasted, this.#clock.now());
    await this.setCredentials(answer.token);
  }

  authorizeUrl(params: { redirectUri: string; scope: string[]; state: string }): string {
    return this.#endpoint.authorizeUrl(params);
  }

  /** Onboarding: trades an authorization code for a pair and starts using it. */
  async exchangeCode(code: string, redirectUri: string): Promise<{ expiresAt: number; scope?: string[] }> {
    const answer = await this.#endpoint.exchangeCode(code, redirectUri, this.#clock.now());
    await this.setCredentials(answer.token);
    return {
      expiresAt: expiresAtMs(answer.token),
      ...(answer.token.scope ? { scope: answer.token.scope } : {}),
    };
  }

  stats(): AuthStats {
    return {
      state: this.#state,
      refreshes: this.#refreshes,
      forcedRefreshes: this.#forced,
      refreshFailures: this.#failures,
      ...(this.#lastRefreshAt === undefined ? {} : { lastRefreshAt: this.#lastRefreshAt }),
      ...(this.#current && this.#current.accessToken !== '' ? { expiresAt: this.#current.expiresAt } : {}),
      ...(this.#persistError === undefined ? {} : { persistError: this.#persistError }),
      ...(this.#reauthReason === undefined ? {} : { reauthReason: this.#reauthReason }),
    };
  }

  #usable(): string | undefined {
    const current = this.#requireCurrent();
    const now = this.#clock.now();
    if (current.accessToken === '') return undefined;
    if (current.expiresAt - this.#marginMs > now) return current.accessToken;
    if (current.expiresAt > now && now < this.#nextProactiveAt) return current.accessToken;
    return undefined;
  }

  #requireCurrent(): Current {
    if (this.#state === 'reauth_required') {
      throw new NetatmoError(
        'reauth_required',
        `Netatmo needs a new authorisation: ${this.#reauthReason ?? ''}`,
      );
    }
    if (!this.#current) {
      throw new NetatmoError('reauth_required', 'no Netatmo token yet: authorise the bridge first');
    }
    return this.#current;
  }

  #adopt(token: StoredToken): void {
    markCurrentToken(token, this.#store.describe());
    this.#current = {
      accessToken: token.access_token,
      refreshToken: token.refresh_token,
      expiresAt: expiresAtMs(token),
      obtainedAt: Date.parse(token.obtained_at),
      ...(token.scope ? { scope: token.scope } : {}),
    };
    this.#state = 'ok';
    this.#nextProactiveAt = 0;
  }

  /**
   * Runs under the in-process lock, and inside the shared one when there is one. A pair another
   * process stored meanwhile is adopted without spending anything (nor a forced-refresh slot).
   */
  async #refresh(current: Current, forced: boolean): Promise<string> {
    const spend = (): Promise<string> => {
      if (forced) this.#claimForcedRefresh();
      return this.#spend(current, forced);
    };
    const lock = this.#refreshLock;
    if (!lock) return spend();
    return lock.run(async () => (await this.#storedSince(current)) ?? spend());
  }

  /** Another process refreshed while this one waited: its pair is adopted, nothing is spent. */
  async #storedSince(current: Current): Promise<string | undefined> {
    let stored: StoredToken | undefined;
    try {
      stored = await this.#store.load();
    } catch (error) {
      throw new NetatmoError(
        'transient',
        `cannot re-read the stored token before refreshing: ${String(error)}`,
        {
          cause: error,
        },
      );
    }
    if (!stored || stored.refresh_token === current.refreshToken) return undefined;
    this.#adopt(stored);
    log.debug('another process refreshed the token meanwhile; using its pair');
    return stored.access_token;
  }

  /** Spends the refresh token. Persists before returning the new access token. */
  async #spend(current: Current, forced: boolean): Promise<string> {
    const journal = isJournal(this.#store) ? this.#store : undefined;
    const started = this.#clock.now();
    await journal?.beginRefresh(current.refreshToken, started);
    let answer: TokenAnswer;
    try {
      answer = await this.#endpoint.refresh(current.refreshToken, started);
    } catch (error) {
      this.#failures += 1;
      if (isNetatmoError(error, 'reauth_required')) await this.#enterReauth(current, journal);
      // The request failed, so the old pair was not spent: nothing interrupted.
      else await journal?.endRefresh();
      throw error;
    }
    if (answer.keptRefreshToken)
      log.warning('the token answer had no refresh_token; keeping the previous one');
    // In memory first: if the save below fails, this pair is the only valid one left.
    this.#adopt(answer.token);
    this.#refreshes += 1;
    if (forced) this.#forced += 1;
    const now = this.#clock.now();
    this.#lastRefreshAt = now;
    if (await this.#persist(answer.token, false, current.refreshToken)) await journal?.endRefresh();
    log.debug(`token refreshed${forced ? ' (forced)' : ''}; expires ${answer.token.expires_at}`);
    this.#events.emit('tokenRefreshed', { expiresAt: expiresAtMs(answer.token), forced, at: now });
    return answer.token.access_token;
  }

  /**
   * Saves (by compare-and-set on `replaces`, the spent refresh token, when the store offers it);
   * a failure is logged and emitted (and rethrown only when `rethrow`).
   */
  async #persist(token: StoredToken, rethrow: boolean, replaces?: string): Promise<boolean> {
    try {
      if (replaces !== undefined && this.#store.replace) await this.#store.replace(replaces, token);
      else await this.#store.save(token);
      this.#persistError = undefined;
      return true;
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.#persistError = message;
      log.error(`the new Netatmo token could not be saved; it is kept in memory only: ${message}`);
      this.#events.emit('tokenPersistFailed', {
        location: this.#store.describe(),
        message,
        at: this.#clock.now(),
      });
      if (rethrow) throw error;
      return false;
    }
  }

  async #enterReauth(current: Current, journal: RefreshJournal | undefined): Promise<void> {
    const crash = this.#interruptedAtBoot;
    const crashed =
      crash !== undefined && crash.refreshTokenFingerprint === tokenFingerprint(current.refreshToken);
    this.#reauthReason = crashed
      ? `the refresh token was rejected (invalid_grant); an earlier run was stopped during a token refresh started at ${crash.startedAt}, after Netatmo had probably rotated the pair but before the new one was saved`
      : 'the refresh token was rejected (invalid_grant): it was revoked, already rotated elsewhere, or restored from an old backup';
    this.#state = 'reauth_required';
    await journal?.endRefresh();
    log.error(`Netatmo re-authorisation needed: ${this.#reauthReason}`);
    this.#events.emit('reauthRequired', { reason: this.#reauthReason, at: this.#clock.now() });
  }
}
