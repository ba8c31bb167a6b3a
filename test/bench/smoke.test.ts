/**
 * CI's short benchmark run: the suite works end to end (simulator, bridge, baselines, real
 * broker, report). Correctness only — no timing or ratio assertions.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderReport } from '../../bench/report.js';
import { runBench, SMOKE_PLAN } from '../../bench/run.js';

describe('npm run bench --smoke', () => {
  // The run's temporary folders go to a folder of its own (the footprint's bridge process
  // inherits it), so that what it leaves behind can be seen apart from other runs on the machine.
  const previousTmp = process.env.TMPDIR;
  const scratch = mkdtempSync(join(tmpdir(), 'n2m-bench-smoke-'));
  beforeAll(() => {
    process.env.TMPDIR = scratch;
  });
  afterAll(() => {
    if (previousTmp === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = previousTmp;
    rmSync(scratch, { recursive: true, force: true });
  });

  it('measures every strategy, throttle recovery, command latency, footprint, security events and energy meters, and renders the table', async () => {
    const results = await runBench(SMOKE_PLAN);
    // Nothing left behind: every temporary folder (data dirs, broker configs) was removed.
    expect(readdirSync(scratch)).toEqual([]);
    const [fixtures] = results.freshness;
    expect(fixtures?.homes).toBe(1);
    for (const strategy of ['bridge', 'ha', 'naive'] as const) {
      const run = fixtures?.runs[strategy];
      expect(run?.callsPerHour).toBeGreaterThan(0);
      expect(run?.callsByEndpoint.homestatus).toBeGreaterThan(0);
      // Residents changed things and the subscriber saw the bridge publish them.
      expect(run?.staleness.measured?.changes).toBeGreaterThan(0);
      expect(run?.staleness.weather?.changes).toBeGreaterThan(0);
      // ...and saw most of them: a strategy whose publishes never arrive is a broken run.
      const measured = run?.staleness.measured;
      expect(measured?.unseen).toBeLessThan((measured?.changes ?? 0) / 2);
    }
    expect(fixtures?.runs.bridge.throttled).toBe(0);

    const wrapper = results.throttle.find((t) => t.strategy === 'wrapper');
    expect(wrapper).toMatchObject({ tokenRefreshes: 1, invalidGrant: 0, failed: 0, duplicated: 0 });
    const unlocked = results.throttle.find((t) => t.strategy === 'unlocked-refresh');
    // Concurrent refreshes with one rotating refresh token: all but one are refused.
    expect(unlocked?.invalidGrant).toBeGreaterThan(0);
    expect(unlocked?.failed).toBeGreaterThan(0);

    // Scenario 3: every click reached the simulator as a setroomthermpoint and was answered ok.
    expect(results.latency).toMatchObject({ commands: 20, ok: 20, failed: 0 });
    expect(results.latency.bridge.p50Ms).toBeGreaterThan(0);
    expect(results.latency.direct.p50Ms).toBeGreaterThan(0);

    // Scenario 4: the bridge process discovered every module, was measured, and stopped cleanly.
    const [idle] = results.footprint;
    expect(idle).toMatchObject({ scenario: 'fixtures', modules: 51, modulesDiscovered: 51, exitCode: 0 });
    expect(idle?.allDiscoveredAfterTopologySec).toBeGreaterThanOrEqual(0);
    expect(idle?.startupMessages).toBeGreaterThan(51);
    if (process.platform === 'linux') expect(idle?.steadyRssMb).toBeGreaterThan(10);

    // Scenario 5: every event raised reached MQTT once, polled and pushed, within the quota.
    expect(results.security?.map((r) => r.mode)).toEqual(['polled', 'pushed']);
    for (const run of results.security ?? []) {
      expect(run.raised).toBeGreaterThan(0);
      expect(run).toMatchObject({ throttled: 0, publishedTwice: 0 });
      expect(run.published).toBe(run.raised);
      expect(run.callsPerHour).toBeLessThanOrEqual(run.quotaPerHour);
    }
    const [polled, pushed] = results.security ?? [];
    expect(polled?.byPoll).toBe(polled?.raised);
    expect(polled?.callsPerHourByEndpoint.getevents).toBeGreaterThan(0);
    expect(pushed?.byPush).toBe(pushed?.raised);
    expect(pushed?.pushedLatencyMs.p99).toBeLessThan(1_000);

    // Scenario 6: 20 meters cost homestatus nothing measurable, within the quota, each exact.
    const [energy] = results.energy ?? [];
    expect(energy?.profile).toBe('own_app');
    expect(energy?.with).toMatchObject({ meters: 20, metersShown: 20, metersExact: 20, throttled: 0 });
    expect(energy?.without.throttled).toBe(0);
    expect(energy?.with.getmeasurePerHour).toBeGreaterThan(energy?.without.getmeasurePerHour ?? Infinity);
    expect(energy?.with.callsPerHour).toBeLessThanOrEqual(energy?.quotaPerHour ?? 0);
    // The 10 % target is the full run's (BENCHMARKS.md); a short run only shows meters do not crowd homestatus out.
    expect(energy?.freshnessRatio).toBeLessThanOrEqual(1.25);

    const table = renderReport(results);
    expect(table).toContain('| fixtures | own_app | bridge |');
    expect(table).toContain('| per-token | wrapper |');
    expect(table).toContain('| MQTT → bridge → HTTP |');
    expect(table).toContain('| fixtures | 51/51');
    expect(table).toContain('| catalogue | own_app | pushed |');
    expect(table).toContain('| own_app | meters:20 |');
  }, 240_000);
});
