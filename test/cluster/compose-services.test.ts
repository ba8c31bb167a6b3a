/**
 * The compose example's Redis and Mosquitto settings (docs/cluster), run in the real servers
 * (Docker does not run here): Redis with the configuration the compose file writes to its
 * standard input, Mosquitto with its users and the example's ACL. What an installer relies on:
 * anonymous clients get nothing, the bridges' Redis user reaches its keys and no others, the
 * health checks pass, and on the broker only the bridges and Home Assistant write.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { PrivateRedis, redisServerMissing } from '../../bench/cluster/redis-server.js';
import { mosquittoAvailable, type PrivateBroker, startPrivateBroker } from '../support/private-broker.js';

const DIR = join(import.meta.dirname, '../../docs/cluster');
const run = promisify(execFile);

interface Service {
  command?: string[];
  healthcheck?: { test: string[] };
}
const compose = parseYaml(readFileSync(join(DIR, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
  services: Record<string, Service>;
};
const redisService = Object.values(compose.services).find((s) =>
  s.command?.join(' ').includes('redis-server'),
)!;
const mosquittoService = compose.services.mosquitto!;
const config = parseYaml(readFileSync(join(DIR, 'configuration.yaml'), 'utf8')) as {
  coordination: { redis_url: string; key_prefix: string };
  mqtt: { username: string };
};

/** The `sh -c` health check, pointed at `port` instead of the default one. */
async function healthy(test: string[], flag: string, port: number): Promise<boolean> {
  const [kind, script = ''] = test;
  expect(kind).toBe('CMD-SHELL');
  const local = script.replace(
    /(redis-cli|mosquitto_sub)( -h 127\.0\.0\.1)?( -p \d+)?/,
    `$1 -h 127.0.0.1 ${flag} ${port}`,
  );
  return run('sh', ['-c', local]).then(
    () => true,
    () => false,
  );
}

const PASSWORD = 'b1f0c5e3a9d24e7f';

describe.skipIf(redisServerMissing() !== undefined)(
  'the example Redis (its configuration, in redis-server)',
  () => {
    let redis: PrivateRedis;
    const clients: Redis[] = [];
    const connect = (user?: string): Redis => {
      const client = new Redis(redis.port, '127.0.0.1', {
        ...(user ? { username: user, password: PASSWORD } : {}),
        lazyConnect: true,
        maxRetriesPerRequest: 0,
      });
      clients.push(client);
      return client;
    };

    beforeAll(async () => {
      // The heredoc the compose file feeds redis-server, with the password the container's
      // environment would put in; its `dir` is the container's volume, this run keeps its own.
      const script = redisService.command?.join('\n') ?? '';
      const body = /<<CONF\n([\s\S]*?)\nCONF/.exec(script)?.[1] ?? '';
      const lines = body
        .split('\n')
        .filter((l) => !l.startsWith('dir '))
        .map((l) => l.replace('$$NETATMO2MQTT_COORDINATION_REDIS_PASSWORD', PASSWORD));
      expect(lines.length).toBeGreaterThan(2);
      redis = await PrivateRedis.start({ config: lines });
    });
    afterAll(async () => {
      for (const client of clients) client.disconnect();
      await redis?.close();
    });

    it('answers its health check, and nothing else to an anonymous client', async () => {
      expect(await healthy(redisService.healthcheck!.test, '-p', redis.port)).toBe(true);
      const anonymous = connect();
      expect(await anonymous.ping()).toBe('PONG');
      await expect(anonymous.get(`${config.coordination.key_prefix}:x`)).rejects.toThrow(/NOPERM/);
      await expect(anonymous.keys('*')).rejects.toThrow(/NOPERM/);
    });

    it('lets the bridges’ user (redis_url) at its own keys and scripts, no others, no admin', async () => {
      const user = new URL(config.coordination.redis_url).username;
      const bridge = connect(user);
      const key = `${config.coordination.key_prefix}:probe`;
      expect(await bridge.set(key, '1', 'PX', 10_000, 'NX')).toBe('OK');
      expect(await bridge.eval("return redis.call('GET', KEYS[1])", 1, key)).toBe('1');
      await expect(bridge.set('someone-else:probe', '1')).rejects.toThrow(/NOPERM/);
      await expect(bridge.flushall()).rejects.toThrow(/NOPERM/);
      await expect(bridge.config('GET', 'requirepass')).rejects.toThrow(/NOPERM/);
      // A wrong password is refused.
      await expect(connect().call('AUTH', user, 'wrong')).rejects.toThrow(/WRONGPASS/);
    });

    it('keeps what was written across a crash (fsync per write)', async () => {
      const bridge = connect(new URL(config.coordination.redis_url).username);
      const key = `${config.coordination.key_prefix}:token`;
      await bridge.set(key, 'pair');
      bridge.disconnect();
      await redis.restart('SIGKILL');
      const again = connect(new URL(config.coordination.redis_url).username);
      expect(await again.get(key)).toBe('pair');
    });
  },
);

describe.skipIf(!mosquittoAvailable())('the example Mosquitto (its users and ACL)', () => {
  let broker: PrivateBroker;
  const users = { [config.mqtt.username]: 'bridge-pw', homeassistant: 'ha-pw' };
  const clients: mqtt.MqttClient[] = [];
  const as = async (user: string): Promise<mqtt.MqttClient> => {
    const client = await mqtt.connectAsync(broker.url, {
      username: user,
      password: users[user],
      reconnectPeriod: 0,
      clientId: `compose_${user}_${Math.random().toString(16).slice(2, 8)}`,
    });
    clients.push(client);
    return client;
  };
  /** Whether `to` receives what `from` publishes on `topic`. */
  const delivered = async (from: mqtt.MqttClient, to: mqtt.MqttClient, topic: string): Promise<boolean> => {
    const marker = `m${Math.random()}`;
    const got = new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), 800);
      to.on('message', (t, payload) => {
        if (t === topic && payload.toString() === marker) {
          clearTimeout(timer);
          resolve(true);
        }
      });
    });
    await to.subscribeAsync(topic, { qos: 1 });
    await from.publishAsync(topic, marker, { qos: 1 });
    return got;
  };

  beforeAll(async () => {
    broker = await startPrivateBroker('mosquitto', { users, aclFile: join(DIR, 'mosquitto.acl') });
  });
  afterAll(async () => {
    for (const client of clients) await client.endAsync(true);
    await broker?.close();
  });

  it('refuses a client without a login, which is what its health check checks', async () => {
    await expect(
      mqtt.connectAsync(broker.url, { reconnectPeriod: 0, connectTimeout: 2_000 }),
    ).rejects.toThrow(/authori[sz]ed/i);
    expect(await healthy(mosquittoService.healthcheck!.test, '-p', broker.port)).toBe(true);
  });

  it('lets every flow the bridges need through: state and discovery out, commands and HA status in', async () => {
    const bridge = await as(config.mqtt.username);
    const ha = await as('homeassistant');
    expect(await delivered(bridge, ha, 'netatmo2mqtt/flat-1/living_room')).toBe(true);
    expect(await delivered(bridge, ha, 'homeassistant/climate/x/config')).toBe(true);
    expect(await delivered(ha, bridge, 'netatmo2mqtt/flat-1/living_room/set')).toBe(true);
    expect(await delivered(ha, bridge, 'homeassistant/status')).toBe(true);
    // A login other than the two is refused, like an anonymous one.
    await expect(
      mqtt.connectAsync(broker.url, { username: 'guest', password: 'guest', reconnectPeriod: 0 }),
    ).rejects.toThrow(/authori[sz]ed/i);
  });
});
