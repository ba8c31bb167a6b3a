/**
 * Who polled which account when, from the processes' own records (process-log.ts): calls per
 * account, each process's claim periods per account (consecutive samples of its leases that
 * include it), and the two ways an account gets polled twice: two processes claiming it at the
 * same time, or a process sending it a request while another one claims it. A handover — one
 * process lets go, another takes it — is neither, however often it happens. Pure.
 */
import type { ApiLine, ProcessLine } from './process-log.js';

export interface ClaimPeriod {
  process: string;
  /** First and last sample (shared clock, ms) in which the process claimed the account. */
  start: number;
  end: number;
}

export interface DoublePoll {
  account: string;
  /** What overlapped, e.g. `n2m-proc-1 claims while n2m-proc-2 claims` or `… polls while …`. */
  what: string;
  at: number;
}

export interface OwnershipReport {
  /** API requests per account in the window. */
  calls: Map<string, number>;
  /** Requests whose token named no known account. */
  unattributed: number;
  claims: Map<string, ClaimPeriod[]>;
  /** Claims of one account by two processes at once. */
  overlappingClaims: DoublePoll[];
  /** Requests for an account sent while another process claimed it. */
  pollsOfOthers: DoublePoll[];
}

/** `lines` per process name; `accountOf` maps a simulator user id to its account. */
export function ownershipReport(
  lines: ReadonlyMap<string, readonly ProcessLine[]>,
  accountOf: ReadonlyMap<string, string>,
  window: { from: number; to: number } = { from: -Infinity, to: Infinity },
): OwnershipReport {
  const calls = new Map<string, number>();
  const requests: Array<{ account: string; process: string; at: number }> = [];
  let unattributed = 0;
  for (const [process, list] of lines) {
    for (const line of list) {
      if (line.t !== 'api') continue;
      const account = accountOf.get((line as ApiLine).user);
      if (account === undefined) {
        if (line.at >= window.from && line.at < window.to) unattributed++;
        continue;
      }
      requests.push({ account, process, at: line.at });
      if (line.at >= window.from && line.at < window.to) calls.set(account, (calls.get(account) ?? 0) + 1);
    }
  }
  const claims = claimPeriods(lines);
  const overlappingClaims: DoublePoll[] = [];
  for (const [account, periods] of claims) {
    for (const [i, a] of periods.entries()) {
      for (const b of periods.slice(i + 1)) {
        if (a.process !== b.process && a.start < b.end && b.start < a.end) {
          overlappingClaims.push({
            account,
            what: `${a.process} claims while ${b.process} claims`,
            at: Math.max(a.start, b.start),
          });
        }
      }
    }
  }
  const pollsOfOthers: DoublePoll[] = requests.flatMap(({ account, process, at }) => {
    const other = (claims.get(account) ?? []).find(
      (p) => p.process !== process && p.start < at && at < p.end,
    );
    return other ? [{ account, what: `${process} polls while ${other.process} claims`, at }] : [];
  });
  return { calls, unattributed, claims, overlappingClaims, pollsOfOthers };
}

/**
 * When the other processes first claimed and first polled each of `accounts` at or after
 * `since` (a kill): the earliest across all of them, whichever process is listed first.
 */
export function firstTakeover(
  lines: ReadonlyMap<string, readonly ProcessLine[]>,
  accountOf: ReadonlyMap<string, string>,
  except: string,
  accounts: readonly string[],
  since: number,
): Map<string, { claimedAt?: number; polledAt?: number }> {
  const out = new Map<string, { claimedAt?: number; polledAt?: number }>(accounts.map((a) => [a, {}]));
  const earliest = (account: string | undefined, key: 'claimedAt' | 'polledAt', at: number): void => {
    const entry = account === undefined ? undefined : out.get(account);
    if (entry && (entry[key] === undefined || at < entry[key])) entry[key] = at;
  };
  for (const [process, list] of lines) {
    if (process === except) continue;
    for (const line of list) {
      if (line.at < since) continue;
      if (line.t === 'owned') for (const account of line.accounts) earliest(account, 'claimedAt', line.at);
      else if (line.t === 'api') earliest(accountOf.get(line.user), 'polledAt', line.at);
    }
  }
  return out;
}

/** Per account, every process's runs of consecutive `owned` samples that include it. */
function claimPeriods(lines: ReadonlyMap<string, readonly ProcessLine[]>): Map<string, ClaimPeriod[]> {
  const out = new Map<string, ClaimPeriod[]>();
  for (const [process, list] of lines) {
    const open = new Map<string, ClaimPeriod>();
    const samples = list.filter((l) => l.t === 'owned').sort((a, b) => a.at - b.at);
    for (const sample of samples) {
      if (sample.t !== 'owned') continue;
      for (const account of sample.accounts) {
        const period = open.get(account);
        if (period) period.end = sample.at;
        else {
          const started: ClaimPeriod = { process, start: sample.at, end: sample.at };
          open.set(account, started);
          const periods = out.get(account) ?? [];
          out.set(account, periods);
          periods.push(started);
        }
      }
      for (const account of [...open.keys()]) if (!sample.accounts.includes(account)) open.delete(account);
    }
  }
  return out;
}
