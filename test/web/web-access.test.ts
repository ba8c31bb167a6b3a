/**
 * Who may drive the standalone web UI, over real HTTP against a real bridge: nobody without the
 * login (set up with the setup code from the log), no page of another site (rebound Host,
 * forged Origin), no session id the server did not issue, no flood of sign-in attempts; the
 * redirect URI comes from web.external_url when set; a refused paste poisons nothing.
 */
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REDACTED, redactString } from '../../src/util/redact.js';
import { WebCredentials } from '../../src/web/access/credentials.js';
import { type TestBroker, useTestBroker } from '../support/broker.js';
import { captureLog, type LogCapture } from '../support/log-capture.js';
import { Browserish, startWebHarness, WEB_PASSWORD, type WebHarness } from './web-harness.js';

const METRICS_TOKEN = 'metrics-token-0123456789abcdef';

const form = (fields: Record<string, string>): string => new URLSearchParams(fields).toString();

let broker: TestBroker;
beforeAll(async () => {
  broker = await useTestBroker();
});
afterAll(async () => {
  await broker.close();
});

describe('first start without a password: the setup code from the log', () => {
  let h: WebHarness;
  let log: LogCapture;

  beforeAll(async () => {
    log = captureLog();
    h = await startWebHarness({ brokerUrl: broker.url, withToken: false, web: { password: null } });
  });
  afterAll(async () => {
    log.stop();
    await h.close();
  });

  it('nothing but the login page without the code; the code sets a password, once', async () => {
    const code = /web UI setup code: ([A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4})/.exec(log.text())?.[1];
    expect(code).toBeDefined();
    const attacker = new Browserish(h.web);
    // Every page leads to the login; the token form cannot be used.
    for (const path of ['./', 'onboarding', 'no-such-page']) {
      const res = await attacker.get(path);
      expect(res.status, path).toBe(303);
      expect(res.headers.get('location')).toBe('login');
    }
    const loginPage = await (await attacker.get('login')).text();
    expect(loginPage).toContain('Set up the web UI');
    const csrf = Browserish.csrfOf(loginPage);
    const replaced = await attacker.post('token', { csrf, refresh_token: h.sim.mintTokens().refresh_token });
    expect(replaced.status).toBe(403);
    expect(await replaced.text()).toContain('Log in first');
    expect((await attacker.post('connect', { csrf })).status).toBe(403);
    expect(h.bridge.netatmo.auth.state).toBe('no_token');
    expect(h.sim.stats().token_refreshes).toBe(0);

    // A wrong code, a short password, two different passwords: refused.
    const setup = (fields: Record<string, string>) => attacker.post('login', { csrf, ...fields });
    const wrongCode = await setup({
      setup_code: 'AAAA-BBBB-CCCC',
      password: 'long-enough-1',
      password_confirm: 'long-enough-1',
    });
    expect(wrongCode.status).toBe(401);
    expect(await wrongCode.text()).toContain('not the setup code');
    expect((await setup({ setup_code: code!, password: 'short', password_confirm: 'short' })).status).toBe(
      401,
    );
    expect(
      (await setup({ setup_code: code!, password: 'long-enough-1', password_confirm: 'long-enough-2' }))
        .status,
    ).toBe(401);

    // The code as typed by a person (lower case, no dashes) sets the password and logs in.
    const preLoginCookie = attacker.cookie;
    const done = await setup({
      setup_code: code!.toLowerCase().replaceAll('-', ' '),
      password: 'chosen-password-1',
      password_confirm: 'chosen-password-1',
    });
    expect(done.status).toBe(303);
    expect(attacker.cookie).not.toBe(preLoginCookie);
    expect((await attacker.get('./')).status).toBe(200);

    // Stored hashed, privately; the code is used up; the password is what logs in from now on.
    const file = join(h.dataDir, 'web-auth.json');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    const stored = await WebCredentials.load(h.dataDir);
    expect(stored.mode).toBe('stored');
    expect(await stored.check('chosen-password-1')).toBe(true);
    expect(await stored.check('chosen-password-2')).toBe(false);
    const again = new Browserish(h.web);
    const page = await (await again.get('login')).text();
    expect(page).toContain('<h1>Log in</h1>');
    const reuse = await again.post('login', { csrf: Browserish.csrfOf(page), password: code! });
    expect(reuse.status).toBe(401);
    await again.login('chosen-password-1');
    expect((await again.get('./')).status).toBe(200);
    expect(log.text()).not.toContain('chosen-password-1');
  });
});

describe('a standalone UI with web.password', () => {
  let h: WebHarness;

  beforeAll(async () => {
    h = await startWebHarness({
      brokerUrl: broker.url,
      withToken: true,
      web: { metrics_token: METRICS_TOKEN },
    });
    await h.until(() => h.bridge.store.devices().length > 0, 15_000, 'devices');
  });
  afterAll(async () => {
    await h.close();
  });

  it('/healthz is open; /metrics needs the login or the bearer token', async () => {
    expect((await fetch(new URL('healthz', h.web))).status).toBe(200);
    const anonymous = await fetch(new URL('metrics', h.web));
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toContain('Bearer');
    expect(await anonymous.text()).not.toContain('netatmo2mqtt_up');
    const wrong = await fetch(new URL('metrics', h.web), {
      headers: { authorization: 'Bearer nope-nope-nope-nope' },
    });
    expect(wrong.status).toBe(401);
    const scraper = await fetch(new URL('metrics', h.web), {
      headers: { authorization: `Bearer ${METRICS_TOKEN}` },
    });
    expect(scraper.status).toBe(200);
    expect(await scraper.text()).toContain('netatmo2mqtt_up 1');
    // The token opens /metrics only.
    const page = await fetch(h.web, {
      headers: { authorization: `Bearer ${METRICS_TOKEN}` },
      redirect: 'manual',
    });
    expect(page.status).toBe(303);
  });

  it('DNS rebinding: a name that is not this UI’s is refused, even with a logged-in cookie', async () => {
    const client = new Browserish(h.web);
    await client.login();
    const rebound = await client.get('./', { host: 'attacker.example:8099' });
    expect(rebound.status).toBe(403);
    expect(await rebound.text()).toContain('does not answer to the name');
    const post = await client.request('login', {
      method: 'POST',
      headers: { host: 'attacker.example', 'content-type': 'application/x-www-form-urlencoded' },
      body: form({ password: WEB_PASSWORD }),
    });
    expect(post.status).toBe(403);
    for (const host of [new URL(h.web).host, `localhost:${new URL(h.web).port}`])
      expect((await client.get('./', { host })).status, host).toBe(200);
  });

  it('forged Origin and cross-site forms are refused before the token reaches Netatmo', async () => {
    const client = new Browserish(h.web);
    await client.login();
    const csrf = Browserish.csrfOf(await (await client.get('onboarding')).text());
    const before = h.sim.stats().token_refreshes;
    const attempt = (headers: Record<string, string>) =>
      client.request('token', {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
        body: form({ csrf, refresh_token: h.sim.mintTokens().refresh_token }),
      });
    expect((await attempt({ origin: 'http://attacker.example' })).status).toBe(403);
    expect((await attempt({ origin: 'null', 'sec-fetch-site': 'cross-site' })).status).toBe(403);
    expect((await attempt({ 'sec-fetch-site': 'cross-site' })).status).toBe(403);
    expect((await attempt({ 'sec-fetch-site': 'same-site' })).status).toBe(403);
    expect(h.sim.stats().token_refreshes).toBe(before);
    // From its own page it goes through (an empty token is the form's own error): as a browser
    // sends it under `Referrer-Policy: no-referrer` (Origin null), and with the origin spelled out.
    for (const origin of ['null', new URL(h.web).origin]) {
      const own = await client.request('token', {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          origin,
          'sec-fetch-site': 'same-origin',
        },
        body: form({ csrf, refresh_token: '' }),
      });
      expect(own.status, origin).toBe(400);
    }
  });

  it('a fixated session id is never accepted: made-up ids are replaced, login issues a new one', async () => {
    const planted = `n2m_session=${'ab'.repeat(32)}`;
    const res = await fetch(new URL('login', h.web), { headers: { cookie: planted }, redirect: 'manual' });
    const issued = res.headers.get('set-cookie')?.split(';')[0];
    expect(issued).toMatch(/^n2m_session=[0-9a-f]{64}\.[0-9a-f]{64}$/);
    expect(issued).not.toBe(planted);
    const forgedSignature = `n2m_session=${'ab'.repeat(32)}.${'cd'.repeat(32)}`;
    const again = await fetch(new URL('login', h.web), {
      headers: { cookie: forgedSignature },
      redirect: 'manual',
    });
    expect(again.headers.get('set-cookie')).toBeTruthy();
    // A server-issued pre-login id given to a victim does not become logged in with them.
    const attacker = new Browserish(h.web);
    await attacker.get('login');
    const victim = new Browserish(h.web);
    victim.cookie = attacker.cookie;
    await victim.login();
    expect(victim.cookie).not.toBe(attacker.cookie);
    expect((await attacker.get('./')).status).toBe(303);
    expect((await victim.get('./')).status).toBe(200);
  });

  it('a pasted string Netatmo refuses does not become a "secret" (the base topic stays readable)', async () => {
    const client = new Browserish(h.web);
    await client.login();
    const csrf = Browserish.csrfOf(await (await client.get('onboarding')).text());
    const refused = await client.post('token', { csrf, refresh_token: h.baseTopic });
    expect(refused.status).toBe(400);
    expect(await refused.text()).toContain('was not accepted');
    expect(redactString(`topic ${h.baseTopic}/bridge/info`)).toBe(`topic ${h.baseTopic}/bridge/info`);
    expect((h.bridge.info().config as { mqtt: { base_topic: string } }).mqtt.base_topic).toBe(h.baseTopic);
    expect(h.bridge.info().config).not.toEqual(expect.objectContaining({ mqtt: { base_topic: REDACTED } }));
  });

  it('answers with X-Frame-Options beside the CSP frame-ancestors', async () => {
    const res = await fetch(new URL('login', h.web));
    expect(res.headers.get('x-frame-options')).toBe('SAMEORIGIN');
    expect(res.headers.get('content-security-policy')).toContain("frame-ancestors 'self'");
  });
});

describe('web.external_url', () => {
  it('is the redirect URI, whatever Host or X-Forwarded-Host say, and its host is accepted', async () => {
    const h = await startWebHarness({
      brokerUrl: broker.url,
      withToken: false,
      web: { external_url: 'https://bridge.example.com/netatmo/' },
    });
    try {
      const client = new Browserish(h.web);
      const login = await client.login();
      expect(login.headers.get('set-cookie')).toContain('; Secure');
      const onboarding = await (
        await client.get('onboarding', {
          'x-forwarded-host': 'attacker.example',
          'x-forwarded-proto': 'https',
        })
      ).text();
      expect(onboarding).toContain(
        '<code id="redirect-uri">https://bridge.example.com/netatmo/callback</code>',
      );
      const csrf = Browserish.csrfOf(onboarding);
      const connect = await client.request('connect', {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          host: 'bridge.example.com',
          origin: 'https://bridge.example.com',
          'x-forwarded-host': 'attacker.example',
        },
        body: form({ csrf }),
      });
      expect(connect.status).toBe(303);
      const authorize = new URL(connect.headers.get('location') ?? '');
      expect(authorize.searchParams.get('redirect_uri')).toBe('https://bridge.example.com/netatmo/callback');
    } finally {
      await h.close();
    }
  });
});

describe('rate limits (a bridge of their own: the counts are per address)', () => {
  let h: WebHarness;
  beforeAll(async () => {
    h = await startWebHarness({ brokerUrl: broker.url, withToken: true });
  });
  afterAll(async () => {
    await h.close();
  });

  it('sign-in actions are rate-limited per session and per address; logins too', async () => {
    const first = new Browserish(h.web);
    await first.login();
    const post = async (client: Browserish) => {
      const csrf = Browserish.csrfOf(await (await client.get('onboarding')).text());
      return client.post('token', { csrf, refresh_token: 'not-a-refresh-token-0000' });
    };
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) statuses.push((await post(first)).status);
    expect(statuses).toEqual([400, 400, 400, 400, 400, 400, 429]);
    const second = new Browserish(h.web);
    await second.login();
    const more: number[] = [];
    for (let i = 0; i < 7; i++) more.push((await post(second)).status);
    // Six more for the new session, then the address's twelve a minute are used up.
    expect(more).toEqual([400, 400, 400, 400, 400, 400, 429]);
    const third = new Browserish(h.web);
    await third.login();
    const limited = await post(third);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);

    // Five wrong passwords a minute per address; then even the right one waits.
    const guesser = new Browserish(h.web);
    const page = await (await guesser.get('login')).text();
    const csrf = Browserish.csrfOf(page);
    const tries: number[] = [];
    for (let i = 0; i < 5; i++)
      tries.push((await guesser.post('login', { csrf, password: `guess-${i}-xxxx` })).status);
    expect(tries).toEqual([401, 401, 401, 401, 401]);
    const blocked = await guesser.post('login', { csrf, password: WEB_PASSWORD });
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
  });
});
