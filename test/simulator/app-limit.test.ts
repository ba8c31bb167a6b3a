import { describe, expect, it } from 'vitest';
import { APP_SCALING_USERS, appLimit, NETATMO_LIMITS } from '../../src/netatmo/quota.js';
import { parseSimulatorArgs } from '../../src/simulator/cli.js';
import { api, control, sim } from './helpers.js';

type Sim = Awaited<ReturnType<typeof sim>>;

async function spend(s: Sim, access: string, n: number): Promise<number[]> {
  const statuses: number[] = [];
  for (let i = 0; i < n; i++) statuses.push((await api(s, 'homesdata', {}, access)).status);
  return statuses;
}

const tokensFor = (s: Sim, users: string[]): string[] => users.map((u) => s.mintTokens(u).access_token);

describe('simulator per-app limits', () => {
  it('throttles with 429 code 26 when the app window is full while every user is under its own', async () => {
    const s = await sim({ scenario: 'scale:3,28', users: 3, limits: { appPer10s: 5, appPerHour: 100 } });
    const [a, b, c] = tokensFor(s, ['user1', 'user2', 'user3']);
    expect(await spend(s, a!, 3)).toEqual([200, 200, 200]);
    expect(await spend(s, b!, 2)).toEqual([200, 200]);
    const over = await api(s, 'homesdata', {}, c);
    expect(over.status).toBe(429);
    expect(over.json).toEqual({ error: { code: 26, message: 'Maximum api usage reached' } });

    const stats = (await control(s, 'stats')).json;
    expect(stats.app).toEqual({
      requests: 6,
      throttled: 1,
      throttled_by_app_limit: 1,
      peak_10s: 6,
      peak_hour: 6,
      limits: { per10s: 5, perHour: 100 },
    });
    expect(stats.users.user3).toEqual({
      requests: 1,
      throttled: 1,
      peak_10s: 1,
      peak_hour: 1,
      token_refreshes: 0,
      invalid_grant: 0,
    });
    expect(stats.throttled).toBe(1);

    s.advanceClock(10_001);
    expect(await spend(s, c!, 1)).toEqual([200]);
  });

  it('answers in the 403 dialect too, and the hourly app window holds after the 10 s one', async () => {
    const s = await sim({ users: 2, throttle: '403', limits: { appPer10s: 2, appPerHour: 3 } });
    const [a, b] = tokensFor(s, ['user1', 'user2']);
    expect(await spend(s, a!, 2)).toEqual([200, 200]);
    const over = await api(s, 'homesdata', {}, b);
    expect(over.status).toBe(403);
    expect(over.json.error.code).toBe(26);
    s.advanceClock(10_001);
    expect(await spend(s, b!, 2)).toEqual([200, 403]);
    expect(s.stats().app.throttled_by_app_limit).toBe(2);
  });

  it("keeps each user's own window under the app's", async () => {
    const s = await sim({ users: 2, quota: 'per-user', limits: { userPer10s: 2 } });
    const [a, b] = tokensFor(s, ['user1', 'user2']);
    expect(await spend(s, a!, 3)).toEqual([200, 200, 429]);
    expect(await spend(s, b!, 2)).toEqual([200, 200]);
    const stats = s.stats();
    expect(stats.app).toMatchObject({ requests: 5, throttled: 1, throttled_by_app_limit: 0 });
    expect(stats.users.user1).toMatchObject({ requests: 3, throttled: 1 });
    expect(stats.users.user2).toMatchObject({ requests: 2, throttled: 0 });
  });

  it("sizes the app windows from the number of users with Netatmo's rule", async () => {
    expect((await sim({ users: 3 })).stats().app.limits).toEqual(NETATMO_LIMITS.app);
    const many = APP_SCALING_USERS + 50;
    const big = await sim({ users: many });
    expect(big.stats().app.limits).toEqual(appLimit(many));
    expect(Object.keys(big.stats().users)).toHaveLength(many);
    expect((await sim()).stats().app.limits).toEqual(NETATMO_LIMITS.app);
  });

  it('reports the busiest sliding 10 s and 1 h windows per app and per user, until reset', async () => {
    const s = await sim({ scenario: 'scale:2,28', users: 2 });
    const [a, b] = tokensFor(s, ['user1', 'user2']);
    await spend(s, a!, 3);
    s.advanceClock(6_000);
    await spend(s, b!, 3);
    s.advanceClock(6_000);
    await spend(s, a!, 2);
    s.advanceClock(3_600_000);
    await spend(s, b!, 1);
    const stats = (await control(s, 'stats')).json;
    expect(stats.app).toMatchObject({ requests: 9, peak_10s: 6, peak_hour: 8 });
    expect(stats.users.user1).toMatchObject({ requests: 5, peak_10s: 3, peak_hour: 5 });
    expect(stats.users.user2).toMatchObject({ requests: 4, peak_10s: 3, peak_hour: 3 });

    const reset = (await control(s, 'stats/reset', {})).json;
    expect(reset.app).toMatchObject({ requests: 0, throttled: 0, peak_10s: 0, peak_hour: 0 });
    expect(reset.users.user1).toEqual({
      requests: 0,
      throttled: 0,
      peak_10s: 0,
      peak_hour: 0,
      token_refreshes: 0,
      invalid_grant: 0,
    });
    expect(reset.requests).toEqual({});
  });

  it('does not count requests it cannot attribute to a user', async () => {
    const s = await sim();
    expect((await api(s, 'homesdata', {}, 'not-a-token')).status).toBe(403);
    expect(s.stats().app.requests).toBe(0);
    expect(s.stats().requests.homesdata).toBe(1);
  });

  it('takes --users and --app-limit on the command line', () => {
    expect(parseSimulatorArgs(['--users', '30', '--app-limit', '20/200'])).toEqual({
      users: 30,
      limits: { appPer10s: 20, appPerHour: 200 },
    });
    expect(() => parseSimulatorArgs(['--users', '0'])).toThrow(/--users must be a whole number/);
    expect(() => parseSimulatorArgs(['--app-limit', '20'])).toThrow(/--app-limit must be PER10S\/PERHOUR/);
    expect(() => parseSimulatorArgs(['--app-limit', '0/5'])).toThrow(/--app-limit/);
  });
});
