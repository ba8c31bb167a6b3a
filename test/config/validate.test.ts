import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config/errors.js';
import { layerFromObject, mergeConfig } from '../../src/config/merge.js';
import { configSchema } from '../../src/config/schema.js';
import { LOCAL_SIMULATOR_CREDENTIAL, validateConfig } from '../../src/config/validate.js';

const CREDS = { client_id: 'id', client_secret: 'secret-1' };

function errorFor(values: unknown): ConfigError {
  try {
    validateConfig(values);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error(`expected ${JSON.stringify(values)} to be rejected`);
}

describe('validateConfig', () => {
  // Every kind of bad value, each naming its key and saying why.
  it.each([
    [{ web: { port: '8099' } }, 'web.port: must be a whole number (got "8099")'],
    [{ web: { port: 80.5 } }, 'web.port: must be a whole number (got 80.5)'],
    [{ web: { port: -1 } }, 'web.port: must be at least 0 (got -1)'],
    [{ web: { port: 65536 } }, 'web.port: must be at most 65535 (got 65536)'],
    [{ web: { enabled: 'yes' } }, 'web.enabled: must be true or false (got "yes")'],
    [{ web: { host: 7 } }, 'web.host: must be a string (got 7)'],
    [
      { netatmo: { ...CREDS, profile: 'mine' } },
      'netatmo.profile: must be one of own_app, shared_app (got "mine")',
    ],
    [{ log_level: 'verbose' }, 'log_level: must be one of error, warning, info, debug (got "verbose")'],
    [{ mqtt: { base_topic: 'a/+/b' } }, 'mqtt.base_topic: must be a topic without + or #'],
    [{ mqtt: { base_topic: 'home/#' } }, 'mqtt.base_topic: must be a topic without + or #'],
    [
      { mqtt: { base_topic: '/netatmo' } },
      'mqtt.base_topic: must be a topic without + or # and without a leading',
    ],
    [
      { mqtt: { base_topic: 'netatmo/' } },
      'mqtt.base_topic: must be a topic without + or # and without a leading',
    ],
    [{ homeassistant: { discovery_prefix: 'ha/' } }, 'homeassistant.discovery_prefix: must be a topic'],
    [{ mqtt: { url: 'http://broker' } }, 'mqtt.url: must be `embedded` or an mqtt://'],
    [{ mqtt: { url: 'mqtt://broker:99999' } }, 'mqtt.url: is not a valid URL (got "mqtt://broker:99999")'],
    [
      { netatmo: { ...CREDS, base_url: 'ftp://api.netatmo.com' } },
      'netatmo.base_url: must be an http:// or https://',
    ],
    [
      { mqtt: { key: '-----BEGIN PRIVATE KEY-----\nabc' } },
      'mqtt.key: must be a file path, not the PEM contents',
    ],
    [{ commands: { coalesce_ms: -5 } }, 'commands.coalesce_ms: must be at least 0'],
    [{ commands: { storm_cap_per_minute: 0 } }, 'commands.storm_cap_per_minute: must be at least 1'],
    [
      { webhook: { public_url: 'https://example.org/hook?x=1' } },
      'webhook.public_url: must be an http:// or https:// URL without query or fragment',
    ],
    [
      { webhook: { public_url: 'https://example.org:8123' } },
      'webhook.public_url: Netatmo only delivers webhooks to ports 80, 88, 443, 9443 (got 8123)',
    ],
    [
      { webhook: { public_url: 'https://example.org' }, web: { enabled: false } },
      'webhook.public_url: needs the web server (web.enabled)',
    ],
    [{ cameras: { fetch_snapshots: 'yes' } }, 'cameras.fetch_snapshots: must be true or false (got "yes")'],
    [{ mqtt: 'mqtt://broker' }, 'mqtt: must be a section of keys (got "mqtt://broker")'],
    [[1, 2], '(root): must be a section of keys (got a list)'],
  ])('%j → %s', (values, message) => {
    const withCreds =
      typeof values === 'object' && !Array.isArray(values) && !('netatmo' in values)
        ? { ...values, netatmo: CREDS }
        : values;
    expect(errorFor(withCreds).message).toContain(message);
  });

  it('takes a webhook URL on a port Netatmo delivers to, and any port against the simulator', () => {
    expect(
      validateConfig({ netatmo: CREDS, webhook: { public_url: 'https://n.example.org:9443/p' } }).webhook,
    ).toEqual({ public_url: 'https://n.example.org:9443/p' });
    const local = validateConfig({
      netatmo: { base_url: 'http://127.0.0.1:9999' },
      webhook: { public_url: 'http://127.0.0.1:43210' },
    });
    expect(local.webhook.public_url).toBe('http://127.0.0.1:43210');
  });

  it('reports every problem at once, each with the source it came from', () => {
    const merged = mergeConfig([
      layerFromObject({ netatmo: CREDS, web: { port: 'x' } }, 'bridge.yaml'),
      { values: { log_level: 'loud' }, origins: { log_level: 'NETATMO2MQTT_LOG_LEVEL' }, issues: [] },
    ]);
    const error = (() => {
      try {
        validateConfig(merged.values, { origins: merged.origins });
      } catch (e) {
        return e as ConfigError;
      }
      throw new Error('expected the merged config to be rejected');
    })();
    expect(error.issues).toHaveLength(2);
    const withOrigins = error.message;
    expect(withOrigins).toContain('web.port (from bridge.yaml): must be a whole number');
    expect(withOrigins).toContain('log_level (from NETATMO2MQTT_LOG_LEVEL): must be one of');
  });

  it('rejects unknown keys at every level, suggesting the likely key', () => {
    const error = errorFor({ netatmo: CREDS, mqtt: { bse_topic: 'x' }, mqttt: { url: 'x' }, colour: 'blue' });
    expect(error.issues.map((i) => `${i.path}: ${i.reason}`).sort()).toEqual([
      'colour: unknown key',
      'mqtt.bse_topic: unknown key (did you mean mqtt.base_topic?)',
      'mqttt: unknown key (did you mean mqtt?)',
    ]);
  });

  it('never echoes a secret value in an error', () => {
    const error = errorFor({ netatmo: { client_id: 'id', client_secret: 987654321 } });
    expect(error.message).toContain('netatmo.client_secret: must be a string');
    expect(error.message).not.toContain('987654321');
  });

  it('requires credentials for the real cloud but not for a loopback simulator', () => {
    expect(errorFor({}).issues.map((i) => i.path)).toEqual(['netatmo.client_id', 'netatmo.client_secret']);
    expect(errorFor({ netatmo: { base_url: 'http://10.0.0.5:9999' } }).issues).toHaveLength(2);
    for (const base_url of ['http://127.0.0.1:9999', 'http://localhost:4000/', 'http://[::1]:9999']) {
      const config = validateConfig({ netatmo: { base_url } });
      expect(config.netatmo.client_id).toBe(LOCAL_SIMULATOR_CREDENTIAL);
      expect(config.netatmo.client_secret).toBe(LOCAL_SIMULATOR_CREDENTIAL);
    }
    expect(
      validateConfig({ netatmo: { base_url: 'http://127.0.0.1:1', client_id: 'mine' } }).netatmo.client_id,
    ).toBe('mine');
  });

  it('strips a trailing slash from base_url and leaves its input untouched', () => {
    const input = { netatmo: { ...CREDS, base_url: 'https://api.netatmo.com/' }, mqtt: { password: '' } };
    const copy = structuredClone(input);
    const config = validateConfig(input);
    expect(config.netatmo.base_url).toBe('https://api.netatmo.com');
    expect(config.mqtt.password).toBeUndefined();
    expect(input).toEqual(copy);
  });

  it('accepts the embedded broker and any free web port', () => {
    const config = validateConfig({ netatmo: CREDS, mqtt: { url: 'embedded' }, web: { port: 0 } });
    expect(config.mqtt.url).toBe('embedded');
    expect(config.web.port).toBe(0);
  });

  it('publishes a JSON-serialisable schema with defaults and secrets marked write-only', () => {
    const schema = JSON.parse(JSON.stringify(configSchema));
    expect(schema.properties.mqtt.properties.base_topic.default).toBe('netatmo2mqtt');
    expect(schema.properties.netatmo.properties.client_secret.writeOnly).toBe(true);
    expect(schema.properties.mqtt.properties.password.writeOnly).toBe(true);
  });
});

describe('mergeConfig', () => {
  it('lets later layers win key by key, ignores null and empty values, and does not mutate inputs', () => {
    const file = layerFromObject(
      { mqtt: { url: 'mqtt://a', base_topic: 'file' }, log_level: 'debug' },
      'f.yaml',
    );
    const env = {
      values: { mqtt: { base_topic: 'env', url: '' }, log_level: null },
      origins: { 'mqtt.base_topic': 'NETATMO2MQTT_MQTT_BASE_TOPIC', 'mqtt.url': 'NETATMO2MQTT_MQTT_URL' },
      issues: [],
    };
    const before = structuredClone(file.values);
    const merged = mergeConfig([file, env]);
    expect(merged.values).toEqual({ mqtt: { url: 'mqtt://a', base_topic: 'env' }, log_level: 'debug' });
    expect(merged.origins['mqtt.base_topic']).toBe('NETATMO2MQTT_MQTT_BASE_TOPIC');
    expect(merged.origins['mqtt.url']).toBe('f.yaml');
    expect(file.values).toEqual(before);
  });
});
