/**
 * The RequestGate: every Netatmo API call passes through it, so the quota is spent where
 * the user needs it and a throttle pauses everything, not just one request.
 *
 * Rules (all on the injected Clock, counting each task START):
 * - Hard windows: never more than `per10s` starts in any 10 s nor `perHour` in any hour.
 * - Command reserve: state and background polls may use only `limit - reserve` of each
 *   window (reserve = 10 % of the window, at least 1), so a poll flood can never leave a
 *   user's click without budget. `stats().remaining*` report what polls may still use.
 * - Pacing: polls start at least `10 s / (per10s - reserve10s)` apart, so a full queue
 *   drains evenly instead of releasing the 10 s allowance in one instant.
 *   Commands skip pacing (a click must not wait when budget remains) but never the hard
 *   windows; bursts of commands are the CommandRouter's storm guard's business.
 * - Priorities: command > state > background, FIFO within one. Poll limits are tighter
 *   than command limits, so looking only at the most urgent head never starves a command.
 * - Concurrency: at most `maxInFlight` calls in flight; polls leave one of those free, so
 *   a slow Netatmo holding poll sockets does not hold a command back.
 * - Throttle window: pauses every start until `until`; queued or new tasks whose deadline
 *   falls inside it fail at once with `throttle_window` and `retryAt`.
 * - One wake-up timer at a time (Clock.schedule), re-armed; every decision is re-checked
 *   against `clock.now()` when it fires, so a late or early timer can never break a limit.
 * - Shared windows (optional GateShare: the app's budget, other processes): a start that fits
 *   the gate's own windows also asks the share, one start at a time; a refusal waits until its
 *   `retryAt`, a shared throttle opens this gate's window (without sharing it back).
 */
import type { EventBus } from '../events.js';
import { childLogger } from '../log.js';
import type { Clock } from '../util/clock.js';
import { NetatmoError } from './errors.js';
import { commandReserve, type GateLimits, WINDOW_MS } from './gate/limits.js';
import { PriorityQueues } from './gate/priority-queues.js';
import type { GateShare, ShareVerdict, StartKind } from './gate/share.js';
import { StartLog } from './gate/start-log.js';
import {
  DEFAULT_MAX_IN_FLIGHT,
  GateClosedError,
  type GateRunOptions,
  type GateStats,
  type RequestGateOptions,
  type ThrottleWindow,
} from './gate/types.js';
import type { Priority } from './types.js';

const TEN_SECONDS = WINDOW_MS.per10s;
const ONE_MINUTE = 60_000;
const ONE_HOUR = WINDOW_MS.perHour;
/** Longest single wake-up; a later target is reached by re-arming. */
const MAX_TIMER_MS = ONE_HOUR;

export type { GateLimits } from './gate/limits.js';
export { appBudgetLimits, commandReserve, gateLimitsForProfile, plannedLimits } from './gate/limits.js';

export type { GateRunOptions, GateStats, RequestGateOptions, ThrottleWindow } from './gate/types.js';
export { DEFAULT_MAX_IN_FLIGHT, GateClosedError } from './gate/types.js';

interface QueuedTask {
  readonly priority: Priority;
  readonly deadline: number | undefined;
  readonly label: string;
  start(): void;
  fail(error: unknown): void;
}

const log = childLogger('gate');

export class RequestGate {
  readonly #clock: Clock;
  readonly #limits: GateLimits;
  readonly #pollLimits: GateLimits;
  readonly #reserve: GateLimits;
  readonly #pollSpacingMs: number;
  readonly #maxInFlight: number;
  readonly #events: EventBus | undefined;
  readonly #share: GateShare | undefined;
  /** A start the share is deciding on (asynchronously): nothing else starts meanwhile. */
  #asking = false;
  /** After a shared refusal, no start of that kind asks the share again before then. */
  readonly #shareRetryAt: Record<StartKind, number> = { command: 0, poll: 0 };
  readonly #starts = new StartLog(ONE_HOUR);
  readonly #queue = new PriorityQueues<QueuedTask>();
  #inFlight = 0;
  #window: ThrottleWindow | undefined;
  #closed = false;
  #wakeAt: number | undefined;
  #cancelWake: (() => void) | undefined;
  #pumping = false;
  #pumpAgain = false;
  #windowsOpened = 0;
  #throttleRejections = 0;
  #deadlineRejections = 0;
  #totalCalls = 0;

  constructor(options: RequestGateOptions) {
    const { per10s, perHour } = options.limits;
    if (!Number.isInteger(per10s) || per10s < 1 || !Number.isInteger(perHour) || perHour < 1) {
      throw new RangeError(`gate limits must be positive integers, got ${per10s}/10 s and ${perHour}/h`);
    }
    const maxInFlight = options.maxInFlight ?? DEFAULT_MAX_IN_FLIGHT;
    if (!Number.isInteger(maxInFlight) || maxInFlight < 1) {
      throw new RangeError(`maxInFlight must be a positive integer, got ${maxInFlight}`);
    }
    this.#clock = options.clock;
    this.#limits = { per10s, perHour };
    this.#reserve = commandReserve(this.#limits);
    this.#pollLimits = { per10s: per10s - this.#reserve.per10s, perHour: perHour - this.#reserve.perHour };
    this.#pollSpacingMs = TEN_SECONDS / this.#pollLimits.per10s;
    this.#maxInFlight = maxInFlight;
    this.#events = options.events;
    this.#share = options.share;
  }

  run<T>(task: () => Promise<T>, opts: GateRunOptions): Promise<T> {
    const label = opts.label ?? opts.priority;
    if (this.#closed) return Promise.reject(new GateClosedError(label));
    if (opts.signal?.aborted) return Promise.reject(opts.signal.reason);
    const now = this.#clock.now();
    const early = this.#refusal(opts.deadline, label, now);
    if (early) return Promise.reject(early);

    return new Promise<T>((resolve, reject) => {
      const onAbort = (): void => {
        if (this.#queue.remove(entry)) entry.fail(opts.signal?.reason);
      };
      const entry: QueuedTask = {
        priority: opts.priority,
        deadline: opts.deadline,
        label,
        start: () => {
          opts.signal?.removeEventListener('abort', onAbort);
          let running: Promise<T>;
          try {
            running = Promise.resolve(task());
          } catch (error) {
            running = Promise.reject(error);
          }
          running.then(
            (value) => {
              this.#finished();
              resolve(value);
            },
            (error: unknown) => {
              this.#finished();
              reject(error);
            },
          );
        },
        fail: (error) => {
          opts.signal?.removeEventListener('abort', onAbort);
          reject(error);
        },
      };
      opts.signal?.addEventListener('abort', onAbort, { once: true });
      this.#queue.push(entry);
      this.#pump();
    });
  }

  /**
   * Pauses every start until `until`; extends an open window, never shortens it. The gates
   * that share this one's quota (GateShare) are told.
   */
  openThrottleWindow(until: number, reason: string): void {
    if (!Number.isFinite(until))
      throw new RangeError(`throttle window end must be a finite time, got ${until}`);
    if (this.#closed) return;
    if (until > this.#clock.now()) this.#share?.throttled(until, reason);
    this.#openWindow(until, reason);
  }

  #openWindow(until: number, reason: string): void {
    const now = this.#clock.now();
    this.#expireWindow(now);
    if (until <= now) return;
    const current = this.#window;
    if (current && until <= current.until) return;
    this.#window = { until, reason };
    if (!current) this.#windowsOpened++;
    log.warning(
      `${current ? 'extended' : 'opened'} throttle window for ${Math.ceil((until - now) / 1000)} s`,
      {
        reason,
        retryAt: new Date(until).toISOString(),
      },
    );
    this.#events?.emit('throttleWindowOpened', { retryAt: until, reason, at: now });
    for (const entry of this.#queue.removeWhere((e) => e.deadline !== undefined && e.deadline <= until)) {
      entry.fail(this.#throttleError(entry.label, until, reason));
    }
    this.#pump();
  }

  /** Ends an open throttle window early (e.g. a forced token refresh restored the quota). */
  closeThrottleWindow(): void {
    if (!this.#window) return;
    this.#window = undefined;
    log.info('throttle window closed early');
    this.#events?.emit('throttleWindowClosed', { at: this.#clock.now() });
    this.#pump();
  }

  get throttleWindow(): ThrottleWindow | undefined {
    const window = this.#window;
    return window && window.until > this.#clock.now() ? { ...window } : undefined;
  }

  stats(): GateStats {
    const now = this.#clock.now();
    this.#starts.prune(now);
    const callsLast10s = this.#starts.countAfter(now - TEN_SECONDS);
    const callsLastHour = this.#starts.countAfter(now - ONE_HOUR);
    const minuteStart = Math.floor(now / ONE_MINUTE) * ONE_MINUTE;
    const throttleWindow = this.throttleWindow;
    return {
      callsLast10s,
      callsLastHour,
      remaining10s: Math.max(0, this.#pollLimits.per10s - callsLast10s),
      remainingHour: Math.max(0, this.#pollLimits.perHour - callsLastHour),
      queued: this.#queue.counts(),
      inFlight: this.#inFlight,
      ...(throttleWindow ? { throttleWindow } : {}),
      windowsOpened: this.#windowsOpened,
      throttleRejections: this.#throttleRejections,
      deadlineRejections: this.#deadlineRejections,
      totalCalls: this.#totalCalls,
      callsPerMinute: this.#starts.histogram(minuteStart - 59 * ONE_MINUTE, ONE_MINUTE, 60),
      limits: { ...this.#limits },
      commandReserve: { ...this.#reserve },
    };
  }

  /** Rejects everything queued with GateClosedError and clears the timer; calls in flight finish. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#arm(undefined);
    for (const entry of this.#queue.removeWhere(() => true)) entry.fail(new GateClosedError(entry.label));
  }

  /** Why a task with this deadline cannot even be queued now, if it cannot. */
  #refusal(deadline: number | undefined, label: string, now: number): NetatmoError | undefined {
    if (deadline === undefined) return undefined;
    this.#expireWindow(now);
    if (deadline <= now) return this.#deadlineError(label);
    const window = this.#window;
    if (window && deadline <= window.until) return this.#throttleError(label, window.until, window.reason);
    return undefined;
  }

  #throttleError(label: string, until: number, reason: string): NetatmoError {
    this.#throttleRejections++;
    return new NetatmoError(
      'throttle_window',
      `${label} not sent: Netatmo throttle window open until ${new Date(until).toISOString()} (${reason})`,
      { retryAt: until },
    );
  }

  #deadlineError(label: string): NetatmoError {
    this.#deadlineRejections++;
    return new NetatmoError('deadline', `${label} not sent: its deadline passed while it waited in the gate`);
  }

  #expireWindow(now: number): void {
    if (this.#window && this.#window.until <= now) {
      this.#window = undefined;
      log.info('throttle window over; requests resume');
      this.#events?.emit('throttleWindowClosed', { at: now });
    }
  }

  #finished(): void {
    this.#inFlight--;
    this.#pump();
  }

  /** Starts whatever may start now and arms one timer for the next moment something changes. */
  #pump(): void {
    if (this.#closed) return;
    // A task may call run() synchronously from inside start(); finish this pass first.
    if (this.#pumping) {
      this.#pumpAgain = true;
      return;
    }
    this.#pumping = true;
    try {
      do {
        this.#pumpAgain = false;
        this.#pumpOnce();
      } while (this.#pumpAgain && !this.#closed);
    } finally {
      this.#pumping = false;
    }
  }

  #pumpOnce(): void {
    const now = this.#clock.now();
    this.#expireWindow(now);
    this.#starts.prune(now);
    for (const entry of this.#queue.removeWhere((e) => e.deadline !== undefined && e.deadline <= now)) {
      entry.fail(this.#deadlineError(entry.label));
    }
    let wakeAt = this.#window?.until;
    if (wakeAt === undefined && !this.#asking) {
      for (let next = this.#queue.peek(); next !== undefined; next = this.#queue.peek()) {
        const isCommand = next.priority === 'command';
        if (this.#inFlight >= (isCommand ? this.#maxInFlight : Math.max(1, this.#maxInFlight - 1))) break;
        const startAt = this.#earliestStart(isCommand);
        if (startAt > now) {
          wakeAt = startAt;
          break;
        }
        if (this.#share) {
          const shared = this.#askShare(next, isCommand, now);
          if (shared !== undefined) {
            wakeAt = shared;
            break;
          }
          if (this.#asking) break;
          continue;
        }
        this.#queue.shift();
        this.#begin(next, now);
      }
    }
    for (const entry of this.#queue) {
      if (entry.deadline !== undefined && (wakeAt === undefined || entry.deadline < wakeAt)) {
        wakeAt = entry.deadline;
      }
    }
    this.#arm(wakeAt);
  }

  #begin(next: QueuedTask, now: number): void {
    this.#starts.record(now);
    this.#inFlight++;
    this.#totalCalls++;
    log.debug(`start ${next.label}`, { priority: next.priority, inFlight: this.#inFlight });
    next.start();
  }

  /**
   * Asks the share for the head task's start. Started at once on a synchronous yes; returns
   * when to look again on a refusal, or on an answer still to come (the pump runs again then).
   */
  #askShare(next: QueuedTask, isCommand: boolean, now: number): number | undefined {
    const kind: StartKind = isCommand ? 'command' : 'poll';
    if (now < this.#shareRetryAt[kind]) return this.#shareRetryAt[kind];
    const answer = this.#share?.take(now, kind) ?? { ok: true };
    this.#queue.shift();
    if (!(answer instanceof Promise)) return this.#shared(next, kind, answer);
    this.#asking = true;
    answer.then(
      (verdict) => this.#sharedLater(next, kind, verdict),
      // GateShare.take never rejects; a broken one is treated as a short refusal.
      () => this.#sharedLater(next, kind, { ok: false, retryAt: this.#clock.now() + 1_000 }),
    );
    return undefined;
  }

  #sharedLater(next: QueuedTask, kind: StartKind, verdict: ShareVerdict): void {
    this.#asking = false;
    if (this.#closed) {
      next.fail(new GateClosedError(next.label));
      return;
    }
    this.#shared(next, kind, verdict);
    this.#pump();
  }

  /** Starts `next` on a yes; on a no puts it back at the head and returns when to ask again. */
  #shared(next: QueuedTask, kind: StartKind, verdict: ShareVerdict): number | undefined {
    const now = this.#clock.now();
    if (verdict.ok) {
      // Its deadline may have passed while the share was asked: the slot is spent, the call is not sent.
      if (next.deadline !== undefined && next.deadline <= now) next.fail(this.#deadlineError(next.label));
      else this.#begin(next, now);
      return undefined;
    }
    this.#queue.unshift(next);
    // Polls are held to tighter limits than commands: a command's refusal holds polls too.
    this.#shareRetryAt.poll = Math.max(this.#shareRetryAt.poll, verdict.retryAt);
    if (kind === 'command') this.#shareRetryAt.command = verdict.retryAt;
    if (verdict.throttle !== undefined) this.#openWindow(verdict.retryAt, verdict.throttle);
    return verdict.retryAt;
  }

  #earliestStart(isCommand: boolean): number {
    const limits = isCommand ? this.#limits : this.#pollLimits;
    let at = Math.max(
      this.#starts.earliestStart(limits.per10s, TEN_SECONDS),
      this.#starts.earliestStart(limits.perHour, ONE_HOUR),
    );
    const last = this.#starts.last();
    if (!isCommand && last !== undefined) at = Math.max(at, last + this.#pollSpacingMs);
    return at;
  }

  #arm(at: number | undefined): void {
    if (at === this.#wakeAt) return;
    this.#cancelWake?.();
    this.#cancelWake = undefined;
    this.#wakeAt = at;
    if (at === undefined) return;
    // Capped so a far deadline or window never overflows setTimeout (≈24.8 days fires at once).
    const delay = Math.min(Math.max(0, at - this.#clock.now()), MAX_TIMER_MS);
    this.#cancelWake = this.#clock.schedule(delay, () => {
      this.#wakeAt = undefined;
      this.#cancelWake = undefined;
      this.#pump();
    });
  }
}
