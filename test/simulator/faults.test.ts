import { describe, expect, it } from 'vitest';
import { ScaledClock } from '../../src/util/clock.js';
import { api, control, HOME, setstate, sim, token } from './helpers.js';

async function raw(url: string, access: string): Promise<Response> {
  return fetch(`${url}/api/homesdata`, { method: 'POST', headers: { authorization: `Bearer ${access}` } });
}

describe('simulator fault injection', () => {
  it('answers a 5xx burst for `count` requests, then recovers', async () => {
    const s = await sim();
    const { access_token } = s.mintTokens();
    await control(s, 'faults', { rules: [{ kind: 'status', status: 502, count: 2 }] });
    expect((await raw(s.url, access_token)).status).toBe(502);
    expect((await raw(s.url, access_token)).status).toBe(502);
    expect((await raw(s.url, access_token)).status).toBe(200);
    expect(s.stats().faults_injected).toBe(2);
  });

  it('adds latency on the simulator clock', async () => {
    const s = await sim({ clock: new ScaledClock(100) });
    const { access_token } = s.mintTokens();
    s.setFaults({ rules: [{ kind: 'latency', ms: 30_000, count: 1 }] });
    const started = performance.now();
    expect((await raw(s.url, access_token)).status).toBe(200);
    const slow = performance.now() - started;
    expect(slow).toBeGreaterThanOrEqual(250);
    const again = performance.now();
    await raw(s.url, access_token);
    expect(performance.now() - again).toBeLessThan(slow);
  });

  it('never answers on timeout, and resets connections', async () => {
    const s = await sim();
    const { access_token } = s.mintTokens();
    s.setFaults({ rules: [{ kind: 'timeout', count: 1 }] });
    await expect(
      fetch(`${s.url}/api/homesdata`, {
        method: 'POST',
        headers: { authorization: `Bearer ${access_token}` },
        signal: AbortSignal.timeout(300),
      }),
    ).rejects.toThrow(/abort|timeout/i);
    s.setFaults({ rules: [{ kind: 'reset', count: 1 }] });
    await expect(raw(s.url, access_token)).rejects.toThrow();
    expect((await raw(s.url, access_token)).status).toBe(200);
  });

  it('sends malformed JSON, truncated bodies and HTML pages', async () => {
    const s = await sim();
    const { access_token } = s.mintTokens();
    s.setFaults({ rules: [{ kind: 'malformed_json', count: 1 }] });
    const malformed = await raw(s.url, access_token);
    expect(malformed.status).toBe(200);
    await expect(malformed.json()).rejects.toThrow(SyntaxError);

    s.setFaults({ rules: [{ kind: 'truncated', count: 1 }] });
    await expect(raw(s.url, access_token).then((r) => r.text())).rejects.toThrow();

    s.setFaults({ rules: [{ kind: 'html', count: 1 }] });
    const html = await raw(s.url, access_token);
    expect(html.headers.get('content-type')).toContain('text/html');
    expect(await html.text()).toContain('<html>');

    const ok = await raw(s.url, access_token);
    expect(((await ok.json()) as { status: string }).status).toBe('ok');
  });

  it('forces throttling with Retry-After on chosen endpoints only', async () => {
    const s = await sim();
    const { access_token } = s.mintTokens();
    s.setFaults({ rules: [{ kind: 'throttle', endpoints: ['homestatus'], retry_after: 42 }] });
    expect((await api(s, 'homesdata', {}, access_token)).status).toBe(200);
    const throttled = await api(s, 'homestatus', { home_id: HOME }, access_token);
    expect(throttled.status).toBe(429);
    expect(throttled.json.error.code).toBe(26);
    expect(throttled.headers.get('retry-after')).toBe('42');
    expect(s.stats().throttled).toBe(1);
    await control(s, 'faults', { clear: true });
    expect((await api(s, 'homestatus', { home_id: HOME }, access_token)).status).toBe(200);
  });

  it('takes the token endpoint down without touching the API', async () => {
    const s = await sim();
    const pair = s.mintTokens();
    s.setFaults({ rules: [{ kind: 'token_down' }] });
    const down = await token(s, { grant_type: 'refresh_token', refresh_token: pair.refresh_token });
    expect(down.status).toBe(503);
    expect((await api(s, 'homesdata', {}, pair.access_token)).status).toBe(200);
    s.setFaults({ clear: true });
    // The refresh token was not consumed by the outage.
    expect((await token(s, { grant_type: 'refresh_token', refresh_token: pair.refresh_token })).status).toBe(
      200,
    );
  });

  it('reports unreachable modules in body.errors and leaves them unchanged on setstate', async () => {
    const s = await sim();
    const { access_token } = s.mintTokens();
    const plug = '12:34:56:80:00:12:ac:f2';
    const light = '00:11:22:33:00:11:45:fe';
    const before = (await api(s, 'homestatus', { home_id: HOME }, access_token)).json.body.home.modules;
    const plugBefore = before.find((m: { id: string }) => m.id === plug);
    await control(s, 'faults', { unreachable_modules: [plug] });
    const status = await api(s, 'homestatus', { home_id: HOME }, access_token);
    expect(status.status).toBe(200);
    expect(status.json.body.errors).toEqual([{ code: 6, id: plug }]);
    expect(status.json.body.home.modules.find((m: { id: string }) => m.id === plug)).toBeUndefined();

    const write = await setstate(
      s,
      {
        home: {
          id: HOME,
          modules: [
            { id: plug, on: !plugBefore.on },
            { id: light, on: true, brightness: 40 },
          ],
        },
      },
      access_token,
    );
    expect(write.status).toBe(200);
    expect(write.json.body.errors).toEqual([expect.objectContaining({ code: 6, id: plug })]);

    await control(s, 'faults', { clear: true });
    const after = (await api(s, 'homestatus', { home_id: HOME }, access_token)).json.body;
    expect(after.errors).toBeUndefined();
    const byId = (id: string) => after.home.modules.find((m: { id: string }) => m.id === id);
    expect(byId(plug).on).toBe(plugBefore.on);
    expect(byId(light)).toMatchObject({ on: true, brightness: 40 });
  });

  it('rejects unknown fault kinds', async () => {
    const s = await sim();
    const bad = await control(s, 'faults', { rules: [{ kind: 'meteor' }] });
    expect(bad.status).toBe(400);
    expect(bad.json.error).toContain('meteor');
  });
});
