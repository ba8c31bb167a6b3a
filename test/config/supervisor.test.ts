import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import winston from 'winston';
import { ConfigError } from '../../src/config/errors.js';
import { loadConfig } from '../../src/config/load.js';
import { resolveSupervisorMqtt } from '../../src/config/supervisor.js';
import { validateConfig } from '../../src/config/validate.js';
import { logger } from '../../src/log.js';
import { useTempDir } from './temp-dir.js';

const TOKEN = 'supervisor-token-abc123';
const BROKER_PASSWORD = 'mosquitto-generated-pw-42';

interface FakeSupervisor {
  url: string;
  requests: { path: string; authorization: string | undefined }[];
  /** What /services/mqtt answers next. */
  answer: { status: number; body: unknown };
}

/** A real HTTP server playing the Supervisor's service registry. */
function useSupervisor(): () => FakeSupervisor {
  let server: Server | undefined;
  let state: FakeSupervisor | undefined;
  beforeEach(async () => {
    const fake: FakeSupervisor = {
      url: '',
      requests: [],
      answer: {
        status: 200,
        body: {
          result: 'ok',
          data: {
            addon: 'core_mosquitto',
            host: 'core-mosquitto',
            port: '1883',
            ssl: false,
            username: 'addons',
            password: BROKER_PASSWORD,
            protocol: '3.1.1',
          },
        },
      },
    };
    server = createServer((req, res) => {
      fake.requests.push({ path: req.url ?? '', authorization: req.headers.authorization });
      const authorized = req.headers.authorization === `Bearer ${TOKEN}`;
      const { status, body } =
        req.url !== '/services/mqtt'
          ? { status: 404, body: { result: 'error' } }
          : authorized
            ? fake.answer
            : { status: 401, body: { result: 'error', message: 'unauthorized' } };
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    state = fake;
  });
  afterEach(async () => {
    await new Promise<void>((resolve) => server?.close(() => resolve()));
  });
  return () => state!;
}

/** Everything the logger writes during a test, after its redaction. */
function useLogCapture(): () => string {
  let text = '';
  const transport = new winston.transports.Stream({
    stream: new Writable({
      write(chunk, _encoding, done) {
        text += String(chunk);
        done();
      },
    }),
  });
  beforeEach(() => {
    text = '';
    logger.add(transport);
  });
  afterEach(() => {
    logger.remove(transport);
  });
  return () => text;
}

describe('Supervisor MQTT service', () => {
  const tmp = useTempDir();
  const supervisor = useSupervisor();
  const logged = useLogCapture();

  async function loadAddon(options: Record<string, unknown>) {
    const cwd = await tmp.dir();
    const addonOptionsFile = await tmp.write(
      'options.json',
      JSON.stringify({ client_id: 'id', client_secret: 'secret-1', ...options }),
    );
    return loadConfig({
      addonOptionsFile,
      cwd,
      env: { SUPERVISOR_TOKEN: TOKEN, SUPERVISOR_URL: supervisor().url },
    });
  }

  it('fills broker URL and credentials from the Mosquitto app when the user set none', async () => {
    const config = await loadAddon({ mqtt_url: '', mqtt_username: '', mqtt_password: '' });
    expect(config.mqtt.url).toBe('mqtt://core-mosquitto:1883');
    expect(config.mqtt.username).toBe('addons');
    expect(config.mqtt.password).toBe(BROKER_PASSWORD);
    expect(supervisor().requests).toEqual([{ path: '/services/mqtt', authorization: `Bearer ${TOKEN}` }]);
    // Host and user are logged for support cases; the password and the token never are.
    expect(logged()).toContain('core-mosquitto:1883');
    expect(logged()).toContain('addons');
    expect(logged()).not.toContain(BROKER_PASSWORD);
    expect(logged()).not.toContain(TOKEN);
  });

  it('uses mqtts:// when the service reports ssl, and accepts a numeric port', async () => {
    supervisor().answer = {
      status: 200,
      body: {
        result: 'ok',
        data: { host: 'broker.local', port: 8883, ssl: true, username: 'u', password: 'p' },
      },
    };
    const config = await loadAddon({});
    expect(config.mqtt.url).toBe('mqtts://broker.local:8883');
  });

  it("lets a user's broker URL win and does not ask the Supervisor", async () => {
    const config = await loadAddon({ mqtt_url: 'mqtt://my-broker:1884', mqtt_username: 'me' });
    expect(config.mqtt.url).toBe('mqtt://my-broker:1884');
    expect(config.mqtt.username).toBe('me');
    expect(config.mqtt.password).toBeUndefined();
    expect(supervisor().requests).toEqual([]);
  });

  it("keeps a user's username and password while taking the broker address from the service", async () => {
    const config = await loadAddon({ mqtt_username: 'me', mqtt_password: 'my-own-pw' });
    expect(config.mqtt.url).toBe('mqtt://core-mosquitto:1883');
    expect(config.mqtt.username).toBe('me');
    expect(config.mqtt.password).toBe('my-own-pw');
  });

  it('fails clearly, naming mqtt.url, when no broker is configured and the Supervisor has none', async () => {
    supervisor().answer = { status: 400, body: { result: 'error', message: 'No mqtt service available' } };
    const error = await loadAddon({}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toMatch(
      /^mqtt\.url: not set, and the Supervisor offers no MQTT broker/,
    );
    expect((error as ConfigError).message).toContain('mqtt_url');
  });

  it('rejects an answer with a port that is not a port', async () => {
    supervisor().answer = {
      status: 200,
      body: { result: 'ok', data: { host: 'h', port: 'abc', ssl: false } },
    };
    await expect(loadAddon({})).rejects.toThrow(/invalid port "abc"/);
  });

  it('does nothing outside the add-on', async () => {
    const config = validateConfig({ netatmo: { base_url: 'http://127.0.0.1:1' } });
    const resolved = await resolveSupervisorMqtt(config, { SUPERVISOR_URL: supervisor().url });
    expect(resolved).toBe(config);
    expect(supervisor().requests).toEqual([]);
  });
});
