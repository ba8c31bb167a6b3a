/**
 * Browser sessions. The cookie carries `<id>.<signature>`: a random id and its HMAC under a key
 * that lives only in this process, so only ids this server issued are accepted — a cookie made
 * up elsewhere (fixation: `n2m_session=<any 64 hex>`) is treated as no cookie and replaced.
 * Standalone, logging in issues a NEW id (the pre-login one is dropped) and only ids in the
 * logged-in table, not idle for 12 h nor older than 7 days, count as logged in. Every session
 * ends when the bridge restarts (the key is new).
 *
 * The cookie is HttpOnly and SameSite=Lax: Lax so that Netatmo's redirect back to the callback
 * (a top-level navigation from another site) still carries it.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Clock } from '../util/clock.js';

export const SESSION_COOKIE = 'n2m_session';
const COOKIE_VALUE = /^([0-9a-f]{64})\.([0-9a-f]{64})$/;
const IDLE_MS = 12 * 3_600_000;
const MAX_AGE_MS = 7 * 24 * 3_600_000;
/** Logged-in sessions kept at once; the least recently used is logged out first. */
const MAX_LOGGED_IN = 64;

export interface Session {
  id: string;
  /** True when the request came without a valid session cookie and one must be set. */
  fresh: boolean;
  /** Logged in (standalone); always false until `login`. */
  authenticated: boolean;
}

interface LoggedIn {
  createdAt: number;
  lastSeenAt: number;
}

export class Sessions {
  readonly #key = randomBytes(32);
  readonly #clock: Clock;
  readonly #loggedIn = new Map<string, LoggedIn>();

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  /** The request's session, or a new one (to be sent with `cookieHeader`). */
  session(req: IncomingMessage): Session {
    const id = this.existing(req);
    if (id !== undefined) return { id, fresh: false, authenticated: this.#touch(id) };
    return { id: randomBytes(32).toString('hex'), fresh: true, authenticated: false };
  }

  /** The id of the request's cookie when this server issued it (a POST never starts a session). */
  existing(req: IncomingMessage): string | undefined {
    const match = COOKIE_VALUE.exec(readCookie(req, SESSION_COOKIE) ?? '');
    if (!match) return undefined;
    const [, id, signature] = match as unknown as [string, string, string];
    const expected = Buffer.from(this.#sign(id));
    return timingSafeEqual(expected, Buffer.from(signature)) ? id : undefined;
  }

  /** A new logged-in session replacing `previous` (which is logged out). */
  login(previous?: string): string {
    if (previous !== undefined) this.#loggedIn.delete(previous);
    const id = randomBytes(32).toString('hex');
    const now = this.#clock.now();
    this.#loggedIn.set(id, { createdAt: now, lastSeenAt: now });
    while (this.#loggedIn.size > MAX_LOGGED_IN) {
      const oldest = this.#loggedIn.keys().next().value;
      if (oldest === undefined) break;
      this.#loggedIn.delete(oldest);
    }
    return id;
  }

  logout(id: string): void {
    this.#loggedIn.delete(id);
  }

  /** Set-Cookie value; `path` is the ingress prefix so the cookie stays inside it. */
  cookieHeader(id: string, path: string, secure: boolean): string {
    return `${SESSION_COOKIE}=${id}.${this.#sign(id)}; Path=${path}; HttpOnly; SameSite=Lax${secure ? '; Secure' : ''}`;
  }

  #sign(id: string): string {
    return createHmac('sha256', this.#key).update(`session:${id}`).digest('hex');
  }

  /** Whether `id` is logged in now; refreshes its idle time (most recently used last). */
  #touch(id: string): boolean {
    const entry = this.#loggedIn.get(id);
    if (!entry) return false;
    const now = this.#clock.now();
    this.#loggedIn.delete(id);
    if (now - entry.lastSeenAt > IDLE_MS || now - entry.createdAt > MAX_AGE_MS) return false;
    entry.lastSeenAt = now;
    this.#loggedIn.set(id, entry);
    return true;
  }
}

export function readCookie(req: IncomingMessage, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}
