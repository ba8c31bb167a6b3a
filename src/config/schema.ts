/**
 * The configuration's JSON Schema: the single source of keys, types, defaults and limits.
 *
 * It is published as `config_schema` in bridge/info, so it stays plain JSON Schema plus two
 * annotations: `writeOnly: true` marks secrets (redacted everywhere, never echoed in errors),
 * and `patternReason` says in words what a `pattern` demands, for error messages.
 * Environment names and options.json keys are derived from it in keys.ts.
 */
import { LOG_LEVELS } from '../log.js';
import { formatQuota, NETATMO_PROFILES, PROFILE_ALLOWANCE } from '../netatmo/quota.js';

export const DEFAULT_NETATMO_BASE_URL = 'https://api.netatmo.com';
export const DEFAULT_MQTT_URL = 'mqtt://localhost:1883';

// A topic segment list: no wildcards, no leading or trailing slash, not empty.
const TOPIC_PATTERN = '^[^+#/](?:[^+#]*[^+#/])?$';
const TOPIC_REASON = 'must be a topic without + or # and without a leading or trailing /';
const FILE_PATH = {
  type: 'string',
  minLength: 1,
  pattern: '^(?![\\s\\S]*-----BEGIN)',
  patternReason: 'must be a file path, not the PEM contents',
} as const;

export const configSchema = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  title: 'netatmo2mqtt configuration',
  type: 'object',
  additionalProperties: false,
  properties: {
    netatmo: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        client_id: {
          type: 'string',
          minLength: 1,
          description: 'Client id of your app at https://dev.netatmo.com/apps',
        },
        client_secret: { type: 'string', minLength: 1, writeOnly: true },
        refresh_token: {
          type: 'string',
          minLength: 1,
          writeOnly: true,
          description: 'Bootstrap only: imported when data_dir holds no token yet',
        },
        base_url: {
          type: 'string',
          default: DEFAULT_NETATMO_BASE_URL,
          pattern: '^https?://[^\\s/?#]+(?:/[^\\s?#]*)?$',
          patternReason: 'must be an http:// or https:// URL without query',
        },
        profile: {
          type: 'string',
          enum: [...NETATMO_PROFILES],
          default: 'own_app',
          description:
            `Which quota to plan for: own_app, your own Netatmo app (${formatQuota(PROFILE_ALLOWANCE.own_app)} ` +
            `per user), or shared_app, an app shared with others (${formatQuota(PROFILE_ALLOWANCE.shared_app)} per user)`,
        },
        request_timeout_ms: { type: 'integer', minimum: 1000, maximum: 120000, default: 10000 },
      },
    },
    mqtt: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        url: {
          type: 'string',
          default: DEFAULT_MQTT_URL,
          pattern: '^(?:embedded|(?:mqtts?|wss?|tcp|ssl)://\\S+)$',
          patternReason: 'must be `embedded` or an mqtt://, mqtts://, ws://, wss://, tcp:// or ssl:// URL',
        },
        username: { type: 'string', minLength: 1 },
        password: { type: 'string', minLength: 1, writeOnly: true },
        base_topic: {
          type: 'string',
          default: 'netatmo2mqtt',
          pattern: TOPIC_PATTERN,
          patternReason: TOPIC_REASON,
        },
        device_topic: {
          type: 'string',
          enum: ['friendly_name', 'id'],
          default: 'friendly_name',
          description:
            'Device topics: <base>/<friendly name> (Netatmo name unless renamed), or <base>/<device id>; commands accept both either way',
        },
        client_id: {
          type: 'string',
          minLength: 1,
          maxLength: 128,
          pattern: '^[^+#/\\s]+$',
          patternReason: 'must not contain spaces, /, + or #',
        },
        ca: FILE_PATH,
        cert: FILE_PATH,
        key: FILE_PATH,
        reject_unauthorized: { type: 'boolean', default: true },
        keepalive: { type: 'integer', minimum: 5, maximum: 3600, default: 60 },
        embedded_host: {
          type: 'string',
          minLength: 1,
          default: '127.0.0.1',
          description:
            'With url `embedded`: the address the built-in broker listens on; beyond loopback it needs mqtt.username and mqtt.password',
        },
        embedded_port: { type: 'integer', minimum: 0, maximum: 65535, default: 1883 },
      },
    },
    homeassistant: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        enabled: { type: 'boolean', default: true },
        discovery_prefix: {
          type: 'string',
          default: 'homeassistant',
          pattern: TOPIC_PATTERN,
          patternReason: TOPIC_REASON,
        },
        status_topic: {
          type: 'string',
          default: 'homeassistant/status',
          pattern: TOPIC_PATTERN,
          patternReason: TOPIC_REASON,
        },
      },
    },
    commands: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        storm_cap_per_minute: { type: 'integer', minimum: 1, maximum: 600, default: 30 },
        global_cap_per_minute: {
          type: 'integer',
          minimum: 1,
          maximum: 6000,
          description:
            'Commands per minute across all devices; default a tenth of the hourly Netatmo budget (40 own_app, 1 shared_app)',
        },
        coalesce_ms: { type: 'integer', minimum: 0, maximum: 60000, default: 500 },
        deadline_ms: { type: 'integer', minimum: 1000, maximum: 600000, default: 15000 },
      },
    },
    web: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        enabled: { type: 'boolean', default: true },
        port: { type: 'integer', minimum: 0, maximum: 65535, default: 8099 },
        host: {
          type: 'string',
          minLength: 1,
          default: '127.0.0.1',
          description: 'Listen address; the Docker image sets 0.0.0.0 (the login then protects it)',
        },
        password: {
          type: 'string',
          minLength: 8,
          writeOnly: true,
          description: 'Standalone login password; unset: choose one with the setup code printed in the log',
        },
        metrics_token: {
          type: 'string',
          minLength: 16,
          writeOnly: true,
          description: 'Bearer token that lets a Prometheus scraper read /metrics without logging in',
        },
        external_url: {
          type: 'string',
          pattern: '^https?://[^\\s/?#]+(?:/[^\\s?#]*)?$',
          patternReason: 'must be an http:// or https:// URL without query, e.g. https://bridge.example.com',
          description: 'The address users open the web UI at; the OAuth redirect URI is built from it',
        },
      },
    },
    data_dir: { type: 'string', minLength: 1, default: './data' },
    log_level: { type: 'string', enum: [...LOG_LEVELS], default: 'info' },
  },
} as const;

/** The name bridge/info publishes the schema under. */
export { configSchema as config_schema };
