import { describe, expect, it } from 'vitest';
import { localShare } from '../../src/coordination/local.js';
import { ThrottleBoard } from '../../src/coordination/throttle-board.js';
import { EventBus } from '../../src/events.js';
import { isNetatmoError, type NetatmoError } from '../../src/netatmo/errors.js';
import { WindowBudget } from '../../src/netatmo/gate/window-budget.js';
import {
  appBudgetLimits,
  commandReserve,
  GateClosedError,
  type GateLimits,
  gateLimitsForProfile,
  RequestGate,
} from '../../src/netatmo/gate.js';
import type { Priority } from '../../src/netatmo/types.js';
import type { Clock } from '../../src/util/clock.js';

const T0 = Date.UTC(2026, 0, 5, 8, 0, 0);
const HOUR = 3_600_000;

const flush = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** A clock that only moves when told, running due timers in order (deterministic time). */
class ManualClock implements Clock {
  #now = T0;
  #timers: { at: number; fn: () => void }[] = [];

  now(): number {
    return this.#now;
  }

  get pendingTimers(): number {
    return this.#timers.length;
  }

  /** The longest delay asked for: a real setTimeout fires at once beyond 2^31 - 1 ms. */
  longestDelay = 0;

  schedule(ms: number, fn: () => void): () => void {
    this.longestDelay = Math.max(this.longestDelay, ms);
    const timer = { at: this.#now + Math.max(0, ms), fn };
    this.#timers.push(timer);
    return () => {
      this.#timers = this.#timers.filter((t) => t !== timer);
    };
  }

  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.schedule(ms, resolve));
  }

  async advance(ms: number): Promise<void> {
    const target = this.#now + ms;
    await flush();
    for (;;) {
      const due = this.#timers.filter((t) => t.at <= target).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      this.#timers = this.#timers.filter((t) => t !== due);
      this.#now = Math.max(this.#now, due.at);
      due.fn();
      await flush();
    }
    this.#now = target;
    await flush();
  }
}

interface Recorder {
  starts: { at: number; name: string }[];
  task(name: string): () => Promise<string>;
}

function recorder(clock: Clock): Recorder {
  const starts: { at: number; name: string }[] = [];
  return {
    starts,
    task: (name) => () => {
      starts.push({ at: clock.now(), name });
      return Promise.resolve(name);
    },
  };
}

/** Most starts seen in any half-open window [a, a + windowMs). */
function maxInWindow(times: number[], windowMs: number): number {
  let max = 0;
  let lo = 0;
  for (let hi = 0; hi < times.length; hi++) {
    while ((times[hi] ?? 0) - (times[lo] ?? 0) >= windowMs) lo++;
    max = Math.max(max, hi - lo + 1);
  }
  return max;
}

function gaps(times: number[]): number[] {
  return times.slice(1).map((t, i) => t - (times[i] ?? 0));
}

function settle<T>(promise: Promise<T>): { value?: T; error?: unknown; done: boolean } {
  const state: { value?: T; error?: unknown; done: boolean } = { done: false };
  promise.then(
    (value) => Object.assign(state, { value, done: true }),
    (error: unknown) => Object.assign(state, { error, done: true }),
  );
  return state;
}

function makeGate(limits: GateLimits, extra: { events?: EventBus; maxInFlight?: number } = {}) {
  const clock = new ManualClock();
  const gate = new RequestGate({ clock, limits, ...extra });
  return { clock, gate, rec: recorder(clock) };
}

describe('gateLimitsForProfile', () => {
  it('plans own_app at 80 % of 50/10 s and 500/h, shared_app at 2/10 s and 80 % of 20/h', () => {
    expect(gateLimitsForProfile('own_app')).toEqual({ per10s: 40, perHour: 400 });
    expect(gateLimitsForProfile('shared_app')).toEqual({ per10s: 2, perHour: 16 });
    expect(commandReserve({ per10s: 40, perHour: 400 })).toEqual({ per10s: 4, perHour: 40 });
    expect(commandReserve({ per10s: 2, perHour: 16 })).toEqual({ per10s: 1, perHour: 1 });
  });

  it('refuses limits that cannot be enforced', () => {
    const clock = new ManualClock();
    expect(() => new RequestGate({ clock, limits: { per10s: 0, perHour: 10 } })).toThrow(RangeError);
    expect(() => new RequestGate({ clock, limits: { per10s: 5, perHour: 2.5 } })).toThrow(RangeError);
  });
});

describe('gates sharing one app (GateShare)', () => {
  it('plans each account at most its fair share of the app, so the poller plans less', () => {
    expect(gateLimitsForProfile('own_app', 1)).toEqual(gateLimitsForProfile('own_app'));
    const thirty = gateLimitsForProfile('own_app', 30);
    expect(thirty.perHour * 30).toBeLessThanOrEqual(appBudgetLimits(30).perHour * 1.25);
    expect(thirty.perHour).toBeLessThan(gateLimitsForProfile('own_app').perHour);
    // From 100 users on, the fair share is the shared_app allowance.
    expect(gateLimitsForProfile('own_app', 150)).toEqual(gateLimitsForProfile('shared_app'));
  });

  it('holds two gates together to the app budget, polls leaving the command reserve free', async () => {
    const clock = new ManualClock();
    const budget = new WindowBudget(() => ({ per10s: 6, perHour: 100 }));
    const board = new ThrottleBoard();
    const rec = recorder(clock);
    const gates = ['a', 'b'].map(
      (name) =>
        new RequestGate({
          clock,
          limits: { per10s: 40, perHour: 400 },
          share: localShare(name, budget, board, clock),
        }),
    );
    for (let i = 0; i < 20; i++) {
      for (const [g, gate] of gates.entries())
        gate.run(rec.task(`${g}${i}`), { priority: 'state' }).catch(() => {});
    }
    await clock.advance(30_000);
    const times = rec.starts.map((s) => s.at);
    expect(maxInWindow(times, 10_000)).toBe(5);
    expect(times.length).toBeGreaterThanOrEqual(15);
    // The sixth start of a window is a command's.
    const command = gates[0]!.run(rec.task('cmd'), { priority: 'command' });
    await flush();
    expect(await command).toBe('cmd');
    for (const gate of gates) gate.close();
  });

  it("pauses every account's gate once a second account is throttled (app-wide)", async () => {
    const clock = new ManualClock();
    const budget = new WindowBudget(() => ({ per10s: 100, perHour: 1000 }));
    const board = new ThrottleBoard();
    const rec = recorder(clock);
    const [a, b, c] = ['a', 'b', 'c'].map(
      (name) =>
        new RequestGate({
          clock,
          limits: { per10s: 40, perHour: 400 },
          share: localShare(name, budget, board, clock),
        }),
    );
    a!.openThrottleWindow(T0 + 60_000, 'quota a');
    // One account throttled: its own limit, the others go on.
    expect(await c!.run(rec.task('c1'), { priority: 'state' })).toBe('c1');
    b!.openThrottleWindow(T0 + 60_000, 'quota b');
    const late = settle(c!.run(rec.task('c2'), { priority: 'state' }));
    const refused = settle(c!.run(rec.task('c3'), { priority: 'state', deadline: T0 + 30_000 }));
    await clock.advance(1_000);
    expect(late.done).toBe(false);
    expect(refused.error).toMatchObject({ kind: 'throttle_window' });
    await clock.advance(60_000);
    expect(late.value).toBe('c2');
    expect(rec.starts.find((s) => s.name === 'c2')?.at).toBe(T0 + 60_000);
  });

  it('starts one task at a time while an asynchronous share decides, in queue order', async () => {
    const clock = new ManualClock();
    const asked: number[] = [];
    // Yes, yes, then "not before 5 s from now", then yes.
    const share = {
      take: async (now: number) => {
        asked.push(now);
        await flush();
        return asked.length === 3 ? ({ ok: false, retryAt: now + 5_000 } as const) : ({ ok: true } as const);
      },
      throttled: () => {},
    };
    const gate = new RequestGate({ clock, limits: { per10s: 40, perHour: 400 }, share });
    const rec = recorder(clock);
    const runs = ['c1', 'c2', 'c3'].map((name) => gate.run(rec.task(name), { priority: 'command' }));
    await clock.advance(100);
    expect(rec.starts.map((s) => s.name)).toEqual(['c1', 'c2']);
    const refusedAt = asked[2] ?? 0;
    await clock.advance(10_000);
    expect(rec.starts.map((s) => s.name)).toEqual(['c1', 'c2', 'c3']);
    expect(rec.starts[2]?.at).toBe(refusedAt + 5_000);
    await Promise.all(runs);
    expect(asked).toHaveLength(4);
  });
});

describe('RequestGate windows and pacing', () => {
  it('never exceeds either window under a flood and resumes when the hour slides', async () => {
    const { clock, gate, rec } = makeGate({ per10s: 10, perHour: 30 });
    const all = Array.from({ length: 100 }, (_, i) =>
      gate.run(rec.task(`s${i}`), { priority: i % 3 === 0 ? 'background' : 'state' }).catch(() => 'closed'),
    );
    await clock.advance(2 * HOUR + 60_000);
    const times = rec.starts.map((s) => s.at);
    // Polls get 9/10 s and 27/h: one tenth of each window stays free for commands.
    expect(maxInWindow(times, 10_000)).toBe(9);
    expect(maxInWindow(times, HOUR)).toBe(27);
    expect(times[27]).toBe(T0 + HOUR);
    expect(times.length).toBeGreaterThanOrEqual(54);
    gate.close();
    await Promise.all(all);
  });

  it('spreads polls evenly instead of releasing the 10 s allowance at once', async () => {
    const { clock, gate, rec } = makeGate(gateLimitsForProfile('own_app'));
    for (let i = 0; i < 20; i++) void gate.run(rec.task(`p${i}`), { priority: 'state' });
    await flush();
    expect(rec.starts).toHaveLength(1);
    await clock.advance(10_000);
    const spacing = 10_000 / 36;
    expect(rec.starts).toHaveLength(20);
    for (const gap of gaps(rec.starts.map((s) => s.at))) expect(gap).toBeCloseTo(spacing, 2);
  });

  it('lets a command skip pacing and queued polls, but never the hard 10 s window', async () => {
    const { clock, gate, rec } = makeGate({ per10s: 5, perHour: 100 });
    for (let i = 0; i < 4; i++) void gate.run(rec.task(`poll${i}`), { priority: 'state' });
    await clock.advance(100);
    expect(rec.starts.map((s) => s.name)).toEqual(['poll0']);
    const commands = Array.from({ length: 6 }, (_, i) =>
      gate.run(rec.task(`cmd${i}`), { priority: 'command' }),
    );
    await flush();
    // Budget for 5 in 10 s: poll0 + 4 commands start at once; the fifth command waits for the window.
    expect(rec.starts.map((s) => s.name)).toEqual(['poll0', 'cmd0', 'cmd1', 'cmd2', 'cmd3']);
    expect(rec.starts.every((s) => s.at <= T0 + 100)).toBe(true);
    await clock.advance(10_000);
    expect(rec.starts[5]).toEqual({ at: T0 + 10_000, name: 'cmd4' });
    await clock.advance(60_000);
    await Promise.all(commands);
    expect(
      maxInWindow(
        rec.starts.map((s) => s.at),
        10_000,
      ),
    ).toBeLessThanOrEqual(5);
  });

  it('keeps a command reserve that a poll flood cannot use', async () => {
    const { clock, gate, rec } = makeGate({ per10s: 10, perHour: 20 });
    const polls = Array.from({ length: 40 }, (_, i) =>
      settle(gate.run(rec.task(`poll${i}`), { priority: 'background' })),
    );
    await clock.advance(5 * 60_000);
    expect(rec.starts).toHaveLength(18);
    expect(gate.stats()).toMatchObject({ callsLastHour: 18, remainingHour: 0, queued: { background: 22 } });
    const answer = await gate.run(rec.task('open cover'), { priority: 'command' });
    expect(answer).toBe('open cover');
    expect(rec.starts.at(-1)).toEqual({ at: T0 + 5 * 60_000, name: 'open cover' });
    gate.close();
    await flush();
    expect(polls.filter((p) => p.error instanceof GateClosedError)).toHaveLength(22);
  });
});

describe('RequestGate priorities and concurrency', () => {
  it('runs command before state before background, FIFO within a priority', async () => {
    const { clock, gate, rec } = makeGate({ per10s: 10, perHour: 100 });
    gate.openThrottleWindow(T0 + 1_000, 'test pause');
    const order: [string, Priority][] = [
      ['b1', 'background'],
      ['s1', 'state'],
      ['b2', 'background'],
      ['c1', 'command'],
      ['s2', 'state'],
      ['c2', 'command'],
    ];
    const runs = order.map(([name, priority]) => gate.run(rec.task(name), { priority }));
    await clock.advance(60_000);
    await Promise.all(runs);
    expect(rec.starts.map((s) => s.name)).toEqual(['c1', 'c2', 's1', 's2', 'b1', 'b2']);
  });

  it('caps calls in flight and keeps one slot free for a command', async () => {
    const { clock, gate } = makeGate({ per10s: 40, perHour: 400 }, { maxInFlight: 4 });
    const release: (() => void)[] = [];
    const slow = (name: string) => () =>
      new Promise<string>((resolve) => {
        release.push(() => resolve(name));
      });
    const polls = Array.from({ length: 6 }, (_, i) => gate.run(slow(`p${i}`), { priority: 'state' }));
    await clock.advance(30_000);
    expect(gate.stats()).toMatchObject({ inFlight: 3, queued: { state: 3 } });
    const command = settle(gate.run(slow('cmd'), { priority: 'command' }));
    await flush();
    expect(gate.stats().inFlight).toBe(4);
    release[3]?.();
    await flush();
    expect(command.value).toBe('cmd');
    expect(gate.stats().inFlight).toBe(3);
    release[0]?.();
    await clock.advance(1_000);
    expect(gate.stats()).toMatchObject({ inFlight: 3, queued: { state: 2 } });
    for (let i = 0; i < 6; i++) {
      await clock.advance(1_000);
      for (const r of release) r();
    }
    expect(await Promise.all(polls)).toEqual(['p0', 'p1', 'p2', 'p3', 'p4', 'p5']);
  });

  it('passes a task failure to its caller and keeps serving others', async () => {
    const { clock, gate } = makeGate({ per10s: 10, perHour: 100 });
    const boom = gate.run(
      () => {
        throw new Error('synchronous boom');
      },
      { priority: 'state' },
    );
    const next = gate.run(() => Promise.resolve(42), { priority: 'state' });
    await expect(boom).rejects.toThrow('synchronous boom');
    await clock.advance(2_000);
    await expect(next).resolves.toBe(42);
    expect(gate.stats()).toMatchObject({ totalCalls: 2, inFlight: 0 });
  });
});

describe('RequestGate throttle windows', () => {
  it('pauses everything, fails deadlines inside the window fast with retryAt, resumes after', async () => {
    const events = new EventBus();
    const seen: string[] = [];
    events.on('throttleWindowOpened', (e) => seen.push(`opened ${e.retryAt - T0} ${e.reason}`));
    events.on('throttleWindowClosed', (e) => seen.push(`closed ${e.at - T0}`));
    const { clock, gate, rec } = makeGate({ per10s: 10, perHour: 100 }, { events });
    const until = T0 + 60_000;

    const soon = settle(gate.run(rec.task('soon'), { priority: 'state', deadline: T0 + 120_000 }));
    const patient = settle(gate.run(rec.task('patient'), { priority: 'state' }));
    const doomed = settle(gate.run(rec.task('doomed'), { priority: 'state', deadline: T0 + 30_000 }));
    await flush();
    expect(rec.starts.map((s) => s.name)).toEqual(['soon']);
    gate.openThrottleWindow(until, 'code 26');
    await flush();
    // Queued with a deadline inside the window: rejected at once, not at the deadline.
    expect(doomed.done).toBe(true);
    expect(isNetatmoError(doomed.error, 'throttle_window')).toBe(true);
    expect((doomed.error as NetatmoError).retryAt).toBe(until);
    // New tasks likewise; a shorter window does not shorten the open one.
    await expect(
      gate.run(rec.task('late'), { priority: 'command', deadline: T0 + 50_000 }),
    ).rejects.toMatchObject({ kind: 'throttle_window', retryAt: until });
    gate.openThrottleWindow(T0 + 10_000, 'shorter');
    expect(gate.throttleWindow).toEqual({ until, reason: 'code 26' });
    const after = settle(gate.run(rec.task('after'), { priority: 'command', deadline: T0 + 90_000 }));

    await clock.advance(59_999);
    expect(rec.starts.map((s) => s.name)).toEqual(['soon']);
    expect(gate.stats()).toMatchObject({
      throttleWindow: { until, reason: 'code 26' },
      windowsOpened: 1,
      throttleRejections: 2,
      queued: { command: 1, state: 1 },
    });
    await clock.advance(10_000);
    expect(rec.starts.map((s) => [s.name, Math.round(s.at - T0)])).toEqual([
      ['soon', 0],
      ['after', 60_000],
      ['patient', 60_000 + Math.round(10_000 / 9)],
    ]);
    expect(patient.value).toBe('patient');
    expect(after.value).toBe('after');
    expect(soon.value).toBe('soon');
    expect(gate.throttleWindow).toBeUndefined();
    expect(seen).toEqual(['opened 60000 code 26', 'closed 60000']);
  });

  it('extends an open window and can be closed early', async () => {
    const events = new EventBus();
    let closedAt: number | undefined;
    events.on('throttleWindowClosed', (e) => {
      closedAt = e.at;
    });
    const { clock, gate, rec } = makeGate({ per10s: 10, perHour: 100 }, { events });
    gate.openThrottleWindow(T0 + 10_000, 'first');
    gate.openThrottleWindow(T0 + 600_000, 'second throttle');
    expect(gate.throttleWindow).toEqual({ until: T0 + 600_000, reason: 'second throttle' });
    const waiting = gate.run(rec.task('w'), { priority: 'state' });
    await clock.advance(120_000);
    expect(rec.starts).toHaveLength(0);
    gate.closeThrottleWindow();
    expect(closedAt).toBe(T0 + 120_000);
    await expect(waiting).resolves.toBe('w');
    expect(rec.starts[0]?.at).toBe(T0 + 120_000);
    expect(gate.stats()).toMatchObject({ windowsOpened: 1 });
    expect(gate.stats().throttleWindow).toBeUndefined();
  });
});

describe('RequestGate long waits', () => {
  it('holds a month-long window with hourly wake-ups and resumes exactly at its end', async () => {
    const { clock, gate, rec } = makeGate({ per10s: 10, perHour: 100 });
    const month = 30 * 24 * HOUR;
    gate.openThrottleWindow(T0 + month, 'long outage');
    const waiting = gate.run(rec.task('later'), { priority: 'state' });
    await clock.advance(month - 1);
    expect(rec.starts).toHaveLength(0);
    await clock.advance(1);
    await expect(waiting).resolves.toBe('later');
    expect(rec.starts[0]?.at).toBe(T0 + month);
    expect(clock.longestDelay).toBeLessThanOrEqual(HOUR);
    expect(() => gate.openThrottleWindow(Number.NaN, 'bad')).toThrow(RangeError);
  });
});

describe('RequestGate deadlines, abort and close', () => {
  it('rejects queued tasks whose deadline passes, and deadlines already past', async () => {
    const { clock, gate, rec } = makeGate({ per10s: 2, perHour: 100 });
    // Polls get 1 per 10 s here, so the third poll cannot start before its 15 s deadline.
    const first = gate.run(rec.task('a'), { priority: 'state', deadline: T0 + 15_000 });
    const second = gate.run(rec.task('b'), { priority: 'state', deadline: T0 + 15_000 });
    const third = settle(gate.run(rec.task('c'), { priority: 'state', deadline: T0 + 15_000 }));
    await clock.advance(14_999);
    expect(third.done).toBe(false);
    await clock.advance(1);
    expect(third.done).toBe(true);
    expect(isNetatmoError(third.error, 'deadline')).toBe(true);
    await expect(Promise.all([first, second])).resolves.toEqual(['a', 'b']);
    await expect(gate.run(rec.task('d'), { priority: 'command', deadline: T0 })).rejects.toMatchObject({
      kind: 'deadline',
    });
    expect(rec.starts.map((s) => s.name)).toEqual(['a', 'b']);
    expect(gate.stats().deadlineRejections).toBe(2);
  });

  it('removes an aborted task from the queue and rejects it with the signal reason', async () => {
    const { clock, gate, rec } = makeGate({ per10s: 2, perHour: 100 });
    void gate.run(rec.task('first'), { priority: 'state' });
    const controller = new AbortController();
    const aborted = gate.run(rec.task('aborted'), { priority: 'state', signal: controller.signal });
    const kept = gate.run(rec.task('kept'), { priority: 'state' });
    expect(gate.stats().queued.state).toBe(2);
    const reason = new Error('user went away');
    controller.abort(reason);
    await expect(aborted).rejects.toBe(reason);
    expect(gate.stats().queued.state).toBe(1);
    await clock.advance(20_000);
    await expect(kept).resolves.toBe('kept');
    expect(rec.starts.map((s) => s.name)).toEqual(['first', 'kept']);
    const already = new AbortController();
    already.abort(new Error('too late'));
    await expect(
      gate.run(rec.task('never'), { priority: 'command', signal: already.signal }),
    ).rejects.toThrow('too late');
  });

  it('close() rejects everything queued, clears its timer and lets in-flight calls finish', async () => {
    const { clock, gate, rec } = makeGate({ per10s: 2, perHour: 100 });
    let finish: (v: string) => void = () => {};
    const inFlight = gate.run(() => new Promise<string>((resolve) => (finish = resolve)), {
      priority: 'state',
    });
    const queued = Array.from({ length: 3 }, (_, i) =>
      gate.run(rec.task(`q${i}`), { priority: i === 0 ? 'command' : 'background', deadline: T0 + HOUR }),
    );
    await flush();
    expect(clock.pendingTimers).toBe(1);
    gate.close();
    expect(clock.pendingTimers).toBe(0);
    // q0 is a command: it started next to the in-flight poll; the paced polls never did.
    await expect(queued[0]).resolves.toBe('q0');
    for (const q of queued.slice(1)) await expect(q).rejects.toBeInstanceOf(GateClosedError);
    await expect(gate.run(rec.task('after'), { priority: 'command' })).rejects.toThrow(/gate closed/);
    finish('done');
    await expect(inFlight).resolves.toBe('done');
    await clock.advance(HOUR);
    expect(rec.starts.map((s) => s.name)).toEqual(['q0']);
  });
});

describe('RequestGate stats', () => {
  it('reports calls per window, remaining budget and a per-minute history', async () => {
    const { clock, gate, rec } = makeGate({ per10s: 10, perHour: 100 });
    await clock.advance(30_000); // T0 + 30 s: mid-minute
    for (let i = 0; i < 3; i++) await gate.run(rec.task(`m0-${i}`), { priority: 'command' });
    await clock.advance(5 * 60_000);
    for (let i = 0; i < 2; i++) await gate.run(rec.task(`m5-${i}`), { priority: 'command' });
    await clock.advance(5_000);
    const stats = gate.stats();
    expect(stats).toMatchObject({
      callsLast10s: 2,
      callsLastHour: 5,
      remaining10s: 9 - 2,
      remainingHour: 90 - 5,
      totalCalls: 5,
      inFlight: 0,
      queued: { command: 0, state: 0, background: 0 },
      windowsOpened: 0,
      throttleRejections: 0,
      deadlineRejections: 0,
      limits: { per10s: 10, perHour: 100 },
      commandReserve: { per10s: 1, perHour: 10 },
    });
    expect(stats.callsPerMinute).toHaveLength(60);
    expect(stats.callsPerMinute.at(-1)).toBe(2);
    expect(stats.callsPerMinute.at(-6)).toBe(3);
    expect(stats.callsPerMinute.reduce((a, b) => a + b, 0)).toBe(5);
    await clock.advance(HOUR);
    expect(gate.stats()).toMatchObject({ callsLastHour: 0, remainingHour: 90, totalCalls: 5 });
    expect(gate.stats().callsPerMinute.every((n) => n === 0)).toBe(true);
  });
});
