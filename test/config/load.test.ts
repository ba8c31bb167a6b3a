import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config/errors.js';
import { loadConfig } from '../../src/config/load.js';
import { useTempDir } from './temp-dir.js';

const CREDS = { NETATMO2MQTT_NETATMO_CLIENT_ID: 'my-app', NETATMO2MQTT_NETATMO_CLIENT_SECRET: 'my-secret-1' };

async function loadError(promise: Promise<unknown>): Promise<ConfigError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ConfigError);
  return error as ConfigError;
}

describe('loadConfig', () => {
  const tmp = useTempDir();

  it('fills every default when only credentials are given', async () => {
    const cwd = await tmp.dir();
    const config = await loadConfig({ env: { ...CREDS }, cwd });
    expect(config).toEqual({
      netatmo: {
        client_id: 'my-app',
        client_secret: 'my-secret-1',
        base_url: 'https://api.netatmo.com',
        profile: 'own_app',
        request_timeout_ms: 10000,
      },
      mqtt: {
        url: 'mqtt://localhost:1883',
        base_topic: 'netatmo2mqtt',
        device_topic: 'friendly_name',
        reject_unauthorized: true,
        keepalive: 60,
        embedded_host: '127.0.0.1',
        embedded_port: 1883,
      },
      homeassistant: {
        enabled: true,
        discovery_prefix: 'homeassistant',
        status_topic: 'homeassistant/status',
      },
      // The cap across devices is a tenth of own_app's 400 calls per hour.
      commands: { storm_cap_per_minute: 30, global_cap_per_minute: 40, coalesce_ms: 500, deadline_ms: 15000 },
      // Loopback unless told otherwise (the Docker image says 0.0.0.0 itself).
      web: { enabled: true, port: 8099, host: '127.0.0.1' },
      webhook: {},
      cameras: { fetch_snapshots: false },
      data_dir: join(cwd, 'data'),
      log_level: 'info',
    });
  });

  it('layers defaults < config file < add-on options < environment', async () => {
    const cwd = await tmp.dir();
    const file = await tmp.write(
      'bridge.yaml',
      [
        'netatmo: {client_id: file-id, client_secret: file-secret}',
        'mqtt: {base_topic: from-file, username: file-user}',
        'homeassistant: {discovery_prefix: file-prefix}',
        'log_level: debug',
        'web: {port: 1111}',
      ].join('\n'),
    );
    const optionsFile = await tmp.write(
      'options.json',
      JSON.stringify({
        client_id: 'addon-id',
        client_secret: '',
        mqtt_url: 'mqtt://broker.lan:1883',
        base_topic: 'from-options',
        discovery_prefix: 'options-prefix',
        log_level: '',
      }),
    );
    const config = await loadConfig({
      configFile: file,
      addonOptionsFile: optionsFile,
      cwd,
      env: { SUPERVISOR_TOKEN: 'supervisor-token-1', NETATMO2MQTT_MQTT_BASE_TOPIC: 'from-env' },
    });
    expect(config.mqtt.base_topic).toBe('from-env');
    expect(config.homeassistant.discovery_prefix).toBe('options-prefix');
    expect(config.netatmo.client_id).toBe('addon-id');
    // An empty option means "not set": the file's values stand.
    expect(config.netatmo.client_secret).toBe('file-secret');
    expect(config.log_level).toBe('debug');
    expect(config.mqtt.username).toBe('file-user');
    expect(config.web.port).toBe(1111);
    expect(config.mqtt.url).toBe('mqtt://broker.lan:1883');
    expect(config.data_dir).toBe('/data');
  });

  it('reads configuration.yaml from the working directory, else from data_dir', async () => {
    const cwd = await tmp.dir();
    await tmp.write('state/configuration.yaml', 'mqtt:\n  base_topic: in-data-dir\n');
    const env = { ...CREDS, NETATMO2MQTT_DATA_DIR: 'state' };
    expect((await loadConfig({ env, cwd })).mqtt.base_topic).toBe('in-data-dir');

    await tmp.write('configuration.yaml', 'mqtt:\n  base_topic: in-cwd\n');
    const config = await loadConfig({ env, cwd });
    expect(config.mqtt.base_topic).toBe('in-cwd');
    expect(config.data_dir).toBe(join(cwd, 'state'));
  });

  it('reads JSON config files and NETATMO2MQTT_CONFIG, and insists an explicit file exists', async () => {
    const cwd = await tmp.dir();
    await tmp.write('conf/bridge.json', JSON.stringify({ mqtt: { url: 'embedded' } }));
    const config = await loadConfig({ env: { ...CREDS, NETATMO2MQTT_CONFIG: 'conf/bridge.json' }, cwd });
    expect(config.mqtt.url).toBe('embedded');

    const missing = join(cwd, 'nope.yaml');
    const error = await loadError(loadConfig({ configFile: missing, env: { ...CREDS }, cwd }));
    expect(error.message).toBe(`${missing}: file not found`);
  });

  it('names the file and line of a YAML syntax error', async () => {
    const cwd = await tmp.dir();
    const file = await tmp.write('configuration.yaml', 'mqtt:\n  base_topic: a\n  url: [unclosed\n');
    const error = await loadError(loadConfig({ env: { ...CREDS }, cwd }));
    expect(error.message).toMatch(new RegExp(`^${file}: cannot parse at line \\d+`));
  });

  it('names the key and the file for a bad value or a typo in a config file', async () => {
    const cwd = await tmp.dir();
    const file = await tmp.write('configuration.yaml', 'mqtt:\n  bse_topic: x\nweb:\n  port: "8099"\n');
    const error = await loadError(loadConfig({ env: { ...CREDS }, cwd }));
    expect(error.issues.map((i) => i.path).sort()).toEqual(['mqtt.bse_topic', 'web.port']);
    expect(error.message).toContain(
      `mqtt.bse_topic (from ${file}): unknown key (did you mean mqtt.base_topic?)`,
    );
    expect(error.message).toContain(`web.port (from ${file}): must be a whole number (got "8099")`);
  });

  it('refuses the retired tokens section, naming it and saying where the token lives', async () => {
    const cwd = await tmp.dir();
    const file = await tmp.write('configuration.yaml', 'tokens:\n  store: file\n');
    const error = await loadError(loadConfig({ env: { ...CREDS }, cwd }));
    expect(error.issues.map((i) => i.path)).toEqual(['tokens']);
    expect(error.message).toBe(
      `tokens (from ${file}): no longer a setting: the Netatmo token lives in data_dir ` +
        '(token.json), or in Redis with coordination.redis_url; delete it',
    );
  });

  it('refuses to start without Netatmo credentials against the real cloud, with a hint where to set them', async () => {
    const cwd = await tmp.dir();
    const error = await loadError(loadConfig({ env: {}, cwd }));
    expect(error.issues.map((i) => i.path)).toEqual(['netatmo.client_id', 'netatmo.client_secret']);
    expect(error.message).toContain('NETATMO2MQTT_NETATMO_CLIENT_ID');
    expect(error.message).toContain('https://dev.netatmo.com/apps');
  });

  it('reports every problem at once: a bad URL hides neither the missing credentials nor an unreadable file', async () => {
    const cwd = await tmp.dir();
    const error = await loadError(
      loadConfig({
        env: {
          NETATMO2MQTT_NETATMO_BASE_URL: 'api.netatmo.com',
          NETATMO2MQTT_MQTT_URL: 'localhost:1883',
          NETATMO2MQTT_MQTT_CA: 'missing-ca.pem',
          NETATMO2MQTT_WEB_PORT: 'eighty',
        },
        cwd,
      }),
    );
    expect(error.issues.map((i) => i.path).sort()).toEqual([
      'mqtt.ca',
      'mqtt.url',
      'netatmo.base_url',
      'netatmo.client_id',
      'netatmo.client_secret',
      'web.port',
    ]);
    expect(error.message).toMatch(/^6 configuration errors:/);
  });

  it('resolves TLS file paths against the working directory and reports unreadable ones', async () => {
    const cwd = await tmp.dir();
    await tmp.write('tls/ca.pem', 'not really a certificate');
    const config = await loadConfig({ env: { ...CREDS, NETATMO2MQTT_MQTT_CA: 'tls/ca.pem' }, cwd });
    expect(config.mqtt.ca).toBe(join(cwd, 'tls/ca.pem'));

    const error = await loadError(
      loadConfig({ env: { ...CREDS, NETATMO2MQTT_MQTT_CERT: 'tls/missing.pem' }, cwd }),
    );
    expect(error.message).toBe(
      `mqtt.cert (from NETATMO2MQTT_MQTT_CERT): cannot read file ${join(cwd, 'tls/missing.pem')}`,
    );
  });
});
