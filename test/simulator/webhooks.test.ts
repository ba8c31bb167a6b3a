import { createHash, createHmac, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { freePort } from '../../scripts/lib/broker.js';
import type { RunningSimulator, SimulatorOptions } from '../../src/simulator/index.js';
import { ScaledClock } from '../../src/util/clock.js';
import { api, control, HOME, setstate, sim } from './helpers.js';
import {
  CAMERA,
  DOOR_TAG,
  events,
  firstOfType,
  JOHN,
  type Json,
  OUTDOOR,
  raise,
  SIREN,
} from './security-helpers.js';
import { type Receiver, receiver } from './webhook-receiver.js';

const CLIENT_SECRET = 'sim-client-secret';
const LIVING = '2746182631';

function signature(raw: string, secret = CLIENT_SECRET): string {
  return createHmac('sha256', secret).update(raw).digest('hex');
}

/** A simulator with a registered webhook whose activation ping has arrived. */
async function registered(
  options: SimulatorOptions = {},
): Promise<{ s: RunningSimulator; t: string; r: Receiver; hookUrl: string }> {
  const s = await sim({
    clientId: 'sim-app',
    clientSecret: CLIENT_SECRET,
    tokenLifetimeSec: 10 * 86_400,
    ...options,
  });
  const { access_token: t } = s.mintTokens();
  const r = await receiver();
  const hookUrl = `${r.url}/netatmo/${randomBytes(16).toString('hex')}`;
  const answer = await api(s, 'addwebhook', { url: hookUrl }, t);
  expect(answer.status).toBe(200);
  expect(answer.json).toMatchObject({ status: 'ok' });
  expect(answer.json.body).toBeUndefined();
  await r.waitFor(1);
  return { s, t, r, hookUrl };
}

describe('simulator webhooks', () => {
  it('pings a new webhook with webhook_activation, then pushes events signed with the client secret', async () => {
    const { s, t, r, hookUrl } = await registered();
    const [activation] = r.pushes;
    expect(activation?.path).toBe(new URL(hookUrl).pathname);
    expect(activation?.json).toEqual({
      user_id: expect.stringMatching(/^[0-9a-f]{24}$/),
      user: { id: activation?.json.user_id, email: expect.any(String) },
      push_type: 'webhook_activation',
    });
    expect(activation?.headers['content-type']).toBe('application/json');
    expect(activation?.headers['x-netatmo-secret']).toBe(signature(activation?.raw ?? ''));

    const movement = await raise(s, { device_id: CAMERA, type: 'movement' });
    const [, push] = await r.waitFor(2);
    expect(push?.headers['x-netatmo-secret']).toBe(signature(push?.raw ?? ''));
    expect(push?.json).toMatchObject({
      push_type: 'NACamera-movement',
      event_type: 'movement',
      event_id: movement.id,
      camera_id: CAMERA,
      device_id: CAMERA,
      home_id: HOME,
      home_name: 'MYHOME',
      user_id: activation?.json.user_id,
      snapshot_url: movement.snapshot.url,
      vignette_url: movement.vignette.url,
      snapshot_id: expect.stringMatching(/^[0-9a-f]{24}$/),
      snapshot_key: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    expect(push?.json.snapshot_url).toBe(
      `${s.url}/__sim/snapshots/${push?.json.snapshot_id}${push?.json.snapshot_key}.jpg`,
    );
    expect((await events(s, t, { size: '1' }))[0].id).toBe(movement.id);

    // An outdoor camera pushes each detection; door tags and sirens push through their camera.
    const outdoor = await raise(s, { device_id: OUTDOOR, type: 'outdoor', subevents: ['human', 'vehicle'] });
    await raise(s, { device_id: DOOR_TAG, type: 'tag_open' });
    await raise(s, { device_id: SIREN, type: 'siren_sounding' });
    const person = await raise(s, { device_id: CAMERA, type: 'person', person_id: JOHN });
    const pushes = (await r.waitFor(7)).slice(2).map((p) => p.json);
    expect(pushes.map((p) => p.push_type)).toEqual([
      'NOC-human',
      'NOC-vehicle',
      'NACamera-tag_open',
      'NACamera-siren_sounding',
      'NACamera-person',
    ]);
    expect(pushes[0]).toMatchObject({
      event_type: 'human',
      event_id: outdoor.id,
      subevent_id: outdoor.subevents[0].id,
      snapshot_url: outdoor.subevents[0].snapshot.url,
      camera_id: OUTDOOR,
    });
    expect(pushes[2]).toMatchObject({
      event_type: 'tag_open',
      module_id: DOOR_TAG,
      device_id: CAMERA,
      camera_id: CAMERA,
    });
    expect(pushes[3]).toMatchObject({ module_id: SIREN, sub_type: 1 });
    expect(pushes[4]).toMatchObject({ event_id: person.id, persons: [{ id: JOHN, is_known: true }] });
    expect(pushes[4].persons[0].face_url).toMatch(/\/__sim\/snapshots\//);
    expect(r.pushes.every((p) => p.headers['x-netatmo-secret'] === signature(p.raw))).toBe(true);
    // The receiver has a push before the simulator has its answer.
    await expect
      .poll(() => s.stats().webhook)
      .toEqual({ registered: true, banned: false, delivered: 7, failed: 0, suppressed: 0 });
  });

  it('pushes smoke and CO alarms from the detector itself, start and end in sub_type', async () => {
    const { s, t, r } = await registered({ scenario: 'scale:1,28' });
    const smoke = await firstOfType(s, t, 'NSD');
    await raise(s, { device_id: smoke.id, type: 'smoke' });
    await raise(s, { device_id: smoke.id, type: 'smoke', sub_type: 0 });
    const pushes = (await r.waitFor(3)).slice(1).map((p) => p.json);
    expect(pushes.map((p) => [p.push_type, p.sub_type, p.device_id])).toEqual([
      ['NSD-smoke', 1, smoke.id],
      ['NSD-smoke', 0, smoke.id],
    ]);
    expect(pushes[0]).not.toHaveProperty('camera_id');
  });

  it('answers addwebhook 429 through fault injection three times, then registers and activates once', async () => {
    const s = await sim({ clientSecret: CLIENT_SECRET });
    const { access_token: t } = s.mintTokens();
    const r = await receiver();
    const url = `${r.url}/hook/${randomBytes(8).toString('hex')}`;
    s.setFaults({ rules: [{ kind: 'throttle', count: 3, endpoints: ['addwebhook'] }] });
    for (let i = 0; i < 3; i++) {
      const refused = await api(s, 'addwebhook', { url }, t);
      expect(refused.status).toBe(429);
      expect(refused.json.error.code).toBe(26);
    }
    expect(s.webhooks().registered).toBe(false);
    s.setFaults({ rules: [{ kind: 'status', status: 503, count: 1, endpoints: ['addwebhook'] }] });
    expect((await api(s, 'addwebhook', { url }, t)).status).toBe(503);
    expect((await api(s, 'addwebhook', { url }, t)).status).toBe(200);
    await r.waitFor(1);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(r.pushes.map((p) => p.json.push_type)).toEqual(['webhook_activation']);
    expect(s.stats().requests.addwebhook).toBe(5);
  });

  it('dropwebhook stops the pushes', async () => {
    const { s, t, r } = await registered();
    const dropped = await api(s, 'dropwebhook', { app_types: 'app_security' }, t);
    expect(dropped.status).toBe(200);
    expect(s.webhooks().registered).toBe(false);
    await raise(s, { device_id: CAMERA, type: 'movement' });
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(r.pushes).toHaveLength(1);
  });

  it('bans a webhook for 24 hours after 5 failed deliveries within an hour, then delivers again', async () => {
    const { s, r } = await registered();
    r.answer = { status: 500 };
    for (let i = 0; i < 5; i++) await raise(s, { device_id: CAMERA, type: 'movement' });
    await r.waitFor(6);
    await expect.poll(() => s.webhooks().banned).toBe(true);
    const banned = s.webhooks();
    expect(banned.failures_last_hour).toBe(0); // the count starts over after a ban
    expect(banned.banned_until).toBeGreaterThanOrEqual(s.clock.now() + 24 * 3_600_000 - 60_000);
    expect(banned.deliveries.slice(-5).map((d) => [d.outcome, d.status])).toEqual(
      Array.from({ length: 5 }, () => ['http_error', 500]),
    );
    expect((await control(s, 'stats')).json.webhook).toMatchObject({ banned: true, failed: 5 });

    r.answer = { status: 200 };
    await raise(s, { device_id: CAMERA, type: 'movement' });
    await expect.poll(() => s.webhooks().counts.suppressed).toBe(1);
    expect(r.pushes).toHaveLength(6);
    expect(s.webhooks().deliveries.at(-1)?.outcome).toBe('suppressed_banned');

    s.advanceClock(24 * 3_600_000 + 1_000);
    expect(s.webhooks().banned).toBe(false);
    await raise(s, { device_id: CAMERA, type: 'movement' });
    await r.waitFor(7);
    await expect.poll(() => s.webhooks().deliveries.at(-1)?.outcome).toBe('delivered');
  });

  it('counts only failures within the last hour; the dev-portal unban lifts a ban', async () => {
    const { s, r } = await registered();
    r.answer = { status: 404 };
    for (let i = 0; i < 4; i++) await raise(s, { device_id: CAMERA, type: 'movement' });
    await r.waitFor(5);
    await expect.poll(() => s.webhooks().failures_last_hour).toBe(4);
    s.advanceClock(61 * 60_000);
    expect(s.webhooks().failures_last_hour).toBe(0);
    await raise(s, { device_id: CAMERA, type: 'movement' });
    await r.waitFor(6);
    await expect.poll(() => s.webhooks().failures_last_hour).toBe(1);
    expect(s.webhooks().banned).toBe(false);

    for (let i = 0; i < 4; i++) await raise(s, { device_id: CAMERA, type: 'movement' });
    await expect.poll(() => s.webhooks().banned).toBe(true);
    const unbanned = await control(s, 'webhooks/unban', {});
    expect(unbanned.json).toMatchObject({ banned: false, failures_last_hour: 0 });
  });

  it('counts a slow answer and a refused connection as failures', async () => {
    const { s, t, r } = await registered({ webhooks: { deliveryTimeoutMs: 150 } });
    r.answer = { status: 200, delayMs: 1_000 };
    await raise(s, { device_id: CAMERA, type: 'movement' });
    await expect.poll(() => s.webhooks().deliveries.at(-1)?.outcome).toBe('timeout');
    expect(s.webhooks().deliveries.at(-1)?.duration_ms).toBeLessThan(900);

    const closed = `http://127.0.0.1:${await freePort()}/hook`;
    expect((await api(s, 'addwebhook', { url: closed }, t)).status).toBe(200);
    await expect.poll(() => s.webhooks().deliveries.at(-1)?.outcome).toBe('connection_error');
    expect(s.webhooks().failures_last_hour).toBe(2);
  });

  it('checks addwebhook’s url like Netatmo, including its port rule when asked to', async () => {
    const s = await sim({ webhooks: { netatmoPortsOnly: true } });
    const { access_token: t } = s.mintTokens();
    const cases: Array<[Record<string, string>, number, string]> = [
      [{}, 10, 'Missing url'],
      [{ url: 'not a url' }, 21, 'Invalid url'],
      [{ url: 'ftp://example.com/hook' }, 21, 'Invalid url'],
      [{ url: 'https://example.com:8443/hook' }, 21, 'Allowed ports for webhooks are 80, 88, 443 and 9443.'],
    ];
    for (const [params, code, message] of cases) {
      const answer = await api(s, 'addwebhook', params, t);
      expect({ status: answer.status, error: answer.json.error }).toEqual({
        status: 400,
        error: { code, message },
      });
    }
    expect(s.webhooks().registered).toBe(false);
    expect(
      (await api(s, 'addwebhook', { url: 'https://example.com:9443/hook', app_types: 'app_security' }, t))
        .status,
    ).toBe(200);
    expect(s.webhooks()).toMatchObject({
      registered: true,
      url_origin: 'https://example.com:9443',
      app_types: 'app_security',
    });
  });

  it('pushes thermostat and camera setting changes made through the API', async () => {
    const { s, t, r } = await registered();
    await api(s, 'setroomthermpoint', { home_id: HOME, room_id: LIVING, mode: 'manual', temp: '22.5' }, t);
    await api(s, 'setroomthermpoint', { home_id: HOME, room_id: LIVING, mode: 'home' }, t);
    await api(s, 'setthermmode', { home_id: HOME, mode: 'away' }, t);
    await api(s, 'switchhomeschedule', { home_id: HOME, schedule_id: 'b1b54a2f45795764f59d50d8' }, t);
    await setstate(s, { home: { id: HOME, modules: [{ id: CAMERA, monitoring: 'off' }] } }, t);
    await setstate(s, { home: { id: HOME, modules: [{ id: OUTDOOR, floodlight: 'on' }] } }, t);
    const pushes = (await r.waitFor(7)).slice(1).map((p) => p.json);
    expect(pushes.map((p) => `${p.push_type}/${p.event_type}`)).toEqual([
      'display_change/set_point',
      'display_change/cancel_set_point',
      'home_event_changed/therm_mode',
      'home_event_changed/schedule',
      'NACamera-off/off',
      'NOC-light_mode/light_mode',
    ]);
    const [setPoint, cancel, mode, schedule, off, light] = pushes as Json[];
    expect(setPoint).toMatchObject({
      room_id: LIVING,
      mode: 'manual',
      temperature: 22.5,
      home: {
        id: HOME,
        name: 'MYHOME',
        rooms: [
          { id: LIVING, name: 'Livingroom', therm_setpoint_mode: 'manual', therm_setpoint_temperature: 22.5 },
        ],
        modules: [{ id: '12:34:56:00:01:ae', type: 'NATherm1' }],
      },
    });
    expect(setPoint.home.rooms[0].therm_setpoint_end_time).toBeGreaterThan(Math.floor(s.clock.now() / 1000));
    expect(cancel).toMatchObject({
      room_id: LIVING,
      mode: 'home',
      home: { rooms: [{ therm_setpoint_mode: 'home' }] },
    });
    expect(mode).toMatchObject({
      home: { id: HOME, therm_mode: 'away' },
      mode: 'away',
      previous_mode: 'schedule',
    });
    expect(schedule).toMatchObject({
      home_id: HOME,
      schedule_id: 'b1b54a2f45795764f59d50d8',
      previous_schedule_id: '591b54a2764ff4d50d8b5795',
    });
    const [offEvent] = await events(s, t, { size: '1' });
    expect(offEvent).toMatchObject({ type: 'off', module_id: CAMERA });
    expect(off).toMatchObject({ event_id: offEvent.id, camera_id: CAMERA });
    expect(light).toMatchObject({ device_id: OUTDOOR, sub_type: 'on' });
    // A refused write pushes nothing.
    await api(s, 'setroomthermpoint', { home_id: HOME, room_id: LIVING, mode: 'manual', temp: '99' }, t);
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(r.pushes).toHaveLength(7);
  });

  it('pushes setpoints that simulated residents change in the Netatmo app', async () => {
    const { r } = await registered({
      clock: new ScaledClock(1_000),
      activity: { setpointEveryMs: 60_000, shutterEveryMs: 3_600_000 * 1_000 },
    });
    const residents = await r.waitFor(2, 10_000);
    expect(residents[1]?.json).toMatchObject({
      push_type: 'display_change',
      event_type: 'set_point',
      mode: 'manual',
      temperature: expect.any(Number),
    });
  });

  it('keeps the webhook URL out of the request log and the control answers', async () => {
    const { s, t, hookUrl } = await registered();
    const secretPath = new URL(hookUrl).pathname;
    const log = JSON.stringify(s.log());
    expect(log).toContain('addwebhook');
    expect(log).not.toContain(secretPath);
    const status = (await control(s, 'webhooks')).json;
    expect(JSON.stringify(status)).not.toContain(secretPath);
    expect(status.url_fingerprint).toBe(createHash('sha256').update(hookUrl).digest('hex').slice(0, 16));
    expect(status.url_origin).toBe(new URL(hookUrl).origin);
    await api(s, 'getevents', { home_id: HOME }, t);
    expect(JSON.stringify((await control(s, 'log')).json)).not.toContain(secretPath);
  });
});
