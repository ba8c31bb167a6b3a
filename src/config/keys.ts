/**
 * Every configuration key, derived from the schema: its dotted path, JSON type, whether it
 * is a secret, its environment variable name, and (where one exists) its flat add-on option.
 */
import { configSchema } from './schema.js';

export type KeyType = 'string' | 'integer' | 'boolean';

export interface ConfigKey {
  /** Dotted path, e.g. `mqtt.base_topic` or `data_dir`. */
  path: string;
  type: KeyType;
  secret: boolean;
  /** `NETATMO2MQTT_<SECTION>_<KEY>`, or `NETATMO2MQTT_<KEY>` for top-level keys. */
  env: string;
  /** The schema's default, when it has one. */
  default?: string | number | boolean;
  /** What it does, from the schema. */
  description?: string;
  /** Allowed values (enum), or the range of an integer. */
  allowed?: readonly string[];
  minimum?: number;
  maximum?: number;
}

export const ENV_PREFIX = 'NETATMO2MQTT_';
/** Not a key: names the config file, like `--config FILE` (the flag wins). */
export const CONFIG_FILE_ENV = 'NETATMO2MQTT_CONFIG';
/** Not a key: relocates the add-on's /data/options.json (tests run the add-on mode without /data). */
export const ADDON_OPTIONS_FILE_ENV = 'NETATMO2MQTT_ADDON_OPTIONS_FILE';

interface LeafSchema {
  type: string;
  writeOnly?: boolean;
  default?: string | number | boolean;
  description?: string;
  enum?: readonly string[];
  minimum?: number;
  maximum?: number;
}

/** A key of every entry of a list (`accounts[].name`): written in files and options, no variable. */
export type ItemKey = Omit<ConfigKey, 'env'>;

function leaf(path: string, schema: LeafSchema): ConfigKey {
  return { ...itemLeaf(path, schema), env: `${ENV_PREFIX}${path.replace('.', '_').toUpperCase()}` };
}

function itemLeaf(path: string, schema: LeafSchema): ItemKey {
  if (schema.type !== 'string' && schema.type !== 'integer' && schema.type !== 'boolean') {
    throw new Error(`config schema: unsupported type ${schema.type} at ${path}`);
  }
  const key: ItemKey = { path, type: schema.type, secret: schema.writeOnly === true };
  if (schema.default !== undefined) key.default = schema.default;
  if (schema.description !== undefined) key.description = schema.description;
  if (schema.enum !== undefined) key.allowed = schema.enum;
  if (schema.minimum !== undefined) key.minimum = schema.minimum;
  if (schema.maximum !== undefined) key.maximum = schema.maximum;
  return key;
}

function collectKeys(): ConfigKey[] {
  const keys: ConfigKey[] = [];
  for (const [name, schema] of Object.entries(configSchema.properties)) {
    if (schema.type === 'array') continue;
    if (schema.type === 'object' && 'properties' in schema) {
      for (const [key, sub] of Object.entries(schema.properties)) keys.push(leaf(`${name}.${key}`, sub));
    } else {
      keys.push(leaf(name, schema));
    }
  }
  return keys;
}

/** The keys of each entry of a list section (`accounts`), as `accounts[].name`. */
function collectItemKeys(): ItemKey[] {
  const keys: ItemKey[] = [];
  for (const [name, schema] of Object.entries(configSchema.properties)) {
    if (schema.type !== 'array') continue;
    for (const [key, sub] of Object.entries(schema.items.properties))
      keys.push(itemLeaf(`${name}[].${key}`, sub));
  }
  return keys;
}

/** Every key an environment variable can set: the scalars of the sections and the top level. */
export const CONFIG_KEYS: readonly ConfigKey[] = collectKeys();
/** The keys of list entries, set in a config file or the add-on's options only. */
export const ITEM_KEYS: readonly ItemKey[] = collectItemKeys();

/** `accounts[2].name` → `accounts[].name`: the key every entry of the list shares. */
export function itemPath(path: string): string {
  return path.replace(/\[\d+\]/g, '[]');
}

export const keyByPath: ReadonlyMap<string, ItemKey> = new Map(
  [...CONFIG_KEYS, ...ITEM_KEYS].map((k) => [k.path, k]),
);
export const keyByEnv: ReadonlyMap<string, ConfigKey> = new Map(CONFIG_KEYS.map((k) => [k.env, k]));

/**
 * Home Assistant add-on options are flat (options.json, config.yaml `schema:`); this maps each
 * option to its dotted path. data_dir (always /data), web.* (ingress fixes the port, and Home
 * Assistant authenticates ingress users, so the standalone login keys do not apply) and
 * mqtt.embedded_* (the add-on uses the Mosquitto app) and coordination.process_name (the add-on is
 * one process, named by its host) are deliberately not options in the add-on.
 */
export const ADDON_OPTIONS: Readonly<Record<string, string>> = {
  client_id: 'netatmo.client_id',
  client_secret: 'netatmo.client_secret',
  refresh_token: 'netatmo.refresh_token',
  profile: 'netatmo.profile',
  base_url: 'netatmo.base_url',
  request_timeout_ms: 'netatmo.request_timeout_ms',
  mqtt_url: 'mqtt.url',
  mqtt_username: 'mqtt.username',
  mqtt_password: 'mqtt.password',
  mqtt_client_id: 'mqtt.client_id',
  mqtt_ca: 'mqtt.ca',
  mqtt_cert: 'mqtt.cert',
  mqtt_key: 'mqtt.key',
  mqtt_reject_unauthorized: 'mqtt.reject_unauthorized',
  mqtt_keepalive: 'mqtt.keepalive',
  base_topic: 'mqtt.base_topic',
  device_topic: 'mqtt.device_topic',
  discovery_enabled: 'homeassistant.enabled',
  discovery_prefix: 'homeassistant.discovery_prefix',
  status_topic: 'homeassistant.status_topic',
  command_storm_cap_per_minute: 'commands.storm_cap_per_minute',
  command_global_cap_per_minute: 'commands.global_cap_per_minute',
  command_coalesce_ms: 'commands.coalesce_ms',
  command_deadline_ms: 'commands.deadline_ms',
  webhook_public_url: 'webhook.public_url',
  fetch_camera_snapshots: 'cameras.fetch_snapshots',
  log_level: 'log_level',
  accounts: 'accounts',
  redis_url: 'coordination.redis_url',
  redis_password: 'coordination.redis_password',
  redis_key_prefix: 'coordination.key_prefix',
  lease_ttl_s: 'coordination.lease_ttl_s',
};

const TOKENS_RETIRED =
  'no longer a setting: the Netatmo token lives in data_dir (token.json), or in Redis with ' +
  'coordination.redis_url; delete it';

/**
 * Settings that were removed, by the name their source spells (a config file's section, an
 * environment variable), with what to do instead: the error says so rather than "unknown key".
 * The add-on needs no entry: the Supervisor drops options its schema no longer lists.
 */
export const RETIRED_SETTINGS: ReadonlyMap<string, string> = new Map([
  ['tokens', TOKENS_RETIRED],
  ['NETATMO2MQTT_TOKENS_STORE', TOKENS_RETIRED],
  ['NETATMO2MQTT_TOKENS_REDIS_URL', TOKENS_RETIRED],
  ['NETATMO2MQTT_TOKENS_REDIS_KEY_PREFIX', TOKENS_RETIRED],
]);

/** The closest known name within edit distance 2, for "did you mean" hints on typos. */
export function closestName(name: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  for (const candidate of candidates) {
    const d = editDistance(name.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost);
    }
    previous = current;
  }
  return previous[b.length]!;
}
