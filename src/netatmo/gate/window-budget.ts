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
  readonly #windows: GateLimits;
  readonly #starts: StartLog;

  /** `windowsMs`: the two windows' lengths (Netatmo's by default; tests shorten them). */
  constructor(limits: () => GateLimits, windowsMs: GateLimits = WINDOW_MS) {
    this.#limits = limits;
    this.#windows = windowsMs;
    this.#starts = new StartLog(windowsMs.perHour);
  }

  /** Records a start at `now` when it fits both windows. */
  take(now: number, kind: StartKind): ShareVerdict {
    const limits = kind === 'poll' ? pollLimits(this.#limits()) : this.#limits();
    this.#starts.prune(now);
    const at = Math.max(
      this.#starts.earliestStart(limits.per10s, this.#windows.per10s),
      this.#starts.earliestStart(limits.perHour, this.#windows.perHour),
    );
    if (at > now) return { ok: false, retryAt: at };
    this.#starts.record(now);
    return { ok: true };
  }
}
