/**
 * What the gates plan for: PLANNED_PERCENT of what Netatmo allows (quota.ts), per account and
 * for the whole app, and the part of it kept back from polls for commands.
 */
import {
  accountAllowance,
  appLimit,
  type NetatmoProfile,
  PLANNED_PERCENT,
  type QuotaWindows,
} from '../quota.js';

export type GateLimits = QuotaWindows;

/** The length of Netatmo's two windows. */
export const WINDOW_MS: Readonly<Record<keyof QuotaWindows, number>> = { per10s: 10_000, perHour: 3_600_000 };

/**
 * PLANNED_PERCENT of an allowance: the hour rounded down; the 10 s window rounded up, which
 * never exceeds the allowance and does not shrink a tiny one further (under shared_app the
 * hour bites long before the 10 s window).
 */
export function plannedLimits(allowed: QuotaWindows): GateLimits {
  return {
    per10s: Math.ceil((allowed.per10s * PLANNED_PERCENT) / 100),
    perHour: Math.floor((allowed.perHour * PLANNED_PERCENT) / 100),
  };
}

/**
 * One account's gate limits: the planned share of its profile's allowance, capped at its fair
 * share of the app when `appUsers` accounts share it (one account: the profile alone decides).
 * The poller plans from these limits, so its plan shrinks with the share.
 */
export function gateLimitsForProfile(profile: NetatmoProfile, appUsers = 1): GateLimits {
  return plannedLimits(accountAllowance(profile, appUsers));
}

/** What all accounts of the app together plan for: the planned share of the app limit. */
export function appBudgetLimits(appUsers: number): GateLimits {
  return plannedLimits(appLimit(appUsers));
}

/** Starts kept back from polls for commands: 10 % of a window, at least 1 (none when the limit is 1). */
export function commandReserve(limits: GateLimits): GateLimits {
  const reserve = (limit: number): number => (limit >= 2 ? Math.max(1, Math.floor(limit / 10)) : 0);
  return { per10s: reserve(limits.per10s), perHour: reserve(limits.perHour) };
}

/** What polls may use of `limits`: everything but the command reserve. */
export function pollLimits(limits: GateLimits): GateLimits {
  const reserve = commandReserve(limits);
  return { per10s: limits.per10s - reserve.per10s, perHour: limits.perHour - reserve.perHour };
}
