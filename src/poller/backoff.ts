/**
 * Timing rules of the poller that do not need its state: retry delays after failures, which
 * failures mean "the device or Netatmo is down" rather than "we are out of quota", and slot
 * arithmetic that keeps a publisher on its phase.
 */
import { isNetatmoError, type NetatmoError } from '../netatmo/errors.js';
import type { PublisherKind } from './ports.js';

/** Longest pause between retries of a failing publisher (unless its interval is longer). */
export const MAX_BACKOFF_MS = 15 * 60_000;
/** Topology is needed before anything else works: it retries from 30 s, not from its 3-h interval. */
export const TOPOLOGY_RETRY_BASE_MS = 30_000;

/**
 * Delay before the next attempt after `failures` consecutive failures (>= 1): the interval,
 * doubled per further failure, capped. Never faster than the planned interval, so a failing
 * publisher cannot spend more than its planned share.
 */
export function backoffDelayMs(kind: PublisherKind, intervalMs: number, failures: number): number {
  const base = kind === 'topology' ? Math.min(intervalMs, TOPOLOGY_RETRY_BASE_MS) : intervalMs;
  const cap = kind === 'topology' ? MAX_BACKOFF_MS : Math.max(intervalMs, MAX_BACKOFF_MS);
  const exponent = Math.min(Math.max(0, failures - 1), 20);
  return Math.min(cap, base * 2 ** exponent);
}

/**
 * Errors that say nothing about the device: the quota or the gate held the call back.
 * They never turn a publisher offline (Home Assistant's "unavailable for an hour after a 429"
 * is the complaint this avoids).
 */
export function isQuotaError(error: unknown): error is NetatmoError {
  return (
    isNetatmoError(error) &&
    (error.kind === 'throttled' ||
      error.kind === 'throttle_window' ||
      error.kind === 'rate_limited' ||
      error.kind === 'deadline')
  );
}

/** When a throttle error says when to come back, that time; otherwise undefined. */
export function throttleRetryAt(error: unknown): number | undefined {
  if (!isNetatmoError(error)) return undefined;
  if (error.kind !== 'throttled' && error.kind !== 'throttle_window' && error.kind !== 'rate_limited')
    return undefined;
  return error.retryAt;
}

/** The first slot `slot + k·interval` (k >= 1) that is later than `now`: missed slots are skipped, not caught up. */
export function nextSlotAfter(slot: number, intervalMs: number, now: number): number {
  if (intervalMs <= 0) return now;
  const k = Math.max(1, Math.floor((now - slot) / intervalMs) + 1);
  return slot + k * intervalMs;
}
