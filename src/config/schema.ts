/**
 * The configuration's JSON Schema: the single source of keys, types, defaults and limits.
 *
 * It is published as `config_schema` in bridge/info, so it stays plain JSON Schema plus two
 * annotations: `writeOnly: true` marks secrets (redacted everywhere, never echoed in errors),
 * and `patternReason` says in words what a `pattern` demands, for error messages.
 * Environment names and options.json keys are derived from it in keys.ts.
 */
import { LOG_LEVELS } from '../log.js';
import { NETATMO_PROFILES } from '../netatmo/quota.js';
import { allowanceSentence } from '../netatmo/quota-plan.js';

export const DEFAULT_NETATMO_BASE_URL = 'https://api.netatmo.com';
export const DEFAULT_MQTT_URL = 'mqtt://localhost:1883';

// A topic segment list: no wildcards, no leading or trailing slash, not empty.
const TOPIC_PATTERN = '^[^+#/](?:[^+#]*[^+#/])?$';
const TOPIC_REASON = 'must be a topic without + or # and without a leading or trailing /';
/** A topic level and a folder name; `bridge` is taken by `<base>/bridge/…` (validate.ts). */
export const ACCOUNT_NAME_PATTERN = '^[a-z0-9][a-z0-9_-]{0,31}$';
/** Accounts one bridge process may list (several processes share them with coordination). */
export const ACCOUNTS_MAX = 1000;
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
        client_secret: {
          type: 'string',
          minLength: 1,
          writeOnly: true,
          description: 'Client secret of the same Netatmo app',
        },
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
          description:
            'The Netatmo API; a loopback address is the built-in simulator (no credentials needed)',
        },
        profile: {
          type: 'string',
          enum: [...NETATMO_PROFILES],
          default: 'own_app',
          description:
            `Which quota to plan for. own_app: your own Netatmo app (${allowanceSentence('own_app')}). ` +
            `shared_app: a client id shared with others (${allowanceSentence('shared_app')})`,
        },
        request_timeout_ms: {
          type: 'integer',
          minimum: 1000,
          maximum: 120000,
          default: 10000,
          description: 'How long to wait for one Netatmo answer',
        },
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
          description:
            'The MQTT broker, e.g. mqtt://192.168.1.10:1883 or mqtts://broker:8883; `embedded` starts one inside the bridge; in the add-on, unset means the Mosquitto app',
        },
        username: {
          type: 'string',
          minLength: 1,
          description: 'MQTT login (also required of clients by the embedded broker)',
        },
        password: {
          type: 'string',
          minLength: 1,
          writeOnly: true,
          description: 'MQTT password, with username',
        },
        base_topic: {
          type: 'string',
          default: 'netatmo2mqtt',
          pattern: TOPIC_PATTERN,
          patternReason: TOPIC_REASON,
          description: 'Every topic of the bridge starts with it',
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
          description: 'MQTT client id; default netatmo2mqtt_ and the base topic',
        },
        ca: { ...FILE_PATH, description: 'PEM file of the CA that signed the broker certificate' },
        cert: { ...FILE_PATH, description: 'PEM client certificate, for certificate login' },
        key: { ...FILE_PATH, description: 'PEM private key of the client certificate' },
        reject_unauthorized: {
          type: 'boolean',
          default: true,
          description: 'Verify the broker certificate; turn off only for a self-signed one you trust',
        },
        keepalive: {
          type: 'integer',
          minimum: 5,
          maximum: 3600,
          default: 60,
          description: 'MQTT keepalive, seconds',
        },
        embedded_host: {
          type: 'string',
          minLength: 1,
          default: '127.0.0.1',
          description:
            'With url `embedded`: the address the built-in broker listens on; beyond loopback it needs mqtt.username and mqtt.password',
        },
        embedded_port: {
          type: 'integer',
          minimum: 0,
          maximum: 65535,
          default: 1883,
          description: 'With url `embedded`: the port of the built-in broker',
        },
      },
    },
    homeassistant: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        enabled: { type: 'boolean', default: true, description: 'Publish Home Assistant MQTT discovery' },
        discovery_prefix: {
          type: 'string',
          default: 'homeassistant',
          pattern: TOPIC_PATTERN,
          patternReason: TOPIC_REASON,
          description: "Home Assistant's discovery prefix (its MQTT integration setting)",
        },
        status_topic: {
          type: 'string',
          default: 'homeassistant/status',
          pattern: TOPIC_PATTERN,
          patternReason: TOPIC_REASON,
          description: 'Where Home Assistant announces a restart; the bridge then republishes its states',
        },
      },
    },
    commands: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        storm_cap_per_minute: {
          type: 'integer',
          minimum: 1,
          maximum: 600,
          default: 30,
          description: 'Commands to one device beyond this many in a minute are refused',
        },
        global_cap_per_minute: {
          type: 'integer',
          minimum: 1,
          maximum: 6000,
          description:
            'Commands per minute to all devices together beyond which they are refused; default a tenth of the hourly calls the profile plans for',
        },
        coalesce_ms: {
          type: 'integer',
          minimum: 0,
          maximum: 60000,
          default: 500,
          description: 'Commands to one device within this window become one Netatmo request',
        },
        deadline_ms: {
          type: 'integer',
          minimum: 1000,
          maximum: 600000,
          default: 15000,
          description: 'A command that cannot be sent within this time fails with an error',
        },
      },
    },
    web: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        enabled: {
          type: 'boolean',
          default: true,
          description: 'Serve the web UI (status, Connect Netatmo, /metrics, /healthz)',
        },
        port: {
          type: 'integer',
          minimum: 0,
          maximum: 65535,
          default: 8099,
          description: 'Web UI port; 0 picks a free one',
        },
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
    webhook: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        public_url: {
          type: 'string',
          minLength: 1,
          pattern: '^https?://[^\\s/?#]+(?:/[^\\s?#]*)?$',
          patternReason: 'must be an http:// or https:// URL without query or fragment',
          description:
            "Where Netatmo reaches this bridge's web server (reverse proxy or port forward); enables pushed events",
        },
      },
    },
    cameras: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        fetch_snapshots: {
          type: 'boolean',
          default: false,
          description: 'Fetch each new snapshot and publish its bytes for a Home Assistant camera entity',
        },
      },
    },
    accounts: {
      type: 'array',
      maxItems: ACCOUNTS_MAX,
      description:
        "Netatmo accounts of the one app (client_id) this bridge serves; absent or one entry: one account under today's topics, several: <base>/<name>/…",
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['name'],
        properties: {
          name: {
            type: 'string',
            pattern: ACCOUNT_NAME_PATTERN,
            patternReason:
              'must be 1 to 32 of a-z, 0-9, _ and -, starting with a letter or digit (it becomes a topic level)',
            description:
              'Topic level and folder of the account: <base>/<name>/…, <data_dir>/accounts/<name>/',
          },
          refresh_token: {
            type: 'string',
            minLength: 1,
            writeOnly: true,
            description: 'Bootstrap only: imported when the account holds no token yet',
          },
          profile: {
            type: 'string',
            enum: [...NETATMO_PROFILES],
            description: 'Quota profile of this account; default netatmo.profile',
          },
        },
      },
    },
    coordination: {
      type: 'object',
      additionalProperties: false,
      properties: {
        redis_url: {
          type: 'string',
          pattern: '^rediss?://\\S+$',
          patternReason: 'must be a redis:// or rediss:// URL',
          description:
            'Redis shared by every process of one Netatmo app (tokens, budgets, account leases); unset: this process alone, nothing to run',
        },
        redis_password: {
          type: 'string',
          minLength: 1,
          writeOnly: true,
          description: 'Redis password (or put it in redis_url)',
        },
        key_prefix: {
          type: 'string',
          default: 'netatmo2mqtt',
          pattern: '^[A-Za-z0-9_.:-]{1,64}$',
          patternReason: 'must be 1 to 64 of A-Z, a-z, 0-9, _, ., : and -',
          description: 'Prefix of every Redis key; processes of one app share it',
        },
        lease_ttl_s: {
          type: 'integer',
          minimum: 5,
          maximum: 300,
          default: 30,
          description: "Seconds after which a dead process's accounts move to another process",
        },
        process_name: {
          type: 'string',
          pattern: '^[A-Za-z0-9_.:-]{1,64}$',
          patternReason: 'must be 1 to 64 of A-Z, a-z, 0-9, _, ., : and -',
          description: 'This process in leases and bridge/health; default <hostname>-<pid>',
        },
      },
    },
    data_dir: {
      type: 'string',
      minLength: 1,
      default: './data',
      description: 'Where the token, state cache, device names and web login live (/data in the add-on)',
    },
    log_level: {
      type: 'string',
      enum: [...LOG_LEVELS],
      default: 'info',
      description: 'error, warning, info or debug; bridge/request/log_level changes it at run time',
    },
  },
} as const;

/** The name bridge/info publishes the schema under. */
export { configSchema as config_schema };
