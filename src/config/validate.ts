/**
 * Validation of a merged configuration against the schema (Ajv 8, all errors, defaults
 * filled in, no type coercion: env strings are converted in env.ts, by the key's type,
 * before they get here), plus the checks JSON Schema cannot express.
 */
import { Ajv, type ErrorObject } from 'ajv';
import { gateLimitsForProfile } from '../netatmo/gate.js';
import type { NetatmoProfile } from '../netatmo/quota.js';
import { ConfigError, type ConfigIssue } from './errors.js';
import { closestName, itemPath, keyByPath, RETIRED_SETTINGS } from './keys.js';
import { type ConfigOrigins, type ConfigValues, isPlainObject, isUnset } from './merge.js';
import { configSchema } from './schema.js';
import { registerConfigSecrets } from './secrets.js';
import type { BridgeConfig } from './types.js';

/** Credentials the simulator accepts; only ever filled in for a loopback base_url. */
export const LOCAL_SIMULATOR_CREDENTIAL = 'local-simulator';

const ajv = new Ajv({ allErrors: true, useDefaults: true, coerceTypes: false, strict: true, verbose: true });
ajv.addKeyword({ keyword: 'patternReason', schemaType: 'string' });
const validateSchema = ajv.compile(configSchema);

export interface ValidateOptions {
  /** Where each dotted path's value came from, for error messages. */
  origins?: ConfigOrigins;
  /** Issues already found while reading the sources; reported together with these. */
  issues?: readonly ConfigIssue[];
}

/**
 * Returns the fully defaulted config, or throws one ConfigError listing every problem.
 * Never mutates `values`. `null` and `''` anywhere mean "not set" (the default applies).
 */
export function validateConfig(values: unknown, options: ValidateOptions = {}): BridgeConfig {
  const origins = options.origins ?? {};
  registerConfigSecrets(values);
  const data = isPlainObject(values) ? withoutUnset(values) : values;
  const issues: ConfigIssue[] = [];
  const origin = (path: string): string | undefined => originOf(origins, path);

  if (!validateSchema(data)) {
    for (const error of validateSchema.errors ?? []) issues.push(issueFromAjv(error, origin));
  }
  // One problem per key: what the schema says of a value (PEM text where a file path belongs)
  // explains it better than what reading it found (no such file).
  const byValue = new Set(issues.map((i) => i.path));
  issues.unshift(...(options.issues ?? []).filter((i) => !byValue.has(i.path)));
  // Every problem at once: the checks beyond the schema run too, on the keys the schema passed
  // (a bad URL must not hide missing credentials).
  if (isPlainObject(data)) {
    const reported = new Set(issues.map((i) => i.path));
    for (const issue of semanticIssues(data, origin)) if (!reported.has(issue.path)) issues.push(issue);
  }
  if (issues.length > 0) throw new ConfigError(issues);

  const config = data as unknown as BridgeConfig;
  config.netatmo.base_url = config.netatmo.base_url.replace(/\/+$/, '');
  if (config.web.external_url !== undefined)
    config.web.external_url = config.web.external_url.replace(/\/+$/, '');
  config.commands.global_cap_per_minute ??= defaultGlobalCommandCap(config.netatmo.profile);
  if (isLocalUrl(config.netatmo.base_url)) {
    config.netatmo.client_id ??= LOCAL_SIMULATOR_CREDENTIAL;
    config.netatmo.client_secret ??= LOCAL_SIMULATOR_CREDENTIAL;
  }
  return config;
}

/** A loopback Netatmo URL is the simulator: the demo and tests may run without credentials. */
export function isLocalUrl(url: string): boolean {
  try {
    return isLoopbackHost(new URL(url).hostname);
  } catch {
    return false;
  }
}

/** `localhost`, 127.x.x.x or ::1 (with or without brackets). */
export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '[::1]' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/**
 * The cap on commands per minute across all devices when `commands.global_cap_per_minute` is
 * not set: a tenth of the hourly budget the profile plans for (own_app 40, shared_app 1), so a
 * flood needs at least ten minutes to spend an hour's quota — time for its `command_storm`
 * events to be noticed — while no person's scene comes near it.
 */
export function defaultGlobalCommandCap(profile: NetatmoProfile): number {
  return Math.max(1, Math.floor(gateLimitsForProfile(profile).perHour / 10));
}

/** Start-up warnings about a configuration that works but exposes something (logged by loadConfig). */
export function configWarnings(config: BridgeConfig): string[] {
  const warnings: string[] = [];
  const base = new URL(config.netatmo.base_url);
  if (base.protocol === 'http:' && !isLoopbackHost(base.hostname)) {
    warnings.push(
      `netatmo.base_url is ${base.origin}: plain http to another machine, so the client secret and every token cross the network in cleartext; use https://`,
    );
  }
  return warnings;
}

function withoutUnset(values: ConfigValues): ConfigValues {
  const out: ConfigValues = {};
  for (const [key, value] of Object.entries(values)) {
    if (isUnset(value)) continue;
    out[key] = Array.isArray(value)
      ? value.map((entry) => (isPlainObject(entry) ? withoutUnset(entry) : entry))
      : isPlainObject(value)
        ? withoutUnset(value)
        : value;
  }
  return out;
}

function originOf(origins: ConfigOrigins, path: string): string | undefined {
  if (origins[path]) return origins[path];
  // An unknown section ("mqttt: {url: …}") is labelled by its leaves.
  const child = Object.keys(origins).find((p) => p.startsWith(`${path}.`));
  if (child) return origins[child];
  // A list entry's key (`accounts[2].name`) by the list, which its source wrote whole.
  for (let parent = path; ; ) {
    const next = parent.replace(/(?:\.[^.[\]]+|\[\d+\])$/, '');
    if (next === parent || next === '') return undefined;
    if (origins[next]) return origins[next];
    parent = next;
  }
}

/** `/accounts/2/name` → `accounts[2].name`. */
function pathOf(instancePath: string): string {
  let path = '';
  for (const raw of instancePath.split('/').slice(1)) {
    const part = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    path = /^\d+$/.test(part) ? `${path}[${part}]` : path ? `${path}.${part}` : part;
  }
  return path;
}

const TYPE_NAMES: Record<string, string> = {
  string: 'a string',
  integer: 'a whole number',
  number: 'a number',
  boolean: 'true or false',
  object: 'a section of keys',
  array: 'a list',
};

function describe(value: unknown): string {
  if (typeof value === 'string') {
    const shown = value.length > 60 ? `${value.slice(0, 57)}...` : value;
    return JSON.stringify(shown);
  }
  if (Array.isArray(value)) return 'a list';
  if (isPlainObject(value)) return 'a section';
  return String(value);
}

function issueFromAjv(error: ErrorObject, origin: (path: string) => string | undefined): ConfigIssue {
  let path = pathOf(error.instancePath);
  const got = keyByPath.get(itemPath(path))?.secret ? '' : ` (got ${describe(error.data)})`;
  let reason: string;
  switch (error.keyword) {
    case 'additionalProperties': {
      const name = String(error.params.additionalProperty);
      path = path ? `${path}.${name}` : name;
      const parent = error.parentSchema as { properties?: Record<string, unknown> } | undefined;
      const hint = closestName(name, Object.keys(parent?.properties ?? {}));
      const prefix = path.slice(0, path.length - name.length);
      reason =
        RETIRED_SETTINGS.get(path) ?? (hint ? `unknown key (did you mean ${prefix}${hint}?)` : 'unknown key');
      break;
    }
    case 'required': {
      const name = String(error.params.missingProperty);
      path = path ? `${path}.${name}` : name;
      reason = 'required';
      break;
    }
    case 'maxItems':
      reason = `must list at most ${error.params.limit}`;
      break;
    case 'type':
      reason = `must be ${TYPE_NAMES[String(error.params.type)] ?? error.params.type}${got}`;
      break;
    case 'enum':
      reason = `must be one of ${(error.params.allowedValues as unknown[]).join(', ')}${got}`;
      break;
    case 'minimum':
      reason = `must be at least ${error.params.limit}${got}`;
      break;
    case 'maximum':
      reason = `must be at most ${error.params.limit}${got}`;
      break;
    case 'minLength':
      reason =
        Number(error.params.limit) > 1
          ? `must be at least ${error.params.limit} characters long`
          : 'must not be empty';
      break;
    case 'maxLength':
      reason = `must be at most ${error.params.limit} characters long`;
      break;
    case 'pattern': {
      const parent = error.parentSchema as { patternReason?: string } | undefined;
      reason = `${parent?.patternReason ?? `must match ${error.params.pattern}`}${got}`;
      break;
    }
    default:
      reason = error.message ?? 'is invalid';
  }
  return { path: path || '(root)', source: origin(path), reason };
}

const CREDENTIAL_HINT: Record<string, string> = {
  client_id: 'add-on option client_id or NETATMO2MQTT_NETATMO_CLIENT_ID',
  client_secret: 'add-on option client_secret or NETATMO2MQTT_NETATMO_CLIENT_SECRET',
};

/** Checks JSON Schema cannot express; `values` may have failed the schema elsewhere (types are checked here). */
function semanticIssues(values: ConfigValues, origin: (path: string) => string | undefined): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const section = (name: string): ConfigValues => (isPlainObject(values[name]) ? values[name] : {});
  const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
  const netatmo = section('netatmo');
  const mqtt = section('mqtt');
  const urlIssue = (path: string, url: string | undefined): void => {
    if (url === undefined) return;
    try {
      new URL(url);
    } catch {
      issues.push({ path, source: origin(path), reason: `is not a valid URL (got ${describe(url)})` });
    }
  };
  const baseUrl = text(netatmo.base_url) ?? '';
  urlIssue('netatmo.base_url', baseUrl);
  if (mqtt.url !== 'embedded') urlIssue('mqtt.url', text(mqtt.url));
  urlIssue('web.external_url', text(section('web').external_url));
  urlIssue('coordination.redis_url', text(section('coordination').redis_url));
  issues.push(...accountIssues(values.accounts, section('webhook').public_url !== undefined, origin));
  const host = text(mqtt.embedded_host) ?? '';
  const { username, password } = mqtt;
  if (mqtt.url === 'embedded' && !isLoopbackHost(host) && (!username || !password)) {
    issues.push({
      path: 'mqtt.embedded_host',
      source: origin('mqtt.embedded_host'),
      reason: `is ${describe(host)}, beyond this machine: set mqtt.username and mqtt.password too, or anyone on the network could publish commands and fake discovery`,
    });
  }

  issues.push(
    ...webhookIssues(text(section('webhook').public_url), section('web').enabled !== false, baseUrl, origin),
  );

  if (!isLocalUrl(baseUrl)) {
    for (const key of ['client_id', 'client_secret'] as const) {
      if (netatmo[key] !== undefined) continue;
      issues.push({
        path: `netatmo.${key}`,
        reason:
          `required: the ${key.replace('_', ' ')} of your Netatmo app (https://dev.netatmo.com/apps); ` +
          `set it in the config file, as ${CREDENTIAL_HINT[key]}`,
      });
    }
  }
  return issues;
}

/** Reserved: `<base>/bridge/…` is the bridge's own topic level. */
const RESERVED_ACCOUNT_NAMES = new Set(['bridge']);

/** Names unique and not reserved; several accounts cannot share one webhook address (yet). */
function accountIssues(
  accounts: unknown,
  webhook: boolean,
  origin: (path: string) => string | undefined,
): ConfigIssue[] {
  if (!Array.isArray(accounts)) return [];
  const issues: ConfigIssue[] = [];
  const seen = new Map<string, number>();
  accounts.forEach((entry, index) => {
    const name = isPlainObject(entry) ? entry.name : undefined;
    if (typeof name !== 'string') return;
    const path = `accounts[${index}].name`;
    const first = seen.get(name);
    if (first !== undefined) {
      issues.push({
        path,
        source: origin(path),
        reason: `${JSON.stringify(name)} is already accounts[${first}].name`,
      });
    } else if (RESERVED_ACCOUNT_NAMES.has(name)) {
      issues.push({
        path,
        source: origin(path),
        reason: `must not be ${JSON.stringify(name)}: <base>/bridge/… is taken`,
      });
    }
    if (first === undefined) seen.set(name, index);
  });
  if (webhook && accounts.length > 1) {
    issues.push({
      path: 'webhook.public_url',
      source: origin('webhook.public_url'),
      reason:
        'is not supported with several accounts: Netatmo pushes every account of an app to one address; leave it unset (events are polled)',
    });
  }
  return issues;
}

/** Ports Netatmo delivers webhooks to (addwebhook refuses others: 400, code 21). */
export const NETATMO_WEBHOOK_PORTS = [80, 88, 443, 9443] as const;

function webhookIssues(
  url: string | undefined,
  webEnabled: boolean,
  baseUrl: string,
  origin: (path: string) => string | undefined,
): ConfigIssue[] {
  if (url === undefined) return [];
  const path = 'webhook.public_url';
  const issue = (reason: string): ConfigIssue[] => [{ path, source: origin(path), reason }];
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return issue(`is not a valid URL (got ${describe(url)})`);
  }
  if (!webEnabled) return issue('needs the web server (web.enabled): Netatmo pushes to it');
  // The simulator takes any port; Netatmo only these.
  const port = Number(parsed.port || (parsed.protocol === 'https:' ? 443 : 80));
  if (!isLocalUrl(baseUrl) && !(NETATMO_WEBHOOK_PORTS as readonly number[]).includes(port)) {
    return issue(
      `Netatmo only delivers webhooks to ports ${NETATMO_WEBHOOK_PORTS.join(', ')} (got ${port}); put a reverse proxy or port forward in front`,
    );
  }
  return [];
}
