import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDevices, deviceStates } from '../../src/devices/index.js';
import type { Device } from '../../src/devices/types.js';
import { buildBridgeDiscovery } from '../../src/homeassistant/discovery/bridge.js';
import {
  type DiscoveryContext,
  expireAfterFromPollInterval,
  ownDiscoveryTopicPrefix,
} from '../../src/homeassistant/discovery/context.js';
import { buildDiscovery } from '../../src/homeassistant/discovery/device.js';
import { discoveryTopicsToClear } from '../../src/homeassistant/discovery/sweep.js';
import { LOG_LEVELS } from '../../src/log.js';
import { coaches, homeStatus, homes, homesMulti, stations } from '../devices/fixtures.js';
import { type TestBroker, useTestBroker } from '../support/broker.js';

type Cmp = Record<string, unknown> & { p: string };
interface DevicePayload {
  dev: { identifiers: string[]; name: string; via_device?: string };
  o: { name: string; sw: string; url: string };
  availability?: unknown;
  availability_mode?: string;
  cmps: Record<string, Cmp>;
}
const payloadOf = (msg: { payload: object }): DevicePayload => msg.payload as unknown as DevicePayload;

const ctx: DiscoveryContext = {
  baseTopic: 'netatmo2mqtt',
  discoveryPrefix: 'homeassistant',
  bridgeDeviceId: 'netatmo2mqtt_bridge',
  origin: { name: 'netatmo2mqtt', sw: '1.2.3', url: 'https://github.com/example/netatmo2mqtt' },
  expireAfter: { homes: expireAfterFromPollInterval(300), stations: expireAfterFromPollInterval(600) },
};

function allFixtureDevices(): { devices: Device[]; states: ReturnType<typeof deviceStates> } {
  const h = homes();
  const devices = [
    ...buildDevices({ homes: h, stations: stations(), coaches: coaches() }),
    ...buildDevices({ homes: homesMulti() }),
  ];
  const states = deviceStates(devices, {
    homes: h,
    homeStatus: homeStatus(),
    stations: stations(),
    coaches: coaches(),
  });
  return { devices, states };
}

/** Keys Home Assistant's MQTT platforms need beyond p and unique_id. */
const REQUIRED: Record<string, string[]> = {
  sensor: ['state_topic', 'value_template'],
  binary_sensor: ['state_topic', 'value_template'],
  switch: ['state_topic', 'command_topic', 'payload_on', 'payload_off'],
  select: ['state_topic', 'command_topic', 'options'],
  climate: [
    'current_temperature_topic',
    'temperature_state_topic',
    'temperature_command_topic',
    'mode_state_topic',
    'mode_command_topic',
    'modes',
    'preset_mode_command_topic',
    'preset_modes',
    'action_topic',
  ],
  cover: ['command_topic', 'state_topic', 'position_topic', 'set_position_topic', 'set_position_template'],
  light: ['schema', 'state_topic', 'command_topic'],
  fan: ['command_topic', 'state_topic', 'percentage_command_topic'],
  button: ['command_topic'],
  event: ['state_topic', 'event_types'],
  image: ['url_topic'],
  camera: ['topic'],
  device_automation: ['automation_type', 'topic', 'type', 'subtype'],
};

/** The values a `{{ {'a':'x', ...}[value] }}` command template can produce. */
function templateOutputs(template: string): string[] {
  return [...template.matchAll(/:\s*'([^']+)'/g)].map((m) => m[1]!);
}

describe('buildDiscovery for every fixture device', () => {
  const { devices, states } = allFixtureDevices();
  const messages = devices.map((d) => ({ device: d, msg: buildDiscovery(d, states.get(d.id), ctx) }));

  it('publishes one device-based config per device with dev, o, availability list and cmps', () => {
    expect(messages.length).toBeGreaterThan(150);
    for (const { device, msg } of messages) {
      expect(msg.topic).toBe(`homeassistant/device/netatmo2mqtt/${device.id}/config`);
      const p = payloadOf(msg);
      expect(p.o).toEqual({ name: 'netatmo2mqtt', sw: '1.2.3', url: ctx.origin.url });
      expect(p.dev.identifiers).toEqual([`netatmo2mqtt_${device.id}`]);
      expect(p.dev.name).toBe(device.name);
      expect(p.dev.via_device).toBe('netatmo2mqtt_bridge');
      expect(p.availability_mode).toBe('all');
      expect(p.availability).toEqual([
        { topic: 'netatmo2mqtt/bridge/state', value_template: '{{ value_json.state }}' },
        { topic: `netatmo2mqtt/${device.id}/availability`, value_template: '{{ value_json.state }}' },
      ]);
      expect(Object.keys(p.cmps).length, device.id).toBeGreaterThan(0);
    }
  });

  it('gives every component its platform, unique id and the keys its platform requires', () => {
    for (const { device, msg } of messages) {
      for (const [key, cmp] of Object.entries(msg.payload.cmps as Record<string, Cmp>)) {
        expect(key).toMatch(/^[a-zA-Z0-9_-]+$/);
        expect(REQUIRED[cmp.p], `${device.id}.${key} platform ${cmp.p}`).toBeDefined();
        // A device trigger is no entity: it has no unique id.
        if (cmp.p === 'device_automation') expect(cmp).not.toHaveProperty('unique_id');
        else expect(cmp.unique_id).toBe(`${device.id}_${key}_netatmo2mqtt`);
        for (const required of REQUIRED[cmp.p]!) expect(cmp, `${device.id}.${key}`).toHaveProperty(required);
        if (cmp.p === 'select') expect((cmp.options as string[]).length).toBeGreaterThan(0);
        if (cmp.p === 'sensor' && cmp.device_class === 'enum') {
          expect(cmp).not.toHaveProperty('unit_of_measurement');
          expect(cmp).not.toHaveProperty('state_class');
        }
      }
    }
  });

  it('has unique ids that are unique across the whole fixture set and the bridge', () => {
    const ids = messages.flatMap(({ msg }) =>
      Object.values(msg.payload.cmps as Record<string, Cmp>)
        .filter((c) => c.p !== 'device_automation')
        .map((c) => c.unique_id as string),
    );
    ids.push(
      ...Object.values(buildBridgeDiscovery(ctx).payload.cmps as Record<string, Cmp>).map(
        (c) => c.unique_id as string,
      ),
    );
    expect(new Set(ids).size).toBe(ids.length);
    expect(new Set(messages.map(({ msg }) => msg.topic)).size).toBe(messages.length);
  });

  it('points every command at a writable capability, with values the capability accepts', () => {
    for (const { device, msg } of messages) {
      const state = `netatmo2mqtt/${device.id}`;
      const writable = new Map(
        device.capabilities.filter((c) => c.writable).map((c) => [c.key, c.writable!]),
      );
      for (const cmp of Object.values(msg.payload.cmps as Record<string, Cmp>)) {
        for (const [field, value] of Object.entries(cmp)) {
          if (!field.endsWith('command_topic') && field !== 'set_position_topic') continue;
          const topic = value as string;
          if (cmp.p === 'light') {
            expect(topic).toBe(`${state}/set`); // JSON {"state","brightness"}
            expect(writable.has('state')).toBe(true);
            continue;
          }
          expect(topic.startsWith(`${state}/set/`), topic).toBe(true);
          const key = topic.slice(`${state}/set/`.length);
          const spec = writable.get(key);
          expect(spec, `${device.id} ${field} → ${key}`).toBeDefined();
          const templateField = field.replace('_topic', '_template');
          const template = cmp[templateField];
          if (typeof template === 'string' && template.includes('[value]')) {
            for (const out of templateOutputs(template)) expect(spec!.options).toContain(out);
          }
          for (const payload of [
            'payload_on',
            'payload_off',
            'payload_open',
            'payload_close',
            'payload_stop',
          ]) {
            if (typeof cmp[payload] === 'string' && field === 'command_topic') {
              expect(spec!.options).toContain(cmp[payload]);
            }
          }
          if (cmp.p === 'select') expect(cmp.options).toEqual(spec!.options);
        }
      }
    }
  });

  it('maps a room to a climate with HA modes, presets and the setpoint range', () => {
    const climate = messages.find(({ device }) => device.id === 'room_2746182631')!.msg.payload
      .cmps as Record<string, Cmp>;
    expect(climate.climate).toMatchObject({
      p: 'climate',
      modes: ['auto', 'heat', 'off'],
      preset_modes: ['away', 'frost_guard', 'boost'],
      min_temp: 7,
      max_temp: 30,
      temp_step: 0.5,
      temperature_command_topic: 'netatmo2mqtt/room_2746182631/set/target_temperature',
      action_topic: 'netatmo2mqtt/room_2746182631',
    });
    expect(climate.climate!.preset_modes).not.toContain('none');
  });

  it('uses the right platform per kind', () => {
    const platforms = (id: string): string[] =>
      Object.values(
        messages.find(({ device }) => device.id === id)!.msg.payload.cmps as Record<string, Cmp>,
      ).map((c) => c.p);
    expect(platforms('0009999992')).toContain('cover');
    expect(platforms('12_34_56_00_01_01_01_a1')).toContain('light');
    expect(platforms('12_34_56_80_00_12_ac_f2')).toContain('switch');
    expect(platforms('12_34_56_00_01_01_01_b1')).toContain('fan');
    expect(platforms('12_34_56_10_b9_0e')).toEqual(expect.arrayContaining(['switch', 'select']));
    expect(platforms('home_91763b24c43d3e344f424e8b')).toContain('select');
    const cmpsOf = (id: string): Record<string, Cmp> =>
      payloadOf(messages.find(({ device }) => device.id === id)!.msg).cmps;
    const dimmer = cmpsOf('12_34_56_00_01_01_01_a1').light;
    expect(dimmer).toMatchObject({ schema: 'json', brightness: true, brightness_scale: 100 });
    const temp = cmpsOf('12_34_56_37_11_ca').temperature;
    expect(temp).toMatchObject({
      device_class: 'temperature',
      state_class: 'measurement',
      unit_of_measurement: '°C',
      expire_after: expireAfterFromPollInterval(600),
    });
    const health = cmpsOf('12_34_56_3e_c5_46').health_index;
    expect(health).toMatchObject({
      device_class: 'enum',
      options: ['healthy', 'fine', 'fair', 'poor', 'unhealthy'],
    });
    expect(health).not.toHaveProperty('expire_after'); // no interval given for coaches
  });

  it('keeps parallel bridges apart by base topic', () => {
    const device = devices[0]!;
    const other = buildDiscovery(device, undefined, { ...ctx, baseTopic: 'netatmo2mqtt_2' });
    const mine = buildDiscovery(device, undefined, ctx);
    expect(other.topic).not.toBe(mine.topic);
    const ids = (m: typeof mine) =>
      Object.values(m.payload.cmps as Record<string, Cmp>).map((c) => c.unique_id);
    expect(ids(other).filter((id) => ids(mine).includes(id))).toEqual([]);
  });

  it('turns an unknown module’s raw fields into plain entities once its state is known', () => {
    const [unknown] = buildDevices({
      homes: {
        homes: [{ id: 'h', modules: [{ id: '70:ee:50:00:00:09', type: 'NXNew', name: 'New thing' }] }],
      },
    });
    const state = { reachable: true, last_seen: null, fancy_level: 3, eco: false, label: 'x' };
    const cmps = buildDiscovery(unknown!, state, ctx).payload.cmps as Record<string, Cmp>;
    expect(cmps.fancy_level).toMatchObject({ p: 'sensor', value_template: '{{ value_json.fancy_level }}' });
    expect(cmps.eco).toMatchObject({ p: 'binary_sensor' });
    expect(cmps.label).toMatchObject({ p: 'sensor' });
  });
});

describe('buildBridgeDiscovery', () => {
  it('describes the bridge with its diagnostics, log level select and restart button', () => {
    const msg = buildBridgeDiscovery(ctx);
    expect(msg.topic).toBe('homeassistant/device/netatmo2mqtt/bridge/config');
    const p = payloadOf(msg);
    expect(p.dev.identifiers).toEqual(['netatmo2mqtt_bridge']);
    expect(p.o.name).toBe('netatmo2mqtt');
    const cmps = p.cmps as Record<string, Cmp>;
    for (const [key, cmp] of Object.entries(cmps)) {
      expect(cmp.unique_id).toBe(`bridge_${key}_netatmo2mqtt`);
      for (const required of REQUIRED[cmp.p]!) expect(cmp, key).toHaveProperty(required);
    }
    expect(cmps.connection_state).toMatchObject({
      p: 'binary_sensor',
      device_class: 'connectivity',
      state_topic: 'netatmo2mqtt/bridge/state',
      payload_on: 'online',
      payload_off: 'offline',
    });
    expect(cmps.connection_state).not.toHaveProperty('availability');
    expect(cmps.api_calls_last_hour).toMatchObject({
      p: 'sensor',
      state_topic: 'netatmo2mqtt/bridge/health',
    });
    expect(cmps.remaining_quota).toMatchObject({ p: 'sensor', entity_category: 'diagnostic' });
    expect(cmps.throttled).toMatchObject({ p: 'binary_sensor', device_class: 'problem' });
    expect(cmps.reauth_required).toMatchObject({ p: 'binary_sensor', device_class: 'problem' });
    expect(cmps.log_level).toMatchObject({
      p: 'select',
      command_topic: 'netatmo2mqtt/bridge/request/options',
      options: [...LOG_LEVELS],
    });
    expect(JSON.parse((cmps.log_level!.command_template as string).replace('{{ value }}', 'debug'))).toEqual({
      options: { log_level: 'debug' },
    });
    expect(cmps.restart).toMatchObject({ p: 'button', command_topic: 'netatmo2mqtt/bridge/request/restart' });
  });
});

describe('discoveryTopicsToClear', () => {
  const prefix = ownDiscoveryTopicPrefix(ctx);

  it('clears only our own stale configs', () => {
    const current = new Set([`${prefix}a/config`, `${prefix}bridge/config`]);
    const retained = [
      `${prefix}a/config`,
      `${prefix}bridge/config`,
      `${prefix}gone/config`,
      'homeassistant/device/netatmo2mqtt_2/gone/config', // another bridge's base topic
      'homeassistant/sensor/netatmo2mqtt/x/config', // not a device config of ours
      'other_prefix/device/netatmo2mqtt/gone/config',
      `${prefix}a/b/config`,
    ];
    expect(discoveryTopicsToClear(retained, current, prefix)).toEqual([`${prefix}gone/config`]);
  });

  describe('against a real broker', () => {
    let broker: TestBroker;
    let client: mqtt.MqttClient;
    const runCtx = { ...ctx, baseTopic: `n2m_sweep_${process.pid}_${Date.now()}` };

    beforeAll(async () => {
      broker = await useTestBroker();
      client = await mqtt.connectAsync(broker.url, { clientId: `discovery-test-${process.pid}` });
    });
    afterAll(async () => {
      await client.endAsync();
      await broker.close();
    });

    async function retainedUnder(prefix: string): Promise<Map<string, string>> {
      const seen = new Map<string, string>();
      const onMessage = (topic: string, payload: Buffer): void => {
        if (payload.length > 0) seen.set(topic, payload.toString());
        else seen.delete(topic);
      };
      client.on('message', onMessage);
      await client.subscribeAsync(`${prefix}+/config`, { qos: 1 });
      await new Promise((r) => setTimeout(r, 400));
      await client.unsubscribeAsync(`${prefix}+/config`);
      client.off('message', onMessage);
      return seen;
    }

    it('removes the configs of devices that are gone, and keeps the others', async () => {
      const devices = buildDevices({ homes: homes() });
      const all = [buildBridgeDiscovery(runCtx), ...devices.map((d) => buildDiscovery(d, undefined, runCtx))];
      for (const m of all)
        await client.publishAsync(m.topic, JSON.stringify(m.payload), { retain: true, qos: 1 });

      const prefix = ownDiscoveryTopicPrefix(runCtx);
      const before = await retainedUnder(prefix);
      expect(before.size).toBe(all.length);
      const parsed = JSON.parse(before.get(all[1]!.topic)!) as { o: { name: string } };
      expect(parsed.o.name).toBe('netatmo2mqtt');

      // The account lost its shutters: the next start produces fewer configs.
      const remaining = [
        all[0]!,
        ...devices.filter((d) => d.kind !== 'shutter').map((d) => buildDiscovery(d, undefined, runCtx)),
      ];
      const stale = discoveryTopicsToClear(before.keys(), new Set(remaining.map((m) => m.topic)), prefix);
      expect(stale).toHaveLength(devices.filter((d) => d.kind === 'shutter').length);
      for (const topic of stale) await client.publishAsync(topic, '', { retain: true, qos: 1 });

      const after = await retainedUnder(prefix);
      expect([...after.keys()].sort()).toEqual(remaining.map((m) => m.topic).sort());
      for (const topic of after.keys()) await client.publishAsync(topic, '', { retain: true, qos: 1 });
    });
  });
});
