/**
 * POST `<anything>/webhook/<secret>`: Netatmo's pushes. This route stands apart from the web
 * UI's: Netatmo has no UI session or login, calls from any address and through any reverse
 * proxy (so neither the add-on's ingress-only rule nor the UI's Host checks apply), and is
 * authenticated twice instead: the path is a secret only Netatmo was given, and every body
 * must carry a valid `X-Netatmo-secret` (checked by the endpoint, src/webhook/).
 *
 * Netatmo counts an answer slower than 10 s as a failure (five in an hour ban the webhook for a
 * day), so the answer goes out before the push is handled. Bodies are bounded in size and time.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { BodyTooLargeError, readRequestBytes } from '../../util/request-body.js';
import { sendJson } from '../http-util.js';

/** Netatmo's pushes are a few kB; a person event with faces stays far below this. */
export const WEBHOOK_MAX_BODY_BYTES = 64 * 1024;
/** A body that has not arrived by then is not coming from Netatmo. */
export const WEBHOOK_BODY_TIMEOUT_MS = 5_000;

/** What the web server needs from the webhook receiver (src/webhook/). */
export interface WebhookEndpoint {
  /** Whether `pathname` is the webhook's secret path (compared in constant time). */
  matches(pathname: string): boolean;
  /**
   * Checks a push's signature and, when it holds, queues it for handling; returns at once:
   * `accepted`, or `forbidden` (no or wrong signature: nothing is handled).
   */
  receive(body: Buffer, signature: string | undefined): 'accepted' | 'forbidden' | 'malformed';
}

export async function serveWebhook(
  endpoint: WebhookEndpoint,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  if (req.method !== 'POST') {
    sendJson(res, 405, { status: 'error', reason: 'POST only' });
    return;
  }
  const declared = Number(req.headers['content-length'] ?? Number.NaN);
  if (declared > WEBHOOK_MAX_BODY_BYTES) {
    sendJson(res, 413, { status: 'error', reason: 'body too large' });
    req.destroy();
    return;
  }
  const timer = setTimeout(() => req.destroy(new Error('webhook body timed out')), WEBHOOK_BODY_TIMEOUT_MS);
  let body: Buffer;
  try {
    body = await readRequestBytes(req, WEBHOOK_MAX_BODY_BYTES);
  } catch (error) {
    if (error instanceof BodyTooLargeError) sendJson(res, 413, { status: 'error', reason: 'body too large' });
    else res.destroy();
    return;
  } finally {
    clearTimeout(timer);
  }
  const raw = req.headers['x-netatmo-secret'];
  const outcome = endpoint.receive(body, Array.isArray(raw) ? raw[0] : raw);
  if (outcome === 'accepted') sendJson(res, 200, { status: 'ok' });
  else if (outcome === 'malformed') sendJson(res, 400, { status: 'error', reason: 'not a JSON object' });
  else sendJson(res, 401, { status: 'error', reason: 'bad signature' });
}
