/**
 * What a RequestGate shares with the other gates of the app (the other accounts of this
 * process, and with Redis the other processes): the app's budget, the account's budget as
 * every process counts it, and throttle windows. The gate keeps its own windows too; a start
 * needs both its own and the shared verdict.
 */

/** Whether one more start fits the shared windows now. */
export type ShareVerdict =
  | { ok: true }
  /** Not now: try again at `retryAt`; `throttle` says a throttle window is open (its reason). */
  | { ok: false; retryAt: number; throttle?: string };

export type StartKind = 'command' | 'poll';

export interface GateShare {
  /**
   * Records one start at `now` when every shared window allows it (a poll leaves the command
   * reserve free). Synchronous in-process; a promise when it asks Redis. Never rejects.
   */
  take(now: number, kind: StartKind): ShareVerdict | Promise<ShareVerdict>;
  /** Netatmo throttled this gate until `until`: the gates that share its quota wait too. */
  throttled(until: number, reason: string): void;
}
