/**
 * Book-keeping for one publisher (topology, one home's homestatus, weather, home coach):
 * its schedule, its timer, and its success/failure record for bridge/health.
 */
import { isNetatmoError } from '../netatmo/errors.js';
import { isQuotaError } from './backoff.js';
import type { PublisherId, PublisherKind } from './ports.js';

/** Consecutive outage failures after which a publisher is reported offline. */
export const OFFLINE_AFTER_FAILURES = 3;

export interface PublisherStatus {
  id: PublisherId;
  kind: PublisherKind;
  homeId?: string;
  intervalMs: number;
  nextDueAt: number | null;
  lastSuccessAt: number | null;
  lastErrorAt: number | null;
  lastError: Record<string, unknown> | null;
  /** Consecutive failures of any kind (quota waits included). */
  failures: number;
  online: boolean | null;
}

function describeError(error: unknown): Record<string, unknown> {
  if (isNetatmoError(error)) return error.toJSON();
  if (error instanceof Error) return { kind: 'error', message: error.message };
  return { kind: 'error', message: String(error) };
}

export class PublisherState {
  readonly id: PublisherId;
  readonly kind: PublisherKind;
  readonly homeId: string | undefined;
  intervalMs = 0;
  offsetMs = 0;
  /** The slot the pending timer fires for. */
  nextDueAt: number | undefined;
  inFlight = false;
  lastAttemptAt: number | undefined;
  lastSuccessAt: number | undefined;
  lastErrorAt: number | undefined;
  lastError: unknown;
  failures = 0;
  /** Failures that say Netatmo or the device is down (quota waits excluded). */
  outageFailures = 0;
  online: boolean | undefined;
  /** True while waiting out a throttle window or a backoff: a re-plan must not pull it forward. */
  holding = false;
  #cancel: (() => void) | undefined;

  constructor(id: PublisherId, kind: PublisherKind, homeId?: string) {
    this.id = id;
    this.kind = kind;
    this.homeId = homeId;
  }

  /** Arms the timer (replacing any earlier one). */
  arm(at: number, cancel: () => void): void {
    this.disarm();
    this.nextDueAt = at;
    this.#cancel = cancel;
  }

  disarm(): void {
    this.#cancel?.();
    this.#cancel = undefined;
    this.nextDueAt = undefined;
  }

  get armed(): boolean {
    return this.#cancel !== undefined;
  }

  /** Records a success; returns true when the publisher just came (back) online. */
  succeeded(now: number): boolean {
    this.lastSuccessAt = now;
    this.failures = 0;
    this.outageFailures = 0;
    this.holding = false;
    const cameOnline = this.online !== true;
    this.online = true;
    return cameOnline;
  }

  /** Records a failure; returns true when the publisher just went offline. */
  failed(now: number, error: unknown): boolean {
    this.lastErrorAt = now;
    this.lastError = error;
    this.failures += 1;
    if (isQuotaError(error)) return false;
    this.outageFailures += 1;
    if (this.outageFailures >= OFFLINE_AFTER_FAILURES && this.online !== false) {
      this.online = false;
      return true;
    }
    return false;
  }

  status(): PublisherStatus {
    return {
      id: this.id,
      kind: this.kind,
      ...(this.homeId === undefined ? {} : { homeId: this.homeId }),
      intervalMs: this.intervalMs,
      nextDueAt: this.nextDueAt ?? null,
      lastSuccessAt: this.lastSuccessAt ?? null,
      lastErrorAt: this.lastErrorAt ?? null,
      lastError: this.lastErrorAt === undefined ? null : describeError(this.lastError),
      failures: this.failures,
      online: this.online ?? null,
    };
  }
}
