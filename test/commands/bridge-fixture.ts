/**
 * A running bridge for command tests, from real parts: the simulator over HTTP, a real MQTT
 * broker (test/support/broker.ts), the Bridge controller, and an MQTT client that sends commands
 * and records everything under the test's own base topic. `close()` clears what it retained.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { Bridge } from '../../src/bridge/controller.js';
import { validateConfig } from '../../src/config/index.js';
import type { DeviceSetResponsePayload } from '../../src/mqtt/topics.js';
import { type RunningSimulator, type SimulatorOptions, startSimulator } from '../../src/simulator/index.js';
import type { Clock } from '../../src/util/clock.js';

export interface CommandBridge {
  sim: RunningSimulator;
  bridge: Bridge;
  base: string;
  /** Last payload per topic (retained or not), parsed JSON or raw text. */
  last: Map<string, string>;
  messages: Array<{ topic: string; payload: string }>;
  responses(): DeviceSetResponsePayload[];
  state(device: string): Record<string, unknown> | undefined;
  send(topic: string, payload: string): Promise<void>;
  until(predicate: () => boolean, ms?: number, what?: string): Promise<void>;
  /** Sends and waits for the next response about `device`. */
  command(device: string, suffix: string, payload: string, ms?: number): Promise<DeviceSetResponsePayload>;
  writes(): number;
  /** GET an /api endpoint with a token of its own (does not touch the bridge's token). */
  api(
    endpoint: string,
    params: Record<string, string>,
    token?: string,
  ): Promise<{ status: number; body: unknown }>;
  close(): Promise<void>;
}

const WRITE_ENDPOINTS = ['setstate', 'setroomthermpoint', 'setthermmode', 'switchhomeschedule'];

export async function startCommandBridge(options: {
  brokerUrl: string;
  sim?: SimulatorOptions;
  commands?: Record<string, number>;
  /** One clock for the bridge and the simulator (a ScaledClock makes gate windows pass fast). */
  clock?: Clock;
}): Promise<CommandBridge> {
  const base = `n2mc_${randomBytes(4).toString('hex')}`;
  const sim = await startSimulator({
    scenario: 'fixtures',
    ...(options.clock ? { clock: options.clock } : {}),
    ...options.sim,
  });
  const dataDir = await mkdtemp(join(tmpdir(), 'n2m-cmd-'));
  const client = await mqtt.connectAsync(options.brokerUrl, {
    protocolVersion: 4,
    clientId: `cmdtest_${randomBytes(4).toString('hex')}`,
  });
  const last = new Map<string, string>();
  const messages: Array<{ topic: string; payload: string }> = [];
  const retained = new Set<string>();
  client.on('message', (topic, payload, packet) => {
    const text = payload.toString();
    last.set(topic, text);
    messages.push({ topic, payload: text });
    if (packet.retain || topic.startsWith('homeassistant/')) retained.add(topic);
  });
  await client.subscribeAsync([`${base}/#`, `homeassistant/device/${base}/#`], { qos: 1 });
  const config = validateConfig({
    netatmo: { base_url: sim.url, refresh_token: sim.mintTokens().refresh_token },
    mqtt: { url: options.brokerUrl, base_topic: base, client_id: `bridge_${base}` },
    data_dir: dataDir,
    log_level: 'error',
    web: { enabled: false },
    ...(options.commands ? { commands: options.commands } : {}),
  });
  const bridge = new Bridge({
    config,
    discoveryScanMs: 200,
    ...(options.clock ? { clock: options.clock } : {}),
  });
  await bridge.start();

  const until = async (predicate: () => boolean, ms = 10_000, what = 'condition'): Promise<void> => {
    const deadline = Date.now() + ms;
    while (!predicate()) {
      if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  const responses = (): DeviceSetResponsePayload[] =>
    messages
      .filter((m) => m.topic === `${base}/bridge/response/device/set`)
      .map((m) => JSON.parse(m.payload) as DeviceSetResponsePayload);
  const send = async (topic: string, payload: string): Promise<void> => {
    await client.publishAsync(`${base}/${topic}`, payload, { qos: 1 });
  };
  /** The state published for a device named by its id or friendly name. */
  const state = (device: string): Record<string, unknown> | undefined => {
    const found = bridge.names.resolve(device);
    const text = last.get(`${base}/${found ? bridge.names.topicOf(found) : device}`);
    return text ? (JSON.parse(text) as Record<string, unknown>) : undefined;
  };
  const fixture: CommandBridge = {
    sim,
    bridge,
    base,
    last,
    messages,
    responses,
    state,
    send,
    until,
    async command(device, suffix, payload, ms = 10_000) {
      const before = responses().length;
      await send(`${device}/${suffix}`, payload);
      let found: DeviceSetResponsePayload | undefined;
      await until(
        () => {
          found = responses()
            .slice(before)
            .find((r) => r.data.device === device);
          return found !== undefined;
        },
        ms,
        `a response for ${device}/${suffix} ${payload}`,
      );
      return found as DeviceSetResponsePayload;
    },
    writes: () => WRITE_ENDPOINTS.reduce((sum, e) => sum + (sim.stats().requests[e] ?? 0), 0),
    async api(endpoint, params, token) {
      const response = await fetch(`${sim.url}/api/${endpoint}`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${token ?? sim.mintTokens().access_token}`,
          'content-type': 'application/x-www-form-urlencoded',
        },
        body: new URLSearchParams(params).toString(),
      });
      const text = await response.text();
      return { status: response.status, body: text ? (JSON.parse(text) as unknown) : undefined };
    },
    async close() {
      await bridge.stop().catch(() => {});
      for (const topic of retained) await client.publishAsync(topic, '', { qos: 1, retain: true });
      await client.endAsync(true);
      await sim.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
  return fixture;
}

export const HOME_ID = '91763b24c43d3e344f424e8b';
