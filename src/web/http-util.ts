/** Response helpers of the web server: security headers on every answer, form bodies with a limit. */

import type { IncomingMessage, ServerResponse } from 'node:http';
import { BodyTooLargeError, readRequestBody } from '../util/request-body.js';

const SECURITY_HEADERS: Record<string, string> = {
  'content-security-policy':
    "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; base-uri 'none'; frame-ancestors 'self'",
  // For browsers without CSP frame-ancestors: only this UI's own origin may frame it (ingress).
  'x-frame-options': 'SAMEORIGIN',
  'x-content-type-options': 'nosniff',
  // The callback URL carries the authorization code: never send it on as a referrer.
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
};

export type ExtraHeaders = Record<string, string | string[]>;

export function send(
  res: ServerResponse,
  status: number,
  contentType: string,
  body: string,
  headers: ExtraHeaders = {},
): void {
  res.writeHead(status, { ...SECURITY_HEADERS, 'content-type': contentType, ...headers });
  res.end(body);
}

export function sendHtml(
  res: ServerResponse,
  status: number,
  body: string,
  headers: ExtraHeaders = {},
): void {
  send(res, status, 'text/html; charset=utf-8', body, headers);
}

export function sendJson(res: ServerResponse, status: number, value: unknown): void {
  send(res, status, 'application/json', JSON.stringify(value));
}

/** 303 to a location relative to the current page (works under any ingress prefix). */
export function redirect(res: ServerResponse, location: string, headers: ExtraHeaders = {}): void {
  res.writeHead(303, { ...SECURITY_HEADERS, location, ...headers });
  res.end();
}

export { BodyTooLargeError };

/** The largest form body taken (the pages' forms need far less). */
export const FORM_LIMIT_BYTES = 16_384;

export async function readForm(
  req: IncomingMessage,
  limitBytes = FORM_LIMIT_BYTES,
): Promise<URLSearchParams> {
  return new URLSearchParams(await readRequestBody(req, limitBytes));
}
