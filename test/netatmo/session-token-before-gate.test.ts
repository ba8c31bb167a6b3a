/**
 * A slow token refresh must not make gated calls pile up and then reach Netatmo together.
 * The gate counts a call when it starts; if the token is fetched inside the started task, every
 * call started while the refresh is slow waits for it and then all are sent at once — three
 * requests inside Netatmo's 2-per-10 s shared-app window, one of them throttled.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { gateLimitsForProfile, RequestGate } from '../../src/netatmo/gate.js';
import { ApiSession } from '../../src/netatmo/session.js';
import { type Harness, startHarness } from './auth-harness.js';

let current: Harness | undefined;
afterEach(async () => {
  await current?.close();
  current = undefined;
});

describe('ApiSession with a slow token refresh', () => {
  it('shared_app: reads queued behind a 30 s refresh still reach the API 10 s apart, none throttled', async () => {
    // 20× real time: the 30 s refresh takes 1.5 s of wall time, and a few ms of HTTP round
    // trip on a busy machine stay well under a simulated second.
    const h = await startHarness({ limits: { userPer10s: 2, userPerHour: 20 } }, 20);
    current = h;
    // As at start-up with only a refresh token: the stored access token has already expired.
    await h.seedStore(undefined, h.clock.now() - 1_000);
    h.sim.setFaults({ rules: [{ kind: 'latency', ms: 30_000, endpoints: ['token'] }] });
    const auth = h.auth();
    await auth.init();
    const gate = new RequestGate({ clock: h.clock, limits: gateLimitsForProfile('shared_app') });
    const api = new ApiSession({ baseUrl: h.sim.url, gate, auth, clock: h.clock });

    // The poller's start-up reads: topology, weather, home coach, all at background priority.
    const reads = ['homesdata', 'getstationsdata', 'gethomecoachsdata'].map((endpoint) =>
      api.call({ endpoint }, { priority: 'background', idempotent: true }),
    );
    await Promise.all(reads);
    gate.close();

    const apiCalls = h.sim.log().filter((e) => e.endpoint !== 'token');
    expect(apiCalls.map((e) => e.outcome)).toEqual(['ok', 'ok', 'ok']);
    expect(h.sim.stats().throttled).toBe(0);
    expect(h.sim.stats().token_refreshes).toBe(1);
    const gaps = apiCalls.slice(1).map((e, i) => e.at - apiCalls[i]!.at);
    // Pacing is one poll per 10 s (the other start of the window is kept for commands); without
    // the fix the three arrive within a second of each other.
    for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(8_000);
  });
});
