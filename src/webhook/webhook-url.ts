/**
 * The webhook's address: `<webhook.public_url>/webhook/<secret>`. The secret path is derived
 * from the app's client secret and the public URL (HMAC-SHA256), so it is stable across
 * restarts without storing anything, unguessable without the client secret, and changes when
 * either changes. It is a capability: registered as a secret, never logged.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { registerSecret } from '../util/redact.js';

export interface WebhookAddress {
  /** What `addwebhook` registers (secret). */
  url: string;
  /** The secret path segment. */
  token: string;
  /** What logs may show: the public URL's origin. */
  origin: string;
}

export function webhookAddress(publicUrl: string, clientSecret: string): WebhookAddress {
  const base = publicUrl.replace(/\/+$/, '');
  const token = createHmac('sha256', clientSecret)
    .update(`netatmo2mqtt webhook ${base}`)
    .digest('hex')
    .slice(0, 40);
  const url = `${base}/webhook/${token}`;
  registerSecret(token);
  registerSecret(url);
  return { url, token, origin: new URL(base).origin };
}

/**
 * Whether a request path ends with `/webhook/<token>` (a reverse proxy may or may not strip a
 * prefix of the public URL's path). Constant-time in the token.
 */
export function isWebhookPath(pathname: string, token: string): boolean {
  const match = /\/webhook\/([^/]+)\/?$/.exec(pathname);
  if (!match?.[1]) return false;
  const given = Buffer.from(match[1]);
  const expected = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
