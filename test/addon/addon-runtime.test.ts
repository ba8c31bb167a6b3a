/**
 * The add-on at run time: the real `netatmo2mqtt start` process with what the Supervisor gives
 * an add-on — SUPERVISOR_TOKEN, an options.json, and an MQTT service to ask for — against a
 * fake Supervisor, the simulator as Netatmo, and a real broker.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { connectAsync, type MqttClient } from 'mqtt';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { freePort } from '../../scripts/lib/broker.js';
import type { BridgeDevice } from '../../src/mqtt/topics.js';
import { startSimulator } from '../../src/simulator/index.js';
import type { RunningSimulator } from '../../src/simulator/types.js';
import { type TestBroker, useTestBroker } from '../support/broker.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const SUPERVISOR_TOKEN = 'fake-supervisor-token-5f2c9e';
const SERVICE_PASSWORD = 'mqtt-service-password-8d31a7';

interface SupervisorRequest {
  url: string;
  authorization: string | undefined;
}

interface FakeSupervisor {
  url: string;
  requests: SupervisorRequest[];
  close(): Promise<void>;
}

/** Answers like the Supervisor: GET /services/mqtt (port as a string) and GET /info. */
async function startFakeSupervisor(mqtt: { host: string; port: number }): Promise<FakeSupervisor> {
  const requests: SupervisorRequest[] = [];
  const answer = (req: IncomingMessage): { status: number; body: unknown } => {
    if (req.headers.authorization !== `Bearer ${SUPERVISOR_TOKEN}`) {
      return { status: 401, body: { result: 'error', message: 'Unauthorized' } };
    }
    if (req.url === '/services/mqtt') {
      const data = {
        addon: 'core_mosquitto',
        host: mqtt.host,
        port: String(mqtt.port),
        ssl: false,
        username: 'addons',
        password: SERVICE_PASSWORD,
        protocol: '3.1.1',
      };
      return { status: 200, body: { result: 'ok', data } };
    }
    if (req.url === '/info')
      return { status: 200, body: { result: 'ok', data: { timezone: 'Europe/Paris' } } };
    return { status: 404, body: { result: 'error', message: 'not found' } };
  };
  const server: Server = createServer((req, res) => {
    requests.push({ url: req.url ?? '', authorization: req.headers.authorization });
    const { status, body } = answer(req);
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** Retained messages under the given topic filters, as they arrive. */
class Watcher {
  readonly messages = new Map<string, string>();
  private constructor(readonly client: MqttClient) {
    client.on('message', (topic, payload) => this.messages.set(topic, payload.toString()));
  }

  static async start(url: string, filters: string[]): Promise<Watcher> {
    const watcher = new Watcher(
      await connectAsync(url, { clientId: `addon-watch-${process.pid}-${Date.now()}` }),
    );
    await watcher.client.subscribeAsync(filters, { qos: 1 });
    return watcher;
  }

  async waitFor(topic: string, check: (payload: string) => boolean, ms: number): Promise<string> {
    const deadline = performance.now() + ms;
    for (;;) {
      const payload = this.messages.get(topic);
      if (payload !== undefined && check(payload)) return payload;
      if (performance.now() > deadline) throw new Error(`timed out waiting for ${topic} (last: ${payload})`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** Clears every retained topic seen, so a shared Mosquitto keeps nothing of this test. */
  async clearAndClose(): Promise<void> {
    for (const topic of this.messages.keys()) {
      await this.client.publishAsync(topic, '', { retain: true, qos: 1 });
    }
    await this.client.endAsync();
  }
}

const addonDefaults = (parseYaml(await readFile(join(root, 'config.yaml'), 'utf8')) as { options: object })
  .options;

describe('the add-on with a Supervisor', () => {
  let broker: TestBroker;
  let sim: RunningSimulator;
  let supervisor: FakeSupervisor;
  let dir: string;
  let child: ChildProcess | undefined;
  let watcher: Watcher | undefined;

  beforeEach(async () => {
    broker = await useTestBroker();
    sim = await startSimulator({ port: 0 });
    const { hostname, port } = new URL(broker.url);
    supervisor = await startFakeSupervisor({ host: hostname, port: Number(port) });
    dir = await mkdtemp(join(tmpdir(), 'n2m-addon-run-'));
  });

  afterEach(async () => {
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await watcher?.clearAndClose();
    watcher = undefined;
    child = undefined;
    await supervisor.close();
    await sim.close();
    await broker.close();
    await rm(dir, { recursive: true, force: true });
  });

  /** `netatmo2mqtt start` as the Supervisor runs it, with `options` in options.json. */
  async function startAddon(options: Record<string, unknown>, webPort = 0): Promise<() => string> {
    const optionsFile = join(dir, 'options.json');
    await writeFile(optionsFile, JSON.stringify({ ...addonDefaults, ...options }));
    child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', 'start'], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
      // Only what the Supervisor provides (no TZ: the time zone must come from /info), plus
      // the two relocations a test needs instead of /data.
      env: {
        PATH: process.env.PATH,
        SUPERVISOR_TOKEN,
        SUPERVISOR_URL: supervisor.url,
        NETATMO2MQTT_ADDON_OPTIONS_FILE: optionsFile,
        NETATMO2MQTT_DATA_DIR: join(dir, 'data'),
        NETATMO2MQTT_WEB_PORT: String(webPort),
      },
    });
    let output = '';
    const collect = (d: Buffer): void => {
      output += d.toString();
    };
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    return () => output;
  }

  function uniqueTopics(): { base_topic: string; discovery_prefix: string } {
    const id = `${process.pid}${Date.now().toString(36)}`;
    return { base_topic: `n2m-addon-${id}`, discovery_prefix: `n2m-addon-ha-${id}` };
  }

  it('takes the broker, its credentials and the time zone from the Supervisor, and publishes devices', async () => {
    const topics = uniqueTopics();
    const base = topics.base_topic;
    watcher = await Watcher.start(broker.url, [`${base}/#`, `${topics.discovery_prefix}/#`]);
    const webPort = await freePort();
    const output = await startAddon(
      {
        client_id: 'addon-test-client',
        client_secret: 'addon-test-secret',
        refresh_token: sim.mintTokens().refresh_token,
        base_url: sim.url,
        ...topics,
      },
      webPort,
    );

    await watcher.waitFor(`${base}/bridge/state`, (p) => JSON.parse(p).state === 'online', 20_000);
    const devicesPayload = await watcher.waitFor(
      `${base}/bridge/devices`,
      (p) => (JSON.parse(p) as BridgeDevice[]).length > 0,
      20_000,
    );
    const devices = JSON.parse(devicesPayload) as BridgeDevice[];
    expect(devices.map((d) => d.type)).toContain('NATherm1');
    // Device state arrives from the simulator, and Home Assistant gets discovery configs.
    const thermostat = devices.find((d) => d.type === 'NATherm1')!;
    await watcher.waitFor(
      `${base}/${thermostat.friendly_name}`,
      (p) => Object.keys(JSON.parse(p)).length > 0,
      20_000,
    );
    expect([...watcher.messages.keys()].some((t) => t.startsWith(`${topics.discovery_prefix}/`))).toBe(true);

    // It asked the Supervisor with its token, and said which broker and user it took.
    expect(supervisor.requests).toContainEqual({
      url: '/services/mqtt',
      authorization: `Bearer ${SUPERVISOR_TOKEN}`,
    });
    expect(output()).toContain(`MQTT broker from the Supervisor: ${broker.url}, user addons`);
    expect(output()).toContain('time zone Europe/Paris from the Supervisor');
    for (const secret of [SERVICE_PASSWORD, SUPERVISOR_TOKEN, 'addon-test-secret']) {
      expect(output()).not.toContain(secret);
    }
    // The image's HEALTHCHECK passes from inside the container (loopback), while the web UI
    // itself answers only Home Assistant's ingress proxy.
    const healthcheck = spawn(
      process.execPath,
      [join(root, 'rootfs/usr/local/bin/netatmo2mqtt-healthcheck')],
      {
        env: { PATH: process.env.PATH, NETATMO2MQTT_WEB_PORT: String(webPort) },
        stdio: 'ignore',
      },
    );
    expect((await once(healthcheck, 'exit'))[0]).toBe(0);
    expect((await fetch(`http://127.0.0.1:${webPort}/`)).status).toBe(403);

    // The rotated Netatmo token lives in the data directory (/data in the add-on).
    const stored = await readFile(join(dir, 'data', 'token.json'), 'utf8');
    expect(stored.length).toBeGreaterThan(0);
    // So does the log, without secrets.
    const logFile = join(dir, 'data', 'log', 'netatmo2mqtt.log');
    expect((await stat(logFile)).mode & 0o777).toBe(0o600);
    // Its directory is private too (winston alone would create it 0755).
    expect((await stat(join(dir, 'data', 'log'))).mode & 0o777).toBe(0o700);
    const logText = await readFile(logFile, 'utf8');
    expect(logText).toContain('token source');
    const pair = JSON.parse(stored) as { access_token: string; refresh_token: string };
    for (const secret of [
      SERVICE_PASSWORD,
      SUPERVISOR_TOKEN,
      'addon-test-secret',
      pair.access_token,
      pair.refresh_token,
    ]) {
      expect(logText).not.toContain(secret);
    }

    // Home Assistant stops an add-on with SIGTERM: clean exit, bridge/state offline.
    const exited = once(child!, 'exit');
    child!.kill('SIGTERM');
    const [code] = await exited;
    expect(code).toBe(0);
    await watcher.waitFor(`${base}/bridge/state`, (p) => JSON.parse(p).state === 'offline', 5_000);
  }, 60_000);

  it("a broker the user set wins over the Supervisor's", async () => {
    // The Supervisor's broker would be a dead port; the user's option names the real one.
    await supervisor.close();
    supervisor = await startFakeSupervisor({ host: '127.0.0.1', port: 9 });
    const topics = uniqueTopics();
    watcher = await Watcher.start(broker.url, [`${topics.base_topic}/bridge/state`]);
    const output = await startAddon({
      client_id: 'addon-test-client',
      client_secret: 'addon-test-secret',
      refresh_token: sim.mintTokens().refresh_token,
      base_url: sim.url,
      mqtt_url: broker.url,
      ...topics,
    });
    await watcher.waitFor(
      `${topics.base_topic}/bridge/state`,
      (p) => JSON.parse(p).state === 'online',
      20_000,
    );
    expect(output()).toContain("not the Supervisor's");
    expect(supervisor.requests.filter((r) => r.url === '/services/mqtt')).toEqual([]);
  }, 60_000);
});
