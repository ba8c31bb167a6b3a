/**
 * Typed Netatmo errors. Classification is by HTTP status and Netatmo's body code,
 * never by message text (Netatmo has reworded its throttle message three times).
 */
import { BridgeError } from '../errors.js';

export type NetatmoErrorKind =
  /** Quota throttling: error code 26 at HTTP 403 or 429. */
  | 'throttled'
  /** Netatmo's WAF: HTTP 429 with code 11. Not the user's quota; retry soon. */
  | 'waf_overload'
  /** Any other HTTP 429. */
  | 'rate_limited'
  /** HTTP 403 with code 2 (invalid) or 3 (expired): refresh once and retry. */
  | 'token_invalid'
  /** The token endpoint answered invalid_grant: a new consent is needed. Terminal. */
  | 'reauth_required'
  /** Code 13: the app lacks the scope for this call. */
  | 'scope_missing'
  /** 5xx, timeouts, resets, token endpoint outages: retried for reads. */
  | 'transient'
  /** Any other Netatmo error body (missing argument, invalid argument, ...). */
  | 'api'
  /** A 2xx answer whose body is not what the endpoint returns. */
  | 'invalid_response'
  /** The gate refused to send: a throttle window is open until `retryAt`. */
  | 'throttle_window'
  /** The caller's deadline passed before the request could be sent or answered. */
  | 'deadline';

export interface NetatmoErrorDetails {
  endpoint?: string;
  status?: number;
  code?: number;
  /** How long the server asked us to wait, when it said. */
  retryAfterMs?: number;
  /** Epoch ms after which a retry makes sense. */
  retryAt?: number;
  cause?: unknown;
}

export class NetatmoError extends BridgeError {
  readonly kind: NetatmoErrorKind;
  readonly endpoint: string | undefined;
  readonly status: number | undefined;
  readonly code: number | undefined;
  readonly retryAfterMs: number | undefined;
  readonly retryAt: number | undefined;

  constructor(kind: NetatmoErrorKind, message: string, details: NetatmoErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.kind = kind;
    this.endpoint = details.endpoint;
    this.status = details.status;
    this.code = details.code;
    this.retryAfterMs = details.retryAfterMs;
    this.retryAt = details.retryAt;
  }

  /** A plain object safe to publish on MQTT or show on a page. */
  toJSON(): Record<string, unknown> {
    return {
      kind: this.kind,
      message: this.message,
      ...(this.endpoint === undefined ? {} : { endpoint: this.endpoint }),
      ...(this.status === undefined ? {} : { status: this.status }),
      ...(this.code === undefined ? {} : { code: this.code }),
      ...(this.retryAt === undefined ? {} : { retryAt: new Date(this.retryAt).toISOString() }),
    };
  }
}

export function isNetatmoError(error: unknown, kind?: NetatmoErrorKind): error is NetatmoError {
  return error instanceof NetatmoError && (kind === undefined || error.kind === kind);
}

/**
 * Netatmo error codes the bridge reacts to (from Netatmo's PHP SDK `NARestErrorCode` and
 * openHAB's `NetatmoConstants` for 41).
 */
export const NetatmoCode = {
  ACCESS_TOKEN_MISSING: 1,
  INVALID_ACCESS_TOKEN: 2,
  ACCESS_TOKEN_EXPIRED: 3,
  DEVICE_NOT_FOUND: 9,
  MISSING_ARGUMENTS: 10,
  INTERNAL_ERROR: 11,
  OPERATION_FORBIDDEN: 13,
  INVALID_ARGUMENT: 21,
  MAXIMUM_USAGE_REACHED: 26,
  NOT_FOUND: 31,
  DEVICE_UNREACHABLE: 41,
} as const;

/**
 * Classifies an HTTP error answer from /api/*. `code` is Netatmo's `error.code` when the
 * body had one.
 */
export function classifyApiError(status: number, code: number | undefined): NetatmoErrorKind {
  if (code === NetatmoCode.MAXIMUM_USAGE_REACHED && (status === 403 || status === 429)) return 'throttled';
  if (status === 429 && code === NetatmoCode.INTERNAL_ERROR) return 'waf_overload';
  if (status === 429) return 'rate_limited';
  if (
    (status === 401 || status === 403) &&
    (code === NetatmoCode.INVALID_ACCESS_TOKEN ||
      code === NetatmoCode.ACCESS_TOKEN_EXPIRED ||
      code === NetatmoCode.ACCESS_TOKEN_MISSING)
  ) {
    return 'token_invalid';
  }
  if (code === NetatmoCode.OPERATION_FORBIDDEN) return 'scope_missing';
  if (status >= 500) return 'transient';
  return 'api';
}
