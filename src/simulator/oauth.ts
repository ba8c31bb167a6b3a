/**
 * Netatmo's OAuth server behaviour: authorization codes, token pairs shaped like Netatmo's
 * (`<24hex>|<32hex>`, scope array, `expire_in` duplicate, no token_type), and rotation:
 * every refresh invalidates the previous pair.
 */
import { randomBytes } from 'node:crypto';
import { BridgeError } from '../errors.js';
import { NETATMO_SCOPES } from '../netatmo/scopes.js';
import type { Clock } from '../util/clock.js';
import { SimApiError } from './api-error.js';

/** The simulator grants every scope the bridge may ask for. */
export const ALL_SCOPES: string[] = [...NETATMO_SCOPES];

/** Authorization codes live this long (simulated ms), and work once. */
const CODE_LIFETIME_MS = 10 * 60_000;

export interface NetatmoTokenResponse {
  access_token: string;
  refresh_token: string;
  scope: string[];
  expires_in: number;
  expire_in: number;
}

export interface AccessToken {
  /** Short, non-secret label for logs and stats. */
  label: string;
  /** The simulated user the token belongs to (`user1`…). */
  user: string;
  scope: string[];
  expiresAt: number;
  revoked: boolean;
}

/** An OAuth-style token endpoint error: HTTP 400 `{"error":"invalid_grant"}` and friends. */
export class OAuthError extends BridgeError {
  constructor(
    readonly error: 'invalid_grant' | 'invalid_client' | 'invalid_request' | 'unsupported_grant_type',
    readonly status = 400,
    /** Whose token or code it was, when the simulator knows (a spent refresh token). */
    readonly user?: string,
  ) {
    super(error);
  }
}

interface Pair {
  access: string;
  refresh: string;
  token: AccessToken;
  refreshValid: boolean;
}

interface PendingCode {
  user: string;
  clientId: string;
  redirectUri: string;
  scope: string[];
  expiresAt: number;
}

const hex = (bytes: number): string => randomBytes(bytes).toString('hex');

export class TokenAuthority {
  /** Each user's id, the part before `|` of their tokens (like Netatmo's). */
  readonly #userIds = new Map<string, string>();
  readonly #byAccess = new Map<string, Pair>();
  readonly #byRefresh = new Map<string, Pair>();
  readonly #codes = new Map<string, PendingCode>();

  constructor(
    private readonly clock: Clock,
    private readonly lifetimeSec: number,
    /** The app's users; the first is the one tokens belong to when nobody is named. */
    readonly users: readonly string[],
    private readonly clientId?: string,
    private readonly clientSecret?: string,
  ) {
    for (const user of users) this.#userIds.set(user, hex(12));
  }

  /** `user` when the app has it, the first user when undefined; throws naming the users otherwise. */
  user(user: string | undefined): string {
    if (user === undefined) return this.users[0]!;
    if (this.#userIds.has(user)) return user;
    throw new Error(`unknown user '${user}': this app has ${this.users.join(', ')}`);
  }

  /** The client secret last presented to the token endpoint (webhooks are signed with it). */
  presentedSecret: string | undefined;

  /** Checks client credentials when the simulator was configured with some. */
  checkClient(clientId: string | undefined, clientSecret: string | undefined): void {
    if (clientSecret) this.presentedSecret = clientSecret;
    if (this.clientId === undefined && this.clientSecret === undefined) return;
    if (
      clientId !== this.clientId ||
      (this.clientSecret !== undefined && clientSecret !== this.clientSecret)
    ) {
      throw new OAuthError('invalid_client');
    }
  }

  /** Whether a client id may open the consent page. */
  knowsClient(clientId: string): boolean {
    return this.clientId === undefined || this.clientId === clientId;
  }

  issueCode(user: string, clientId: string, redirectUri: string, scope: string[]): string {
    const code = hex(16);
    this.#codes.set(code, {
      user,
      clientId,
      redirectUri,
      scope,
      expiresAt: this.clock.now() + CODE_LIFETIME_MS,
    });
    return code;
  }

  exchangeCode(
    code: string | undefined,
    redirectUri: string | undefined,
    clientId: string | undefined,
  ): NetatmoTokenResponse {
    if (!code) throw new OAuthError('invalid_request');
    const pending = this.#codes.get(code);
    this.#codes.delete(code); // single use, even when it turns out to be wrong
    if (!pending || pending.expiresAt <= this.clock.now()) throw new OAuthError('invalid_grant');
    const bad =
      (redirectUri !== undefined && redirectUri !== pending.redirectUri) ||
      (clientId !== undefined && clientId !== pending.clientId);
    if (bad) throw new OAuthError('invalid_grant', 400, pending.user);
    return this.mint(pending.user, pending.scope);
  }

  /** Rotates: the old pair stops working, a new one (of the same user) is returned. */
  refresh(refreshToken: string | undefined): { user: string; answer: NetatmoTokenResponse } {
    if (!refreshToken) throw new OAuthError('invalid_request');
    const pair = this.#byRefresh.get(refreshToken);
    // A spent token still names its user: two clients racing on one token show up per user.
    if (!pair?.refreshValid) throw new OAuthError('invalid_grant', 400, pair?.token.user);
    pair.refreshValid = false;
    pair.token.revoked = true;
    return { user: pair.token.user, answer: this.mint(pair.token.user, pair.token.scope) };
  }

  mint(user: string, scope: string[] = ALL_SCOPES): NetatmoTokenResponse {
    const userId = this.#userIds.get(user);
    if (userId === undefined) throw new Error(`unknown user '${user}'`);
    const accessSecret = hex(16);
    const access = `${userId}|${accessSecret}`;
    const refresh = `${userId}|${hex(16)}`;
    const token: AccessToken = {
      label: accessSecret.slice(0, 6),
      user,
      scope,
      expiresAt: this.clock.now() + this.lifetimeSec * 1000,
      revoked: false,
    };
    const pair: Pair = { access, refresh, token, refreshValid: true };
    this.#byAccess.set(access, pair);
    this.#byRefresh.set(refresh, pair);
    return {
      access_token: access,
      refresh_token: refresh,
      scope,
      expires_in: this.lifetimeSec,
      expire_in: this.lifetimeSec,
    };
  }

  /** The access token's record, or Netatmo's 403 error (code 1 missing, 2 invalid, 3 expired). */
  authenticate(accessToken: string | undefined): AccessToken {
    if (!accessToken) throw new SimApiError(403, 1, 'Access token is missing');
    const pair = this.#byAccess.get(accessToken);
    if (!pair || pair.token.revoked) throw new SimApiError(403, 2, 'Invalid access token');
    if (pair.token.expiresAt <= this.clock.now()) throw new SimApiError(403, 3, 'Access token expired');
    return pair.token;
  }

  /** The first user's id (webhook pushes name it: webhooks are not modelled per user). */
  get userId(): string {
    return this.#userIds.get(this.users[0]!)!;
  }
}
