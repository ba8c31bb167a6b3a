/**
 * docs/cluster/docker-compose.yml, the installer's example (three bridges, Redis, Mosquitto):
 * Docker does not run here, so this reads it as Compose would and checks what a wrong example
 * would get wrong — the bridges' names and shared accounts, Redis and Mosquitto protected, no
 * secret written in a committed file, health checks and restart policies everywhere.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { validateConfig } from '../../src/config/index.js';
import { CONFIG_FILE_ENV, keyByEnv, keyByPath } from '../../src/config/keys.js';
import { SECRET_LIKE_NAME } from '../../src/config/secrets.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../..');
const DIR = join(ROOT, 'docs/cluster');

interface Service {
  image?: string;
  build?: { context: string };
  command?: string[];
  environment?: Record<string, string>;
  env_file?: string[];
  volumes?: string[];
  ports?: string[];
  secrets?: string[];
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[]; interval?: string; retries?: number };
  restart?: string;
}

interface Compose {
  services: Record<string, Service>;
  secrets?: Record<string, { file: string }>;
}

const compose = parseYaml(readFileSync(join(DIR, 'docker-compose.yml'), 'utf8'), { merge: true }) as Compose;
const services = Object.entries(compose.services);
const bridges = services.filter(([, s]) => s.build && resolve(DIR, s.build.context) === ROOT);
const imageOf = (prefix: string): [string, Service] => {
  const found = services.find(([, s]) => s.image?.startsWith(prefix));
  if (!found) throw new Error(`no service runs ${prefix}`);
  return found;
};
const [redisName, redis] = imageOf('redis:');
const [mosquittoName, mosquitto] = imageOf('eclipse-mosquitto:');

/** `./file:/in/container[:ro]` of a service, as [host path, container path]. */
function mounts(service: Service): Array<[string, string]> {
  return (service.volumes ?? [])
    .filter((v) => v.startsWith('./'))
    .map((v) => {
      const [host = '', container = ''] = v.split(':');
      return [join(DIR, host), container];
    });
}

function mountedFile(service: Service, containerPath: string): string {
  const mount = mounts(service).find(([, inside]) => inside === containerPath);
  if (!mount) throw new Error(`nothing mounted at ${containerPath}`);
  return readFileSync(mount[0], 'utf8');
}

const configPath = bridges[0]?.[1].environment?.[CONFIG_FILE_ENV] ?? '';
const config = parseYaml(mountedFile(bridges[0]![1], configPath)) as {
  accounts: Array<{ name: string }>;
  coordination: Record<string, unknown>;
  [section: string]: unknown;
};

/** Every (path, value) of a parsed YAML tree. */
function leaves(value: unknown, path = ''): Array<[string, unknown]> {
  if (typeof value !== 'object' || value === null) return [[path, value]];
  return Object.entries(value).flatMap(([k, v]) => leaves(v, path ? `${path}.${k}` : k));
}

describe('the cluster compose example', () => {
  it('runs three bridges from the project image, each under its own process name', () => {
    expect(bridges.map(([name]) => name)).toHaveLength(3);
    expect(existsSync(join(ROOT, 'Dockerfile'))).toBe(true);
    const names = bridges.map(([, s]) => s.environment?.NETATMO2MQTT_COORDINATION_PROCESS_NAME);
    for (const name of names) expect(name).toMatch(/^\S+$/);
    expect(new Set(names).size).toBe(3);
    // Each keeps its own /data (web login, local files): a volume per bridge, never shared.
    const dataVolumes = bridges.map(([, s]) => s.volumes?.find((v) => v.endsWith(':/data')));
    for (const volume of dataVolumes) expect(volume).toBeDefined();
    expect(new Set(dataVolumes).size).toBe(3);
  });

  it('gives every bridge the same configuration: the same accounts, Redis, broker', () => {
    const configs = bridges.map(([, s]) => {
      const file = s.environment?.[CONFIG_FILE_ENV];
      expect(file, `${CONFIG_FILE_ENV} names the configuration`).toBeDefined();
      return mounts(s).find(([, inside]) => inside === file)?.[0];
    });
    expect(new Set(configs).size).toBe(1);
    expect(
      bridges.every(([, s]) => s.volumes?.some((v) => v.endsWith(':ro') && v.includes(configPath))),
    ).toBe(true);
    const names = config.accounts.map((a) => a.name);
    expect(names.length).toBeGreaterThan(1);
    for (const name of names) expect(name).toMatch(/^[a-z0-9][a-z0-9_-]{0,31}$/);
    expect(new Set(names).size).toBe(names.length);
    // Environment variables that would make one bridge differ from the others: only its name.
    for (const [, s] of bridges)
      expect(Object.keys(s.environment ?? {}).sort()).toEqual(
        [CONFIG_FILE_ENV, 'NETATMO2MQTT_COORDINATION_PROCESS_NAME'].sort(),
      );
  });

  it('is a valid configuration once the env files fill in the secrets', () => {
    const filled = structuredClone(config) as Record<string, Record<string, unknown>>;
    for (const file of new Set(bridges.flatMap(([, s]) => s.env_file ?? []))) {
      for (const line of readFileSync(join(DIR, `${file}.example`), 'utf8').split('\n')) {
        const key = keyByEnv.get(line.split('=')[0] ?? '');
        if (!key) continue;
        const [section = '', name = ''] = key.path.split('.');
        filled[section] = { ...filled[section], [name]: key.type === 'string' ? 'filled-in' : 1 };
      }
    }
    filled.coordination = { ...filled.coordination, process_name: 'bridge-1' };
    const valid = validateConfig(filled);
    expect(valid.accounts?.map((a) => a.name)).toEqual(config.accounts.map((a) => a.name));
    expect(valid.coordination?.redis_url).toBe(config.coordination.redis_url);
  });

  it('points redis_url at the redis service, as a user of its ACL, and mqtt.url at the broker', () => {
    const url = new URL(String(config.coordination.redis_url));
    expect(url.protocol).toBe('redis:');
    expect(url.hostname).toBe(redisName);
    expect(url.username).not.toBe('');
    expect(url.password).toBe('');
    const acl = redis.command?.join('\n') ?? '';
    expect(acl).toContain(`user ${url.username} on >$$NETATMO2MQTT_COORDINATION_REDIS_PASSWORD`);
    // The ACL confines the bridges' user to the configured key prefix.
    expect(acl).toMatch(new RegExp(`user ${url.username} .*~${String(config.coordination.key_prefix)}:\\*`));
    const mqttUrl = new URL(String((config.mqtt as Record<string, unknown>).url));
    expect(mqttUrl.hostname).toBe(mosquittoName);
    for (const [, s] of bridges) {
      expect(s.depends_on?.[redisName]?.condition).toBe('service_healthy');
      expect(s.depends_on?.[mosquittoName]?.condition).toBe('service_healthy');
    }
  });

  it('keeps the tokens in Redis safe: a password, anonymous clients may only PING, fsync per write, no port', () => {
    const script = redis.command?.join('\n') ?? '';
    expect(script).toMatch(/^user default on nopass resetchannels -@all \+ping$/m);
    expect(script).toMatch(/^appendonly yes$/m);
    expect(script).toMatch(/^appendfsync always$/m);
    // Read from standard input: the password is in no file and no process's command line.
    expect(script).toMatch(/exec redis-server - <</);
    expect(redis.ports).toBeUndefined();
    expect(redis.volumes?.some((v) => v.endsWith(':/data'))).toBe(true);
  });

  it('runs Mosquitto with logins and an ACL, never as an open broker', () => {
    const conf = mountedFile(mosquitto, '/mosquitto/config/mosquitto.conf');
    const directives = conf.split('\n').filter((l) => l.trim() !== '' && !l.startsWith('#'));
    expect(directives).toContain('allow_anonymous false');
    expect(directives.some((l) => /^allow_anonymous\s+true/.test(l))).toBe(false);
    const passwordFile = /^password_file (\S+)$/m.exec(conf)?.[1];
    const secret = Object.keys(compose.secrets ?? {}).find((name) => passwordFile === `/run/secrets/${name}`);
    expect(secret, 'the password file is a compose secret').toBeDefined();
    expect(mosquitto.secrets).toContain(secret);
    const aclPath = /^acl_file (\S+)$/m.exec(conf)?.[1] ?? '';
    const acl = mountedFile(mosquitto, aclPath);
    // Only named users write: no `pattern write`, no rule before the first `user` line.
    expect(acl).not.toMatch(/^pattern\s+(write|readwrite)/m);
    const beforeUsers = acl.split(/^user /m)[0] ?? '';
    expect(beforeUsers.split('\n').filter((l) => /^topic/.test(l))).toEqual([]);
    expect(acl).toMatch(
      new RegExp(`^user ${String((config.mqtt as Record<string, unknown>).username)}$`, 'm'),
    );
  });

  it('writes no secret in a committed file: they come from env files and compose secrets kept out of git', () => {
    for (const [name, s] of services) {
      for (const key of Object.keys(s.environment ?? {})) {
        expect(SECRET_LIKE_NAME.test(key), `${name}: ${key}`).toBe(false);
        expect(keyByEnv.get(key)?.secret ?? false, `${name}: ${key}`).toBe(false);
      }
    }
    for (const [path, value] of leaves(config)) {
      expect(keyByPath.get(path)?.secret ?? SECRET_LIKE_NAME.test(path), path).toBe(false);
      if (typeof value === 'string' && /^[a-z]+:\/\//.test(value))
        expect(new URL(value).password, path).toBe('');
    }
    const ignored = readFileSync(join(ROOT, '.gitignore'), 'utf8').split('\n');
    const envFiles = new Set(services.flatMap(([, s]) => s.env_file ?? []));
    expect(envFiles.size).toBeGreaterThan(0);
    for (const file of envFiles) {
      expect(ignored).toContain(`docs/cluster/*${file.slice(file.lastIndexOf('.'))}`);
      // The committed example names every variable, each a real key (or NETATMO2MQTT_CONFIG), values empty.
      const example = readFileSync(join(DIR, `${file}.example`), 'utf8');
      const assignments = example.split('\n').filter((l) => /^[A-Z]/.test(l));
      expect(assignments.length).toBeGreaterThan(0);
      for (const line of assignments) {
        const [key = '', value] = line.split('=');
        expect(keyByEnv.has(key), `${file}.example: ${key} is a configuration key`).toBe(true);
        expect(value, `${file}.example: ${key} is left empty`).toBe('');
      }
    }
    for (const [name, secret] of Object.entries(compose.secrets ?? {})) {
      expect(secret.file.startsWith('./secrets/'), name).toBe(true);
      expect(ignored).toContain('docs/cluster/secrets/');
    }
  });

  it('checks every service’s health and restarts it by itself; web UIs on this machine only', () => {
    for (const [name, s] of services) {
      expect(s.healthcheck?.test?.length, `${name} has a health check`).toBeGreaterThan(0);
      expect(['unless-stopped', 'always'], `${name} restarts`).toContain(s.restart);
    }
    for (const [, s] of bridges) {
      expect(s.healthcheck?.test).toEqual(['CMD', 'netatmo2mqtt-healthcheck']);
      expect(existsSync(join(ROOT, 'rootfs/usr/local/bin/netatmo2mqtt-healthcheck'))).toBe(true);
      for (const port of s.ports ?? []) expect(port).toMatch(/^127\.0\.0\.1:\d+:8099$/);
    }
    // Mosquitto's check passes only while the broker refuses a client without a login.
    expect(mosquitto.healthcheck?.test.join(' ')).toMatch(/not authori/);
  });
});
