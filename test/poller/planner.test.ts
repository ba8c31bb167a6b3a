import { describe, expect, it } from 'vitest';
import { type Plan, type PlanInput, planPolls, sameSchedule } from '../../src/poller/planner.js';

const HOUR = 3_600_000;
const homes = (n: number): string[] => Array.from({ length: n }, (_, i) => `home-${i}`);

/** The most calls the plan makes in any one-hour window over its first three hours. */
function maxCallsInAnyHour(plan: Plan): number {
  const times: number[] = [];
  const streams = [plan.topology, ...plan.homes, plan.weather, plan.homeCoach, ...plan.feeds];
  for (const s of streams) {
    if (!s) continue;
    for (let t = s.offsetMs; t < 3 * HOUR; t += s.intervalMs) times.push(t);
  }
  times.sort((a, b) => a - b);
  let max = 0;
  let end = 0;
  for (let start = 0; start < times.length && (times[start] ?? 0) <= 2 * HOUR; start++) {
    while (end < times.length && (times[end] ?? 0) < (times[start] ?? 0) + HOUR) end++;
    max = Math.max(max, end - start);
  }
  return max;
}

const scenarios: Array<[string, PlanInput]> = [
  [
    'own_app, 1 home, weather and coach',
    { budgetPerHour: 500, homeIds: homes(1), weather: true, homeCoach: true },
  ],
  ['own_app, 1 home only', { budgetPerHour: 500, homeIds: homes(1), weather: false, homeCoach: false }],
  ['own_app, 10 homes, weather', { budgetPerHour: 500, homeIds: homes(10), weather: true, homeCoach: false }],
  [
    'own_app, 100 homes, weather and coach',
    { budgetPerHour: 500, homeIds: homes(100), weather: true, homeCoach: true },
  ],
  ['shared_app, 1 home', { budgetPerHour: 20, homeIds: homes(1), weather: false, homeCoach: false }],
  [
    'shared_app, 3 homes, weather and coach',
    { budgetPerHour: 20, homeIds: homes(3), weather: true, homeCoach: true },
  ],
  [
    'tmenguy-style 450/h, 2 homes, coach',
    { budgetPerHour: 450, homeIds: homes(2), weather: false, homeCoach: true },
  ],
  ['no homes yet, stations only', { budgetPerHour: 500, homeIds: [], weather: true, homeCoach: true }],
  [
    'own_app, 1 home with cameras and alarms (events feed)',
    {
      budgetPerHour: 500,
      homeIds: homes(1),
      weather: true,
      homeCoach: true,
      feeds: [{ key: 'feed:events:home-0', weight: 0.8, floorMs: 30_000 }],
    },
  ],
  [
    'shared_app, 3 homes with events',
    {
      budgetPerHour: 20,
      homeIds: homes(3),
      weather: true,
      homeCoach: false,
      feeds: homes(3).map((id) => ({ key: `feed:events:${id}`, weight: 0.5, floorMs: 30_000 })),
    },
  ],
];

describe('planPolls', () => {
  describe.each(scenarios)('%s', (_name, input) => {
    const plan = planPolls(input);
    const reserve = input.budgetPerHour * 0.2;

    it('keeps the command reserve free and never plans over the budget', () => {
      expect(plan.reservedPerHour).toBeCloseTo(reserve);
      expect(plan.expectedCallsPerHour).toBeLessThanOrEqual(input.budgetPerHour - reserve + 1e-9);
      // Counted call by call, any real hour stays within the gate's budget; whole calls can
      // exceed the fractional rate by at most one per stream (homes, weather, coach, topology).
      const worstHour = maxCallsInAnyHour(plan);
      expect(worstHour).toBeLessThanOrEqual(input.budgetPerHour);
      expect(worstHour).toBeLessThanOrEqual(plan.pollBudgetPerHour + 4);
    });

    it('never polls weather or the home coach faster than every 5 minutes', () => {
      if (input.weather) expect(plan.weather?.intervalMs).toBeGreaterThanOrEqual(300_000);
      else expect(plan.weather).toBeNull();
      if (input.homeCoach) expect(plan.homeCoach?.intervalMs).toBeGreaterThanOrEqual(300_000);
      else expect(plan.homeCoach).toBeNull();
    });

    it('polls every home on the same interval, no faster than every 10 s, phased evenly', () => {
      expect(plan.homes.map((h) => h.homeId)).toEqual(input.homeIds);
      for (const h of plan.homes) {
        expect(h.intervalMs).toBe(plan.homeStatusIntervalMs);
        expect(h.intervalMs).toBeGreaterThanOrEqual(10_000);
      }
      const offsets = plan.homes.map((h) => h.offsetMs);
      const gap = plan.homeStatusIntervalMs / Math.max(1, plan.homes.length);
      offsets.forEach((offset, i) => {
        expect(Math.abs(offset - i * gap)).toBeLessThanOrEqual(1);
      });
      // No two publishers start in the same second.
      const starts = [
        ...offsets,
        plan.weather?.offsetMs,
        plan.homeCoach?.offsetMs,
        ...plan.feeds.map((f) => f.offsetMs),
      ].filter((o): o is number => o !== undefined);
      expect(new Set(starts.map((o) => Math.floor(o / 1000))).size).toBe(starts.length);
    });

    it('reports staleness against the H·3600/(2B) bound, within 1.5×', () => {
      if (input.homeIds.length === 0) {
        expect(plan.staleness).toBeNull();
        return;
      }
      // At its floor a plan does not spend the budget: the bound is for the calls it makes.
      // Feeds' calls are not the homes' to spend.
      const feeds = plan.feeds.reduce((sum, f) => sum + f.callsPerHour, 0);
      const spent =
        (plan.limitedBy === 'floor'
          ? Math.min(input.budgetPerHour, plan.expectedCallsPerHour)
          : input.budgetPerHour) - feeds;
      const bound = (input.homeIds.length * 3600) / (2 * spent);
      expect(plan.staleness?.boundSec).toBeCloseTo(bound);
      expect(plan.staleness?.meanHomeStatusSec).toBeCloseTo(plan.homeStatusIntervalMs / 2000);
      expect(plan.staleness?.ratio).toBeGreaterThanOrEqual(1);
      expect(plan.staleness?.ratio).toBeLessThanOrEqual(1.5);
      expect(plan.explanation).toContain(`${plan.staleness?.ratio.toFixed(2)}×`);
    });

    it('refreshes topology every few hours', () => {
      expect(plan.topology.intervalMs).toBeGreaterThanOrEqual(3 * HOUR);
    });
  });

  it('with one home on an own app, runs homestatus at its floor and weather at its upload cadence', () => {
    const plan = planPolls({ budgetPerHour: 500, homeIds: ['a'], weather: true, homeCoach: true });
    expect(plan.homeStatusIntervalMs).toBe(30_000);
    expect(plan.limitedBy).toBe('floor');
    expect(plan.weather?.intervalMs).toBe(300_000);
    expect(plan.homeCoach?.intervalMs).toBe(300_000);
    expect(plan.warnings).toEqual([]);
  });

  it('gives homestatus most of a tight budget and says that staleness is long', () => {
    const plan = planPolls({ budgetPerHour: 20, homeIds: homes(3), weather: true, homeCoach: true });
    const homeCalls = plan.homes.reduce((sum, h) => sum + h.callsPerHour, 0);
    expect(homeCalls / plan.expectedCallsPerHour).toBeGreaterThan(0.8);
    expect(plan.weather?.callsPerHour ?? 0).toBeLessThan(plan.homes[0]?.callsPerHour ?? 0);
    expect(plan.limitedBy).toBe('budget');
    expect(plan.warnings.join(' ')).toMatch(/weather data is read only every/);
    expect(plan.explanation).toMatch(/homestatus for 3 home\(s\) every 1\d min/);
  });

  it('splits the budget evenly: more homes means proportionally longer intervals', () => {
    const ten = planPolls({ budgetPerHour: 500, homeIds: homes(10), weather: false, homeCoach: false });
    const hundred = planPolls({ budgetPerHour: 500, homeIds: homes(100), weather: false, homeCoach: false });
    expect(hundred.homeStatusIntervalMs / ten.homeStatusIntervalMs).toBeCloseTo(10, 0);
    expect(hundred.warnings.join(' ')).toMatch(/budget is tight/);
  });

  it('gives way when commands used more than their reserve', () => {
    const calm = planPolls({ budgetPerHour: 500, homeIds: homes(10), weather: true, homeCoach: false });
    const busy = planPolls({
      budgetPerHour: 500,
      otherUsePerHour: 250,
      homeIds: homes(10),
      weather: true,
      homeCoach: false,
    });
    expect(busy.pollBudgetPerHour).toBe(250);
    expect(busy.expectedCallsPerHour).toBeLessThanOrEqual(250);
    expect(busy.homeStatusIntervalMs).toBeGreaterThan(calm.homeStatusIntervalMs * 1.5);
  });

  it('keeps a trickle of polls when others used up the whole hour, and warns', () => {
    const plan = planPolls({
      budgetPerHour: 20,
      otherUsePerHour: 25,
      homeIds: homes(1),
      weather: false,
      homeCoach: false,
    });
    expect(plan.pollBudgetPerHour).toBe(1);
    expect(plan.expectedCallsPerHour).toBeLessThanOrEqual(1);
    expect(plan.warnings[0]).toMatch(/other calls use almost the whole budget/);
  });

  it('shares the budget with feeds by weight, each at or above its floor', () => {
    const feeds = [
      { key: 'feed:events:a', weight: 0.8, floorMs: 30_000 },
      { key: 'feed:events:b', weight: 0.2, floorMs: 30_000 },
      { key: 'feed:energy:m1', weight: 0.05, floorMs: 15 * 60_000 },
    ];
    const roomy = planPolls({
      budgetPerHour: 1000,
      homeIds: ['a', 'b'],
      weather: false,
      homeCoach: false,
      feeds,
    });
    // Plenty of budget: every feed at its floor.
    expect(roomy.feeds.map((f) => f.intervalMs)).toEqual([30_000, 30_000, 15 * 60_000]);
    const tight = planPolls({
      budgetPerHour: 60,
      homeIds: ['a', 'b'],
      weather: false,
      homeCoach: false,
      feeds,
    });
    const perHour = new Map(tight.feeds.map((f) => [f.key, f.callsPerHour]));
    const home = tight.homes[0]?.callsPerHour ?? 0;
    // Weighted max-min: a home (weight 1) gets more than the heavy feed, which gets 4× the light one.
    expect(home).toBeGreaterThan(perHour.get('feed:events:a') ?? Infinity);
    expect((perHour.get('feed:events:a') ?? 0) / (perHour.get('feed:events:b') ?? 1)).toBeCloseTo(4, 0);
    expect(tight.expectedCallsPerHour).toBeLessThanOrEqual(tight.pollBudgetPerHour + 1e-9);
    expect(tight.explanation).toMatch(/events for 2 target\(s\) every/);
    expect(tight.explanation).toMatch(/energy for 1 target\(s\) every/);
    // A re-plan with other feed weights is a different schedule.
    const slower = planPolls({
      budgetPerHour: 60,
      homeIds: ['a', 'b'],
      weather: false,
      homeCoach: false,
      feeds: feeds.map((f) => ({ ...f, weight: f.weight / 10, floorMs: 10 * 60_000 })),
    });
    expect(sameSchedule(tight, slower)).toBe(false);
    expect(slower.feeds.every((f) => f.intervalMs >= 10 * 60_000)).toBe(true);
  });

  it('honours a custom reserve and rejects nonsense', () => {
    const plan = planPolls({
      budgetPerHour: 500,
      commandReserve: 0.15,
      homeIds: homes(50),
      weather: false,
      homeCoach: false,
    });
    expect(plan.pollBudgetPerHour).toBeCloseTo(425);
    expect(() => planPolls({ budgetPerHour: 0, homeIds: [], weather: false, homeCoach: false })).toThrow(
      RangeError,
    );
    expect(() =>
      planPolls({ budgetPerHour: 500, commandReserve: 1, homeIds: [], weather: false, homeCoach: false }),
    ).toThrow(RangeError);
  });

  it('ignores duplicate home ids', () => {
    const plan = planPolls({
      budgetPerHour: 500,
      homeIds: ['a', 'b', 'a'],
      weather: false,
      homeCoach: false,
    });
    expect(plan.homes.map((h) => h.homeId)).toEqual(['a', 'b']);
  });
});
