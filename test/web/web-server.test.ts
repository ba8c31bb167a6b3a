/**
 * The web UI over real HTTP: a bridge against the simulator and a real broker, its pages,
 * /metrics and /healthz, CSRF refusals, the OAuth state check, the ingress guard, and that no
 * secret ever reaches a page.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingressAllowList, SUPERVISOR_INGRESS_ADDRESS } from '../../src/web/ingress-guard.js';
import { type TestBroker, useTestBroker } from '../support/broker.js';
import { startPrivateBroker } from '../support/private-broker.js';
import { Browserish, startWebHarness, type WebHarness } from './web-harness.js';

/** Every href/src/action of a page: none may be absolute-path (it would escape the ingress prefix). */
function linkTargets(page: string): string[] {
  return [...page.matchAll(/\b(?:href|src|action)\s*=\s*["']?([^"'\s>]*)/gi)].map((m) => m[1] ?? '');
}

function expectNoSecret(text: string, secrets: string[]): void {
  for (const secret of secrets) {
    expect(secret.length).toBeGreaterThan(8);
    expect(text.includes(secret), 'a secret value appears in the output').toBe(false);
  }
}

/** A Prometheus text exposition: `# HELP`/`# TYPE` lines and `name{labels} value` samples. */
function parseMetrics(text: string): Map<string, number> {
  const samples = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('# HELP ') || /^# TYPE \w+ (gauge|counter)$/.test(line)) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*(?:\{[^}]*\})?) (-?[0-9.e+-]+|NaN)$/.exec(line);
    if (!match) throw new Error(`not a Prometheus line: ${line}`);
    samples.set(match[1] ?? '', Number(match[2]));
  }
  return samples;
}

let broker: TestBroker;

beforeAll(async () => {
  broker = await useTestBroker();
});

afterAll(async () => {
  await broker.close();
});

describe('with a connected bridge', () => {
  let h: WebHarness;

  beforeAll(async () => {
    h = await startWebHarness({ brokerUrl: broker.url, withToken: true });
    await h.until(() => h.bridge.store.devices().length > 0, 15_000, 'devices');
    // The status page and /metrics report each home's last poll: wait for the first one.
    await h.until(
      () => h.bridge.poller.status().publishers.some((p) => p.kind === 'home' && p.lastSuccessAt !== null),
      15_000,
      'a home poll',
    );
  });

  afterAll(async () => {
    await h.close();
  });

  it('renders the status page with devices, quota chart and polling, with relative links only', async () => {
    const client = new Browserish(h.web);
    const login = await client.login();
    expect(login.headers.get('set-cookie')).toMatch(/HttpOnly; SameSite=Lax/);
    const res = await client.get('./');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/html');
    const page = await res.text();
    expect(page).toContain('Connected to Netatmo');
    expect(page).toContain('<svg class="chart"');
    // A device from the fixtures, and its home's poll.
    const device = h.bridge.store.devices().find((d) => d.kind === 'thermostat');
    expect(device).toBeDefined();
    expect(page).toContain(device?.name);
    expect(page).toMatch(/Home [^<]+<\/td>/);
    // The energy feed: its card, and each meter's reads under the meter's name.
    expect(page).toContain('<h2>Energy meters</h2>');
    expect(page).toContain('<td>Energy · Consumption meter</td>');
    const targets = linkTargets(page);
    expect(targets.length).toBeGreaterThan(3);
    for (const target of targets) expect(target.startsWith('/'), target).toBe(false);
  });

  it('never renders a secret: status, onboarding, error pages and /metrics', async () => {
    const client = new Browserish(h.web);
    await client.login();
    const secrets = await h.secrets();
    expect(secrets.length).toBeGreaterThanOrEqual(3); // client secret, bootstrap, stored pair
    for (const path of ['./', 'onboarding', 'metrics', 'healthz', 'no-such-page']) {
      const text = await (await client.get(path)).text();
      expectNoSecret(text, secrets);
      for (const target of linkTargets(text))
        expect(target.startsWith('/'), `${path}: ${target}`).toBe(false);
    }
  });

  it('/metrics is Prometheus text with the numbers of bridge/health', async () => {
    const client = new Browserish(h.web);
    await client.login();
    const res = await client.get('metrics');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/plain');
    const samples = parseMetrics(await res.text());
    const health = h.bridge.health();
    expect(samples.get('netatmo2mqtt_auth_state{state="ok"}')).toBe(1);
    expect(samples.get('netatmo2mqtt_api_budget{window="1h"}')).toBe(health.api.budget.per_hour);
    expect(samples.get('netatmo2mqtt_mqtt_connected')).toBe(1);
    expect(samples.get('netatmo2mqtt_up')).toBe(1);
    const homesdata = health.api.calls.by_endpoint.homesdata ?? 0;
    expect(homesdata).toBeGreaterThan(0);
    expect(samples.get('netatmo2mqtt_api_calls_total{endpoint="homesdata"}')).toBe(homesdata);
    const online = samples.get('netatmo2mqtt_devices{availability="online"}') ?? 0;
    const offline = samples.get('netatmo2mqtt_devices{availability="offline"}') ?? 0;
    const unknown = samples.get('netatmo2mqtt_devices{availability="unknown"}') ?? 0;
    expect(online + offline + unknown).toBe(h.bridge.store.devices().length);
    expect(
      [...samples.keys()].some((k) =>
        k.startsWith('netatmo2mqtt_poll_last_success_seconds{publisher="home:'),
      ),
    ).toBe(true);
  });

  it('/healthz answers 200 {"status":"ok"} while the bridge runs and MQTT is connected', async () => {
    const res = await fetch(new URL('healthz', h.web));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
  });

  it('refuses a POST without a session, without a CSRF token, or with a wrong one', async () => {
    const client = new Browserish(h.web);
    const before = h.sim.stats().token_refreshes;
    // No session cookie at all.
    const bare = await client.post('token', { refresh_token: 'x'.repeat(40), csrf: 'a'.repeat(64) });
    expect(bare.status).toBe(403);
    // A logged-in session, but no token / another session's token.
    await client.login();
    const page = await (await client.get('onboarding')).text();
    const good = Browserish.csrfOf(page);
    expect((await client.post('token', { refresh_token: 'x'.repeat(40) })).status).toBe(403);
    const other = new Browserish(h.web);
    await other.login();
    const otherToken = Browserish.csrfOf(await (await other.get('onboarding')).text());
    expect(otherToken).not.toBe(good);
    const wrong = await client.post('token', { refresh_token: 'x'.repeat(40), csrf: otherToken });
    expect(wrong.status).toBe(403);
    expect(await wrong.text()).toContain('Request refused');
    expect((await client.post('connect', { csrf: otherToken })).status).toBe(403);
    // Nothing reached Netatmo's token endpoint and the account is still connected.
    expect(h.sim.stats().token_refreshes).toBe(before);
    expect(h.bridge.netatmo.auth.state).toBe('ok');
  });
});

describe('onboarding over HTTP (no token at start)', () => {
  let h: WebHarness;

  beforeAll(async () => {
    h = await startWebHarness({ brokerUrl: broker.url, withToken: false });
  });

  afterAll(async () => {
    await h.close();
  });

  it('connect → consent → pasted redirect address: state checked once, token saved, polling starts', async () => {
    const client = new Browserish(h.web);
    await client.login();
    const status = await (await client.get('./')).text();
    expect(status).toContain('Not connected to Netatmo yet');
    expect(h.bridge.netatmo.auth.state).toBe('no_token');
    // Standalone, an X-Ingress-Path header is anyone's to send: it does not move the redirect URI.
    const onboarding = await (
      await client.get('onboarding', { 'x-ingress-path': '/api/hassio_ingress/abc123' })
    ).text();
    expect(onboarding).toContain(`<code id="redirect-uri">${h.web}callback</code>`);
    const csrf = Browserish.csrfOf(onboarding);

    const connect = await client.post('connect', { csrf });
    expect(connect.status).toBe(303);
    const authorize = new URL(connect.headers.get('location') ?? '');
    expect(authorize.origin).toBe(h.sim.url);
    expect(authorize.searchParams.get('scope')).toContain('write_thermostat');
    const state = authorize.searchParams.get('state') ?? '';
    expect(state).toMatch(/^[0-9a-f]{48}$/);
    expect(authorize.searchParams.get('redirect_uri')).toBe(`${h.web}callback`);

    // Accept on the simulator's consent page; it redirects to our callback with code and state.
    const accepted = await fetch(new URL('/oauth2/authorize', h.sim.url), {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        client_id: authorize.searchParams.get('client_id') ?? '',
        redirect_uri: authorize.searchParams.get('redirect_uri') ?? '',
        scope: authorize.searchParams.get('scope') ?? '',
        state,
        decision: 'accept',
      }).toString(),
    });
    const landed = accepted.headers.get('location') ?? '';
    expect(new URL(landed).searchParams.get('state')).toBe(state);

    // The address pasted with a state this server never issued is refused.
    const forged = new URL(landed);
    forged.searchParams.set('state', 'f'.repeat(48));
    const refused = await client.post('redirect', { csrf, redirect_url: forged.toString() });
    expect(refused.status).toBe(400);
    expect(await refused.text()).toContain('Sign-in refused');
    expect(h.bridge.netatmo.auth.state).toBe('no_token');

    const pasted = await client.post('redirect', { csrf, redirect_url: landed });
    expect(pasted.status).toBe(303);
    expect(pasted.headers.get('location')).toBe('./?notice=connected');
    expect(h.bridge.netatmo.auth.state).toBe('ok');
    await h.until(() => h.bridge.store.devices().length > 0, 15_000, 'devices after onboarding');

    // A state is good for one sign-in only.
    const again = await client.post('redirect', { csrf, redirect_url: landed });
    expect(again.status).toBe(400);
    // The page never shows the tokens it obtained.
    expectNoSecret(await (await client.get('./?notice=connected')).text(), await h.secrets());
  });
});

describe('re-authentication', () => {
  it('a refused token shows the re-authentication banner; a pasted token fixes it without a restart', async () => {
    const h = await startWebHarness({
      brokerUrl: broker.url,
      withToken: false,
      bootstrapToken: 'revoked-refresh-token-000000000000',
    });
    try {
      await h.until(() => h.bridge.netatmo.auth.state === 'reauth_required', 10_000, 'reauth_required');
      const client = new Browserish(h.web);
      await client.login();
      const page = await (await client.get('./')).text();
      expect(page).toContain('Re-authentication needed');
      expect(page).toContain('id="connect"');
      expect(page).toContain('invalid_grant');
      const metrics = await (await client.get('metrics')).text();
      expect(metrics).toContain('netatmo2mqtt_auth_state{state="reauth_required"} 1');

      const csrf = Browserish.csrfOf(page);
      const pasted = await client.post('token', { csrf, refresh_token: h.sim.mintTokens().refresh_token });
      expect(pasted.status).toBe(303);
      expect(h.bridge.netatmo.auth.state).toBe('ok');
      await h.until(() => h.bridge.store.devices().length > 0, 15_000, 'devices after re-authentication');
      const after = await (await client.get('./')).text();
      expect(after).not.toContain('Re-authentication needed');
      expectNoSecret(after, await h.secrets());
    } finally {
      await h.close();
    }
  });
});

describe('ingress guard', () => {
  it('in add-on mode only the Supervisor ingress proxy is allowed; loopback may read /healthz', async () => {
    expect(ingressAllowList({ SUPERVISOR_TOKEN: 'x' })).toEqual([SUPERVISOR_INGRESS_ADDRESS]);
    expect(ingressAllowList({})).toBeUndefined();
    const h = await startWebHarness({
      brokerUrl: broker.url,
      withToken: false,
      webAllowedPeers: ingressAllowList({ SUPERVISOR_TOKEN: 'x' }),
    });
    try {
      for (const path of ['', 'onboarding', 'metrics']) {
        const res = await fetch(new URL(path, h.web));
        expect(res.status, path).toBe(403);
      }
      const refused = await fetch(new URL('token', h.web), { method: 'POST', body: 'refresh_token=x' });
      expect(refused.status).toBe(403);
      const health = await fetch(new URL('healthz', h.web));
      expect(health.status).toBe(200);
    } finally {
      await h.close();
    }
  });

  it('allows a peer on the list (127.0.0.1 standing in for the proxy)', async () => {
    const h = await startWebHarness({
      brokerUrl: broker.url,
      withToken: false,
      webAllowedPeers: ['127.0.0.1'],
    });
    try {
      // Home Assistant authenticated the user: no login page of ours in the way.
      const client = new Browserish(h.web);
      const status = await client.get('./');
      expect(status.status).toBe(200);
      expect(await status.text()).not.toContain('Log out');
      // Behind ingress the redirect URI carries the external prefix and the host Home Assistant is reached at.
      const onboarding = await (
        await client.get('onboarding', {
          'x-ingress-path': '/api/hassio_ingress/abc123',
          'x-forwarded-host': 'homeassistant.local:8123',
          host: 'homeassistant.local:8123',
        })
      ).text();
      expect(onboarding).toContain('http://homeassistant.local:8123/api/hassio_ingress/abc123/callback');
      // Its forms post from Home Assistant's origin, which the proxy forwards as it is.
      const csrf = Browserish.csrfOf(onboarding);
      const posted = await client.request('token', {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          origin: 'http://homeassistant.local:8123',
          host: 'homeassistant.local:8123',
          'sec-fetch-site': 'same-origin',
        },
        body: new URLSearchParams({ csrf, refresh_token: '' }).toString(),
      });
      expect(posted.status).toBe(400);
      expect(await posted.text()).toContain('Paste a refresh token first');
    } finally {
      await h.close();
    }
  });
});

describe('/healthz while the MQTT broker restarts', () => {
  it('stays healthy through a short restart, turns unhealthy after the grace, recovers', async () => {
    const own = await startPrivateBroker();
    const graceMs = 2_000;
    const h = await startWebHarness({
      brokerUrl: own.url,
      withToken: false,
      webLimits: { mqttOutageGraceMs: graceMs },
    });
    const healthz = async (): Promise<{ status: number; body: Record<string, unknown> }> => {
      const res = await fetch(new URL('healthz', h.web));
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    };
    try {
      expect(await healthz()).toEqual({ status: 200, body: { status: 'ok' } });
      await own.stop();
      await h.until(() => !h.bridge.mqtt.connected, 10_000, 'the bridge to notice the broker is gone');
      // The bridge reconnects by itself: a broker restart is not an illness.
      expect(await healthz()).toMatchObject({ status: 200, body: { status: 'ok', mqtt: 'reconnecting' } });
      await new Promise((r) => setTimeout(r, graceMs + 200));
      const later = await healthz();
      expect(later.status).toBe(503);
      expect(String(later.body.reason)).toMatch(/^MQTT disconnected since /);
      await own.start();
      await h.until(async () => (await healthz()).status === 200, 40_000, '200 again');
      expect((await healthz()).body).toEqual({ status: 'ok' });
    } finally {
      await h.close();
      await own.close();
    }
  }, 60_000);
});
