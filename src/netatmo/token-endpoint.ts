/**
 * Netatmo's /oauth2/token through simple-oauth2 5.1, with guards for its known gaps:
 * - credentials go in the form body (Netatmo does not take a Basic header);
 * - the HTTP timeout is set (wreck's default is none);
 * - a 2xx without a non-empty access_token is an error (#459);
 * - a missing refresh_token keeps the previous one (its own fallback is broken, #434);
 * - expires_at is computed here from expires_in with the injected clock;
 * - its `debug` output (which prints the form body: refresh token, client secret) is switched off;
 * - Boom errors become NetatmoErrors without the raw payload, which may hold a token.
 */
import { createRequire } from 'node:module';
import { type AccessToken, AuthorizationCode, type Token } from 'simple-oauth2';
import { markCurrentToken, type StoredToken } from '../tokens/stored-token.js';
import { registerSecret } from '../util/redact.js';
import { NetatmoError } from './errors.js';
import { parseRetryDelay } from './rate-limit-headers.js';

export interface TokenEndpointOptions {
  clientId: string;
  clientSecret: string;
  /** e.g. https://api.netatmo.com (no trailing slash needed). */
  baseUrl: string;
  timeoutMs: number;
  /** The redaction slot of the account's current pair (one per account). */
  secretSlot?: string;
}

/** What a token answer carried besides the pair, for the caller to log (never the tokens). */
export interface TokenAnswer {
  token: StoredToken;
  /** The answer had no refresh_token and the previous one was kept. */
  keptRefreshToken: boolean;
}

const DEFAULT_LIFETIME_SEC = 10_800;

interface DebugModule {
  disable(): string;
  enable(namespaces: string): void;
}

/** Excludes simple-oauth2's debug namespaces even when DEBUG=* is set. */
function silenceLibraryDebug(): void {
  try {
    const local = createRequire(import.meta.url);
    const fromLibrary = createRequire(local.resolve('simple-oauth2'));
    const debug = fromLibrary('debug') as DebugModule;
    const current = debug.disable();
    if (current) debug.enable(`${current},-simple-oauth2*`);
  } catch {
    // No debug module reachable: then simple-oauth2 cannot print through it either.
  }
}

export class TokenEndpoint {
  readonly #client: AuthorizationCode;
  readonly #slot: string | undefined;

  constructor(options: TokenEndpointOptions) {
    this.#slot = options.secretSlot;
    silenceLibraryDebug();
    registerSecret(options.clientSecret);
    this.#client = new AuthorizationCode({
      client: { id: options.clientId, secret: options.clientSecret },
      auth: {
        tokenHost: options.baseUrl,
        tokenPath: '/oauth2/token',
        authorizePath: '/oauth2/authorize',
      },
      options: { authorizationMethod: 'body' },
      http: { timeout: options.timeoutMs },
    });
  }

  authorizeUrl(params: { redirectUri: string; scope: string[]; state: string }): string {
    return this.#client.authorizeURL({
      redirect_uri: params.redirectUri,
      scope: params.scope,
      state: params.state,
    });
  }

  async exchangeCode(code: string, redirectUri: string, now: number): Promise<TokenAnswer> {
    // The code is not registered as a secret: it is single-use, may be any pasted text until
    // Netatmo accepts it, and `code=` in URLs and forms is redacted by pattern anyway.
    try {
      const answer = await this.#client.getToken({ code, redirect_uri: redirectUri });
      return toAnswer(answer, undefined, now, this.#slot);
    } catch (error) {
      throw tokenError(error, now);
    }
  }

  async refresh(refreshToken: string, now: number): Promise<TokenAnswer> {
    const current = this.#client.createToken({ refresh_token: refreshToken });
    try {
      const answer = await current.refresh();
      return toAnswer(answer, refreshToken, now, this.#slot);
    } catch (error) {
      throw tokenError(error, now);
    }
  }
}

function toAnswer(
  answer: AccessToken,
  previousRefreshToken: string | undefined,
  now: number,
  slot: string | undefined,
): TokenAnswer {
  const raw: Token = answer.token;
  const access = raw.access_token;
  if (typeof access !== 'string' || access.length === 0) {
    const oauthError = typeof raw.error === 'string' ? raw.error : undefined;
    if (oauthError === 'invalid_grant') {
      throw new NetatmoError('reauth_required', 'the token endpoint answered invalid_grant', {
        endpoint: 'token',
      });
    }
    throw new NetatmoError(
      'invalid_response',
      `the token endpoint answered without an access_token${oauthError ? ` (error: ${oauthError})` : ''}`,
      { endpoint: 'token' },
    );
  }
  const given =
    typeof raw.refresh_token === 'string' && raw.refresh_token.length > 0 ? raw.refresh_token : undefined;
  const refresh = given ?? previousRefreshToken;
  if (!refresh) {
    throw new NetatmoError('invalid_response', 'the token endpoint answered without a refresh_token', {
      endpoint: 'token',
    });
  }
  // Accepted by Netatmo: the newest pair, in the slot that the next rotation replaces.
  markCurrentToken({ access_token: access, refresh_token: refresh }, slot);
  const lifetime = [raw.expires_in, raw.expire_in].map(Number).find((n) => Number.isFinite(n) && n > 0);
  const scope = Array.isArray(raw.scope)
    ? raw.scope.filter((s): s is string => typeof s === 'string')
    : typeof raw.scope === 'string'
      ? raw.scope.split(' ').filter(Boolean)
      : undefined;
  return {
    token: {
      access_token: access,
      refresh_token: refresh,
      expires_at: new Date(now + (lifetime ?? DEFAULT_LIFETIME_SEC) * 1000).toISOString(),
      obtained_at: new Date(now).toISOString(),
      ...(scope ? { scope } : {}),
    },
    keptRefreshToken: given === undefined,
  };
}

interface BoomLike {
  isBoom: true;
  message: string;
  output: { statusCode: number };
  data?: { payload?: unknown; headers?: Record<string, unknown>; isResponseError?: boolean } | null;
}

function isBoom(error: unknown): error is BoomLike {
  return typeof error === 'object' && error !== null && (error as { isBoom?: unknown }).isBoom === true;
}

function oauthErrorCode(payload: unknown): string | undefined {
  let value = payload;
  if (Buffer.isBuffer(value)) value = value.toString('utf8');
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value);
    } catch {
      return undefined;
    }
  }
  if (value && typeof value === 'object' && 'error' in value) {
    const code = (value as { error: unknown }).error;
    if (typeof code === 'string') return code;
  }
  return undefined;
}

/** Maps what simple-oauth2/wreck threw. The raw error is not kept: its payload may hold a token. */
export function tokenError(error: unknown, now: number): NetatmoError {
  if (error instanceof NetatmoError) return error;
  if (!isBoom(error)) {
    const code = (error as { code?: unknown } | null)?.code;
    return new NetatmoError(
      'transient',
      `token request failed: ${typeof code === 'string' ? code : 'network error'}`,
      {
        endpoint: 'token',
      },
    );
  }
  const status = error.output.statusCode;
  const responded = error.data?.isResponseError === true;
  if (!responded) {
    // wreck's own errors: 504 = our timeout, 502 = connection error or unparsable payload.
    const what = status === 504 ? 'timed out' : 'failed before a usable answer';
    return new NetatmoError('transient', `token request ${what}`, { endpoint: 'token' });
  }
  const oauthError = oauthErrorCode(error.data?.payload);
  if (oauthError === 'invalid_grant') {
    return new NetatmoError('reauth_required', 'the token endpoint answered invalid_grant', {
      endpoint: 'token',
      status,
    });
  }
  if (status === 429) {
    const headers = new Headers();
    for (const [k, v] of Object.entries(error.data?.headers ?? {}))
      if (typeof v === 'string') headers.set(k, v);
    const delay = parseRetryDelay({ headers, now });
    return new NetatmoError('rate_limited', 'the token endpoint is rate limiting', {
      endpoint: 'token',
      status,
      retryAfterMs: delay.delayMs,
      retryAt: now + delay.delayMs,
    });
  }
  const kind = status >= 500 ? 'transient' : 'api';
  return new NetatmoError(
    kind,
    `the token endpoint answered HTTP ${status}${oauthError ? ` (${oauthError})` : ''}`,
    {
      endpoint: 'token',
      status,
    },
  );
}
