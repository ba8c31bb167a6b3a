/**
 * CSRF tokens: an HMAC of the session id under a key that lives only in this process, so
 * nothing is stored per session and a token from another session never verifies. Together
 * with the cross-site check of every POST (request-checks.ts) and SameSite cookies.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export class CsrfProtection {
  readonly #key = randomBytes(32);

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
}
