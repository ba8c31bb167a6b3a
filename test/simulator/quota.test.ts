import { describe, expect, it } from 'vitest';
import { api, control, sim, token } from './helpers.js';

const SMALL = { userPer10s: 3, userPerHour: 5, appPer10s: 100, appPerHour: 1000 };

async function spend(s: Awaited<ReturnType<typeof sim>>, access: string, n: number): Promise<number[]> {
  const statuses: number[] = [];
  for (let i = 0; i < n; i++) statuses.push((await api(s, 'homesdata', {}, access)).status);
  return statuses;
}

describe('simulator quotas', () => {
  it('trips the 10 s window at the configured count and lets calls through once it slides', async () => {
    const s = await sim({ limits: SMALL });
    const pair = s.mintTokens();
    expect(await spend(s, pair.access_token, 4)).toEqual([200, 200, 200, 429]);
    s.advanceClock(10_001);
    expect(await spend(s, pair.access_token, 1)).toEqual([200]);
    expect(s.stats().throttled).toBe(1);
  });

  it('per-token: a refreshed token starts with a fresh quota', async () => {
    const s = await sim({ limits: SMALL, quota: 'per-token' });
    const pair = s.mintTokens();
    expect(await spend(s, pair.access_token, 4)).toEqual([200, 200, 200, 429]);
    const fresh = (await token(s, { grant_type: 'refresh_token', refresh_token: pair.refresh_token })).json;
    expect(await spend(s, fresh.access_token, 3)).toEqual([200, 200, 200]);
  });

  it('per-user: refreshing does not help, and the hourly limit holds after the 10 s window', async () => {
    const s = await sim({ limits: SMALL, quota: 'per-user' });
    const pair = s.mintTokens();
    expect(await spend(s, pair.access_token, 4)).toEqual([200, 200, 200, 429]);
    const fresh = (await token(s, { grant_type: 'refresh_token', refresh_token: pair.refresh_token })).json;
    expect(await spend(s, fresh.access_token, 1)).toEqual([429]);
    s.advanceClock(11_000);
    expect(await spend(s, fresh.access_token, 3)).toEqual([200, 200, 429]);
    s.advanceClock(3_600_000);
    expect(await spend(s, fresh.access_token, 1)).toEqual([200]);
  });

  it('switches quota mode at run time', async () => {
    const s = await sim({ limits: SMALL, quota: 'per-token' });
    const pair = s.mintTokens();
    await spend(s, pair.access_token, 3);
    expect((await control(s, 'quota', { mode: 'per-user' })).json).toEqual({ mode: 'per-user' });
    const other = s.mintTokens();
    expect(await spend(s, other.access_token, 1)).toEqual([429]);
    expect((await control(s, 'quota', { mode: 'bogus' })).status).toBe(400);
  });

  it('counts the app-wide limit across users tokens', async () => {
    const s = await sim({ limits: { ...SMALL, userPer10s: 50, appPer10s: 2 } });
    expect(await spend(s, s.mintTokens().access_token, 2)).toEqual([200, 200]);
    expect(await spend(s, s.mintTokens().access_token, 1)).toEqual([429]);
  });

  it.each([
    ['429', 429, 26, 'Maximum api usage reached', false],
    ['403', 403, 26, 'User usage reached', false],
    ['waf', 429, 11, 'Failed to enter concurrency limited section', true],
  ] as const)(
    'answers over-quota calls in the %s dialect',
    async (dialect, status, code, message, retryAfter) => {
      const s = await sim({ limits: SMALL, throttle: dialect });
      const pair = s.mintTokens();
      await spend(s, pair.access_token, 3);
      const answer = await api(s, 'homesdata', {}, pair.access_token);
      expect(answer.status).toBe(status);
      expect(answer.json).toEqual({ error: { code, message } });
      const header = answer.headers.get('retry-after');
      if (retryAfter) {
        expect(Number(header)).toBeGreaterThanOrEqual(1);
        expect(Number(header)).toBeLessThanOrEqual(10);
      } else expect(header).toBeNull();
      const stats = (await control(s, 'stats')).json;
      expect(stats.throttled).toBe(1);
      expect(stats.requests.homesdata).toBe(4);
    },
  );
});
