/**
 * The contract between the typed endpoint functions (client.ts) and whatever sends the
 * requests (the ApiSession: gate + auth + retries).
 */

/** Commands go before state polls, which go before background polls. */
export type Priority = 'command' | 'state' | 'background';

export type FormValue = string | number | boolean | undefined;

export interface ApiRequest {
  /** The name after /api/, e.g. `homestatus`. */
  endpoint: string;
  /** Form fields (undefined ones are left out). */
  params?: Record<string, FormValue>;
  /** A JSON body instead of a form (setstate). */
  json?: unknown;
}

export interface CallOptions {
  priority: Priority;
  /** Epoch ms (in the injected clock's time) after which the caller no longer wants an answer. */
  deadline?: number;
  /** Reads may be retried on transient errors; writes are never blindly retried. */
  idempotent: boolean;
  signal?: AbortSignal;
  /** The home a call concerns, for per-home bookkeeping. */
  homeId?: string;
}

/** Sends a request and resolves with the envelope's `body` (unvalidated). */
export interface ApiCaller {
  call(request: ApiRequest, options: CallOptions): Promise<unknown>;
}
