/**
 * The Poller (data handler): reads topology, each home's live state, weather stations and home
 * coaches on the schedule the planner derives from the budget, and hands what it read to sinks.
 *
 * - Topology at start, every few hours, and on demand; weather and coach are probed once and
 *   dropped from the plan when the account has none (re-probed with each topology refresh).
 * - Every publisher has its own timer on the injected Clock and keeps its phase: missed slots
 *   are skipped, never caught up in a burst.
 * - A throttle window (from the gate's stats or a throttle error's retryAt) is waited out;
 *   publishers resume staggered by their phase. Other failures back off per publisher.
 * - Quota waits never make a publisher offline; three consecutive real failures do.
 * - After a command, `refreshHome(id, {soon: true})` adds one confirmation read a few seconds
 *   later (coalesced), paid from the headroom the plan leaves free.
 * - Feeds (feeds.ts) add publishers of their own per target, planned and run the same way.
 */

import { setMaxListeners } from 'node:events';
import { childLogger } from '../log.js';
import type { HomeCoachsDataBody, HomesDataBody, StationsDataBody } from '../netatmo/api-types.js';
import { isNetatmoError } from '../netatmo/errors.js';
import type { CallOptions } from '../netatmo/types.js';
import type { Clock } from '../util/clock.js';
import { backoffDelayMs, nextSlotAfter, throttleRetryAt } from './backoff.js';
import { ConfirmationReads } from './confirmation-reads.js';
import { type FeedRef, feedTargets, type PollFeed } from './feeds.js';
import { OptionalFeeds } from './optional-feeds.js';
import { OwnCalls } from './own-calls.js';
import { type Plan, planPolls, sameSchedule } from './planner.js';
import {
  type GateStatsSource,
  homePublisherId,
  type PollerApi,
  type PollerSinks,
  type PublisherId,
  type PublisherKind,
} from './ports.js';
import { PublisherState, type PublisherStatus } from './publisher-state.js';
import { type PublisherRead, readPublisher } from './reads.js';

const log = childLogger('poller');

export interface PollerOptions {
  clock: Clock;
  api: PollerApi;
  gate: GateStatsSource;
  sinks: PollerSinks;
  /** Calls/hour polls may use. Default: the gate's hourly limit minus its command reserve. */
  budgetPerHour?: number;
  /**
   * Share of that budget the plan leaves free, for confirmation reads after commands and for
   * rounding. Default 0.1: the gate already keeps its own reserve for the commands themselves.
   */
  headroom?: number;
  topologyIntervalMs?: number;
  homeFloorMs?: number;
  weatherFloorMs?: number;
  homeCoachFloorMs?: number;
  /** Delay of the confirmation read after a command. Default 3 s. */
  soonDelayMs?: number;
  /** How often the budget is re-checked against the gate's counters. Default 60 s. */
  budgetCheckMs?: number;
  /** Further reads planned within the same budget (security events, ...). */
  feeds?: readonly PollFeed[];
}

export interface PollerStatus {
  running: boolean;
  budgetPerHour: number;
  ownCallsLastHour: number;
  plan: Plan | null;
  publishers: PublisherStatus[];
}

type ReadOutcome = { ok: true } | { ok: false; error: unknown } | { ok: 'stale' };

const DEFAULT_HEADROOM = 0.1;
/** Re-plan when the budget moved by more than this fraction (hysteresis against flapping). */
const REPLAN_THRESHOLD = 0.1;
/** On-demand topology refreshes are at least this far apart. */
const TOPOLOGY_MIN_SPACING_MS = 30_000;
/** Gap between the start-up topology read and the first other read. */
const START_GAP_MS = 1_000;

export class Poller {
  readonly #o: PollerOptions;
  readonly #publishers = new Map<PublisherId, PublisherState>();
  readonly #confirm: ConfirmationReads;
  #plan: Plan | null = null;
  #running = false;
  #generation = 0;
  #abort = new AbortController();
  readonly #ownCalls = new OwnCalls();
  #homeIds: string[] = [];
  #topology: HomesDataBody | undefined;
  /** Feed publishers of the current plan: which feed and target each one reads. */
  #feedTargets = new Map<PublisherId, FeedRef>();
  #topologyLoaded = false;
  readonly #optional = new OptionalFeeds();
  #cancelBudgetCheck: (() => void) | undefined;

  constructor(options: PollerOptions) {
    this.#o = options;
    this.#confirm = new ConfirmationReads({
      clock: options.clock,
      delayMs: options.soonDelayMs ?? 3_000,
      minSpacingMs: options.homeFloorMs ?? 10_000,
      read: (homeId) => this.#confirmationRead(homeId),
    });
    this.#publishers.set('topology', new PublisherState('topology', 'topology'));
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#generation += 1;
    this.#abort = new AbortController();
    // One signal cancels every read in flight or queued at the gate (one per home at scale);
    // each removes its listener when it settles, so the default warning at 11 is a false alarm.
    setMaxListeners(0, this.#abort.signal);
    this.#armAt(this.#publisher('topology'), this.#o.clock.now());
    // Homes known from before a restart start one pacing step after topology, not with it.
    this.#replan('start', true, START_GAP_MS);
    this.#scheduleBudgetCheck();
  }

  /** Cancels every timer and aborts reads in flight; nothing is called or delivered afterwards. */
  stop(): void {
    if (!this.#running) return;
    this.#running = false;
    this.#generation += 1;
    this.#abort.abort(new Error('poller stopped'));
    this.#cancelBudgetCheck?.();
    this.#confirm.cancelAll();
    for (const p of this.#publishers.values()) {
      p.disarm();
      p.inFlight = false;
      p.holding = false;
    }
  }

  restart(): void {
    this.stop();
    this.start();
  }

  /** Reads topology now (or 30 s after the previous read, whichever is later). */
  refreshTopology(): void {
    const p = this.#publisher('topology');
    if (!this.#running || p.inFlight || p.holding) return;
    this.#armAt(p, Math.max(this.#o.clock.now(), (p.lastAttemptAt ?? -Infinity) + TOPOLOGY_MIN_SPACING_MS));
  }

  /**
   * Asks for a fresh homestatus of one home, e.g. to confirm a command. With `soon` (default)
   * the read waits a few seconds so Netatmo has applied the command; repeated requests coalesce.
   * Returns false when nothing was scheduled (unknown home, throttled, out of budget, failing).
   */
  refreshHome(homeId: string, options: { soon?: boolean } = {}): boolean {
    const p = this.#publishers.get(homePublisherId(homeId));
    if (!this.#running || !p || p.holding) return false;
    const stats = this.#o.gate.stats();
    const now = this.#o.clock.now();
    if (stats.throttleWindow && stats.throttleWindow.until > now) return false;
    return this.#confirm.request(p, options.soon !== false, stats.remainingHour > 0);
  }

  /** A feed's targets or weights changed (webhook pushes started or stopped, ...): re-plan. */
  feedsChanged(reason: string): void {
    if (this.#running) this.#replan(reason);
  }

  status(): PollerStatus {
    return {
      running: this.#running,
      budgetPerHour: this.#budgetPerHour(),
      ownCallsLastHour: this.#ownCalls.lastHour(this.#o.clock.now()),
      plan: this.#plan,
      publishers: [...this.#publishers.values()].map((p) => p.status()),
    };
  }

  get plan(): Plan | null {
    return this.#plan;
  }

  // ---- planning ----------------------------------------------------------------------------

  #budgetPerHour(): number {
    if (this.#o.budgetPerHour !== undefined) return this.#o.budgetPerHour;
    const stats = this.#o.gate.stats();
    if (stats.limits) return stats.limits.perHour - (stats.commandReserve?.perHour ?? 0);
    return stats.callsLastHour + stats.remainingHour;
  }

  #computePlan(feeds = feedTargets(this.#o.feeds ?? [], this.#topology)): Plan {
    const stats = this.#o.gate.stats();
    return planPolls({
      feeds: [...feeds].map(([key, { target }]) => ({
        key,
        weight: target.weight,
        floorMs: target.floorMs,
      })),
      budgetPerHour: this.#budgetPerHour(),
      otherUsePerHour: Math.max(0, stats.callsLastHour - this.#ownCalls.lastHour(this.#o.clock.now())),
      commandReserve: this.#o.headroom ?? DEFAULT_HEADROOM,
      homeIds: this.#homeIds,
      weather: this.#optional.wanted('weather'),
      homeCoach: this.#optional.wanted('homecoach'),
      ...(this.#o.topologyIntervalMs === undefined ? {} : { topologyIntervalMs: this.#o.topologyIntervalMs }),
      ...(this.#o.homeFloorMs === undefined ? {} : { homeFloorMs: this.#o.homeFloorMs }),
      ...(this.#o.weatherFloorMs === undefined ? {} : { weatherFloorMs: this.#o.weatherFloorMs }),
      ...(this.#o.homeCoachFloorMs === undefined ? {} : { homeCoachFloorMs: this.#o.homeCoachFloorMs }),
    });
  }

  #replan(reason: string, force = false, anchorDelayMs = 0): void {
    const feeds = feedTargets(this.#o.feeds ?? [], this.#topology);
    const plan = this.#computePlan(feeds);
    if (!force && this.#plan && sameSchedule(this.#plan, plan)) return;
    this.#plan = plan;
    this.#feedTargets = feeds;
    log.info(`poll plan (${reason}): ${plan.explanation}`);
    this.#applyPlan(plan, anchorDelayMs);
  }

  #applyPlan(plan: Plan, anchorDelayMs: number): void {
    const now = this.#o.clock.now();
    const wanted = new Map<
      PublisherId,
      { kind: PublisherKind; homeId?: string; intervalMs: number; offsetMs: number }
    >();
    for (const h of plan.homes) wanted.set(homePublisherId(h.homeId), { kind: 'home', ...h });
    for (const f of plan.feeds) {
      const id = f.key as PublisherId;
      const homeId = this.#feedTargets.get(id)?.target.homeId;
      wanted.set(id, { kind: 'feed', ...f, ...(homeId === undefined ? {} : { homeId }) });
    }
    if (plan.weather) wanted.set('weather', { kind: 'weather', ...plan.weather });
    if (plan.homeCoach) wanted.set('homecoach', { kind: 'homecoach', ...plan.homeCoach });

    for (const [id, p] of this.#publishers) {
      if (id !== 'topology' && !wanted.has(id)) {
        p.disarm();
        this.#publishers.delete(id);
        if (p.kind === 'home' && p.homeId !== undefined) this.#confirm.cancel(p.homeId);
      }
    }
    const topology = this.#publisher('topology');
    topology.intervalMs = plan.topology.intervalMs;
    if (topology.armed && !topology.holding && topology.lastAttemptAt !== undefined) {
      // A shorter topology interval pulls the next read forward; a pending read is never postponed.
      const at = Math.max(now, topology.lastAttemptAt + topology.intervalMs);
      if (at < (topology.nextDueAt ?? Number.POSITIVE_INFINITY)) this.#armAt(topology, at);
    }
    for (const [id, w] of wanted) {
      let p = this.#publishers.get(id);
      if (!p) {
        p = new PublisherState(id, w.kind, w.homeId);
        this.#publishers.set(id, p);
      }
      p.intervalMs = w.intervalMs;
      p.offsetMs = w.offsetMs;
      if (!this.#running || p.inFlight || (p.holding && p.armed)) continue;
      // The first slot on the new phase that is at least half an interval after the last read:
      // re-planning may shorten one gap, never double a read.
      const earliest = (p.lastAttemptAt ?? Number.NEGATIVE_INFINITY) + p.intervalMs / 2;
      let at = now + anchorDelayMs + p.offsetMs;
      if (at < earliest) at += p.intervalMs;
      this.#armAt(p, at);
    }
  }

  #scheduleBudgetCheck(): void {
    const every = this.#o.budgetCheckMs ?? 60_000;
    this.#cancelBudgetCheck = this.#o.clock.schedule(every, () => {
      if (!this.#running) return;
      const current = this.#plan?.pollBudgetPerHour ?? 0;
      const next = this.#computePlan().pollBudgetPerHour;
      if (Math.abs(next - current) > current * REPLAN_THRESHOLD) this.#replan('budget changed');
      this.#scheduleBudgetCheck();
    });
  }

  // ---- running publishers -------------------------------------------------------------------

  #publisher(id: PublisherId): PublisherState {
    const p = this.#publishers.get(id);
    if (!p) throw new Error(`unknown publisher ${id}`);
    return p;
  }

  #armAt(p: PublisherState, at: number): void {
    const delay = Math.max(0, at - this.#o.clock.now());
    p.arm(
      at,
      this.#o.clock.schedule(delay, () => {
        this.#fire(p, at).catch((error: unknown) =>
          log.error(`poll of ${p.id} failed unexpectedly`, { error }),
        );
      }),
    );
  }

  async #fire(p: PublisherState, slot: number): Promise<void> {
    p.disarm();
    if (!this.#running) return;
    const now = this.#o.clock.now();
    const window = this.#o.gate.stats().throttleWindow;
    if (window && window.until > now) {
      // Wait the window out; publishers come back spread over their phases, not all at once.
      p.holding = true;
      this.#armAt(p, window.until + p.offsetMs);
      return;
    }
    if (p.inFlight) {
      this.#armAt(p, nextSlotAfter(slot, p.intervalMs, now));
      return;
    }
    const outcome = await this.#read(p);
    if (outcome.ok === 'stale' || !this.#running || this.#publishers.get(p.id) !== p) return;
    const after = this.#o.clock.now();
    if (outcome.ok) {
      p.holding = false;
      this.#armAt(p, p.kind === 'topology' ? after + p.intervalMs : nextSlotAfter(slot, p.intervalMs, after));
      return;
    }
    p.holding = true;
    const retryAt = throttleRetryAt(outcome.error);
    if (retryAt !== undefined && retryAt > after) this.#armAt(p, retryAt + p.offsetMs);
    else this.#armAt(p, after + backoffDelayMs(p.kind, p.intervalMs, p.failures));
  }

  async #confirmationRead(homeId: string): Promise<void> {
    const p = this.#publishers.get(homePublisherId(homeId));
    if (!this.#running || !p || p.inFlight) return;
    const window = this.#o.gate.stats().throttleWindow;
    if (window && window.until > this.#o.clock.now()) return;
    await this.#read(p);
  }

  async #read(p: PublisherState): Promise<ReadOutcome> {
    const generation = this.#generation;
    const now = this.#o.clock.now();
    p.inFlight = true;
    p.lastAttemptAt = now;
    this.#ownCalls.record(now);
    const feed = p.kind === 'feed' ? this.#feedTargets.get(p.id) : undefined;
    const call: Partial<CallOptions> = {
      priority: p.kind === 'home' ? 'state' : (feed?.feed.priority ?? 'background'),
      // A poll that could not even start within about one interval is dropped, not queued.
      deadline: now + Math.min(120_000, Math.max(30_000, p.intervalMs)),
      idempotent: true,
      signal: this.#abort.signal,
      ...(p.homeId === undefined ? {} : { homeId: p.homeId }),
    };
    try {
      if (p.kind === 'feed') {
        if (!feed) throw new Error(`no feed target for ${p.id}`);
        // The feed hands over what it read itself; pages beyond the first are calls of ours too.
        const calls = (await feed.feed.read(feed.target.id, call)) ?? 1;
        this.#ownCalls.record(now, calls - 1);
        if (generation !== this.#generation) return { ok: 'stale' };
        this.#succeeded(p);
        return { ok: true };
      }
      const read = await readPublisher(this.#o.api, p.kind, p.homeId, call);
      if (generation !== this.#generation) return { ok: 'stale' };
      this.#succeeded(p);
      this.#deliver(read);
      return { ok: true };
    } catch (error) {
      if (generation !== this.#generation) return { ok: 'stale' };
      if (isNetatmoError(error, 'throttle_window') || isNetatmoError(error, 'deadline')) {
        // The gate never sent it: it does not count as one of our calls.
        this.#ownCalls.forget(now);
      }
      const wentOffline = p.failed(this.#o.clock.now(), error);
      log.warning(`${p.id} poll failed (${p.failures} in a row)`, { error: p.status().lastError });
      this.#sink('onPublisherError', () => this.#o.sinks.onPublisherError?.(p.id, error, p.failures));
      if (wentOffline) this.#sink('onAvailability', () => this.#o.sinks.onAvailability?.(p.id, false));
      if ((p.kind === 'weather' || p.kind === 'homecoach') && isNetatmoError(error, 'scope_missing')) {
        // The app may not read these devices at all: stop asking until topology changes.
        this.#setPresence(p.kind, false);
      }
      return { ok: false, error };
    } finally {
      if (generation === this.#generation) p.inFlight = false;
    }
  }

  #succeeded(p: PublisherState): void {
    if (p.succeeded(this.#o.clock.now()))
      this.#sink('onAvailability', () => this.#o.sinks.onAvailability?.(p.id, true));
  }

  /** Hands a successful read to its sink (and to the poller's own follow-ups). */
  #deliver(read: PublisherRead): void {
    if (read.kind === 'topology') this.#onTopology(read.body);
    else if (read.kind === 'home')
      this.#sink('onHomeStatus', () => this.#o.sinks.onHomeStatus(read.homeId, read.body));
    else if (read.kind === 'weather') this.#onStations(read.body);
    else this.#onHomeCoachs(read.body);
  }

  #onTopology(body: HomesDataBody): void {
    this.#sink('onTopology', () => this.#o.sinks.onTopology(body));
    this.#topology = body;
    this.#homeIds = body.homes.filter((h) => (h.modules?.length ?? 0) > 0).map((h) => h.id);
    if (this.#topologyLoaded) this.#optional.reprobe();
    this.#topologyLoaded = true;
    this.#replan('topology');
  }

  #onStations(body: StationsDataBody): void {
    this.#sink('onStations', () => this.#o.sinks.onStations(body));
    this.#setPresence('weather', body.devices.length > 0);
  }

  #onHomeCoachs(body: HomeCoachsDataBody): void {
    this.#sink('onHomeCoachs', () => this.#o.sinks.onHomeCoachs(body));
    this.#setPresence('homecoach', body.devices.length > 0);
  }

  #setPresence(kind: 'weather' | 'homecoach', present: boolean): void {
    if (this.#optional.set(kind, present)) this.#replan(`${kind} ${present ? 'present' : 'absent'}`);
  }

  #sink(name: string, deliver: () => void): void {
    try {
      deliver();
    } catch (error) {
      log.error(`sink ${name} threw`, { error });
    }
  }
}
