/**
 * `X-Netatmo-secret`: the hex HMAC-SHA256 of the raw body keyed by the app's client secret
 * (Netatmo's webhook documentation as public receivers implement it; Home Assistant's own
 * handler does not check it). Compared in constant time.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export function signBody(body: Buffer | string, clientSecret: string): string {
  return createHmac('sha256', clientSecret).update(body).digest('hex');
}

export function hasValidSignature(body: Buffer, header: string | undefined, clientSecret: string): boolean {
  if (header === undefined || !/^[0-9a-fA-F]{64}$/.test(header.trim())) return false;
  const given = Buffer.from(header.trim().toLowerCase(), 'hex');
  const expected = Buffer.from(signBody(body, clientSecret), 'hex');
  return timingSafeEqual(given, expected);
}
