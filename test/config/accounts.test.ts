/** `accounts` and `coordination`: several Netatmo accounts per bridge, and how processes share an app. */
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config/errors.js';
import { loadConfig } from '../../src/config/load.js';
import { redactedConfig } from '../../src/config/secrets.js';
import { validateConfig } from '../../src/config/validate.js';
import { clearRegisteredSecrets, REDACTED, redactString } from '../../src/util/redact.js';
import { useTempDir } from './temp-dir.js';

const SIM = { netatmo: { base_url: 'http://127.0.0.1:9' } };

function messageFor(values: Record<string, unknown>): string {
  try {
    validateConfig({ ...SIM, ...values });
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error(`expected ${JSON.stringify(values)} to be refused`);
}

describe('the accounts list', () => {
  afterEach(() => clearRegisteredSecrets());

  it('is optional: without it (or empty, as the add-on writes it) the config has no accounts', () => {
    expect(validateConfig(SIM).accounts).toBeUndefined();
    expect(validateConfig({ ...SIM, accounts: [] }).accounts).toBeUndefined();
    expect(validateConfig(SIM).coordination).toBeUndefined();
  });

  it('takes names, bootstrap tokens and profiles', () => {
    const config = validateConfig({
      ...SIM,
      accounts: [
        { name: 'alice', refresh_token: 'alice-bootstrap', profile: 'shared_app' },
        { name: 'bob_2' },
      ],
    });
    expect(config.accounts).toEqual([
      { name: 'alice', refresh_token: 'alice-bootstrap', profile: 'shared_app' },
      { name: 'bob_2' },
    ]);
  });

  // Each bad entry is named by its place in the list, and every problem is reported at once.
  it.each([
    [[{ name: 'Alice' }], 'accounts[0].name: must be 1 to 32 of a-z, 0-9, _ and -'],
    [[{ name: 'a/b' }], 'accounts[0].name: must be 1 to 32'],
    [[{ name: 'x'.repeat(33) }], 'accounts[0].name: must be 1 to 32'],
    [[{ name: 'a' }, { profile: 'own_app' }], 'accounts[1].name: required'],
    [[{ name: 'a' }, { name: 'b' }, { name: 'a' }], 'accounts[2].name: "a" is already accounts[0].name'],
    [[{ name: 'bridge' }], 'accounts[0].name: must not be "bridge"'],
    [
      [{ name: 'a', profile: 'mine' }],
      'accounts[0].profile: must be one of own_app, shared_app (got "mine")',
    ],
    [[{ name: 'a', nmae: 'b' }], 'accounts[0].nmae: unknown key (did you mean accounts[0].name?)'],
    ['alice', 'accounts: must be a list (got "alice")'],
  ])('refuses %j naming the key', (accounts, expected) => {
    expect(messageFor({ accounts })).toContain(expected);
  });

  it('never echoes a bad token value', () => {
    const message = messageFor({ accounts: [{ name: 'a', refresh_token: 12345678 }] });
    expect(message).toBe('accounts[0].refresh_token: must be a string');
  });

  it('refuses a webhook address with several accounts (one address per app), not with one', () => {
    const webhook = { public_url: 'http://127.0.0.1:8080/hook' };
    expect(messageFor({ webhook, accounts: [{ name: 'a' }, { name: 'b' }] })).toContain(
      'webhook.public_url: is not supported with several accounts',
    );
    expect(validateConfig({ ...SIM, webhook, accounts: [{ name: 'a' }] }).accounts).toHaveLength(1);
  });

  it('redacts every account token and the Redis passwords, in bridge/info and in the log', () => {
    const config = validateConfig({
      ...SIM,
      accounts: [
        { name: 'a', refresh_token: 'acct-token-0001' },
        { name: 'b', refresh_token: 'acct-token-0002' },
      ],
      coordination: {
        redis_url: 'rediss://user:url-pass-0003@redis:6380/0',
        redis_password: 'redis-pass-0004',
      },
    });
    const shown = JSON.stringify(redactedConfig(config));
    for (const secret of ['acct-token-0001', 'acct-token-0002', 'url-pass-0003', 'redis-pass-0004'])
      expect(shown).not.toContain(secret);
    expect(redactedConfig(config).coordination?.redis_url).toBe(`rediss://user:${REDACTED}@redis:6380/0`);
    expect(redactString('token acct-token-0002 and redis-pass-0004')).not.toMatch(/acct-token|redis-pass/);
  });
});

describe('the coordination section', () => {
  const tmp = useTempDir();

  it('fills its defaults once given, and its scalars come from the environment too', async () => {
    const cwd = await tmp.dir();
    const config = await loadConfig({
      cwd,
      env: {
        NETATMO2MQTT_NETATMO_BASE_URL: 'http://127.0.0.1:9',
        NETATMO2MQTT_COORDINATION_REDIS_URL: 'redis://127.0.0.1:6379/3',
        NETATMO2MQTT_COORDINATION_LEASE_TTL_S: '12',
        NETATMO2MQTT_COORDINATION_PROCESS_NAME: 'bridge-a',
      },
    });
    expect(config.coordination).toEqual({
      redis_url: 'redis://127.0.0.1:6379/3',
      key_prefix: 'netatmo2mqtt',
      lease_ttl_s: 12,
      process_name: 'bridge-a',
    });
  });

  it.each([
    [{ redis_url: 'http://redis:6379' }, 'coordination.redis_url: must be a redis:// or rediss:// URL'],
    [{ redis_url: 'redis://:99999' }, 'coordination.redis_url: is not a valid URL'],
    [{ lease_ttl_s: 4 }, 'coordination.lease_ttl_s: must be at least 5 (got 4)'],
    [{ lease_ttl_s: 301 }, 'coordination.lease_ttl_s: must be at most 300 (got 301)'],
    [{ key_prefix: 'a b' }, 'coordination.key_prefix: must be 1 to 64 of'],
    [{ redis: 'x' }, 'coordination.redis: unknown key'],
  ])('refuses %j naming the key', (coordination, expected) => {
    expect(messageFor({ coordination })).toContain(expected);
  });

  it('an environment variable names itself in the error', async () => {
    const cwd = await tmp.dir();
    const error = await loadConfig({
      cwd,
      env: {
        NETATMO2MQTT_NETATMO_BASE_URL: 'http://127.0.0.1:9',
        NETATMO2MQTT_COORDINATION_LEASE_TTL_S: 'soon',
      },
    }).catch((e: unknown) => e as ConfigError);
    expect((error as ConfigError).message).toBe(
      'coordination.lease_ttl_s (from NETATMO2MQTT_COORDINATION_LEASE_TTL_S): must be a whole number (got "soon")',
    );
  });
});
