/**
 * Issue 14 end to end, polled: simulator (fixtures, legrand) → events feed → bridge → real
 * broker. Events raised in the simulator reach `<base>/<device>/event` within the planner's
 * event interval, once; the smoke alarm follows its events and stays right across a restart.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Bridge } from '../../src/bridge/controller.js';
import { moduleDeviceId, personDeviceId } from '../../src/devices/index.js';
import type { DeviceEventPayload } from '../../src/mqtt/topics.js';
import { ScaledClock } from '../../src/util/clock.js';
import { captureLogs, leakedLines } from '../netatmo/auth-harness.js';
import { CAMERA, DOOR_TAG, JOHN, OUTDOOR } from '../simulator/security-helpers.js';
import { type TestBroker, useTestBroker } from '../support/broker.js';
import { type Harness, type Received, startHarness } from './bridge-harness.js';

const SPEED = 20;
const camera = moduleDeviceId(CAMERA);
const outdoor = moduleDeviceId(OUTDOOR);
const doorTag = moduleDeviceId(DOOR_TAG);

type Discovery = { cmps: Record<string, Record<string, unknown>> };

function eventsOn(h: Harness, device: string): Array<DeviceEventPayload & { at: number }> {
  return h.recorder.messages
    .filter((m: Received) => m.topic === `${h.deviceTopic(device)}/event`)
    .map((m) => ({ ...(JSON.parse(m.payload) as DeviceEventPayload), at: m.at }));
}

/** The planned interval of one home's events feed, in wall ms. */
function eventsIntervalWallMs(h: Harness, homeId: string): number {
  const feed = h.bridge.poller.plan?.feeds.find((f) => f.key === `feed:events:${homeId}`);
  if (!feed) throw new Error('no events feed planned');
  return feed.intervalMs / SPEED;
}

describe('security events, polled (fixtures scenario)', () => {
  let broker: TestBroker;
  let h: Harness;
  const logs = captureLogs();
  const HOME = '91763b24c43d3e344f424e8b';

  beforeAll(async () => {
    broker = await useTestBroker();
    const clock = new ScaledClock(SPEED);
    h = await startHarness({
      brokerUrl: broker.url,
      clock,
      sim: { clock },
      config: { cameras: { fetch_snapshots: true } },
    });
    await h.bridge.start();
    await h.firstRound();
    await h.until(() => h.bridge.security.ledger.baselined(HOME), 15_000, 'the first events read');
  });

  afterAll(async () => {
    logs.stop();
    await h?.close();
    await broker?.close();
  });

  it('does not replay the history it finds at its first start', () => {
    const replayed = h.recorder.messages.filter(
      (m) => m.topic.endsWith('/event') && m.topic !== `${h.baseTopic}/bridge/event`,
    );
    expect(replayed).toEqual([]);
    expect(h.bridge.health().events.published).toEqual({ poll: 0, push: 0 });
  });

  it('announces an event entity and one device trigger per event type', () => {
    const config = h.recorder.json<Discovery>(`${h.prefix}/device/${h.baseTopic}/${camera}/config`);
    const event = config?.cmps.event;
    expect(event).toMatchObject({
      p: 'event',
      state_topic: `${h.deviceTopic(camera)}/event`,
      device_class: 'motion',
    });
    expect(event?.event_types).toEqual(expect.arrayContaining(['movement', 'person', 'monitoring_off']));
    expect(config?.cmps.trigger_movement).toEqual({
      p: 'device_automation',
      automation_type: 'trigger',
      topic: `${h.deviceTopic(camera)}/event`,
      type: 'event',
      subtype: 'movement',
      payload: 'movement',
      value_template: '{{ value_json.event_type }}',
      qos: 1,
    });
    expect(config?.cmps.snapshot).toMatchObject({
      p: 'image',
      url_topic: `${h.deviceTopic(camera)}/snapshot`,
    });
    expect(config?.cmps.snapshot_camera).toMatchObject({ p: 'camera', image_encoding: 'b64' });
    const doorbell = h.recorder.json<Discovery>(
      `${h.prefix}/device/${h.baseTopic}/${moduleDeviceId('12:34:56:10:f1:66')}/config`,
    );
    expect(doorbell?.cmps.event).toMatchObject({ device_class: 'doorbell' });
    expect(doorbell?.cmps.event?.event_types).toEqual(expect.arrayContaining(['incoming_call', 'human']));
  });

  it('publishes a movement within the planned event interval, once, with its snapshot', async () => {
    const raisedAt = Date.now();
    const raised = h.sim.raiseEvent({ device_id: CAMERA, type: 'movement' });
    await h.until(() => eventsOn(h, camera).length > 0, 20_000, 'the movement event');
    const [event] = eventsOn(h, camera);
    expect(event).toMatchObject({
      event_type: 'movement',
      event_id: raised.id,
      netatmo_type: 'movement',
      via: 'poll',
    });
    expect(event?.snapshot_url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/__sim\/snapshots\//);
    // Polled: at most one event interval (plus the read itself and the broker) after it happened.
    expect((event?.at ?? 0) - raisedAt).toBeLessThan(eventsIntervalWallMs(h, HOME) + 2_000);
    const snapshot = h.recorder.json<{ url: string; event_id: string }>(`${h.deviceTopic(camera)}/snapshot`);
    expect(snapshot).toMatchObject({ url: event?.snapshot_url, event_id: raised.id });
    // cameras.fetch_snapshots: the picture's bytes, base64, for the camera entity.
    await h.until(
      () => h.recorder.last.has(`${h.deviceTopic(camera)}/snapshot/image`),
      10_000,
      'the picture',
    );
    const picture = Buffer.from(
      h.recorder.last.get(`${h.deviceTopic(camera)}/snapshot/image`)?.payload ?? '',
      'base64',
    );
    expect(picture.subarray(0, 3)).toEqual(Buffer.from([0xff, 0xd8, 0xff]));
    // Later reads see the same event again: it is not published twice.
    const reads = h.bridge.poller.status().publishers.find((p) => p.id === `feed:events:${HOME}`);
    const after = reads?.lastSuccessAt ?? 0;
    await h.until(
      () =>
        (h.bridge.poller.status().publishers.find((p) => p.id === `feed:events:${HOME}`)?.lastSuccessAt ??
          0) > after,
      20_000,
      'another events read',
    );
    await h.bridge.security.hub.idle();
    expect(eventsOn(h, camera).filter((e) => e.event_id === raised.id)).toHaveLength(1);
  });

  it('publishes each detection of an outdoor event as its own event', async () => {
    const raised = h.sim.raiseEvent({ device_id: OUTDOOR, type: 'outdoor', subevents: ['human', 'vehicle'] });
    await h.until(() => eventsOn(h, outdoor).length >= 2, 20_000, 'two detections');
    const events = eventsOn(h, outdoor);
    expect(events.map((e) => e.event_type)).toEqual(['human', 'vehicle']);
    expect(new Set(events.map((e) => e.subevent_id)).size).toBe(2);
    expect(events.every((e) => e.event_id === raised.id && e.netatmo_type === 'outdoor')).toBe(true);
  });

  it('opens the door tag on tag_open, and a person event brings the person home', async () => {
    const john = personDeviceId(JOHN);
    h.sim.raiseEvent({ device_id: DOOR_TAG, type: 'tag_open' });
    h.sim.raiseEvent({ device_id: CAMERA, type: 'person', person_id: JOHN });
    await h.until(
      () => h.recorder.json(`${h.deviceTopic(doorTag)}`)?.open === true,
      20_000,
      'the door tag opening',
    );
    await h.until(
      () => eventsOn(h, camera).some((e) => e.event_type === 'person'),
      20_000,
      'the person event',
    );
    expect(h.recorder.json(`${h.deviceTopic(john)}`)?.presence).toBe(true);
    const seen = eventsOn(h, camera).find((e) => e.event_type === 'person');
    expect(seen?.persons).toEqual([{ id: JOHN, name: 'John Doe' }]);
  });

  it('marks a person away and home through the command path, answered', async () => {
    const john = personDeviceId(JOHN);
    await h.recorder.publish(`${h.deviceTopic(john)}/set/presence`, 'away');
    await h.until(
      () => h.recorder.json(`${h.baseTopic}/bridge/response/device/set`)?.data !== undefined,
      10_000,
      'the answer',
    );
    expect(h.recorder.json(`${h.baseTopic}/bridge/response/device/set`)).toMatchObject({
      status: 'ok',
      // Named as the command's topic named it: the person's friendly name.
      data: { device: h.deviceTopic(john).slice(h.baseTopic.length + 1), values: { presence: 'away' } },
    });
    expect(h.recorder.json(`${h.deviceTopic(john)}`)?.presence).toBe(false);
    const token = h.sim.mintTokens().access_token;
    const status = await fetch(`${h.sim.url}/api/homestatus`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ home_id: HOME }),
    }).then(
      (r) =>
        r.json() as Promise<{ body: { home: { persons: Array<{ id: string; out_of_sight: boolean }> } } }>,
    );
    expect(status.body.home.persons.find((p) => p.id === JOHN)?.out_of_sight).toBe(true);

    // An invalid value is refused before anything is sent.
    await h.recorder.publish(`${h.deviceTopic(john)}/set/presence`, 'elsewhere');
    await h.until(
      () => h.recorder.json(`${h.baseTopic}/bridge/response/device/set`)?.status === 'error',
      10_000,
      'the refusal',
    );
    expect(h.recorder.json(`${h.baseTopic}/bridge/response/device/set`)).toMatchObject({
      data: { code: 'invalid_value' },
    });

    // The home's "Everybody away" button: setpersonsaway without a person.
    const before = h.sim.stats().requests.setpersonsaway ?? 0;
    await h.recorder.publish(`${h.deviceTopic(`home_${HOME}`)}/set/everybody_away`, 'PRESS');
    await h.until(() => (h.sim.stats().requests.setpersonsaway ?? 0) > before, 10_000, 'setpersonsaway');
  });

  it('publishes the cameras’ stream URLs and never logs them', async () => {
    await h.until(() => h.recorder.last.has(`${h.deviceTopic(camera)}/stream`), 10_000, 'the stream URL');
    const stream = h.recorder.json<{
      url: string;
      vpn_url: string;
      local_url?: string;
      snapshot_url: string;
    }>(`${h.deviceTopic(camera)}/stream`);
    expect(stream?.vpn_url).toMatch(/\/__sim\/cameras\/[0-9a-f]{32}\/live\/files\/high\/index\.m3u8$/);
    // The indoor camera is local: its own address answered the ping, and is preferred.
    expect(stream?.local_url).toBeDefined();
    expect(stream?.url).toBe(stream?.local_url);
    const playlist = await fetch(stream?.url ?? '');
    expect(playlist.status).toBe(200);
    const doorbellStream = h.recorder.json<{ local_url?: string }>(
      `${h.deviceTopic(moduleDeviceId('12:34:56:10:f1:66'))}/stream`,
    );
    expect(doorbellStream?.local_url).toBeUndefined();
    const secrets = [stream?.vpn_url, stream?.local_url, stream?.snapshot_url]
      .filter((u): u is string => typeof u === 'string')
      .map((u) => u.replace(/\/live\/.*$/, ''));
    expect(leakedLines(logs.lines, secrets)).toEqual([]);
  });
});

describe('smoke and CO alarms follow their events, also across a restart (legrand scenario)', () => {
  let broker: TestBroker;
  let h: Harness;
  const HOME = 'legrand_home_id';
  const smoke = moduleDeviceId('12:34:56:aa:00:03');
  const SMOKE = '12:34:56:aa:00:03';

  beforeAll(async () => {
    broker = await useTestBroker();
    const clock = new ScaledClock(SPEED);
    h = await startHarness({ brokerUrl: broker.url, scenario: 'legrand', clock, sim: { clock } });
    await h.bridge.start();
    await h.firstRound();
    await h.until(() => h.bridge.security.ledger.baselined(HOME), 15_000, 'the first events read');
  });

  afterAll(async () => {
    await h?.close();
    await broker?.close();
  });

  it('is OFF when the history holds no alarm, ON on smoke, OFF when it clears', async () => {
    await h.until(() => h.recorder.json(`${h.deviceTopic(smoke)}`)?.alarm === false, 10_000, 'alarm OFF');
    const config = h.recorder.json<Discovery>(`${h.prefix}/device/${h.baseTopic}/${smoke}/config`);
    expect(config?.cmps.alarm).toMatchObject({ p: 'binary_sensor', device_class: 'smoke' });
    expect(config?.cmps.event?.event_types).toEqual(
      expect.arrayContaining(['smoke_detected', 'smoke_cleared', 'hush_started']),
    );

    const raisedAt = Date.now();
    h.sim.raiseEvent({ device_id: SMOKE, type: 'smoke', sub_type: 1 });
    await h.until(() => eventsOn(h, smoke).length === 1, 20_000, 'the smoke event');
    expect((eventsOn(h, smoke)[0]?.at ?? 0) - raisedAt).toBeLessThan(eventsIntervalWallMs(h, HOME) + 2_000);
    expect(eventsOn(h, smoke).map((e) => e.event_type)).toEqual(['smoke_detected']);
    expect(h.recorder.json(`${h.deviceTopic(smoke)}`)?.alarm).toBe(true);
    // A homestatus read (NSD reports no alarm field) leaves the alarm as it is.
    const before =
      h.bridge.poller.status().publishers.find((p) => p.id === `home:${HOME}`)?.lastSuccessAt ?? 0;
    await h.until(
      () =>
        (h.bridge.poller.status().publishers.find((p) => p.id === `home:${HOME}`)?.lastSuccessAt ?? 0) >
        before,
      20_000,
      'a homestatus read',
    );
    await h.bridge.sync.idle();
    expect(h.bridge.store.state(smoke)?.alarm).toBe(true);

    h.sim.raiseEvent({ device_id: SMOKE, type: 'smoke', sub_type: 0 });
    await h.until(() => eventsOn(h, smoke).length === 2, 20_000, 'the cleared event');
    expect(h.recorder.json(`${h.deviceTopic(smoke)}`)?.alarm).toBe(false);
  });

  it('after a restart: the alarm raised while away is ON, and nothing is published twice', async () => {
    await h.bridge.stop();
    h.sim.raiseEvent({ device_id: SMOKE, type: 'smoke', sub_type: 1 });
    const restarted = new Bridge({ config: h.config, clock: new ScaledClock(SPEED), discoveryScanMs: 300 });
    try {
      await restarted.start();
      await h.until(() => eventsOn(h, smoke).length === 3, 20_000, 'the event raised while away');
      expect(h.recorder.json(`${h.deviceTopic(smoke)}`)?.alarm).toBe(true);
      // One more events read after the one that found it: still one message per event.
      const reads = (): number =>
        restarted.poller.status().publishers.find((p) => p.id === `feed:events:${HOME}`)?.lastSuccessAt ?? 0;
      const first = reads();
      await h.until(() => reads() > first, 20_000, 'another events read');
      await restarted.security.hub.idle();
      const ids = eventsOn(h, smoke).map((e) => e.event_id);
      expect(ids).toHaveLength(3);
      expect(new Set(ids).size).toBe(3);
      expect(eventsOn(h, smoke).map((e) => e.event_type)).toEqual([
        'smoke_detected',
        'smoke_cleared',
        'smoke_detected',
      ]);
    } finally {
      await restarted.stop();
    }
  });

  it('after a quiet restart the alarm is still ON (kept in state.json; no event tells it again)', async () => {
    const published = h.recorder.messages.length;
    const again = new Bridge({ config: h.config, clock: new ScaledClock(SPEED), discoveryScanMs: 300 });
    try {
      await again.start();
      const reads = (): number =>
        again.poller.status().publishers.find((p) => p.id === `feed:events:${HOME}`)?.lastSuccessAt ?? 0;
      await h.until(() => reads() > 0, 20_000, 'the first events read');
      await again.security.hub.idle();
      await again.sync.idle();
      expect(again.store.state(smoke)?.alarm).toBe(true);
      const states = h.recorder.messages
        .slice(published)
        .filter((m) => m.topic === `${h.deviceTopic(smoke)}`);
      expect(states.every((m) => JSON.parse(m.payload).alarm === true)).toBe(true);
      expect(eventsOn(h, smoke)).toHaveLength(3);
    } finally {
      await again.stop();
    }
  });
});
