import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { HomeAssistantBirthWatcher } from '../../src/homeassistant/birth.js';
import { setLogLevel } from '../../src/log.js';
import { MqttConnection, type MqttConnectionOptions } from '../../src/mqtt/connection.js';
import type { IncomingOf } from '../../src/mqtt/incoming.js';
import { type BridgeDevice, type BridgeInfoPayload, TopicError } from '../../src/mqtt/topics.js';
import { ScaledClock } from '../../src/util/clock.js';
import {
  type BrokerKind,
  mosquittoAvailable,
  type PrivateBroker,
  type SeverableProxy,
  startPrivateBroker,
  startSeverableProxy,
} from '../support/private-broker.js';

interface Received {
  topic: string;
  payload: string;
  retain: boolean;
}

interface Watcher {
  messages: Received[];
  on(topic: string): Received[];
}

const cleanups: (() => Promise<unknown>)[] = [];

// The connection's warnings (disconnects, ignored retained commands) are expected here.
setLogLevel('error');

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => {});
});

function uniqueId(): string {
  return randomBytes(4).toString('hex');
}

async function until(what: string, predicate: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

async function watch(url: string, topics: string[]): Promise<Watcher> {
  const client: MqttClient = await mqtt.connectAsync(url, {
    protocolVersion: 4,
    reconnectPeriod: 0,
    clientId: `watcher-${uniqueId()}`,
  });
  cleanups.push(() => client.endAsync(true));
  const messages: Received[] = [];
  client.on('message', (topic, payload, packet) => {
    messages.push({ topic, payload: payload.toString(), retain: packet.retain });
  });
  await client.subscribeAsync(topics, { qos: 1 });
  return { messages, on: (topic) => messages.filter((m) => m.topic === topic) };
}

async function publisher(url: string): Promise<MqttClient> {
  const client = await mqtt.connectAsync(url, { protocolVersion: 4, reconnectPeriod: 0 });
  cleanups.push(() => client.endAsync(true));
  return client;
}

function bridgeOptions(url: string, extra: Partial<MqttConnectionOptions> = {}): MqttConnectionOptions {
  const id = uniqueId();
  return {
    url,
    baseTopic: `n2m_${id}`,
    clientId: `bridge-${id}`,
    reconnect: { initialMs: 50, maxMs: 200 },
    ...extra,
  };
}

/** A discovery prefix of this test's own (outside the base topic). */
function prefixOf(options: MqttConnectionOptions): string {
  return `ha_${options.baseTopic}`;
}

/** A started connection that is closed after the test, and counts its (re)connects. */
async function startBridge(
  options: MqttConnectionOptions,
  beforeStart: (bridge: MqttConnection) => void = () => {},
): Promise<{ bridge: MqttConnection; ups: () => number }> {
  const bridge = new MqttConnection(options);
  beforeStart(bridge);
  cleanups.push(() => bridge.close(1_000));
  let ups = 0;
  bridge.onConnectionChange((connected) => {
    if (connected) ups += 1;
  });
  await bridge.start();
  await until('the connection to be set up', () => ups === 1);
  return { bridge, ups: () => ups };
}

async function withProxy(broker: PrivateBroker): Promise<SeverableProxy> {
  const proxy = await startSeverableProxy(broker.port);
  cleanups.push(() => proxy.close());
  return proxy;
}

const kinds: BrokerKind[] = mosquittoAvailable() ? ['mosquitto', 'aedes'] : ['aedes'];

describe.each(kinds)('MqttConnection with a private %s broker', (kind) => {
  let broker: PrivateBroker;

  beforeAll(async () => {
    broker = await startPrivateBroker(kind);
  });

  afterAll(async () => {
    await broker.close();
  });

  it('announces online on connect, and the broker announces offline when the bridge process is killed', async () => {
    const baseTopic = `n2m_${uniqueId()}`;
    const state = `${baseTopic}/bridge/state`;
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', fileURLToPath(new URL('./fixtures/bridge-process.ts', import.meta.url))],
      {
        env: { ...process.env, MQTT_URL: broker.url, BASE_TOPIC: baseTopic },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    cleanups.push(async () => {
      child.kill('SIGKILL');
      await exited;
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    await until('the bridge process to connect', () => output.includes('connected'), 15_000);

    const watcher = await watch(broker.url, [state]);
    await until('retained online', () => watcher.on(state).length === 1);
    expect(JSON.parse(watcher.on(state)[0]!.payload)).toEqual({ state: 'online' });

    child.kill('SIGKILL');
    await until('the last will', () => watcher.on(state).length === 2);
    expect(JSON.parse(watcher.on(state)[1]!.payload)).toEqual({ state: 'offline' });
    const late = await watch(broker.url, [state]);
    await until('the retained will', () => late.on(state).length === 1);
    expect(JSON.parse(late.on(state)[0]!.payload)).toEqual({ state: 'offline' });
  });

  it('publishes the will when its connection dies, then reconnects by itself and is online again', async () => {
    const proxy = await withProxy(broker);
    const options = bridgeOptions(proxy.url);
    const state = `${options.baseTopic}/bridge/state`;
    const { bridge, ups } = await startBridge(options);
    const watcher = await watch(broker.url, [state]);
    await until('online', () => watcher.on(state).length === 1);

    proxy.sever();
    await until('the will', () => watcher.on(state).length === 2);
    expect(JSON.parse(watcher.on(state)[1]!.payload)).toEqual({ state: 'offline' });
    expect(bridge.connected).toBe(false);

    proxy.restore();
    await until('the reconnect', () => ups() === 2);
    await until('online again', () => watcher.on(state).length === 3);
    expect(JSON.parse(watcher.on(state)[2]!.payload)).toEqual({ state: 'online' });
    expect(bridge.status()).toMatchObject({ connected: true, reconnects: 1 });
  });

  it('brings every retained topic back after the broker restarts without persistence', async () => {
    const options = bridgeOptions(broker.url);
    const base = options.baseTopic!;
    const discoveryTopic = `${prefixOf(options)}/sensor/n2m_living/temperature/config`;
    const { bridge, ups } = await startBridge(options);
    const devices: BridgeDevice[] = [
      {
        id: 'living',
        friendly_name: 'Living room',
        netatmo_id: '12:34:56:00:01:ae',
        type: 'NATherm1',
        model: 'Smart Thermostat',
        name: 'Living room',
        home: { id: 'home1', name: 'Home' },
        kind: 'thermostat',
      },
    ];
    const info: BridgeInfoPayload = {
      version: '0.1.0',
      config: { mqtt: { password: '[REDACTED]' } },
      log_level: 'info',
      restart_required: false,
      base_topic: base,
      discovery_prefix: prefixOf(options),
    };
    const discovery = { name: 'Temperature', state_topic: `${base}/living` };
    const expected: Record<string, unknown> = {
      [`${base}/bridge/state`]: { state: 'online' },
      [`${base}/living`]: { battery: 80, temperature: 20.5 },
      [`${base}/living/availability`]: { state: 'online' },
      [`${base}/bridge/devices`]: devices,
      [`${base}/bridge/info`]: info,
      [discoveryTopic]: discovery,
    };
    await bridge.publishIfChanged('living', { temperature: 20.5, battery: 80 });
    await bridge.publish('living/availability', { state: 'online' }, { retain: true, qos: 1 });
    await bridge.publishIfChanged('bridge/devices', devices);
    await bridge.publishIfChanged('bridge/info', info);
    await bridge.publishAbsolute(discoveryTopic, discovery, { retain: true, qos: 1 });
    await bridge.publish('bridge/event', { type: 'throttle_cleared', data: {} });

    await broker.stop();
    await until('the bridge to notice', () => !bridge.connected);
    await broker.start();
    await until('the bridge to reconnect', () => ups() === 2, 10_000);

    const watcher = await watch(broker.url, [`${base}/#`, `${prefixOf(options)}/#`]);
    await until('every retained topic', () => watcher.messages.length >= Object.keys(expected).length);
    const seen = Object.fromEntries(watcher.messages.map((m) => [m.topic, JSON.parse(m.payload) as unknown]));
    expect(seen).toEqual(expected);
    expect(watcher.messages.every((m) => m.retain)).toBe(true);
  });

  it('publishIfChanged sends a retained state only when it differs from the last one', async () => {
    const options = bridgeOptions(broker.url);
    const topic = `${options.baseTopic}/living`;
    const { bridge } = await startBridge(options);
    const watcher = await watch(broker.url, [topic, `${options.baseTopic}/bridge/logging`]);

    const outcomes = [
      await bridge.publishIfChanged('living', { temperature: 20.5, humidity: 40 }),
      await bridge.publishIfChanged('living', { temperature: 20.5, humidity: 40 }),
      await bridge.publishIfChanged('living', { humidity: 40, temperature: 20.5 }),
      await bridge.publishIfChanged('living', { humidity: 41, temperature: 20.5 }),
    ];
    await bridge.publish('bridge/logging', { level: 'info', message: 'sentinel' });
    await until('the sentinel', () => watcher.on(`${options.baseTopic}/bridge/logging`).length === 1);

    expect(outcomes).toEqual(['sent', 'unchanged', 'unchanged', 'sent']);
    expect(watcher.on(topic).map((m) => JSON.parse(m.payload))).toEqual([
      { humidity: 40, temperature: 20.5 },
      { humidity: 41, temperature: 20.5 },
    ]);
  });

  it('clearing a retained topic removes it from the broker and from what is republished', async () => {
    const options = bridgeOptions(broker.url);
    const base = options.baseTopic!;
    const { bridge, ups } = await startBridge(options);
    await bridge.publishIfChanged('gone', { temperature: 1 });
    await bridge.publishIfChanged('kept', { temperature: 2 });
    expect(await bridge.publish('gone', '', { retain: true, qos: 1 })).toBe('sent');
    expect(bridge.status().retained_topics).toBe(1);

    await broker.stop();
    await broker.start();
    await until('the bridge to reconnect', () => ups() === 2, 10_000);
    const watcher = await watch(broker.url, [`${base}/+`, `${base}/bridge/logging`]);
    await until('the kept topic', () => watcher.on(`${base}/kept`).length === 1);
    await bridge.publish('bridge/logging', { level: 'info', message: 'sentinel' });
    await until('the sentinel', () => watcher.on(`${base}/bridge/logging`).length === 1);
    expect(watcher.on(`${base}/gone`)).toEqual([]);
  });

  it('does not queue publishes while disconnected: on reconnect only the newest retained value arrives', async () => {
    const proxy = await withProxy(broker);
    const options = bridgeOptions(proxy.url);
    const base = options.baseTopic!;
    const { bridge, ups } = await startBridge(options);
    const watcher = await watch(broker.url, [`${base}/#`]);
    await bridge.publishIfChanged('living', { temperature: 20 });
    await until('the first state', () => watcher.on(`${base}/living`).length === 1);

    proxy.sever();
    await until('the bridge to notice', () => !bridge.connected);
    const offline = [
      await bridge.publishIfChanged('living', { temperature: 21 }),
      await bridge.publishIfChanged('living', { temperature: 22 }),
      await bridge.publishIfChanged('living', { temperature: 23 }),
      await bridge.publish('bridge/event', { type: 'throttle_cleared', data: {} }, { qos: 1 }),
      await bridge.publish('bridge/logging', { level: 'info', message: 'stale' }),
    ];
    expect(offline).toEqual(['offline', 'offline', 'offline', 'offline', 'offline']);
    expect(bridge.status()).toMatchObject({ connected: false, dropped_while_offline: 5 });

    proxy.restore();
    await until('the reconnect', () => ups() === 2);
    await bridge.publish('bridge/logging', { level: 'info', message: 'sentinel' });
    await until('the sentinel', () => watcher.on(`${base}/bridge/logging`).length >= 1);

    expect(watcher.on(`${base}/living`).map((m) => JSON.parse(m.payload))).toEqual([
      { temperature: 20 },
      { temperature: 23 },
    ]);
    expect(watcher.on(`${base}/bridge/event`)).toEqual([]);
    expect(watcher.on(`${base}/bridge/logging`).map((m) => JSON.parse(m.payload).message)).toEqual([
      'sentinel',
    ]);
  });

  it('refuses to publish to wildcard topics, and nothing reaches the broker', async () => {
    const options = bridgeOptions(broker.url);
    const base = options.baseTopic!;
    const { bridge } = await startBridge(options);
    const watcher = await watch(broker.url, [`${base}/#`, `${prefixOf(options)}/#`]);
    await until('retained online', () => watcher.messages.length === 1);

    const wildcard: string = 'living/+';
    expect(() => bridge.publish(wildcard, { temperature: 1 }, { retain: true })).toThrow(TopicError);
    expect(() => bridge.publish('#', { temperature: 1 })).toThrow(TopicError);
    expect(() => bridge.publishAbsolute(`${prefixOf(options)}/#`, { name: 'x' }, { retain: true })).toThrow(
      TopicError,
    );
    // bridge/state belongs to the connection: a cached `offline` would be republished after `online`.
    const state: string = 'bridge/state';
    expect(() => bridge.publish(state, { temperature: 1 }, { retain: true })).toThrow(TopicError);
    await bridge.publish('bridge/logging', { level: 'info', message: 'sentinel' });
    await until('the sentinel', () => watcher.messages.length === 2);
    expect(watcher.messages.map((m) => m.topic)).toEqual([`${base}/bridge/state`, `${base}/bridge/logging`]);
    expect(bridge.status().retained_topics).toBe(0);
  });

  it('calls the Home Assistant birth callback once, after a random delay, when HA comes online', async () => {
    // 40x simulated time: the default 5-15 s delay takes 125-375 ms.
    const clock = new ScaledClock(40);
    const options = bridgeOptions(broker.url, { clock });
    const status = `${prefixOf(options)}/status`;
    const birth = new HomeAssistantBirthWatcher(clock);
    let births = 0;
    birth.onBirth(() => {
      births += 1;
    });
    // Watched before start: the status topic is among the connection's first subscriptions.
    await startBridge(options, (bridge) => {
      const detach = birth.attach(bridge, status);
      cleanups.push(async () => detach());
    });
    const ha = await publisher(broker.url);

    await ha.publishAsync(status, 'online', { qos: 1 });
    await ha.publishAsync(status, 'online', { qos: 1 });
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(births).toBe(0);
    await until('the birth callback', () => births === 1, 2_000);
    // No event marks "no second timer": outlast the longest delay (15 s at 40× = 375 ms).
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(births).toBe(1);

    // HA gone again before the delay is over: nothing to republish for.
    await ha.publishAsync(status, 'online', { qos: 1 });
    await ha.publishAsync(status, 'offline', { qos: 1 });
    // A cancelled timer leaves no trace: outlast the longest delay (375 ms) to see it never fires.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(births).toBe(1);
  });

  it('publishes offline (retained) on shutdown before disconnecting, within a bounded time', async () => {
    const options = bridgeOptions(broker.url);
    const state = `${options.baseTopic}/bridge/state`;
    const bridge = new MqttConnection(options);
    await bridge.start();
    const watcher = await watch(broker.url, [state]);
    await until('online', () => watcher.on(state).length === 1);

    await bridge.close();
    // A clean DISCONNECT suppresses the will: this offline is the bridge's own publish.
    await until('offline', () => watcher.on(state).length === 2);
    expect(JSON.parse(watcher.on(state)[1]!.payload)).toEqual({ state: 'offline' });
    expect(bridge.connected).toBe(false);

    // With the broker unreachable, shutdown still ends promptly.
    const proxy = await withProxy(broker);
    const cutOff = new MqttConnection(bridgeOptions(proxy.url));
    await cutOff.start();
    proxy.sever();
    await until('the bridge to notice', () => !cutOff.connected);
    const started = Date.now();
    await cutOff.close(1_000);
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it('delivers a QoS 1 command sent while the bridge was cut off exactly once when it returns', async () => {
    const proxy = await withProxy(broker);
    const options = bridgeOptions(proxy.url);
    const commands: IncomingOf<'device_set'>[] = [];
    const { bridge } = await startBridge(options, (b) =>
      b.onMessage('device_set', (message) => {
        commands.push(message);
      }),
    );

    proxy.sever();
    await until('the bridge to notice', () => !bridge.connected);
    const remote = await publisher(broker.url);
    await remote.publishAsync(`${options.baseTopic}/x/set`, '{"state":"ON"}', { qos: 1 });

    proxy.restore();
    await until('the queued command', () => commands.length === 1);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(commands).toEqual([{ kind: 'device_set', device: 'x', raw: '{"state":"ON"}' }]);
  });

  it('delivers a QoS 1 command sent while the bridge was stopped once it starts again', async () => {
    const options = bridgeOptions(broker.url);
    const first = new MqttConnection(options);
    await first.start();
    await first.close();

    const remote = await publisher(broker.url);
    await remote.publishAsync(`${options.baseTopic}/x/set/target_temperature`, '19.5', { qos: 1 });

    const commands: IncomingOf<'device_set'>[] = [];
    const second = new MqttConnection(options);
    second.onMessage('device_set', (message) => {
      commands.push(message);
    });
    cleanups.push(() => second.close(1_000));
    await second.start();
    await until('the queued command', () => commands.length === 1);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(commands.map((c) => [c.device, c.attribute, c.raw])).toEqual([
      ['x', 'target_temperature', '19.5'],
    ]);
  });

  it('start() keeps trying until a broker that starts later is up', async () => {
    await broker.stop();
    const bridge = new MqttConnection(bridgeOptions(broker.url));
    cleanups.push(() => bridge.close(1_000));
    let settled = false;
    const started = bridge.start().finally(() => {
      settled = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(settled).toBe(false);
    expect(bridge.status().connected).toBe(false);

    await broker.start();
    await started;
    expect(bridge.connected).toBe(true);
  });

  it('ignores retained command messages, which are replays, and handles live ones', async () => {
    const options = bridgeOptions(broker.url, { persistentSession: false });
    const remote = await publisher(broker.url);
    await remote.publishAsync(`${options.baseTopic}/x/set`, 'OFF', { qos: 1, retain: true });
    cleanups.push(() => remote.publishAsync(`${options.baseTopic}/x/set`, '', { retain: true }));

    const commands: string[] = [];
    await startBridge(options, (bridge) =>
      bridge.onMessage('device_set', (message) => {
        commands.push(message.raw);
      }),
    );
    await remote.publishAsync(`${options.baseTopic}/x/set`, 'ON', { qos: 1 });
    await until('the live command', () => commands.length >= 1);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(commands).toEqual(['ON']);
  });
});

describe.runIf(mosquittoAvailable())('MqttConnection against Mosquitto configurations', () => {
  it('start() rejects at once when the broker refuses the client', async () => {
    const broker = await startPrivateBroker('mosquitto', { anonymous: false });
    cleanups.push(() => broker.close());
    const bridge = new MqttConnection(
      bridgeOptions(broker.url, { username: 'nobody', password: 'wrong-password' }),
    );
    await expect(bridge.start()).rejects.toThrow(/cannot connect to MQTT broker .*Not authorized/i);
    expect(bridge.connected).toBe(false);
  });

  it.runIf(opensslAvailable())(
    'connects over TLS with the CA from a file, and refuses an unverified server',
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'netatmo2mqtt-tls-'));
      cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
      const cert = join(dir, 'server.crt');
      const key = join(dir, 'server.key');
      execFileSync(
        'openssl',
        ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1'].concat([
          '-addext',
          'subjectAltName=IP:127.0.0.1',
          '-keyout',
          key,
          '-out',
          cert,
        ]),
        { stdio: 'ignore' },
      );
      // Mosquitto started as root reads the files as user mosquitto; this key protects nothing.
      chmodSync(dir, 0o755);
      chmodSync(key, 0o644);
      const broker = await startPrivateBroker('mosquitto', { tls: { cert, key } });
      cleanups.push(() => broker.close());
      expect(broker.url).toMatch(/^mqtts:/);

      const untrusting = new MqttConnection(bridgeOptions(broker.url));
      await expect(untrusting.start()).rejects.toThrow(/cannot connect to MQTT broker/);

      const options = bridgeOptions(broker.url, { tls: { ca: cert } });
      await startBridge(options);
      const watcher = await mqtt.connectAsync(broker.url, { protocolVersion: 4, ca: readFileSync(cert) });
      cleanups.push(() => watcher.endAsync(true));
      const states: string[] = [];
      watcher.on('message', (_topic, payload) => states.push(payload.toString()));
      await watcher.subscribeAsync(`${options.baseTopic}/bridge/state`);
      await until('retained online over TLS', () => states.length === 1);
      expect(JSON.parse(states[0]!)).toEqual({ state: 'online' });
    },
  );
});

function opensslAvailable(): boolean {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
