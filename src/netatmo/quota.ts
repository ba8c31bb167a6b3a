/**
 * Netatmo's request limits (dev.netatmo.com guideline) and what one user may spend under each
 * profile: the one table every quota figure in the code and its texts derives from.
 */

export interface QuotaWindows {
  per10s: number;
  perHour: number;
}

export const NETATMO_LIMITS = {
  /** Per user of an app. */
  user: { per10s: 50, perHour: 500 },
  /** Per app with fewer than 100 users. */
  app: { per10s: 200, perHour: 2000 },
  /** Per app from 100 users on: this much per user, i.e. each user's fair share. */
  appPerUser: { per10s: 2, perHour: 20 },
} as const satisfies Record<string, QuotaWindows>;

export const NETATMO_PROFILES = ['own_app', 'shared_app'] as const;
export type NetatmoProfile = (typeof NETATMO_PROFILES)[number];

/**
 * What one user may spend:
 * - `own_app` (your own dev app, you its one user): the per-user limit (the app's is 4× higher);
 * - `shared_app` (an app shared by many users, e.g. cloud account linking): the user's fair
 *   share of the app limit.
 */
export const PROFILE_ALLOWANCE: Readonly<Record<NetatmoProfile, QuotaWindows>> = {
  own_app: NETATMO_LIMITS.user,
  shared_app: NETATMO_LIMITS.appPerUser,
};

/** Share of an allowance the gate plans for; the rest covers clock skew and other apps on the account. */
export const PLANNED_PERCENT = 80;

/** Users from which Netatmo scales an app's limit with its number of users. */
export const APP_SCALING_USERS = 100;

/** Netatmo's limit on a whole app with `users` users (the accounts that share it). */
export function appLimit(users: number): QuotaWindows {
  if (!Number.isInteger(users) || users < 1) throw new RangeError(`app users must be ≥ 1, got ${users}`);
  if (users < APP_SCALING_USERS) return { ...NETATMO_LIMITS.app };
  return {
    per10s: NETATMO_LIMITS.appPerUser.per10s * users,
    perHour: NETATMO_LIMITS.appPerUser.perHour * users,
  };
}

/**
 * What one account may spend: its profile's allowance, capped at its fair share of the app
 * (the app limit split evenly between the `appUsers` accounts), so the accounts together
 * never exceed the app whatever each one's profile says.
 */
export function accountAllowance(profile: NetatmoProfile, appUsers: number): QuotaWindows {
  const app = appLimit(appUsers);
  const own = PROFILE_ALLOWANCE[profile];
  return {
    per10s: Math.min(own.per10s, Math.floor(app.per10s / appUsers)),
    perHour: Math.min(own.perHour, Math.floor(app.perHour / appUsers)),
  };
}

/** `50/10 s and 500/h`. */
export function formatQuota(windows: QuotaWindows): string {
  return `${windows.per10s}/10 s and ${windows.perHour}/h`;
}
