/**
 * The configuration keys of the security settings, through the whole config system:
 * NETATMO2MQTT_* variables, validation errors that name the key and its source (never a secret's
 * value), defaults (loopback, a global command cap from the quota profile), redaction, and the
 * start-up warning about a cleartext Netatmo URL.
 */
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config/errors.js';
import { loadConfig } from '../../src/config/load.js';
import { redactedConfig } from '../../src/config/secrets.js';
import { REDACTED, redactString } from '../../src/util/redact.js';
import { captureLog } from '../support/log-capture.js';
import { useTempDir } from './temp-dir.js';

const CREDS = { NETATMO2MQTT_NETATMO_CLIENT_ID: 'my-app', NETATMO2MQTT_NETATMO_CLIENT_SECRET: 'my-secret-1' };

describe('security settings in the configuration', () => {
  const tmp = useTempDir();
  const load = async (env: NodeJS.ProcessEnv) =>
    loadConfig({ env: { ...CREDS, ...env }, cwd: await tmp.dir() });
  const loadError = async (env: NodeJS.ProcessEnv): Promise<string> => {
    const error = await load(env).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).message;
  };

  it('reads every new key from its NETATMO2MQTT_<SECTION>_<KEY> variable', async () => {
    const config = await load({
      NETATMO2MQTT_WEB_PASSWORD: 'a-long-password',
      NETATMO2MQTT_WEB_METRICS_TOKEN: 'metrics-token-0123456789',
      NETATMO2MQTT_WEB_EXTERNAL_URL: 'https://bridge.example.com/netatmo/',
      NETATMO2MQTT_MQTT_EMBEDDED_HOST: '::1',
      NETATMO2MQTT_MQTT_EMBEDDED_PORT: '11883',
      NETATMO2MQTT_COMMANDS_GLOBAL_CAP_PER_MINUTE: '25',
    });
    expect(config.web).toMatchObject({
      password: 'a-long-password',
      metrics_token: 'metrics-token-0123456789',
      external_url: 'https://bridge.example.com/netatmo',
    });
    expect(config.mqtt).toMatchObject({ embedded_host: '::1', embedded_port: 11883 });
    expect(config.commands.global_cap_per_minute).toBe(25);
    // Secrets: redacted in bridge/info and everywhere else.
    const shown = redactedConfig(config);
    expect(shown.web.password).toBe(REDACTED);
    expect(shown.web.metrics_token).toBe(REDACTED);
    expect(redactString('login with a-long-password')).toBe(`login with ${REDACTED}`);
  });

  it('defaults: loopback web UI and broker, a global command cap from the quota profile', async () => {
    const own = await load({});
    expect(own.web.host).toBe('127.0.0.1');
    expect(own.mqtt.embedded_host).toBe('127.0.0.1');
    expect(own.commands.global_cap_per_minute).toBe(40);
    expect((await load({ NETATMO2MQTT_NETATMO_PROFILE: 'shared_app' })).commands.global_cap_per_minute).toBe(
      1,
    );
  });

  it('refuses bad values naming the key and the variable, never echoing a secret', async () => {
    const message = await loadError({
      NETATMO2MQTT_WEB_PASSWORD: 'short7!',
      NETATMO2MQTT_WEB_METRICS_TOKEN: 'tiny-token',
      NETATMO2MQTT_WEB_EXTERNAL_URL: 'bridge.example.com',
      NETATMO2MQTT_MQTT_EMBEDDED_PORT: '70000',
      NETATMO2MQTT_COMMANDS_GLOBAL_CAP_PER_MINUTE: '0',
    });
    expect(message).toContain(
      'web.password (from NETATMO2MQTT_WEB_PASSWORD): must be at least 8 characters long',
    );
    expect(message).toContain('web.metrics_token (from NETATMO2MQTT_WEB_METRICS_TOKEN): must be at least 16');
    expect(message).toContain(
      'web.external_url (from NETATMO2MQTT_WEB_EXTERNAL_URL): must be an http:// or https:// URL',
    );
    expect(message).toContain(
      'mqtt.embedded_port (from NETATMO2MQTT_MQTT_EMBEDDED_PORT): must be at most 65535',
    );
    expect(message).toContain(
      'commands.global_cap_per_minute (from NETATMO2MQTT_COMMANDS_GLOBAL_CAP_PER_MINUTE): must be at least 1',
    );
    expect(message).not.toContain('short7!');
    expect(message).not.toContain('tiny-token');
  });

  it('an embedded broker beyond loopback needs a login', async () => {
    const message = await loadError({
      NETATMO2MQTT_MQTT_URL: 'embedded',
      NETATMO2MQTT_MQTT_EMBEDDED_HOST: '0.0.0.0',
    });
    expect(message).toContain('mqtt.embedded_host (from NETATMO2MQTT_MQTT_EMBEDDED_HOST): is "0.0.0.0"');
    const config = await load({
      NETATMO2MQTT_MQTT_URL: 'embedded',
      NETATMO2MQTT_MQTT_EMBEDDED_HOST: '0.0.0.0',
      NETATMO2MQTT_MQTT_USERNAME: 'bridge',
      NETATMO2MQTT_MQTT_PASSWORD: 'broker-password',
    });
    expect(config.mqtt.embedded_host).toBe('0.0.0.0');
  });

  it('warns at start when Netatmo is reached over plain http on another machine', async () => {
    let log = captureLog();
    try {
      await load({ NETATMO2MQTT_NETATMO_BASE_URL: 'http://netatmo-proxy.lan:8080' });
      expect(log.text()).toMatch(
        /warning \[config\]: netatmo\.base_url is http:\/\/netatmo-proxy\.lan:8080: plain http to another machine, so the client secret and every token cross the network in cleartext/,
      );
      log.stop();
      log = captureLog();
      await load({ NETATMO2MQTT_NETATMO_BASE_URL: 'http://127.0.0.1:9999' });
      await load({ NETATMO2MQTT_NETATMO_BASE_URL: 'https://api.netatmo.com' });
      expect(log.text()).not.toContain('cleartext');
    } finally {
      log.stop();
    }
  });
});
