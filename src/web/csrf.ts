/**
 * Browser sessions and their CSRF tokens. The session is a random id in an HttpOnly,
 * SameSite=Lax cookie (Lax so that Netatmo's redirect back to the callback still carries it);
 * the CSRF token is an HMAC of the session id under a key that lives only in this process,
 * so nothing is stored per session and a token from another session never verifies.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export const SESSION_COOKIE = 'n2m_session';
const SESSION_ID = /^[0-9a-f]{64}$/;

export interface Session {
  id: string;
  /** True when the request came without a valid session cookie and one must be set. */
  fresh: boolean;
}

export class CsrfProtection {
  readonly #key = randomBytes(32);

  /** The request's session, or a new one (to be sent with `cookieHeader`). */
  session(req: IncomingMessage): Session {
    const id = readCookie(req, SESSION_COOKIE);
    if (id !== undefined && SESSION_ID.test(id)) return { id, fresh: false };
    return { id: randomBytes(32).toString('hex'), fresh: true };
  }

  /** The request's session only when it already had one (a POST never starts a session). */
  existingSession(req: IncomingMessage): string | undefined {
    const id = readCookie(req, SESSION_COOKIE);
    return id !== undefined && SESSION_ID.test(id) ? id : undefined;
  }

  tokenFor(sessionId: string): string {
    return createHmac('sha256', this.#key).update(`csrf:${sessionId}`).digest('hex');
  }

  /** Constant-time check of a submitted token against the session's. */
  verify(sessionId: string | undefined, submitted: string | undefined): boolean {
    if (sessionId === undefined || submitted === undefined) return false;
    const expected = Buffer.from(this.tokenFor(sessionId));
    const given = Buffer.from(submitted);
    return given.length === expected.length && timingSafeEqual(given, expected);
  }

  /** Set-Cookie value; `path` is the ingress prefix so the cookie stays inside it. */
  cookieHeader(sessionId: string, path: string, secure: boolean): string {
    return `${SESSION_COOKIE}=${sessionId}; Path=${path}; HttpOnly; SameSite=Lax${secure ? '; Secure' : ''}`;
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
