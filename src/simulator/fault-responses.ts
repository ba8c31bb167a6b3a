/** How each injected fault looks on the wire. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendJson } from './http.js';
import { throttleAnswer } from './quota.js';
import type { FaultRule, ThrottleDialect } from './types.js';

const HTML_ERROR =
  '<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1></body></html>';

/**
 * Answers a fault that replaces processing (status, timeout, reset, html, throttle, token_down,
 * body).
 * `timeout` leaves the request hanging; the server's close() destroys such sockets.
 */
export function answerFault(
  rule: FaultRule,
  req: IncomingMessage,
  res: ServerResponse,
  dialect: ThrottleDialect,
  isToken: boolean,
): void {
  switch (rule.kind) {
    case 'timeout':
      return;
    case 'reset':
      req.socket.destroy();
      return;
    case 'html':
      res.writeHead(rule.status ?? 200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(HTML_ERROR);
      return;
    case 'throttle': {
      const t = throttleAnswer(dialect, rule.retry_after);
      sendJson(res, t.status, t.body, t.headers);
      return;
    }
    case 'body':
      sendJson(res, rule.status ?? 200, rule.body);
      return;
    case 'token_down':
      sendJson(res, rule.status ?? 503, { error: 'temporarily_unavailable' });
      return;
    default: {
      const status = rule.status ?? 503;
      if (isToken) sendJson(res, status, { error: 'server_error' });
      else sendJson(res, status, { error: { code: 11, message: 'Internal error' } });
    }
  }
}

/** Sends `text` spoiled the way `rule` says (after processing). */
export function sendSpoiled(rule: FaultRule, res: ServerResponse, status: number, text: string): void {
  if (rule.kind === 'malformed_json') {
    const broken = `${text.slice(0, -1)},}`;
    res.writeHead(status, {
      'content-type': 'application/json; charset=utf-8',
      'content-length': Buffer.byteLength(broken),
    });
    res.end(broken);
    return;
  }
  // truncated: promise the full length, send half, then drop the connection.
  const half = text.slice(0, Math.max(1, Math.floor(text.length / 2)));
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  res.write(half, () => res.destroy());
}
