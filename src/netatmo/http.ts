/**
 * One HTTP round trip to `POST <base>/api/<endpoint>`: encode, send with a timeout, decode the
 * `{status, time_server, body}` envelope, and turn every failure into a typed NetatmoError.
 * No retries and no token handling here: the session (gate + auth) decides what to do with
 * each error kind.
 *
 * Failure mapping:
 * - Netatmo error body `{"error":{"code","message"}}` → classifyApiError(status, code), with the
 *   server's wait (any dialect, see rate-limit-headers.ts) for 429/503 and codes 26/11.
 * - Timeouts, resets, refused connections, DNS failures → 'transient'.
 * - A 2xx whose body is not JSON, is cut short, or lacks the `status: "ok"` envelope →
 *   'invalid_response'. For reads this is usually a passing backend hiccup, so callers may
 *   treat it like 'transient'; for writes it is unknown whether the command ran, so they must
 *   not resend blindly. That choice belongs to the caller, hence a distinct kind.
 * - An abort through the caller's signal rethrows the signal's reason unchanged.
 *
 * The access token is registered as a secret and every text echoed back by the server is
 * redacted before it reaches an error message.
 */
import { redactString, setSecretSlot } from '../util/redact.js';
import {
  classifyApiError,
  isNetatmoError,
  NetatmoCode,
  NetatmoError,
  type NetatmoErrorKind,
} from './errors.js';
import { parseRetryDelay } from './rate-limit-headers.js';
import type { ApiRequest } from './types.js';

export interface ApiResponse {
  status: number;
  /** The envelope's `body` (undefined for bare `{"status":"ok"}` answers), not yet validated. */
  body: unknown;
  /** The envelope's `time_server`, epoch seconds, when present. */
  timeServer?: number;
  headers: Headers;
}

export interface SendOptions {
  /** Wall-clock timeout for the whole exchange, body included. */
  timeoutMs: number;
  signal?: AbortSignal;
  /** Epoch ms in the injected clock's time; used to turn server waits into `retryAt`. */
  now: () => number;
  /** Longest server wait accepted before it is capped (default one hour). */
  maxRetryAfterMs?: number;
  /** Answers larger than this are refused as invalid (default 16 MiB). */
  maxBodyBytes?: number;
}

const DEFAULT_MAX_BODY_BYTES = 16 * 1024 * 1024;
const ENDPOINT_NAME = /^[a-z][a-z0-9_]*$/i;
/** Longest slice of a server's error text kept in a message. */
const MAX_ECHO = 200;

export async function sendApiRequest(
  baseUrl: string,
  request: ApiRequest,
  accessToken: string,
  options: SendOptions,
): Promise<ApiResponse> {
  const { endpoint } = request;
  if (!ENDPOINT_NAME.test(endpoint)) throw new TypeError(`invalid Netatmo endpoint name: ${endpoint}`);
  setSecretSlot('api-access-token', [accessToken]);
  options.signal?.throwIfAborted();

  const url = `${baseUrl.replace(/\/+$/, '')}/api/${endpoint}`;
  const timeout = AbortSignal.timeout(options.timeoutMs);
  const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
  const headers: Record<string, string> = {
    Authorization: `Bearer ${accessToken}`,
    Accept: 'application/json',
  };
  let payload: string;
  if (request.json !== undefined) {
    headers['Content-Type'] = 'application/json';
    payload = JSON.stringify(request.json);
  } else {
    headers['Content-Type'] = 'application/x-www-form-urlencoded';
    payload = encodeForm(request.params);
  }

  const failed = (error: unknown): unknown => {
    if (options.signal?.aborted) return options.signal.reason;
    if (error instanceof NetatmoError) return error;
    if (timeout.aborted) {
      return new NetatmoError('transient', `${endpoint}: no complete answer within ${options.timeoutMs} ms`, {
        endpoint,
        cause: error,
      });
    }
    return new NetatmoError('transient', `${endpoint}: ${describeNetworkError(error)}`, {
      endpoint,
      cause: error,
    });
  };

  let response: Response;
  try {
    // Redirects are not followed: Netatmo's API never redirects, and following one would send
    // the bearer token wherever the Location points.
    response = await fetch(url, { method: 'POST', headers, body: payload, signal, redirect: 'manual' });
  } catch (error) {
    throw failed(error);
  }

  let text: string;
  try {
    text = await readBody(response, options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES, endpoint);
  } catch (error) {
    const reason = failed(error);
    if (!isNetatmoError(reason, 'transient') || timeout.aborted) throw reason;
    // A 2xx cut short was received and processed by Netatmo: for a write, the command may have
    // run. That is 'invalid_response' (answered, unreadable), not 'transient' (maybe never sent).
    if (response.status >= 200 && response.status < 300) {
      throw new NetatmoError(
        'invalid_response',
        `${endpoint}: HTTP ${response.status} answer was cut short`,
        {
          endpoint,
          status: response.status,
          cause: error,
        },
      );
    }
    // An error answer cut short still has its status (and headers) to classify by.
    text = '';
  }

  const parsed = parseJson(text);
  const ok = response.status >= 200 && response.status < 300;
  if (!ok || isErrorBody(parsed.value)) {
    throw apiError(endpoint, response, parsed.value, text, options);
  }
  if (!parsed.ok) {
    const type = response.headers.get('content-type') ?? 'no content-type';
    throw new NetatmoError(
      'invalid_response',
      `${endpoint}: HTTP ${response.status} answer is not valid JSON (${redactString(type)}, ${text.length} chars)`,
      { endpoint, status: response.status },
    );
  }
  return unwrapEnvelope(endpoint, response, parsed.value);
}

function encodeForm(params: ApiRequest['params']): string {
  const form = new URLSearchParams();
  for (const [key, value] of Object.entries(params ?? {})) {
    if (value !== undefined) form.append(key, String(value));
  }
  return form.toString();
}

/** Reads the body as text, refusing oversized answers before they fill memory. */
async function readBody(response: Response, maxBytes: number, endpoint: string): Promise<string> {
  const declared = Number(response.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > maxBytes) {
    await response.body?.cancel();
    throw oversized(endpoint, response.status, maxBytes);
  }
  if (!response.body) return '';
  const decoder = new TextDecoder();
  let text = '';
  let bytes = 0;
  for await (const chunk of response.body) {
    bytes += chunk.byteLength;
    if (bytes > maxBytes) {
      await response.body.cancel().catch(() => {});
      throw oversized(endpoint, response.status, maxBytes);
    }
    text += decoder.decode(chunk, { stream: true });
  }
  return text + decoder.decode();
}

function oversized(endpoint: string, status: number, maxBytes: number): NetatmoError {
  return new NetatmoError('invalid_response', `${endpoint}: answer larger than ${maxBytes} bytes`, {
    endpoint,
    status,
  });
}

function parseJson(text: string): { ok: true; value: unknown } | { ok: false; value: undefined } {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false, value: undefined };
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Netatmo's error shape `{"error":{...}}` or the OAuth-style `{"error":"..."}`. */
function isErrorBody(value: unknown): value is { error: unknown } {
  return isRecord(value) && value.status !== 'ok' && value.error !== undefined && value.error !== null;
}

function apiError(
  endpoint: string,
  response: Response,
  body: unknown,
  text: string,
  options: SendOptions,
): NetatmoError {
  const { status } = response;
  let code: number | undefined;
  let serverMessage: string | undefined;
  if (isErrorBody(body)) {
    const error = body.error;
    if (isRecord(error)) {
      if (typeof error.code === 'number' && Number.isInteger(error.code)) code = error.code;
      if (typeof error.message === 'string') serverMessage = error.message;
    } else if (typeof error === 'string') {
      serverMessage = error;
    }
  } else if (text.length > 0 && body === undefined) {
    serverMessage = looksLikeHtml(text) ? 'non-JSON (HTML) error page' : text;
  }
  const kind: NetatmoErrorKind = status >= 300 && status < 400 ? 'api' : classifyApiError(status, code);

  let retryAfterMs: number | undefined;
  let retryAt: number | undefined;
  const mayCarryWait =
    status === 429 ||
    status === 503 ||
    code === NetatmoCode.MAXIMUM_USAGE_REACHED ||
    code === NetatmoCode.INTERNAL_ERROR;
  if (mayCarryWait) {
    const now = options.now();
    const wait = parseRetryDelay(
      { headers: response.headers, body, now },
      options.maxRetryAfterMs === undefined ? {} : { maxMs: options.maxRetryAfterMs },
    );
    // Only what the server said; the policy for silence (seconds for WAF, minutes for quota)
    // belongs to the gate.
    if (!wait.defaulted) {
      retryAfterMs = wait.delayMs;
      retryAt = now + wait.delayMs;
    }
  }

  const parts = [`${endpoint}: HTTP ${status}`, kind];
  if (code !== undefined) parts.push(`code ${code}`);
  let message = parts.join(' ');
  if (status >= 300 && status < 400) message += ' (unexpected redirect, not followed)';
  if (serverMessage !== undefined) message += `: ${redactString(truncate(serverMessage))}`;
  if (retryAfterMs !== undefined) message += ` (server asks to wait ${Math.ceil(retryAfterMs / 1000)} s)`;

  return new NetatmoError(kind, message, {
    endpoint,
    status,
    ...(code === undefined ? {} : { code }),
    ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    ...(retryAt === undefined ? {} : { retryAt }),
  });
}

function unwrapEnvelope(endpoint: string, response: Response, value: unknown): ApiResponse {
  if (!isRecord(value) || value.status !== 'ok') {
    const what = isRecord(value)
      ? `envelope status is ${JSON.stringify(truncate(String(value.status)))}`
      : `answer is ${Array.isArray(value) ? 'an array' : typeof value}, not an envelope`;
    throw new NetatmoError('invalid_response', `${endpoint}: ${redactString(what)}`, {
      endpoint,
      status: response.status,
    });
  }
  const timeServer = value.time_server;
  return {
    status: response.status,
    body: value.body,
    ...(typeof timeServer === 'number' && Number.isFinite(timeServer) ? { timeServer } : {}),
    headers: response.headers,
  };
}

function looksLikeHtml(text: string): boolean {
  return /^\s*<(?:!doctype|html|head|body)/i.test(text);
}

function truncate(text: string): string {
  return text.length > MAX_ECHO ? `${text.slice(0, MAX_ECHO)}…` : text;
}

/** undici wraps the real cause (ECONNRESET, ENOTFOUND, ...) in a generic "fetch failed". */
function describeNetworkError(error: unknown): string {
  const codes: string[] = [];
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current instanceof Error; depth++) {
    const code = (current as Error & { code?: unknown }).code;
    if (typeof code === 'string') codes.push(code);
    current = current.cause;
  }
  const reason = codes.find((c) => !c.startsWith('UND_ERR')) ?? codes[0];
  const label: Record<string, string> = {
    ECONNRESET: 'connection reset by the server',
    ECONNREFUSED: 'connection refused',
    ENOTFOUND: 'host not found (DNS)',
    EAI_AGAIN: 'DNS lookup failed temporarily',
    ETIMEDOUT: 'connection timed out',
    UND_ERR_SOCKET: 'connection closed unexpectedly',
    UND_ERR_CONNECT_TIMEOUT: 'connection timed out',
  };
  if (reason !== undefined) return `${label[reason] ?? 'network error'} (${reason})`;
  const message = error instanceof Error ? error.message : String(error);
  return `network error: ${redactString(truncate(message))}`;
}
