/**
 * Scenario 2's three ways to meet a throttle, each an ApiCaller:
 * - `wrapper`: this project's ApiSession (gate + NetatmoAuth with the refresh mutex);
 * - `backoff`: retry the throttled call with exponential backoff, never refresh;
 * - `unlocked-refresh`: on a throttle each caller refreshes the token on its own (no mutex) and
 *   retries once; with rotating refresh tokens concurrent refreshes invalidate each other.
 */
import { isNetatmoError } from '../../src/netatmo/errors.js';
import type { ApiCaller, ApiRequest, CallOptions } from '../../src/netatmo/types.js';
import type { Clock } from '../../src/util/clock.js';
import { type TokenAccount, TokenCaller } from '../baselines/token-caller.js';

const isThrottle = (error: unknown): boolean =>
  isNetatmoError(error, 'throttled') || isNetatmoError(error, 'rate_limited');

/** Retries throttled calls after 1, 2, 4, 8, 16 s (simulated), then gives up. */
export class BackoffCaller implements ApiCaller {
  readonly #inner: TokenCaller;

  constructor(
    account: TokenAccount,
    private readonly clock: Clock,
    private readonly attempts = 5,
  ) {
    this.#inner = new TokenCaller(account);
  }

  async call(request: ApiRequest, options: CallOptions): Promise<unknown> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.#inner.call(request, options);
      } catch (error) {
        if (!isThrottle(error) || attempt >= this.attempts) throw error;
        await this.clock.sleep(1000 * 2 ** attempt);
      }
    }
  }
}

/** Refreshes on a throttle with whatever refresh token it holds, then retries once. */
export class UnlockedRefreshCaller implements ApiCaller {
  readonly #inner: TokenCaller;

  constructor(private readonly account: TokenAccount) {
    this.#inner = new TokenCaller(account);
  }

  async call(request: ApiRequest, options: CallOptions): Promise<unknown> {
    try {
      return await this.#inner.call(request, options);
    } catch (error) {
      if (!isThrottle(error)) throw error;
      await this.account.refresh();
      return this.#inner.call(request, options);
    }
  }
}
