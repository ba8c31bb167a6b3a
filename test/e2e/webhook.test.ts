/**
 * Issue 14 end to end, pushed: the simulator delivers signed pushes to the bridge's web server
 * (webhook.public_url), over real HTTP, and the bridge publishes them within a second, merges
 * them with what it polls, refuses forged ones, retries addwebhook through 429s, and polls
 * events slowly only while pushes arrive.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../scripts/lib/broker.js';
import { moduleDeviceId } from '../../src/devices/index.js';
import type { DeviceEventPayload } from '../../src/mqtt/topics.js';
import { DEFAULT_PUSHED_EVENTS_FLOOR_MS } from '../../src/security/events-feed.js';
import { ScaledClock } from '../../src/util/clock.js';
import { signBody } from '../../src/webhook/signature.js';
import { webhookAddress } from '../../src/webhook/webhook-url.js';
import { CAMERA, DOOR_TAG } from '../simulator/security-helpers.js';
import { type TestBroker, useTestBroker } from '../support/broker.js';
import { type Harness, type Received, startHarness } from './bridge-harness.js';

const SPEED = 40;
const HOME = '91763b24c43d3e344f424e8b';
const CLIENT_ID = 'webhook-test-app';
const CLIENT_SECRET = 'webhook-test-client-secret';
const camera = moduleDeviceId(CAMERA);
const doorTag = moduleDeviceId(DOOR_TAG);

function eventsOn(h: Harness, device: string): Array<DeviceEventPayload & { at: number }> {
  return h.recorder.messages
    .filter((m: Received) => m.topic === `${h.deviceTopic(device)}/event`)
    .map((m) => ({ ...(JSON.parse(m.payload) as DeviceEventPayload), at: m.at }));
}

async function webhookHarness(
  broker: TestBroker,
  options: {
    scenario?: string;
    profile?: 'own_app' | 'shared_app';
    pushQuietMs?: number;
    beforeStart?: (h: Harness) => void;
  } = {},
): Promise<{ h: Harness; publicUrl: string }> {
  const port = await freePort();
  const publicUrl = `http://127.0.0.1:${port}`;
  const clock = new ScaledClock(SPEED);
  const h = await startHarness({
    brokerUrl: broker.url,
    ...(options.scenario ? { scenario: options.scenario } : {}),
    clock,
    sim: { clock, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET },
    netatmo: { client_id: CLIENT_ID, client_secret: CLIENT_SECRET },
    ...(options.profile ? { profile: options.profile } : {}),
    config: { web: { enabled: true, port, host: '127.0.0.1' }, webhook: { public_url: publicUrl } },
    bridge: options.pushQuietMs === undefined ? {} : { security: { pushQuietMs: options.pushQuietMs } },
  });
  options.beforeStart?.(h);
  await h.bridge.start();
  await h.firstRound();
  return { h, publicUrl };
}

/** An API call as "someone in the Netatmo app" (a token of its own). */
async function api(h: Harness, endpoint: string, params: Record<string, string>): Promise<number> {
  const token = h.sim.mintTokens().access_token;
  const response = await fetch(`${h.sim.url}/api/${endpoint}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(params),
  });
  await response.arrayBuffer();
  return response.status;
}

describe('webhook pushes (fixtures scenario)', () => {
  let broker: TestBroker;
  let h: Harness;
  let publicUrl: string;

  beforeAll(async () => {
    broker = await useTestBroker();
    // Pushes count as stopped after 5 simulated minutes without one.
    ({ h, publicUrl } = await webhookHarness(broker, { pushQuietMs: 5 * 60_000 }));
    await h.until(() => h.bridge.health().events.webhook.state === 'active', 15_000, 'the activation ping');
  });

  afterAll(async () => {
    await h?.close();
    await broker?.close();
  });

  it('registered its webhook (a secret path under the public URL) and Netatmo reached it', () => {
    const status = h.sim.webhooks();
    expect(status.registered).toBe(true);
    expect(status.url_origin).toBe(publicUrl);
    expect(status.deliveries[0]).toMatchObject({
      push_type: 'webhook_activation',
      outcome: 'delivered',
      status: 200,
    });
    expect(h.bridge.health().events.polling).toBe('slow');
  });

  it('polls events only as a safety net while pushes arrive', async () => {
    await h.until(
      () =>
        (h.bridge.poller.plan?.feeds.find((f) => f.key === `feed:events:${HOME}`)?.intervalMs ?? 0) >=
        DEFAULT_PUSHED_EVENTS_FLOOR_MS,
      10_000,
      'the slower plan',
    );
  });

  it('publishes a pushed event within one second, and the poll that reads it later adds nothing', async () => {
    const raisedAt = Date.now();
    const raised = h.sim.raiseEvent({ device_id: CAMERA, type: 'movement' });
    await h.until(() => eventsOn(h, camera).length > 0, 5_000, 'the pushed event');
    const [event] = eventsOn(h, camera);
    expect(event).toMatchObject({ event_type: 'movement', event_id: raised.id, via: 'push' });
    expect((event?.at ?? 0) - raisedAt).toBeLessThan(1_000);
    // The safety-net poll reads it too: merged by id, not published again.
    const read = (): number =>
      h.bridge.poller.status().publishers.find((p) => p.id === `feed:events:${HOME}`)?.lastSuccessAt ?? 0;
    const before = read();
    await h.until(() => read() > before, 30_000, 'a poll of the events');
    await h.bridge.security.hub.idle();
    expect(eventsOn(h, camera).filter((e) => e.event_id === raised.id)).toHaveLength(1);
    expect(h.bridge.health().events.duplicates).toBeGreaterThan(0);
  });

  it('refuses a forged or unsigned push with 401 and changes nothing', async () => {
    const { url } = webhookAddress(publicUrl, CLIENT_SECRET);
    const before = h.bridge.store.state(doorTag)?.open;
    const messages = h.recorder.messages.length;
    const body = JSON.stringify({
      push_type: 'NACamera-tag_open',
      event_type: 'tag_open',
      event_id: 'f0f0f0f0f0f0f0f0f0f0f0f0',
      home_id: HOME,
      device_id: CAMERA,
      camera_id: CAMERA,
      module_id: DOOR_TAG,
    });
    const post = (headers: Record<string, string>, target = url) =>
      fetch(target, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
    expect((await post({ 'x-netatmo-secret': signBody(body, 'not-the-client-secret') })).status).toBe(401);
    expect((await post({})).status).toBe(401);
    // Another path under the public URL is not the webhook: the web UI's login refuses it.
    expect(
      (await post({ 'x-netatmo-secret': signBody(body, CLIENT_SECRET) }, `${publicUrl}/webhook/guess`))
        .status,
    ).toBe(403);
    const huge = await fetch(url, { method: 'POST', body: 'x'.repeat(200_000) }).catch(() => undefined);
    expect(huge?.status ?? 413).toBe(413);
    await new Promise((r) => setTimeout(r, 300));
    await h.bridge.security.hub.idle();
    expect(h.bridge.store.state(doorTag)?.open).toBe(before);
    expect(h.recorder.messages.slice(messages).filter((m) => m.topic.endsWith(`${doorTag}/event`))).toEqual(
      [],
    );
    expect(h.bridge.health().events.webhook.refused).toBeGreaterThanOrEqual(2);
    // The same push, signed with the client secret, is taken.
    expect((await post({ 'x-netatmo-secret': signBody(body, CLIENT_SECRET) })).status).toBe(200);
    await h.until(() => h.bridge.store.state(doorTag)?.open === true, 5_000, 'the signed push');
  });

  it('returns to the normal polling rate when pushes stop', async () => {
    expect(await api(h, 'dropwebhook', {})).toBe(200);
    await h.until(() => h.bridge.health().events.polling === 'normal', 20_000, 'pushes to count as stopped');
    await h.until(
      () =>
        (h.bridge.poller.plan?.feeds.find((f) => f.key === `feed:events:${HOME}`)?.intervalMs ?? Infinity) <
        DEFAULT_PUSHED_EVENTS_FLOOR_MS,
      10_000,
      'the normal plan',
    );
    // Events still arrive, polled.
    h.sim.raiseEvent({ device_id: CAMERA, type: 'alarm_started' });
    await h.until(
      () => eventsOn(h, camera).some((e) => e.event_type === 'alarm_started'),
      20_000,
      'a polled event',
    );
    expect(eventsOn(h, camera).find((e) => e.event_type === 'alarm_started')?.via).toBe('poll');
  });
});

describe('pushed smoke alarm (legrand scenario)', () => {
  let broker: TestBroker;
  let h: Harness;
  const SMOKE = '12:34:56:aa:00:03';
  const smoke = moduleDeviceId(SMOKE);

  beforeAll(async () => {
    broker = await useTestBroker();
    ({ h } = await webhookHarness(broker, { scenario: 'legrand' }));
    await h.until(() => h.bridge.health().events.webhook.state === 'active', 15_000, 'the activation ping');
    await h.until(
      () => h.recorder.json(`${h.deviceTopic(smoke)}`)?.alarm === false,
      15_000,
      'the quiet alarm',
    );
  });

  afterAll(async () => {
    await h?.close();
    await broker?.close();
  });

  it('turns the smoke binary sensor ON, then OFF, each within a second', async () => {
    for (const [subType, alarm, name] of [
      [1, true, 'smoke_detected'],
      [0, false, 'smoke_cleared'],
    ] as const) {
      const raisedAt = Date.now();
      h.sim.raiseEvent({ device_id: SMOKE, type: 'smoke', sub_type: subType });
      await h.until(
        () => h.recorder.json(`${h.deviceTopic(smoke)}`)?.alarm === alarm,
        5_000,
        `alarm ${alarm}`,
      );
      const state = h.recorder.last.get(`${h.deviceTopic(smoke)}`);
      expect((state?.at ?? Infinity) - raisedAt).toBeLessThan(1_000);
      await h.until(() => eventsOn(h, smoke).some((e) => e.event_type === name), 5_000, name);
      expect(eventsOn(h, smoke).find((e) => e.event_type === name)?.via).toBe('push');
    }
  });
});

describe('addwebhook answered 429 three times', () => {
  let broker: TestBroker;
  let h: Harness;

  beforeAll(async () => {
    broker = await useTestBroker();
    ({ h } = await webhookHarness(broker, {
      beforeStart: (harness) =>
        harness.sim.setFaults({ rules: [{ kind: 'throttle', count: 3, endpoints: ['addwebhook'] }] }),
    }));
  });

  afterAll(async () => {
    await h?.close();
    await broker?.close();
  });

  it('is retried with backoff until it succeeds, and Netatmo then reaches the bridge', async () => {
    await h.until(
      () => h.bridge.health().events.webhook.state === 'active',
      30_000,
      'the webhook to be active',
    );
    const calls = h.sim.log().filter((entry) => entry.endpoint === 'addwebhook');
    expect(calls.map((c) => c.status)).toEqual([429, 429, 429, 200]);
    // Never a tight loop: a minute at least between the failed attempts the bridge made.
    const gaps = calls.slice(1).map((c, i) => c.at - (calls[i]?.at ?? 0));
    expect(gaps.filter((g) => g >= 60_000).length).toBeGreaterThanOrEqual(2);
    expect(h.sim.webhooks().registered).toBe(true);
  });
});

describe('pushed thermostat changes', () => {
  let broker: TestBroker;
  let h: Harness;

  beforeAll(async () => {
    broker = await useTestBroker();
    // A shared app's budget reads each home every few minutes: a push makes the difference.
    ({ h } = await webhookHarness(broker, { profile: 'shared_app' }));
    await h.until(() => h.bridge.health().events.webhook.state === 'active', 15_000, 'the activation ping');
  });

  afterAll(async () => {
    await h?.close();
    await broker?.close();
  });

  it('trigger an early homestatus read of that home', async () => {
    const interval = h.bridge.poller.plan?.homeStatusIntervalMs ?? 0;
    expect(interval).toBeGreaterThan(5 * 60_000);
    const room = '2746182631';
    const sent = h.sim.clock.now();
    expect(
      await api(h, 'setroomthermpoint', { home_id: HOME, room_id: room, mode: 'manual', temp: '23.5' }),
    ).toBe(200);
    await h.until(
      () => h.recorder.json(h.deviceTopic(`room_${room}`))?.target_temperature === 23.5,
      20_000,
      'the new setpoint',
    );
    const read = h.sim.log().find((e) => e.endpoint === 'homestatus' && e.at > sent);
    expect((read?.at ?? Infinity) - sent).toBeLessThan(interval / 4);
  });
});
