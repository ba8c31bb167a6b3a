/**
 * Which security events the bridge has already handled, per home, so that none is published
 * twice: not when a push and a poll both bring it, not when two polls overlap, not across a
 * restart (the ledger is saved in state.json).
 *
 * Per home: a watermark (epoch s) below which events are history and ignored, and the keys of
 * the events seen since. A new event is
 * - `fresh` (published) when it is unseen, not older than the horizon, and the home's history
 *   was read once already (`baselined`);
 * - `history` (not published, but may still set state that only events tell, such as a smoke
 *   alarm) when it is unseen but older than the horizon, or, in the first read of a home the
 *   bridge knew nothing about, older than the bridge's start: a first start does not replay
 *   days of motion, and misses nothing that happened since it started.
 * A push before the first read of its home is fresh (it is happening now) and does not count
 * as that read.
 */

/** Events older than this are not published (they happened while the bridge was away too long). */
export const EVENT_HORIZON_S = 6 * 3600;
/** Keys kept per home, newest first; pages are far smaller, so an old key never reappears unseen. */
const MAX_KEYS_PER_HOME = 1_000;
/** At a first read, events this close before the start count as since (clocks differ a little). */
const START_MARGIN_S = 60;

export interface LedgerEntry {
  key: string;
  time: number;
}

export interface Admitted<T extends LedgerEntry> {
  fresh: T[];
  history: T[];
}

/** What state.json keeps (section `events`). */
export interface EventLedgerSnapshot {
  homes: Record<string, { watermark: number; seen: Array<[string, number]> }>;
}

interface HomeLedger {
  baselined: boolean;
  watermark: number;
  seen: Map<string, number>;
}

export class EventLedger {
  readonly #homes = new Map<string, HomeLedger>();
  readonly #startedAtSec: number;

  /** `startedAtSec`: when the bridge started (epoch s); a first read publishes what came after. */
  constructor(startedAtSec: number) {
    this.#startedAtSec = startedAtSec;
  }

  /** Takes the ledger saved in state.json; a malformed section is ignored (nothing is published twice only from then on). */
  restore(section: unknown): void {
    if (!isRecord(section) || !isRecord(section.homes)) return;
    for (const [homeId, home] of Object.entries(section.homes)) {
      if (!isRecord(home) || typeof home.watermark !== 'number' || !Array.isArray(home.seen)) continue;
      const seen = new Map<string, number>();
      for (const entry of home.seen) {
        if (Array.isArray(entry) && typeof entry[0] === 'string' && typeof entry[1] === 'number')
          seen.set(entry[0], entry[1]);
      }
      this.#homes.set(homeId, { baselined: true, watermark: home.watermark, seen });
    }
  }

  snapshot(): EventLedgerSnapshot {
    const homes: EventLedgerSnapshot['homes'] = {};
    for (const [homeId, home] of this.#homes) {
      if (home.baselined) homes[homeId] = { watermark: home.watermark, seen: [...home.seen] };
    }
    return { homes };
  }

  /** Whether the home's history was read once (since the ledger was started or restored). */
  baselined(homeId: string): boolean {
    return this.#homes.get(homeId)?.baselined === true;
  }

  /**
   * Whether a page of a known home may have more new events behind it: none of its events was
   * seen before and the oldest is still above the watermark (a gap longer than one page).
   */
  gapBehind(homeId: string, entries: readonly LedgerEntry[]): boolean {
    const home = this.#homes.get(homeId);
    if (!home?.baselined || entries.length === 0) return false;
    if (entries.some((e) => home.seen.has(e.key))) return false;
    return Math.min(...entries.map((e) => e.time)) >= home.watermark;
  }

  /** Events read with getevents (any order): what is new, split into fresh and history, oldest first. */
  admitPolled<T extends LedgerEntry>(homeId: string, entries: readonly T[], nowSec: number): Admitted<T> {
    const home = this.#home(homeId, nowSec);
    const admitted: Admitted<T> = { fresh: [], history: [] };
    if (!home.baselined) {
      // The first read: what came before the start is history, however old (it tells whether
      // an alarm is on); what came since is news.
      for (const entry of uniqueOldestFirst(entries.filter((e) => !home.seen.has(e.key)))) {
        (entry.time >= this.#startedAtSec - START_MARGIN_S ? admitted.fresh : admitted.history).push(entry);
      }
      this.#unseen(home, [...admitted.history, ...admitted.fresh]);
      home.baselined = true;
      this.#prune(home, nowSec);
      return admitted;
    }
    const horizon = nowSec - EVENT_HORIZON_S;
    for (const entry of this.#unseen(home, entries)) {
      (entry.time >= horizon ? admitted.fresh : admitted.history).push(entry);
    }
    this.#prune(home, nowSec);
    return admitted;
  }

  /** A pushed event: fresh unless seen already (or older than the watermark). */
  admitPushed<T extends LedgerEntry>(homeId: string, entry: T, nowSec: number): boolean {
    const home = this.#home(homeId, nowSec);
    const fresh = this.#unseen(home, [entry]).length === 1;
    this.#prune(home, nowSec);
    return fresh;
  }

  #home(homeId: string, nowSec: number): HomeLedger {
    let home = this.#homes.get(homeId);
    if (!home) {
      home = { baselined: false, watermark: nowSec - EVENT_HORIZON_S, seen: new Map() };
      this.#homes.set(homeId, home);
    }
    return home;
  }

  /** The entries not seen yet and not below the watermark, oldest first; marks them seen. */
  #unseen<T extends LedgerEntry>(home: HomeLedger, entries: readonly T[]): T[] {
    const out = uniqueOldestFirst(entries.filter((e) => !home.seen.has(e.key) && e.time >= home.watermark));
    for (const entry of out) home.seen.set(entry.key, entry.time);
    return out;
  }

  #prune(home: HomeLedger, nowSec: number): void {
    home.watermark = Math.max(home.watermark, nowSec - EVENT_HORIZON_S);
    for (const [key, time] of home.seen) if (time < home.watermark) home.seen.delete(key);
    if (home.seen.size > MAX_KEYS_PER_HOME) {
      const newest = [...home.seen].sort((a, b) => b[1] - a[1]).slice(0, MAX_KEYS_PER_HOME);
      home.seen = new Map(newest);
    }
  }
}

/** Oldest first, each key once (a batch may carry the same event twice). */
function uniqueOldestFirst<T extends LedgerEntry>(entries: readonly T[]): T[] {
  const byKey = new Map<string, T>();
  for (const entry of entries) if (!byKey.has(entry.key)) byKey.set(entry.key, entry);
  return [...byKey.values()].sort((a, b) => a.time - b.time);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
