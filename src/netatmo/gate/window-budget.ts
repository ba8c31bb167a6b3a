/**
 * A budget of starts kept in this process: Netatmo's two sliding windows over one StartLog,
 * polls held to the limits minus the command reserve. The in-process app budget and the
 * fallback while Redis is away are this; their limits may change while it runs.
 */
import { type GateLimits, pollLimits, WINDOW_MS } from './limits.js';
import type { ShareVerdict, StartKind } from './share.js';
import { StartLog } from './start-log.js';

export class WindowBudget {
  readonly #limits: () => GateLimits;
  readonly #starts = new StartLog(WINDOW_MS.perHour);

  constructor(limits: () => GateLimits) {
    this.#limits = limits;
  }

  /** Records a start at `now` when it fits both windows. */
  take(now: number, kind: StartKind): ShareVerdict {
    const limits = kind === 'poll' ? pollLimits(this.#limits()) : this.#limits();
    this.#starts.prune(now);
    const at = Math.max(
      this.#starts.earliestStart(limits.per10s, WINDOW_MS.per10s),
      this.#starts.earliestStart(limits.perHour, WINDOW_MS.perHour),
    );
    if (at > now) return { ok: false, retryAt: at };
    this.#starts.record(now);
    return { ok: true };
  }

  /** Starts in the 10 s and the hour ending at `now`. */
  counts(now: number): GateLimits {
    this.#starts.prune(now);
    return {
      per10s: this.#starts.countAfter(now - WINDOW_MS.per10s),
      perHour: this.#starts.countAfter(now - WINDOW_MS.perHour),
    };
  }
}
