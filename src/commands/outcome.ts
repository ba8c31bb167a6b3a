/**
 * How a failed Netatmo call reads to the user: a short code, a message without secrets, and
 * for throttling the time after which a retry makes sense.
 */
import type { ModuleError } from '../netatmo/api-types.js';
import { isNetatmoError } from '../netatmo/errors.js';
import { redactString } from '../util/redact.js';
import type { DispatchResult } from './types.js';

/** Netatmo's per-module error codes (openHAB HomeStatusError, pyatmo fixtures). */
const MODULE_ERROR_TEXT: Record<number, string> = {
  1: 'unknown error',
  2: 'internal error',
  3: 'parser error',
  4: 'unknown module',
  5: 'invalid parameters',
  6: 'device unreachable',
  23: 'already in that state',
};

export function failureFromError(error: unknown): DispatchResult & { ok: false } {
  if (isNetatmoError(error)) {
    const message = redactString(error.message);
    if (error.kind === 'throttle_window' || error.kind === 'throttled') {
      return {
        ok: false,
        code: 'throttled',
        error: `Netatmo is throttling this account: ${message}`,
        ...(error.retryAt === undefined ? {} : { retryAt: error.retryAt }),
      };
    }
    if (error.kind === 'deadline') return { ok: false, code: 'deadline', error: message };
    return {
      ok: false,
      code: 'api_error',
      error: message,
      ...(error.code === undefined ? {} : { netatmoCode: error.code }),
    };
  }
  return {
    ok: false,
    code: 'api_error',
    error: redactString(error instanceof Error ? error.message : String(error)),
  };
}

export function failureFromModuleError(entry: ModuleError): DispatchResult & { ok: false } {
  const text = entry.message ?? MODULE_ERROR_TEXT[entry.code] ?? 'module error';
  return {
    ok: false,
    code: 'module_error',
    error: `Netatmo refused it: ${text} (code ${entry.code})`,
    netatmoCode: entry.code,
  };
}
