/**
 * Who polled which account when, from the processes' own records (process-log.ts): calls per
 * account, the moves of an account from one process to another, and interleavings — a process
 * polling (or claiming) an account again after another one has — which is what polling an
 * account twice looks like. Pure.
 */
import type { ApiLine, OwnedLine, ProcessLine } from './process-log.js';

export interface Move {
  account: string;
  from: string;
  to: string;
  /** The last request of `from`, the first of `to` (shared clock, ms). */
  lastAt: number;
  firstAt: number;
}

export interface Interleaving {
  account: string;
  /** The processes in the order they polled (or claimed) the account, one entry per run. */
  runs: string[];
}

export interface OwnershipReport {
  /** API requests per account in the window. */
  calls: Map<string, number>;
  /** Requests whose token named no known account. */
  unattributed: number;
  moves: Move[];
  /** Accounts polled by a process again after another process polled them. */
  polledInterleaved: Interleaving[];
  /** Accounts claimed by a process again after another process claimed them. */
  claimedInterleaved: Interleaving[];
}

type Timed = { at: number; process: string };

/** `lines` per process name; `accountOf` maps a simulator user id to its account. */
export function ownershipReport(
  lines: ReadonlyMap<string, readonly ProcessLine[]>,
  accountOf: ReadonlyMap<string, string>,
  window: { from: number; to: number } = { from: -Infinity, to: Infinity },
): OwnershipReport {
  const requests = new Map<string, Timed[]>();
  const claims = new Map<string, Timed[]>();
  const calls = new Map<string, number>();
  let unattributed = 0;
  for (const [process, list] of lines) {
    for (const line of list) {
      if (line.at < window.from || line.at >= window.to) continue;
      if (line.t === 'api') {
        const account = accountOf.get((line as ApiLine).user);
        if (account === undefined) {
          unattributed++;
          continue;
        }
        calls.set(account, (calls.get(account) ?? 0) + 1);
        push(requests, account, { at: line.at, process });
      } else if (line.t === 'owned') {
        for (const account of (line as OwnedLine).accounts) push(claims, account, { at: line.at, process });
      }
    }
  }
  const moves: Move[] = [];
  for (const [account, list] of requests) {
    const runs = runsOf(list);
    for (let i = 1; i < runs.length; i++) {
      const before = runs[i - 1]!;
      const after = runs[i]!;
      moves.push({
        account,
        from: before.process,
        to: after.process,
        lastAt: before.last,
        firstAt: after.first,
      });
    }
  }
  return {
    calls,
    unattributed,
    moves,
    polledInterleaved: interleavings(requests),
    claimedInterleaved: interleavings(claims),
  };
}

function push(map: Map<string, Timed[]>, key: string, value: Timed): void {
  const list = map.get(key) ?? [];
  map.set(key, list);
  list.push(value);
}

/** Consecutive entries of one process, in time order. */
function runsOf(list: readonly Timed[]): Array<{ process: string; first: number; last: number }> {
  const sorted = [...list].sort((a, b) => a.at - b.at);
  const runs: Array<{ process: string; first: number; last: number }> = [];
  for (const entry of sorted) {
    const current = runs.at(-1);
    if (current?.process === entry.process) current.last = entry.at;
    else runs.push({ process: entry.process, first: entry.at, last: entry.at });
  }
  return runs;
}

function interleavings(byAccount: ReadonlyMap<string, readonly Timed[]>): Interleaving[] {
  const found: Interleaving[] = [];
  for (const [account, list] of byAccount) {
    const runs = runsOf(list).map((r) => r.process);
    if (new Set(runs).size < runs.length) found.push({ account, runs });
  }
  return found;
}
