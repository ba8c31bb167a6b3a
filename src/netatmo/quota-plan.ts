/**
 * The quota in words, said one way wherever it is said: what Netatmo allows under a profile,
 * what the bridge plans to use of it, and how that plan splits between commands and polling.
 * The schema's description, the demo and the web UI print these sentences; README, DOCS and
 * the add-on translations are checked against them (test/unit/quota-figures.test.ts).
 */
import { commandReserve, gateLimitsForProfile } from './gate.js';
import {
  formatQuota,
  NETATMO_LIMITS,
  type NetatmoProfile,
  PLANNED_PERCENT,
  PROFILE_ALLOWANCE,
  type QuotaWindows,
} from './quota.js';

export interface QuotaPlan {
  /** What Netatmo allows one user under this profile. */
  allowed: QuotaWindows;
  /** What the bridge plans for: PLANNED_PERCENT of `allowed` (the RequestGate's limits). */
  planned: QuotaWindows;
  /** Of `planned`, kept for commands: polls never use it. */
  commands: QuotaWindows;
  /** Of `planned`, what polling may use. */
  polling: QuotaWindows;
}

export function quotaPlan(profile: NetatmoProfile): QuotaPlan {
  const planned = gateLimitsForProfile(profile);
  const commands = commandReserve(planned);
  return {
    allowed: PROFILE_ALLOWANCE[profile],
    planned,
    commands,
    polling: { per10s: planned.per10s - commands.per10s, perHour: planned.perHour - commands.perHour },
  };
}

const WHOSE: Record<NetatmoProfile, string> = {
  own_app: 'per user',
  shared_app: 'per user of a shared app',
};

/** What Netatmo allows and what the bridge plans for, e.g. for own_app: `Netatmo allows … per user; the bridge plans for 80 % of it: …`. */
export function allowanceSentence(profile: NetatmoProfile): string {
  const plan = quotaPlan(profile);
  return (
    `Netatmo allows ${formatQuota(plan.allowed)} ${WHOSE[profile]}; ` +
    `the bridge plans for ${PLANNED_PERCENT} % of it: ${formatQuota(plan.planned)}`
  );
}

/** How the planned hour splits: `of its … /h, polling may use … /h and … /h stay free for commands`. */
export function splitSentence(profile: NetatmoProfile): string {
  const { planned, commands, polling } = quotaPlan(profile);
  return `of its ${planned.perHour}/h, polling may use ${polling.perHour}/h and ${commands.perHour}/h stay free for commands`;
}

/** Netatmo's limit on a whole app, whoever its users are. */
export function appLimitSentence(): string {
  return `an app with fewer than 100 users may make ${formatQuota(NETATMO_LIMITS.app)} in all`;
}
