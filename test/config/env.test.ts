import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config/errors.js';
import { CONFIG_KEYS } from '../../src/config/keys.js';
import { loadConfig } from '../../src/config/load.js';
import type { BridgeConfig } from '../../src/config/types.js';
import { useTempDir } from './temp-dir.js';

const CREDS = { NETATMO2MQTT_NETATMO_CLIENT_ID: 'my-app', NETATMO2MQTT_NETATMO_CLIENT_SECRET: 'my-secret-1' };

describe('environment variables', () => {
  const tmp = useTempDir();

  async function load(env: NodeJS.ProcessEnv, file?: string) {
    const cwd = await tmp.dir();
    if (file) await tmp.write('configuration.yaml', file);
    return loadConfig({ env: { ...CREDS, ...env }, cwd });
  }

  async function loadError(env: NodeJS.ProcessEnv): Promise<ConfigError> {
    const error = await load(env).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }

  // Names of the documented NETATMO2MQTT_<SECTION>_<KEY> form, each beating the config file.
  it.each([
    ['NETATMO2MQTT_NETATMO_BASE_URL', 'http://127.0.0.1:9999', (c: BridgeConfig) => c.netatmo.base_url],
    [
      'NETATMO2MQTT_NETATMO_REFRESH_TOKEN',
      'bootstrap-refresh-1',
      (c: BridgeConfig) => c.netatmo.refresh_token,
    ],
    ['NETATMO2MQTT_NETATMO_PROFILE', 'shared_app', (c: BridgeConfig) => c.netatmo.profile],
    ['NETATMO2MQTT_MQTT_URL', 'mqtts://broker.example:8883', (c: BridgeConfig) => c.mqtt.url],
    ['NETATMO2MQTT_MQTT_BASE_TOPIC', 'house/netatmo', (c: BridgeConfig) => c.mqtt.base_topic],
    [
      'NETATMO2MQTT_HOMEASSISTANT_DISCOVERY_PREFIX',
      'ha',
      (c: BridgeConfig) => c.homeassistant.discovery_prefix,
    ],
    ['NETATMO2MQTT_DATA_DIR', '/var/lib/netatmo2mqtt', (c: BridgeConfig) => c.data_dir],
    ['NETATMO2MQTT_LOG_LEVEL', 'warning', (c: BridgeConfig) => c.log_level],
    [
      'NETATMO2MQTT_WEBHOOK_PUBLIC_URL',
      'https://netatmo.example.org/bridge',
      (c: BridgeConfig) => c.webhook.public_url,
    ],
  ] as const)('%s sets its key and beats the config file', async (name, value, read) => {
    const file = [
      'netatmo: {base_url: "https://other.example", refresh_token: file-token-1, profile: own_app}',
      'mqtt: {url: "mqtt://file:1883", base_topic: file-topic}',
      'homeassistant: {discovery_prefix: file-prefix}',
      'data_dir: /srv/file',
      'log_level: error',
      'webhook: {public_url: "https://file.example.org"}',
    ].join('\n');
    expect(read(await load({ [name]: value }, file))).toBe(value);
  });

  it('NETATMO2MQTT_WEB_PORT is converted to a number, and 0 means any free port', async () => {
    expect((await load({ NETATMO2MQTT_WEB_PORT: '0' })).web.port).toBe(0);
    expect((await load({ NETATMO2MQTT_WEB_PORT: '18099' })).web.port).toBe(18099);
  });

  it('converts booleans from the usual words and leaves everything else to validation', async () => {
    const config = await load({
      NETATMO2MQTT_WEB_ENABLED: 'off',
      NETATMO2MQTT_MQTT_REJECT_UNAUTHORIZED: 'FALSE',
    });
    expect(config.web.enabled).toBe(false);
    expect(config.mqtt.reject_unauthorized).toBe(false);
    expect((await load({ NETATMO2MQTT_HOMEASSISTANT_ENABLED: 'yes' })).homeassistant.enabled).toBe(true);

    const error = await loadError({ NETATMO2MQTT_WEB_ENABLED: 'maybe', NETATMO2MQTT_WEB_PORT: '80a' });
    expect(error.message).toContain(
      'web.enabled (from NETATMO2MQTT_WEB_ENABLED): must be true or false (got "maybe")',
    );
    expect(error.message).toContain(
      'web.port (from NETATMO2MQTT_WEB_PORT): must be a whole number (got "80a")',
    );
  });

  it('names the variable a bad value came from', async () => {
    const error = await loadError({ NETATMO2MQTT_NETATMO_PROFILE: 'family' });
    expect(error.message).toBe(
      'netatmo.profile (from NETATMO2MQTT_NETATMO_PROFILE): must be one of own_app, shared_app (got "family")',
    );
  });

  it('rejects unknown NETATMO2MQTT_ variables instead of ignoring a typo', async () => {
    const error = await loadError({ NETATMO2MQTT_MQTT_BSE_TOPIC: 'x', NETATMO2MQTT_FOO: '1' });
    expect(error.issues.map((i) => i.path).sort()).toEqual([
      'NETATMO2MQTT_FOO',
      'NETATMO2MQTT_MQTT_BSE_TOPIC',
    ]);
    expect(error.message).toContain(
      'NETATMO2MQTT_MQTT_BSE_TOPIC: unknown environment variable (did you mean NETATMO2MQTT_MQTT_BASE_TOPIC?)',
    );
  });

  it('names a retired variable and what replaced it', async () => {
    const error = await loadError({ NETATMO2MQTT_TOKENS_STORE: 'file' });
    expect(error.message).toMatch(/^NETATMO2MQTT_TOKENS_STORE: no longer a setting: .* lives in data_dir/);
  });

  it('treats an empty variable as not set', async () => {
    const config = await load(
      { NETATMO2MQTT_MQTT_BASE_TOPIC: '', NETATMO2MQTT_WEB_PORT: '' },
      'web: {port: 1234}',
    );
    expect(config.mqtt.base_topic).toBe('netatmo2mqtt');
    expect(config.web.port).toBe(1234);
  });

  it('gives every key exactly one variable name', () => {
    const names = CONFIG_KEYS.map((k) => k.env);
    expect(new Set(names).size).toBe(names.length);
    expect(names).toContain('NETATMO2MQTT_HOMEASSISTANT_STATUS_TOPIC');
    expect(names).toContain('NETATMO2MQTT_COMMANDS_STORM_CAP_PER_MINUTE');
  });
});
