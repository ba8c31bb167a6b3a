import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { redactedConfig } from '../../src/config/secrets.js';
import { validateConfig } from '../../src/config/validate.js';
import { clearRegisteredSecrets, REDACTED, redactString } from '../../src/util/redact.js';
import { useTempDir } from './temp-dir.js';

const SECRETS = {
  client_secret: 'nx-client-secret-0001',
  refresh_token: 'nx-refresh-token-0002',
  mqtt_password: 'nx-mqtt-password-0003',
  url_password: 'nx-url-password-0004',
};

describe('secrets in the configuration', () => {
  const tmp = useTempDir();
  afterEach(() => clearRegisteredSecrets());

  it('redactedConfig removes every secret and keeps everything else', () => {
    const config = validateConfig({
      netatmo: {
        client_id: 'public-id',
        client_secret: SECRETS.client_secret,
        refresh_token: SECRETS.refresh_token,
      },
      mqtt: {
        url: `mqtts://bridge:${SECRETS.url_password}@broker:8883`,
        username: 'bridge',
        password: SECRETS.mqtt_password,
      },
    });
    // Nothing registered: redactedConfig must not depend on the redactor having seen the values.
    clearRegisteredSecrets();
    const shown = redactedConfig(config);
    const json = JSON.stringify(shown);
    for (const secret of Object.values(SECRETS)) expect(json).not.toContain(secret);
    expect(shown.netatmo.client_secret).toBe(REDACTED);
    expect(shown.netatmo.refresh_token).toBe(REDACTED);
    expect(shown.mqtt.password).toBe(REDACTED);
    expect(shown.mqtt.url).toBe(`mqtts://bridge:${REDACTED}@broker:8883`);
    expect(shown.netatmo.client_id).toBe('public-id');
    expect(shown.mqtt.username).toBe('bridge');
    expect(shown.mqtt.base_topic).toBe('netatmo2mqtt');
    // The live config keeps its secrets.
    expect(config.mqtt.password).toBe(SECRETS.mqtt_password);
  });

  it('leaves unset secrets unset so a status page can say so', () => {
    const shown = redactedConfig(validateConfig({ netatmo: { base_url: 'http://127.0.0.1:1' } }));
    expect(shown.netatmo.refresh_token).toBeUndefined();
    expect(shown.mqtt.password).toBeUndefined();
  });

  it('registers secrets with the redactor as soon as they are read, even from an invalid config', async () => {
    const cwd = await tmp.dir();
    await tmp.write(
      'configuration.yaml',
      [
        'netatmo:',
        `  client_secret: ${SECRETS.client_secret}`,
        `  refresh_token: ${SECRETS.refresh_token}`,
        'mqtt:',
        `  pasword: ${SECRETS.mqtt_password}`,
        `  url: mqtt://u:${SECRETS.url_password}@broker:1883`,
      ].join('\n'),
    );
    const failure = await loadConfig({ cwd, env: {} }).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(Error);
    for (const secret of Object.values(SECRETS).slice(0, 4)) {
      expect(redactString(`log line with ${secret} inside`)).toBe(`log line with ${REDACTED} inside`);
    }
  });
});
