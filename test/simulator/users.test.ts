import { describe, expect, it } from 'vitest';
import { api, control, HOME, setstate, sim, token } from './helpers.js';

type Sim = Awaited<ReturnType<typeof sim>>;

async function tokenOf(s: Sim, user?: string): Promise<{ access_token: string; refresh_token: string }> {
  const answer = await control(s, 'tokens', user === undefined ? {} : { user });
  expect(answer.status).toBe(200);
  return answer.json;
}

const homeIds = async (s: Sim, access: string): Promise<string[]> =>
  (await api(s, 'homesdata', {}, access)).json.body.homes.map((h: { id: string }) => h.id);

describe('simulator users', () => {
  it('deals the homes round robin: each user sees and reaches only their own', async () => {
    const s = await sim({ scenario: 'scale:6,28', users: 3 });
    const owners = (await control(s, 'users')).json.users as Record<string, string[]>;
    expect(Object.keys(owners)).toEqual(['user1', 'user2', 'user3']);
    for (const homes of Object.values(owners)) expect(homes).toHaveLength(2);
    expect(new Set(Object.values(owners).flat()).size).toBe(6);

    const alice = await tokenOf(s, 'user1');
    const bob = await tokenOf(s, 'user2');
    expect(await homeIds(s, alice.access_token)).toEqual(owners.user1);
    expect(await homeIds(s, bob.access_token)).toEqual(owners.user2);

    const [bobHome] = owners.user2!;
    expect((await api(s, 'homestatus', { home_id: bobHome! }, bob.access_token)).status).toBe(200);
    const refused = await api(s, 'homestatus', { home_id: bobHome! }, alice.access_token);
    expect(refused.status).toBe(400);
    expect(refused.json).toEqual({ error: { code: 21, message: 'Invalid home_id' } });
    expect((await api(s, 'homesdata', { home_id: bobHome! }, alice.access_token)).status).toBe(400);
    expect((await api(s, 'getevents', { home_id: bobHome! }, alice.access_token)).json.error.code).toBe(21);
  });

  it("refuses writes to another user's home and changes nothing", async () => {
    const s = await sim({ scenario: 'scale:2,28', users: 2 });
    const owners = s.users();
    const alice = await tokenOf(s, 'user1');
    const bob = await tokenOf(s, 'user2');
    const bobHome = owners.user2![0]!;
    const status = await api(s, 'homestatus', { home_id: bobHome }, bob.access_token);
    const room = status.json.body.home.rooms.find(
      (r: { therm_setpoint_temperature?: number }) => r.therm_setpoint_temperature !== undefined,
    );
    const write = {
      home: {
        id: bobHome,
        rooms: [{ id: room.id, therm_setpoint_mode: 'manual', therm_setpoint_temperature: 27 }],
      },
    };
    const refused = await setstate(s, write, alice.access_token);
    expect(refused.json).toEqual({ error: { code: 21, message: 'Invalid home_id' } });
    const form = { home_id: bobHome, room_id: room.id, mode: 'manual', temp: '27' };
    expect((await api(s, 'setroomthermpoint', form, alice.access_token)).status).toBe(400);
    const after = await api(s, 'homestatus', { home_id: bobHome }, bob.access_token);
    const same = after.json.body.home.rooms.find((r: { id: string }) => r.id === room.id);
    expect(same.therm_setpoint_temperature).toBe(room.therm_setpoint_temperature);
    expect((await setstate(s, write, bob.access_token)).status).toBe(200);
  });

  it('shows each user only the weather devices of their homes, and 404s the others', async () => {
    const s = await sim({ scenario: 'scale:4,28', users: 2 });
    const owners = s.users();
    const alice = await tokenOf(s, 'user1');
    const bob = await tokenOf(s, 'user2');
    for (const endpoint of ['getstationsdata', 'gethomecoachsdata']) {
      const mine = (await api(s, endpoint, {}, alice.access_token)).json.body.devices;
      expect(mine).toHaveLength(2);
      for (const device of mine) expect(owners.user1).toContain(device.home_id);
      const theirs = (await api(s, endpoint, {}, bob.access_token)).json.body.devices;
      const refused = await api(s, endpoint, { device_id: theirs[0]._id }, alice.access_token);
      expect(refused.status).toBe(404);
      expect(refused.json).toEqual({ error: { code: 9, message: 'Device not found' } });
    }
    const station = (await api(s, 'getstationsdata', {}, bob.access_token)).json.body.devices[0];
    const measure = { device_id: station._id, scale: '30min', type: 'Temperature' };
    expect((await api(s, 'getmeasure', measure, bob.access_token)).status).toBe(200);
    expect((await api(s, 'getmeasure', measure, alice.access_token)).json.error.code).toBe(9);
  });

  it('gives a user without a home an empty home list, as Netatmo does', async () => {
    const s = await sim({ scenario: 'scale:2,28', users: 3 });
    expect(s.users().user3).toEqual([]);
    const carol = await tokenOf(s, 'user3');
    const answer = await api(s, 'homesdata', {}, carol.access_token);
    expect(answer.status).toBe(200);
    expect(answer.json.body.homes).toEqual([]);
    expect((await api(s, 'getstationsdata', {}, carol.access_token)).json.body.devices).toEqual([]);
  });

  it('keeps refreshed pairs and authorisation codes with their user', async () => {
    const s = await sim({ scenario: 'scale:2,28', users: 2 });
    const owners = s.users();
    const bob = await tokenOf(s, 'user2');
    const fresh = (await token(s, { grant_type: 'refresh_token', refresh_token: bob.refresh_token })).json;
    expect(await homeIds(s, fresh.access_token)).toEqual(owners.user2);

    const redirect = 'http://127.0.0.1:1/cb';
    const consent = await fetch(
      `${s.url}/oauth2/authorize?client_id=app&redirect_uri=${encodeURIComponent(redirect)}&user=user2`,
    );
    expect(await consent.text()).toContain('user2');
    const accepted = await fetch(`${s.url}/oauth2/authorize`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        user: 'user2',
        client_id: 'app',
        redirect_uri: redirect,
        decision: 'accept',
      }),
    });
    const code = new URL(accepted.headers.get('location') ?? '').searchParams.get('code') ?? '';
    const granted = await token(s, { grant_type: 'authorization_code', code, redirect_uri: redirect });
    expect(await homeIds(s, granted.json.access_token)).toEqual(owners.user2);

    const unknown = await fetch(
      `${s.url}/oauth2/authorize?client_id=app&redirect_uri=${redirect}&user=mallory`,
    );
    expect(unknown.status).toBe(400);
    expect(await unknown.text()).toContain('user1, user2');
  });

  it('answers an unknown user with a message naming the users', async () => {
    const s = await sim({ users: 2 });
    const answer = await control(s, 'tokens', { user: 'user9' });
    expect(answer.status).toBe(400);
    expect(answer.json.error).toContain('user1, user2');
    expect((await control(s, 'tokens', { user: 7 })).status).toBe(400);
  });

  it('counts a refresh with a spent token as invalid_grant for its user', async () => {
    const s = await sim({ users: 2 });
    const bob = await tokenOf(s, 'user2');
    const first = await token(s, { grant_type: 'refresh_token', refresh_token: bob.refresh_token });
    const again = await token(s, { grant_type: 'refresh_token', refresh_token: bob.refresh_token });
    expect(first.status).toBe(200);
    expect(again.status).toBe(400);
    expect(again.json).toEqual({ error: 'invalid_grant' });
    await token(s, { grant_type: 'refresh_token', refresh_token: 'never-issued' });
    const stats = (await control(s, 'stats')).json;
    expect(stats.invalid_grant).toBe(2);
    expect(stats.token_refreshes).toBe(1);
    expect(stats.users.user2).toMatchObject({ token_refreshes: 1, invalid_grant: 1 });
    expect(stats.users.user1).toMatchObject({ token_refreshes: 0, invalid_grant: 0 });
  });

  it('without users, one user sees every home, as before', async () => {
    const s = await sim({ scenario: 'catalogue' });
    const pair = s.mintTokens();
    const homes = await homeIds(s, pair.access_token);
    expect(homes).toHaveLength(8);
    expect(homes[0]).toBe(HOME);
    expect(Object.keys(s.stats().users)).toEqual(['user1']);
    expect((await api(s, 'homestatus', { home_id: HOME }, pair.access_token)).status).toBe(200);
  });
});
