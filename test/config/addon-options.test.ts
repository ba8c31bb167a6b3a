import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config/errors.js';
import { ADDON_OPTIONS } from '../../src/config/keys.js';
import { loadConfig } from '../../src/config/load.js';
import { useTempDir } from './temp-dir.js';

const ADDON_ENV = { SUPERVISOR_TOKEN: 'supervisor-token-1' };

function valueAt(config: object, path: string): unknown {
  return path.split('.').reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], config);
}

describe('add-on options (/data/options.json)', () => {
  const tmp = useTempDir();

  it('maps every flat option to its section', async () => {
    const cwd = await tmp.dir();
    const ca = await tmp.write('ssl/ca.pem', 'x');
    const cert = await tmp.write('ssl/cert.pem', 'x');
    const key = await tmp.write('ssl/key.pem', 'x');
    const options: Record<string, unknown> = {
      client_id: 'addon-client',
      client_secret: 'addon-secret-1',
      refresh_token: 'addon-refresh-1',
      profile: 'shared_app',
      base_url: 'https://proxy.example/netatmo',
      request_timeout_ms: 20000,
      mqtt_url: 'mqtts://broker.lan:8883',
      mqtt_username: 'bridge',
      mqtt_password: 'mqtt-pass-1',
      mqtt_client_id: 'netatmo2mqtt-ha',
      mqtt_ca: ca,
      mqtt_cert: cert,
      mqtt_key: key,
      mqtt_reject_unauthorized: false,
      mqtt_keepalive: 30,
      base_topic: 'netatmo',
      device_topic: 'id',
      discovery_enabled: false,
      discovery_prefix: 'ha-discovery',
      status_topic: 'ha/status',
      command_storm_cap_per_minute: 10,
      command_global_cap_per_minute: 25,
      command_coalesce_ms: 250,
      command_deadline_ms: 5000,
      webhook_public_url: 'https://netatmo.example.org/hook',
      fetch_camera_snapshots: true,
      log_level: 'debug',
      accounts: [{ name: 'home', refresh_token: 'account-bootstrap-token', profile: 'shared_app' }],
      redis_url: 'rediss://redis.example.org:6380/2',
      redis_password: 'redis-secret-1',
      redis_key_prefix: 'n2m-test',
      lease_ttl_s: 45,
    };
    // The table above must cover every option the add-on offers.
    expect(Object.keys(options).sort()).toEqual(Object.keys(ADDON_OPTIONS).sort());
    const addonOptionsFile = await tmp.write('options.json', JSON.stringify(options));
    const config = await loadConfig({ addonOptionsFile, env: ADDON_ENV, cwd });
    for (const [option, value] of Object.entries(options)) {
      expect({ option, value: valueAt(config, ADDON_OPTIONS[option]!) }).toEqual({ option, value });
    }
    expect(config.data_dir).toBe('/data');
    // The web UI must answer the ingress proxy from another container address.
    expect(config.web.host).toBe('0.0.0.0');
  });

  it('treats empty strings as "not set", as the Supervisor writes them for blank fields', async () => {
    const cwd = await tmp.dir();
    const addonOptionsFile = await tmp.write(
      'options.json',
      JSON.stringify({
        client_id: 'id',
        client_secret: 'secret-1',
        refresh_token: '',
        mqtt_url: 'embedded',
        mqtt_username: '',
        mqtt_password: '',
        base_topic: '',
      }),
    );
    const config = await loadConfig({ addonOptionsFile, env: ADDON_ENV, cwd });
    expect(config.netatmo.refresh_token).toBeUndefined();
    expect(config.mqtt.username).toBeUndefined();
    expect(config.mqtt.base_topic).toBe('netatmo2mqtt');
  });

  it('names the option a bad value came from, and rejects unknown options', async () => {
    const cwd = await tmp.dir();
    const addonOptionsFile = await tmp.write(
      'options.json',
      JSON.stringify({
        client_id: 'id',
        client_secret: 'secret-1',
        mqtt_url: 'embedded',
        profile: 'x',
        bse_topic: 'a',
      }),
    );
    const error = await loadConfig({ addonOptionsFile, env: ADDON_ENV, cwd }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as ConfigError).message;
    expect(message).toContain(
      `bse_topic (from ${addonOptionsFile}): unknown add-on option (did you mean base_topic?)`,
    );
    expect(message).toContain(
      `netatmo.profile (from ${addonOptionsFile} option "profile"): must be one of own_app, shared_app`,
    );
  });

  it('is read only in add-on mode (SUPERVISOR_TOKEN set)', async () => {
    const cwd = await tmp.dir();
    const addonOptionsFile = await tmp.write('options.json', JSON.stringify({ base_topic: 'addon-only' }));
    const env = { NETATMO2MQTT_NETATMO_BASE_URL: 'http://localhost:9999' };
    const config = await loadConfig({ addonOptionsFile, env, cwd });
    expect(config.mqtt.base_topic).toBe('netatmo2mqtt');
    expect(config.data_dir).not.toBe('/data');
  });

  it('lets the environment override options.json, including data_dir', async () => {
    const cwd = await tmp.dir();
    const addonOptionsFile = await tmp.write(
      'options.json',
      JSON.stringify({
        client_id: 'id',
        client_secret: 'secret-1',
        mqtt_url: 'embedded',
        log_level: 'debug',
      }),
    );
    const env = { ...ADDON_ENV, NETATMO2MQTT_LOG_LEVEL: 'error', NETATMO2MQTT_DATA_DIR: '/tmp/elsewhere' };
    const config = await loadConfig({ addonOptionsFile, env, cwd });
    expect(config.log_level).toBe('error');
    expect(config.data_dir).toBe('/tmp/elsewhere');
  });
});
