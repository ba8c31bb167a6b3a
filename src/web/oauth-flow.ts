/**
 * The server side of "Connect Netatmo": each started flow gets a random `state`, remembered
 * with its redirect URI and the browser session that started it, for a short time. A callback
 * (or a pasted redirect URL) is accepted only with a state this server issued to that session,
 * once, before it expired: that is the CSRF protection of the OAuth flow.
 */
import { randomBytes } from 'node:crypto';
import type { Clock } from '../util/clock.js';

export { NETATMO_SCOPES } from '../netatmo/scopes.js';

const DEFAULT_TTL_MS = 10 * 60_000;
/** Started flows kept at once; the oldest is forgotten first. */
const MAX_PENDING = 32;

interface PendingFlow {
  sessionId: string;
  redirectUri: string;
  /** The account whose token the answer is (several accounts share the one callback address). */
  account: string;
  expiresAt: number;
}

export type StateCheck = { ok: true; redirectUri: string; account: string } | { ok: false; reason: string };

export class OAuthFlows {
  readonly #clock: Clock;
  readonly #ttlMs: number;
  readonly #pending = new Map<string, PendingFlow>();

  constructor(clock: Clock, ttlMs = DEFAULT_TTL_MS) {
    this.#clock = clock;
    this.#ttlMs = ttlMs;
  }

  /** Starts a flow for `account` and returns its state. */
  begin(sessionId: string, redirectUri: string, account = ''): string {
    this.#prune();
    while (this.#pending.size >= MAX_PENDING) {
      const oldest = this.#pending.keys().next().value;
      if (oldest === undefined) break;
      this.#pending.delete(oldest);
    }
    const state = randomBytes(24).toString('hex');
    this.#pending.set(state, { sessionId, redirectUri, account, expiresAt: this.#clock.now() + this.#ttlMs });
    return state;
  }

  /** Consumes the state: valid at most once. */
  complete(state: string | undefined, sessionId: string | undefined): StateCheck {
    this.#prune();
    const flow = state ? this.#pending.get(state) : undefined;
    if (!state || !flow) {
      return {
        ok: false,
        reason: 'the sign-in answer does not belong to a sign-in started here (unknown or expired state)',
      };
    }
    if (flow.sessionId !== sessionId) {
      return { ok: false, reason: 'the sign-in was started in another browser session' };
    }
    this.#pending.delete(state);
    return { ok: true, redirectUri: flow.redirectUri, account: flow.account };
  }

  #prune(): void {
    const now = this.#clock.now();
    for (const [state, flow] of this.#pending) if (flow.expiresAt <= now) this.#pending.delete(state);
  }
}
