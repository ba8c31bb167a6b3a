/**
 * Staleness of changes: for each change in the simulator, the time until a subscriber saw the
 * bridge publish that value or a later one of the same series. Pure; fed by ChangeLog and
 * PublishLog.
 *
 * A published value is matched to the newest simulator change at or before the publish with
 * that value; every earlier change not yet seen counts as seen then (it was superseded, and the
 * bridge's view is now at least that new). Changes never seen by the end are censored: their
 * staleness is at least `end - at`, and they are counted separately.
 */
import { mean, percentile } from '../lib/stats.js';
import { HOMESTATUS_KINDS, type StateKind } from './kinds.js';

export interface TimedValue {
  at: number;
  value: unknown;
}

export interface KindStaleness {
  /** Changes inside the measurement window. */
  changes: number;
  /** Of those, never seen by the end of the run (counted at `end - at`, a lower bound). */
  unseen: number;
  p50Sec: number;
  p95Sec: number;
  meanSec: number;
}

export interface StalenessInput {
  /** series → simulator changes in time order. */
  changes: Map<string, { kind: StateKind; values: TimedValue[] }>;
  /** series → values seen by the subscriber, in arrival order. */
  publishes: Map<string, TimedValue[]>;
  /** Only changes with from <= at < to are measured. */
  from: number;
  to: number;
  /** End of observation (censoring time). */
  end: number;
}

export function stalenessByKind(input: StalenessInput): Map<StateKind, KindStaleness> {
  const samples = new Map<StateKind, { ages: number[]; unseen: number }>();
  for (const [series, { kind, values }] of input.changes) {
    const seenAt = firstSeen(values, input.publishes.get(series) ?? []);
    const bucket = samples.get(kind) ?? { ages: [], unseen: 0 };
    samples.set(kind, bucket);
    values.forEach((change, i) => {
      if (change.at < input.from || change.at >= input.to) return;
      const seen = seenAt[i];
      if (seen === undefined) {
        bucket.unseen += 1;
        bucket.ages.push(input.end - change.at);
      } else bucket.ages.push(seen - change.at);
    });
  }
  const out = new Map<StateKind, KindStaleness>();
  for (const [kind, { ages, unseen }] of samples) {
    const sec = ages.map((ms) => ms / 1000);
    out.set(kind, {
      changes: ages.length,
      unseen,
      p50Sec: percentile(sec, 50),
      p95Sec: percentile(sec, 95),
      meanSec: mean(sec),
    });
  }
  return out;
}

/** For each change (by index), when it was first seen, or undefined. */
function firstSeen(changes: TimedValue[], publishes: TimedValue[]): Array<number | undefined> {
  const seen: Array<number | undefined> = new Array(changes.length).fill(undefined);
  let covered = 0; // changes[0..covered) are seen
  for (const p of publishes) {
    let match = -1;
    for (let i = changes.length - 1; i >= covered; i--) {
      const c = changes[i] as TimedValue;
      if (c.at <= p.at && sameValue(c.value, p.value)) {
        match = i;
        break;
      }
    }
    for (; covered <= match; covered++) seen[covered] = p.at;
  }
  return seen;
}

function sameValue(a: unknown, b: unknown): boolean {
  return a === b || (typeof a === 'number' && typeof b === 'number' && Math.abs(a - b) < 1e-9);
}

/** Homestatus kinds together: their changes, unseen ones, and the mean staleness weighted by changes. */
export function homestatusStaleness(byKind: ReadonlyMap<StateKind, KindStaleness>): {
  changes: number;
  unseen: number;
  meanSec: number;
} {
  let weighted = 0;
  let changes = 0;
  let unseen = 0;
  for (const kind of HOMESTATUS_KINDS) {
    const s = byKind.get(kind);
    if (!s || s.changes === 0) continue;
    weighted += s.meanSec * s.changes;
    changes += s.changes;
    unseen += s.unseen;
  }
  return { changes, unseen, meanSec: changes > 0 ? weighted / changes : Number.NaN };
}
