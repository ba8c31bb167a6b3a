import { describe, expect, it } from 'vitest';
import { api, control, HOME, sim, token } from './helpers.js';

const TOKEN_SHAPE = /^[0-9a-f]{24}\|[0-9a-f]{32}$/;

describe('simulator OAuth', () => {
  it('answers refreshes in Netatmo token shape and rotates: the old pair stops working', async () => {
    const s = await sim();
    const first = (await control(s, 'tokens', {})).json;
    expect(first.refresh_token).toMatch(TOKEN_SHAPE);
    expect((await api(s, 'homesdata', {}, first.access_token)).status).toBe(200);

    const refreshed = await token(s, { grant_type: 'refresh_token', refresh_token: first.refresh_token });
    expect(refreshed.status).toBe(200);
    expect(Object.keys(refreshed.json).sort()).toEqual([
      'access_token',
      'expire_in',
      'expires_in',
      'refresh_token',
      'scope',
    ]);
    expect(refreshed.json.access_token).toMatch(TOKEN_SHAPE);
    expect(refreshed.json.refresh_token).not.toBe(first.refresh_token);
    expect(refreshed.json.expires_in).toBe(10800);
    expect(refreshed.json.expire_in).toBe(10800);
    expect(Array.isArray(refreshed.json.scope)).toBe(true);

    const oldAccess = await api(s, 'homesdata', {}, first.access_token);
    expect(oldAccess.status).toBe(403);
    expect(oldAccess.json).toEqual({ error: { code: 2, message: 'Invalid access token' } });
    const oldRefresh = await token(s, { grant_type: 'refresh_token', refresh_token: first.refresh_token });
    expect(oldRefresh.status).toBe(400);
    expect(oldRefresh.json).toEqual({ error: 'invalid_grant' });
    expect((await api(s, 'homesdata', {}, refreshed.json.access_token)).status).toBe(200);

    const stats = s.stats();
    expect(stats.token_refreshes).toBe(1);
    expect(stats.invalid_grant).toBe(1);
    expect(stats.token_grants).toBe(1);
    expect(stats.requests.token).toBe(2);
  });

  it('expires access tokens on the simulated clock (403 code 3) and reports a missing one (code 1)', async () => {
    const s = await sim({ tokenLifetimeSec: 60 });
    const pair = s.mintTokens();
    expect(pair.expires_in).toBe(60);
    await control(s, 'clock', { advance_s: 61 });
    const expired = await api(s, 'homestatus', { home_id: HOME }, pair.access_token);
    expect(expired.status).toBe(403);
    expect(expired.json.error.code).toBe(3);
    const none = await api(s, 'homestatus', { home_id: HOME });
    expect(none.status).toBe(403);
    expect(none.json.error.code).toBe(1);
    // The refresh token still works after the access token expired.
    expect((await token(s, { grant_type: 'refresh_token', refresh_token: pair.refresh_token })).status).toBe(
      200,
    );
  });

  it('runs the authorization_code flow through the consent page and echoes state', async () => {
    const s = await sim();
    const redirect = 'http://127.0.0.1:9/callback';
    const page = await fetch(
      `${s.url}/oauth2/authorize?client_id=app1&redirect_uri=${encodeURIComponent(redirect)}&scope=read_station%20read_thermostat&state=st%2042&response_type=code`,
    );
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    const html = await page.text();
    expect(html).toContain('Accept');
    // Submit the page's form the way a browser would.
    const fields = Object.fromEntries(
      [...html.matchAll(/name="(\w+)" value="([^"]*)"/g)].map((m) => [m[1], m[2]]),
    );
    const accepted = await fetch(`${s.url}/oauth2/authorize`, {
      method: 'POST',
      redirect: 'manual',
      body: new URLSearchParams({ ...fields, decision: 'accept' }),
    });
    expect(accepted.status).toBe(302);
    const location = new URL(accepted.headers.get('location') ?? '');
    expect(`${location.origin}${location.pathname}`).toBe(redirect);
    expect(location.searchParams.get('state')).toBe('st 42');
    const code = location.searchParams.get('code') ?? '';
    expect(code).not.toBe('');

    const form = {
      grant_type: 'authorization_code',
      code,
      redirect_uri: redirect,
      client_id: 'app1',
      client_secret: 'x',
    };
    const granted = await token(s, form);
    expect(granted.status).toBe(200);
    expect(granted.json.scope).toEqual(['read_station', 'read_thermostat']);
    expect((await api(s, 'homesdata', {}, granted.json.access_token)).status).toBe(200);
    // Single use.
    const again = await token(s, form);
    expect(again.status).toBe(400);
    expect(again.json).toEqual({ error: 'invalid_grant' });
  });

  it('expires authorization codes and rejects a consent request without redirect_uri or client_id', async () => {
    const s = await sim();
    const bad = await fetch(`${s.url}/oauth2/authorize?client_id=app1`);
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain('redirect_uri');
    expect((await fetch(`${s.url}/oauth2/authorize?redirect_uri=http://x/cb`)).status).toBe(400);

    const accepted = await fetch(`${s.url}/oauth2/authorize`, {
      method: 'POST',
      redirect: 'manual',
      body: new URLSearchParams({ client_id: 'a', redirect_uri: 'http://x/cb', decision: 'accept' }),
    });
    const code = new URL(accepted.headers.get('location') ?? '').searchParams.get('code') ?? '';
    s.advanceClock(11 * 60_000);
    const late = await token(s, { grant_type: 'authorization_code', code, redirect_uri: 'http://x/cb' });
    expect(late.json).toEqual({ error: 'invalid_grant' });
  });

  it('checks configured client credentials in the body or with HTTP Basic', async () => {
    const s = await sim({ clientId: 'my-app', clientSecret: 's3cret' });
    const pair = s.mintTokens();
    const wrong = await token(s, {
      grant_type: 'refresh_token',
      refresh_token: pair.refresh_token,
      client_id: 'my-app',
      client_secret: 'nope',
    });
    expect(wrong.status).toBe(400);
    expect(wrong.json).toEqual({ error: 'invalid_client' });
    const basic = `Basic ${Buffer.from('my-app:s3cret').toString('base64')}`;
    const ok = await token(
      s,
      { grant_type: 'refresh_token', refresh_token: pair.refresh_token },
      { authorization: basic },
    );
    expect(ok.status).toBe(200);
  });

  it('never records tokens or secrets in the request log', async () => {
    const s = await sim();
    const pair = s.mintTokens();
    await api(s, 'homesdata', { access_token: pair.access_token }, pair.access_token);
    await token(s, {
      grant_type: 'refresh_token',
      refresh_token: pair.refresh_token,
      client_secret: 'topsecret',
    });
    const log = JSON.stringify((await control(s, 'log')).json);
    expect(log).toContain('homesdata');
    expect(log).not.toContain(pair.access_token.split('|')[1]);
    expect(log).not.toContain(pair.refresh_token.split('|')[1]);
    expect(log).not.toContain('topsecret');
    expect(log).toContain(pair.access_token.split('|')[1]?.slice(0, 6));
  });
});
