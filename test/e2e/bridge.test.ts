/**
 * Issue 4 end to end: simulator (fixtures) → bridge → real MQTT broker → a subscriber that
 * plays Home Assistant.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { moduleDeviceId, roomDeviceId } from '../../src/devices/index.js';
import type { HomeStatusBody, HomesDataBody } from '../../src/netatmo/api-types.js';
import { type TestBroker, useTestBroker } from '../support/broker.js';
import { type Harness, startFrozenHarness } from './bridge-harness.js';

type DiscoveryPayload = {
  dev: { identifiers: string[]; via_device?: string; name: string };
  o: { name: string };
  availability?: Array<{ topic: string }>;
  availability_mode?: string;
  cmps: Record<string, Record<string, unknown>>;
};

/** What Home Assistant's MQTT platforms require of each component. */
const REQUIRED: Record<string, string[]> = {
  sensor: ['state_topic'],
  binary_sensor: ['state_topic'],
  switch: ['command_topic'],
  light: ['command_topic'],
  cover: [],
  climate: [],
  select: ['command_topic', 'options'],
  fan: ['command_topic'],
  number: ['command_topic'],
  button: ['command_topic'],
  event: ['state_topic', 'event_types'],
  image: ['url_topic'],
  camera: ['topic'],
  device_automation: ['topic', 'type', 'subtype', 'automation_type'],
};

async function api<T>(h: Harness, endpoint: string, params: Record<string, string> = {}): Promise<T> {
  const token = h.sim.mintTokens().access_token;
  const response = await fetch(`${h.sim.url}/api/${endpoint}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(params),
  });
  return ((await response.json()) as { body: T }).body;
}

describe('bridge end to end (fixtures scenario)', () => {
  let broker: TestBroker;
  let h: Harness;
  let homes: HomesDataBody;

  beforeAll(async () => {
    broker = await useTestBroker();
    h = await startFrozenHarness(broker.url);
    await h.bridge.start();
    homes = await api<HomesDataBody>(h, 'homesdata');
    await h.firstRound();
  });

  afterAll(async () => {
    await h?.close();
    await broker?.close();
  });

  it('publishes a discovery config with the keys Home Assistant requires for every fixture module', () => {
    const ids = homes.homes.flatMap((home) => (home.modules ?? []).map((m) => moduleDeviceId(m.id)));
    expect(ids.length).toBeGreaterThan(40);
    const uniqueIds = new Set<string>();
    for (const id of ids) {
      const config = h.recorder.json<DiscoveryPayload>(`${h.prefix}/device/${h.baseTopic}/${id}/config`);
      expect(config, `discovery for ${id}`).toBeDefined();
      expect(config!.o.name).toBe('netatmo2mqtt');
      expect(config!.dev.identifiers.length).toBeGreaterThan(0);
      expect(config!.dev.via_device).toBeTruthy();
      expect(config!.availability_mode).toBe('all');
      expect(config!.availability?.map((a) => a.topic)).toEqual([
        `${h.baseTopic}/bridge/state`,
        `${h.deviceTopic(id)}/availability`,
      ]);
      for (const [key, component] of Object.entries(config!.cmps)) {
        const platform = String(component.p);
        expect(REQUIRED[platform], `${id}.${key} has a known platform (${platform})`).toBeDefined();
        for (const required of REQUIRED[platform]!)
          expect(component[required], `${id}.${key}.${required}`).toBeDefined();
        // A device trigger is no entity: no unique id.
        if (platform === 'device_automation') continue;
        expect(component.unique_id, `${id}.${key} unique_id`).toBeTruthy();
        expect(String(component.unique_id)).toContain(h.baseTopic);
        expect(
          uniqueIds.has(String(component.unique_id)),
          `unique_id ${String(component.unique_id)} is unique`,
        ).toBe(false);
        uniqueIds.add(String(component.unique_id));
      }
    }
  });

  it('announces the firmware homestatus reports as sw_version on a fresh install, and again when it changes', async () => {
    const homeId = homes.homes[0]!.id;
    const status = await api<HomeStatusBody>(h, 'homestatus', { home_id: homeId });
    // Weather modules are also in getstationsdata, whose firmware figure owns the key.
    const withFirmware = status.home.modules!.filter(
      (m) =>
        typeof m.firmware_revision === 'number' &&
        !['weather', 'home_coach'].includes(h.bridge.store.device(moduleDeviceId(m.id))?.family ?? ''),
    );
    expect(withFirmware.length).toBeGreaterThan(20);
    const configTopic = (id: string): string =>
      `${h.prefix}/device/${h.baseTopic}/${moduleDeviceId(id)}/config`;
    for (const m of withFirmware) {
      const config = h.recorder.json<DiscoveryPayload & { dev: { sw_version?: string } }>(configTopic(m.id));
      // Cameras name their firmware (`firmware_name` 2.18.0); the others give a revision number.
      expect(config?.dev.sw_version, m.id).toBe(String(m.firmware_name ?? m.firmware_revision));
    }

    // Polls that bring the same firmware do not republish the config; a firmware update does.
    const module = withFirmware.find((m) => m.firmware_name === undefined)!;
    const sent = h.recorder.count(configTopic(module.id));
    h.bridge.sync.onHomeStatus(homeId, status);
    await h.bridge.sync.idle();
    const updated = structuredClone(status);
    const target = updated.home.modules!.find((m) => m.id === module.id)!;
    target.firmware_revision = Number(module.firmware_revision) + 1;
    h.bridge.sync.onHomeStatus(homeId, updated);
    await h.bridge.sync.idle();
    await h.until(
      () =>
        h.recorder.json<{ dev: { sw_version?: string } }>(configTopic(module.id))?.dev.sw_version ===
        String(target.firmware_revision),
      5_000,
      'the new sw_version',
    );
    expect(h.recorder.count(configTopic(module.id))).toBe(sent + 1);
  });

  it('publishes states whose values equal the simulator’s', async () => {
    const homeId = homes.homes[0]!.id;
    const status = await api<HomeStatusBody>(h, 'homestatus', { home_id: homeId });
    const room = status.home.rooms!.find((r) => typeof r.therm_measured_temperature === 'number')!;
    const roomState = h.recorder.json(h.deviceTopic(roomDeviceId(room.id)))!;
    expect(roomState.current_temperature).toBe(room.therm_measured_temperature);
    expect(roomState.target_temperature).toBe(room.therm_setpoint_temperature);

    const shutter = status.home.modules!.find((m) => typeof m.current_position === 'number')!;
    expect(h.recorder.json(h.deviceTopic(moduleDeviceId(shutter.id)))!.position).toBe(
      shutter.current_position,
    );

    const camera = status.home.modules!.find((m) => m.type === 'NACamera')!;
    expect(h.recorder.json(h.deviceTopic(moduleDeviceId(camera.id)))!.monitoring).toBe(camera.monitoring);

    const plug = status.home.modules!.find((m) => typeof m.power === 'number' && typeof m.on === 'boolean')!;
    const plugState = h.recorder.json(h.deviceTopic(moduleDeviceId(plug.id)))!;
    expect(plugState.power).toBe(plug.power);
  });

  it('marks every device available, retained', () => {
    for (const device of h.bridge.store.devices()) {
      const availability = h.recorder.json<{ state: string }>(`${h.deviceTopic(device.id)}/availability`);
      const reachable = h.bridge.store.state(device.id)?.reachable;
      expect(availability?.state, device.id).toBe(reachable === false ? 'offline' : 'online');
    }
    expect(h.recorder.json(`${h.baseTopic}/bridge/state`)).toEqual({ state: 'online' });
  });

  it('publishes bridge/info without secrets, bridge/devices and bridge/health', () => {
    const info = h.recorder.last.get(`${h.baseTopic}/bridge/info`)!.payload;
    expect(info).not.toContain(h.bridge.config.netatmo.client_secret);
    expect(JSON.parse(info).version).toMatch(/^\d+\.\d+\.\d+/);
    const devices = h.recorder.json<Array<{ id: string }>>(`${h.baseTopic}/bridge/devices`)!;
    expect(devices.map((d) => d.id).sort()).toEqual(
      h.bridge.store
        .devices()
        .map((d) => d.id)
        .sort(),
    );
    const health = h.recorder.json<{ api: { calls: { last_hour: number }; budget: { per_hour: number } } }>(
      `${h.baseTopic}/bridge/health`,
    )!;
    expect(health.api.budget.per_hour).toBe(400);
  });

  it('brings a change in Netatmo to MQTT within one planned interval, and publishes nothing unchanged', async () => {
    const homeId = homes.homes[0]!.id;
    const status = await api<HomeStatusBody>(h, 'homestatus', { home_id: homeId });
    const room = status.home.rooms!.find((r) => typeof r.therm_setpoint_temperature === 'number')!;
    const topic = h.deviceTopic(roomDeviceId(room.id));
    // Wall milliseconds of one planned interval (the bridge's clock runs 10× faster).
    const interval = h.bridge.poller.plan!.homeStatusIntervalMs / 10;

    // Unchanged: the next poll of the home completes, and no new state message for the room.
    const before = h.recorder.count(topic);
    const homePoll = () =>
      h.bridge.poller.status().publishers.find((p) => p.kind === 'home' && p.homeId === homeId)
        ?.lastSuccessAt;
    const polledAt = homePoll();
    await h.until(() => homePoll() !== polledAt, interval * 2 + 5_000, 'the next homestatus poll');
    await h.bridge.sync.idle();
    await h.flush();
    expect(h.recorder.count(topic)).toBe(before);

    const target = room.therm_setpoint_temperature === 22 ? 21 : 22;
    const token = h.sim.mintTokens().access_token;
    const set = await fetch(`${h.sim.url}/api/setroomthermpoint`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ home_id: homeId, room_id: room.id, mode: 'manual', temp: String(target) }),
    });
    expect(set.status).toBe(200);
    const changedAt = Date.now();
    await h.until(
      () => h.recorder.json(topic)?.target_temperature === target,
      interval + 5_000,
      'the new setpoint',
    );
    expect(Date.now() - changedAt).toBeLessThanOrEqual(interval + 1_000);
  });
});
