/**
 * ApiSession: the one way the bridge talks to /api/*. Composes the RequestGate (budget,
 * priorities, throttle windows), NetatmoAuth (tokens) and sendApiRequest (one HTTP exchange),
 * and decides what each kind of failure means. Every attempt, retries included, goes through
 * the gate and counts against the budget.
 *
 * Reactions by error kind:
 * - token_invalid → forceRefresh(that token) and retry once.
 * - throttled (code 26) → the design's core: forceRefresh(that token) — one refresh for all
 *   concurrent callers, since forceRefresh only refreshes while the token is still the stale
 *   one — and retry once. A throttled retry means the quota is per user: open a throttle
 *   window on the gate (server's Retry-After, else 60 s doubling per consecutive window up to
 *   1 h), never refresh inside it, and fail with throttle_window + retryAt.
 * - waf_overload / rate_limited → wait (Retry-After, else a short backoff) and retry, for
 *   writes too: a 429 from the WAF was not executed.
 * - transient / invalid_response → reads only: p-retry with jittered backoff, bounded by the
 *   deadline. A write's fate is unknown, so it surfaces.
 * - anything else (reauth_required, scope_missing, api, ...) → fails at once.
 */
import pRetry from 'p-retry';
import type { Clock } from '../util/clock.js';
import type { NetatmoAuth } from './auth.js';
import { isNetatmoError, NetatmoError, type NetatmoErrorKind } from './errors.js';
import type { RequestGate } from './gate.js';
import { sendApiRequest } from './http.js';
import type { ApiCaller, ApiRequest, CallOptions } from './types.js';

/** The part of NetatmoAuth the session uses. */
export type TokenSource = Pick<NetatmoAuth, 'accessToken' | 'forceRefresh'>;

export interface ApiSessionOptions {
  baseUrl: string;
  gate: RequestGate;
  auth: TokenSource;
  clock: Clock;
  /** Wall-clock timeout per HTTP exchange. Default 10 s. */
  requestTimeoutMs?: number;
  /** Extra attempts for transient read failures. Default 3. */
  transientRetries?: number;
  /** First transient backoff; doubles per attempt, with jitter. Default 1 s. */
  transientBaseDelayMs?: number;
  /** Extra attempts after WAF / generic 429 answers. Default 3. */
  overloadRetries?: number;
  /** Wait after a 429 without Retry-After (doubles per attempt). Default 2 s. */
  overloadDelayMs?: number;
  /** Longest wait honoured in place for a WAF 429; longer ones surface. Default 60 s. */
  maxOverloadDelayMs?: number;
  /** First throttle window without Retry-After; doubles per consecutive window. Default 60 s. */
  throttleWindowMs?: number;
  /** Longest default throttle window. Default 1 h. */
  maxThrottleWindowMs?: number;
  /** For jitter; tests may pin it. */
  random?: () => number;
}

export interface SessionStats {
  calls: number;
  /** Calls per endpoint since start (each call once, however many attempts it took). */
  byEndpoint: Record<string, number>;
  succeeded: number;
  failed: Partial<Record<NetatmoErrorKind | 'other', number>>;
  /** Attempts sent again after a failure (all reasons). */
  retries: number;
  /** Throttled calls that led to a forced-refresh attempt. */
  throttleRecoveries: number;
  /** Throttle windows this session opened. */
  throttleWindows: number;
  /** Windows opened in a row without a successful call in between (drives the default length). */
  consecutiveWindows: number;
}

export class ApiSession implements ApiCaller {
  readonly #baseUrl: string;
  readonly #gate: RequestGate;
  readonly #auth: TokenSource;
  readonly #clock: Clock;
  readonly #timeoutMs: number;
  readonly #transientRetries: number;
  readonly #transientBaseMs: number;
  readonly #overloadRetries: number;
  readonly #overloadDelayMs: number;
  readonly #maxOverloadMs: number;
  readonly #windowMs: number;
  readonly #maxWindowMs: number;
  readonly #random: () => number;
  readonly #stats: SessionStats = {
    calls: 0,
    byEndpoint: {},
    succeeded: 0,
    failed: {},
    retries: 0,
    throttleRecoveries: 0,
    throttleWindows: 0,
    consecutiveWindows: 0,
  };

  constructor(options: ApiSessionOptions) {
    this.#baseUrl = options.baseUrl;
    this.#gate = options.gate;
    this.#auth = options.auth;
    this.#clock = options.clock;
    this.#timeoutMs = options.requestTimeoutMs ?? 10_000;
    this.#transientRetries = options.transientRetries ?? 3;
    this.#transientBaseMs = options.transientBaseDelayMs ?? 1_000;
    this.#overloadRetries = options.overloadRetries ?? 3;
    this.#overloadDelayMs = options.overloadDelayMs ?? 2_000;
    this.#maxOverloadMs = options.maxOverloadDelayMs ?? 60_000;
    this.#windowMs = options.throttleWindowMs ?? 60_000;
    this.#maxWindowMs = options.maxThrottleWindowMs ?? 3_600_000;
    this.#random = options.random ?? Math.random;
  }

  async call(request: ApiRequest, options: CallOptions): Promise<unknown> {
    this.#stats.calls += 1;
    this.#stats.byEndpoint[request.endpoint] = (this.#stats.byEndpoint[request.endpoint] ?? 0) + 1;
    try {
      const body = options.idempotent
        ? await this.#withTransientRetries(request, options)
        : await this.#attempt(request, options);
      this.#stats.succeeded += 1;
      if (!this.#gate.throttleWindow) this.#stats.consecutiveWindows = 0;
      return body;
    } catch (error) {
      const kind = isNetatmoError(error) ? error.kind : 'other';
      this.#stats.failed[kind] = (this.#stats.failed[kind] ?? 0) + 1;
      throw error;
    }
  }

  stats(): SessionStats {
    return { ...this.#stats, byEndpoint: { ...this.#stats.byEndpoint }, failed: { ...this.#stats.failed } };
  }

  /** Reads: transient failures and garbled answers are retried with jittered backoff (p-retry 7). */
  #withTransientRetries(request: ApiRequest, options: CallOptions): Promise<unknown> {
    const retriable = (error: unknown): boolean =>
      isNetatmoError(error) && (error.kind === 'transient' || error.kind === 'invalid_response');
    // p-retry's own sleep uses real timers, so it is set to 0 and the backoff sleeps on the
    // injected clock inside onFailedAttempt (which p-retry awaits before retrying).
    return pRetry(() => this.#attempt(request, options), {
      retries: this.#transientRetries,
      minTimeout: 0,
      maxTimeout: 0,
      ...(options.signal ? { signal: options.signal } : {}),
      shouldRetry: ({ error }) => retriable(error),
      onFailedAttempt: async ({ error, retriesConsumed, retriesLeft }) => {
        if (!retriable(error) || retriesLeft <= 0) throw error;
        const delay = this.#transientBaseMs * 2 ** retriesConsumed * (0.5 + this.#random());
        if (options.deadline !== undefined && this.#clock.now() + delay >= options.deadline) throw error;
        this.#stats.retries += 1;
        await this.#clock.sleep(delay, options.signal);
      },
    });
  }

  /** One call with the token, throttle and overload reactions; each attempt through the gate. */
  async #attempt(request: ApiRequest, options: CallOptions): Promise<unknown> {
    let tokenRetried = false;
    let throttleRetried = false;
    let overloads = 0;
    for (;;) {
      let usedToken = '';
      try {
        // Get a usable token before queueing: the gate counts a call when its task starts, so a
        // refresh inside the task would hold every call started meanwhile and then release them
        // to Netatmo together, past the window the gate kept. Inside the task it is then a
        // cached read (or a refresh, if the token expired while queued). Never inside a
        // throttle window: the gate refuses the call anyway.
        if (!this.#gate.throttleWindow) await this.#auth.accessToken();
        const response = await this.#gate.run(
          async () => {
            usedToken = await this.#auth.accessToken();
            return sendApiRequest(this.#baseUrl, request, usedToken, {
              timeoutMs: this.#timeoutMs,
              now: () => this.#clock.now(),
              ...(options.signal ? { signal: options.signal } : {}),
            });
          },
          {
            priority: options.priority,
            label: request.endpoint,
            ...(options.deadline === undefined ? {} : { deadline: options.deadline }),
            ...(options.signal ? { signal: options.signal } : {}),
          },
        );
        return response.body;
      } catch (error) {
        if (!isNetatmoError(error) || usedToken === '') throw error;
        if (error.kind === 'token_invalid' && !tokenRetried) {
          tokenRetried = true;
          await this.#refreshAfterTokenError(usedToken, error);
        } else if (error.kind === 'throttled') {
          if (throttleRetried || this.#gate.throttleWindow) throw this.#openWindow(error);
          throttleRetried = true;
          this.#stats.throttleRecoveries += 1;
          try {
            await this.#auth.forceRefresh(usedToken);
          } catch (refreshError) {
            // Too soon for another forced refresh: treat the throttle as per user.
            if (isNetatmoError(refreshError, 'throttle_window')) throw this.#openWindow(error);
            throw refreshError;
          }
        } else if (
          (error.kind === 'waf_overload' || error.kind === 'rate_limited') &&
          overloads < this.#overloadRetries
        ) {
          overloads += 1;
          await this.#overloadPause(error, overloads, options);
        } else {
          throw error;
        }
        this.#stats.retries += 1;
      }
    }
  }

  async #refreshAfterTokenError(usedToken: string, error: NetatmoError): Promise<void> {
    try {
      await this.#auth.forceRefresh(usedToken);
    } catch (refreshError) {
      // The forced-refresh limit hit: the original answer is the more useful error.
      if (isNetatmoError(refreshError, 'throttle_window')) throw error;
      throw refreshError;
    }
  }

  async #overloadPause(error: NetatmoError, attempt: number, options: CallOptions): Promise<void> {
    const fallback = this.#overloadDelayMs * 2 ** (attempt - 1) * (0.5 + this.#random());
    const wait = error.retryAfterMs ?? fallback;
    const now = this.#clock.now();
    if (wait > this.#maxOverloadMs) throw error;
    if (options.deadline !== undefined && now + wait >= options.deadline) throw error;
    await this.#clock.sleep(wait, options.signal);
  }

  /** Opens (or joins) the gate's throttle window and returns the error the caller gets. */
  #openWindow(cause: NetatmoError): NetatmoError {
    const now = this.#clock.now();
    const open = this.#gate.throttleWindow;
    if (!open) {
      this.#stats.consecutiveWindows += 1;
      this.#stats.throttleWindows += 1;
      const fallback = Math.min(
        this.#windowMs * 2 ** (this.#stats.consecutiveWindows - 1),
        this.#maxWindowMs,
      );
      const until = cause.retryAt !== undefined && cause.retryAt > now ? cause.retryAt : now + fallback;
      this.#gate.openThrottleWindow(
        until,
        `Netatmo quota reached (${cause.endpoint ?? 'api'}, code ${cause.code ?? '?'})`,
      );
    } else if (cause.retryAt !== undefined && cause.retryAt > open.until) {
      this.#gate.openThrottleWindow(cause.retryAt, open.reason);
    }
    const retryAt = this.#gate.throttleWindow?.until ?? now + this.#windowMs;
    return new NetatmoError(
      'throttle_window',
      `${cause.endpoint ?? 'api'}: Netatmo quota reached for this user; paused until ${new Date(retryAt).toISOString()}`,
      {
        ...(cause.endpoint === undefined ? {} : { endpoint: cause.endpoint }),
        ...(cause.status === undefined ? {} : { status: cause.status }),
        ...(cause.code === undefined ? {} : { code: cause.code }),
        retryAt,
        retryAfterMs: retryAt - now,
      },
    );
  }
}
