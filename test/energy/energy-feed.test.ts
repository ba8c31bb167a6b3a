/**
 * The energy feed's targets and what they claim of the budget: one per metering module or
 * boiler, read through its bridge, light enough that 20 meters barely slow homestatus.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { EnergyFeed, meterTargets } from '../../src/energy/energy-feed.js';
import type { HomesDataBody } from '../../src/netatmo/api-types.js';
import { gateLimitsForProfile } from '../../src/netatmo/gate.js';
import { planPolls } from '../../src/poller/planner.js';
import { systemClock } from '../../src/util/clock.js';

const homesData = (
  JSON.parse(
    readFileSync(new URL('../../src/simulator/fixtures/homesdata.json', import.meta.url), 'utf8'),
  ) as {
    body: HomesDataBody;
  }
).body;

function feed(silent: ReadonlySet<string> = new Set()): EnergyFeed {
  return new EnergyFeed({
    api: { getMeasure: () => Promise.reject(new Error('not called')) },
    clock: systemClock,
    meters: { readStart: () => 0, silent: (id) => silent.has(id), recorded: () => Promise.resolve() },
  });
}

describe('energy feed', () => {
  it('reads every metering module and boiler of the fixtures home, through its bridge', () => {
    const targets = meterTargets(homesData);
    expect(targets.map((t) => t.history).filter((h) => h === 'boiler')).toHaveLength(3);
    expect(targets.filter((t) => t.history === 'legacy_energy')).toHaveLength(10); // the NLE and its 9 lines
    expect(targets.find((t) => t.id === '12:34:56:00:00:a1:4c:da')).toEqual({
      id: '12:34:56:00:00:a1:4c:da',
      homeId: '91763b24c43d3e344f424e8b',
      history: 'energy',
      timeZone: 'Europe/Berlin',
      deviceId: '12_34_56_00_00_a1_4c_da',
      query: { deviceId: '12:34:56:80:60:40', moduleId: '12:34:56:00:00:a1:4c:da' },
    });
    // A module on its own (the Smarther) is asked by device id alone.
    expect(targets.find((t) => t.id === '10:20:30:bd:b8:1e')?.query).toEqual({
      deviceId: '10:20:30:bd:b8:1e',
    });
    // Shutters, cameras, valves, remotes: no history.
    expect(targets.some((t) => t.id === '0009999992' || t.id === '12:34:56:03:a5:54')).toBe(false);
  });

  it('weighs a home’s meters together at 8 % of its homestatus, a silent one at a quarter, read rarely', () => {
    const targets = feed().targets(homesData);
    const total = targets.reduce((sum, t) => sum + t.weight, 0);
    expect(total).toBeCloseTo(0.08, 6);
    expect(targets.every((t) => t.floorMs === 30 * 60_000 && t.homeId === '91763b24c43d3e344f424e8b')).toBe(
      true,
    );
    const silent = feed(new Set(['12:34:56:00:01:01:01:a1'])).targets(homesData);
    const dimmer = silent.find((t) => t.id === '12:34:56:00:01:01:01:a1');
    expect(dimmer?.weight).toBeCloseTo(0.08 / targets.length / 4, 6);
    expect(dimmer?.floorMs).toBe(6 * 3_600_000);
  });

  it('20 meters slow one home’s homestatus by less than 10 %, whatever the budget', () => {
    const meters = Array.from({ length: 20 }, (_, i) => ({
      key: `feed:energy:m${i}`,
      weight: 0.08 / 20,
      floorMs: 30 * 60_000,
    }));
    const events = { key: 'feed:events:h', weight: 0.8, floorMs: 30_000 };
    for (const profile of ['own_app', 'shared_app'] as const) {
      const base = {
        budgetPerHour: gateLimitsForProfile(profile).perHour,
        commandReserve: 0.1,
        homeIds: ['h'],
        weather: true,
        homeCoach: true,
      };
      const without = planPolls({ ...base, feeds: [events] });
      const withMeters = planPolls({ ...base, feeds: [events, ...meters] });
      expect(withMeters.homeStatusIntervalMs / without.homeStatusIntervalMs, profile).toBeLessThan(1.1);
      expect(withMeters.expectedCallsPerHour).toBeLessThanOrEqual(withMeters.pollBudgetPerHour);
      // On a shared app's 16 calls/h the meters' first reads are spread over their interval.
      const offsets = withMeters.feeds.filter((f) => f.key.startsWith('feed:energy:')).map((f) => f.offsetMs);
      const interval = withMeters.feeds.find((f) => f.key === 'feed:energy:m0')?.intervalMs ?? 0;
      if (profile === 'shared_app') expect(Math.max(...offsets)).toBeGreaterThan(interval / 2);
      else expect(Math.max(...offsets)).toBeLessThan(withMeters.homeStatusIntervalMs * 2);
    }
  });
});
