/**
 * A bare ApiCaller for the baselines: one HTTP request per call over src/netatmo/http.ts, with
 * the access token of a shared account. No gate, no budget, no throttle pause: what a plain
 * pyatmo-style client does. An expired or invalid access token is refreshed once and the call
 * retried (as pyatmo's OAuth session does); every other error reaches the caller.
 *
 * `TokenAccount` holds the newest pair the way a naive client keeps it: in memory, last
 * successful refresh wins, no mutex.
 */
import { isNetatmoError } from '../../src/netatmo/errors.js';
import { sendApiRequest } from '../../src/netatmo/http.js';
import { TokenEndpoint } from '../../src/netatmo/token-endpoint.js';
import type { ApiCaller, ApiRequest, CallOptions } from '../../src/netatmo/types.js';
import type { Clock } from '../../src/util/clock.js';

export interface TokenAccountOptions {
  baseUrl: string;
  clock: Clock;
  accessToken: string;
  refreshToken: string;
  clientId?: string;
  clientSecret?: string;
}

export class TokenAccount {
  accessToken: string;
  refreshToken: string;
  refreshes = 0;
  refreshFailures = 0;
  readonly #endpoint: TokenEndpoint;

  constructor(readonly options: TokenAccountOptions) {
    this.accessToken = options.accessToken;
    this.refreshToken = options.refreshToken;
    this.#endpoint = new TokenEndpoint({
      clientId: options.clientId ?? 'bench',
      clientSecret: options.clientSecret ?? 'bench-secret',
      baseUrl: options.baseUrl,
      timeoutMs: 10_000,
    });
  }

  /** Refreshes with the refresh token known right now; concurrent callers each do their own. */
  async refresh(): Promise<void> {
    const used = this.refreshToken;
    try {
      const answer = await this.#endpoint.refresh(used, this.options.clock.now());
      this.accessToken = answer.token.access_token;
      this.refreshToken = answer.token.refresh_token;
      this.refreshes += 1;
    } catch (error) {
      this.refreshFailures += 1;
      throw error;
    }
  }
}

export class TokenCaller implements ApiCaller {
  constructor(readonly account: TokenAccount) {}

  async call(request: ApiRequest, options: CallOptions): Promise<unknown> {
    try {
      return await this.#send(request, options);
    } catch (error) {
      if (!isNetatmoError(error, 'token_invalid')) throw error;
      await this.account.refresh();
      return this.#send(request, options);
    }
  }

  async #send(request: ApiRequest, options: CallOptions): Promise<unknown> {
    const { baseUrl, clock } = this.account.options;
    const response = await sendApiRequest(baseUrl, request, this.account.accessToken, {
      timeoutMs: 5_000,
      now: () => clock.now(),
      ...(options.signal ? { signal: options.signal } : {}),
    });
    return response.body;
  }
}
