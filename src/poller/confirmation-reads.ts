/**
 * Confirmation reads after commands: one extra homestatus a few seconds after the last command
 * to a home, so the user sees the result without waiting for the regular poll.
 *
 * Repeated requests for one home coalesce (debounced, but never postponed more than
 * MAX_COALESCE_MS past the first request); a read is skipped when the regular poll falls in the
 * same window anyway, and never comes closer than `minSpacingMs` after the previous read.
 */
import { childLogger } from '../log.js';
import type { Clock } from '../util/clock.js';
import type { PublisherState } from './publisher-state.js';

/** The longest a burst of commands can postpone its confirmation read. */
export const MAX_COALESCE_MS = 10_000;

export interface ConfirmationReadsOptions {
  clock: Clock;
  /** How long after a command the read happens. */
  delayMs: number;
  /** Minimum time between two reads of one home. */
  minSpacingMs: number;
  read(homeId: string): Promise<void>;
}

interface Pending {
  at: number;
  firstAt: number;
  cancel: () => void;
}

const log = childLogger('poller');

export class ConfirmationReads {
  readonly #o: ConfirmationReadsOptions;
  readonly #pending = new Map<string, Pending>();

  constructor(options: ConfirmationReadsOptions) {
    this.#o = options;
  }

  /** Schedules (or coalesces) a read of `home`; false when none will happen. */
  request(home: PublisherState, soon: boolean, budgetLeft: boolean): boolean {
    const homeId = home.homeId;
    if (homeId === undefined) return false;
    const now = this.#o.clock.now();
    const target = Math.max(
      now + (soon ? this.#o.delayMs : 0),
      (home.lastAttemptAt ?? Number.NEGATIVE_INFINITY) + this.#o.minSpacingMs,
    );
    const pending = this.#pending.get(homeId);
    if (pending) {
      const at = Math.min(target, pending.firstAt + MAX_COALESCE_MS);
      if (at > pending.at) this.#arm(homeId, at, pending.firstAt);
      return true;
    }
    // The regular poll lands in the same window: it is the confirmation.
    if (
      home.nextDueAt !== undefined &&
      home.nextDueAt >= target &&
      home.nextDueAt <= target + this.#o.delayMs
    ) {
      return true;
    }
    if (!budgetLeft) return false;
    this.#arm(homeId, target, now);
    return true;
  }

  /** The time of the pending confirmation read of a home, if any. */
  pendingAt(homeId: string): number | undefined {
    return this.#pending.get(homeId)?.at;
  }

  cancel(homeId: string): void {
    this.#pending.get(homeId)?.cancel();
    this.#pending.delete(homeId);
  }

  cancelAll(): void {
    for (const p of this.#pending.values()) p.cancel();
    this.#pending.clear();
  }

  #arm(homeId: string, at: number, firstAt: number): void {
    this.#pending.get(homeId)?.cancel();
    const cancel = this.#o.clock.schedule(Math.max(0, at - this.#o.clock.now()), () => {
      this.#pending.delete(homeId);
      this.#o
        .read(homeId)
        .catch((error: unknown) => log.error(`confirmation read of ${homeId} failed`, { error }));
    });
    this.#pending.set(homeId, { at, firstAt, cancel });
  }
}
