/**
 * Readers for the three user-facing sources, each returning a ConfigLayer: a YAML/JSON config
 * file, the add-on's flat /data/options.json, and NETATMO2MQTT_* environment variables.
 *
 * Coercion: only environment values are converted, and only by the key's schema type — an
 * integer key takes /^[+-]?\d+$/, a boolean key takes true/false/1/0/yes/no/on/off (any case).
 * Anything else stays a string so validation reports it with its variable's name. Files and
 * options.json are typed already and are never coerced. An empty value means "not set".
 */
import { readFile } from 'node:fs/promises';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import { registerSecret } from '../util/redact.js';
import { ConfigError, type ConfigIssue } from './errors.js';
import {
  ADDON_OPTIONS,
  ADDON_OPTIONS_FILE_ENV,
  CONFIG_FILE_ENV,
  closestName,
  ENV_PREFIX,
  type KeyType,
  keyByEnv,
  RETIRED_SETTINGS,
} from './keys.js';
import { type ConfigLayer, type ConfigValues, isPlainObject, layerFromObject, setPath } from './merge.js';
import { registerConfigSecrets, SECRET_LIKE_NAME } from './secrets.js';

async function readText(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'file not found' : `cannot read file (${code ?? String(error)})`;
    throw new ConfigError([{ path: file, reason }]);
  }
}

/** A config file: `.json` is parsed as JSON, anything else as YAML. An empty file is an empty config. */
export async function readConfigFile(file: string): Promise<ConfigLayer> {
  const text = await readText(file);
  let parsed: unknown;
  try {
    parsed = file.toLowerCase().endsWith('.json') ? JSON.parse(text) : parseYaml(text);
  } catch (error) {
    const where = error instanceof YAMLParseError && error.linePos ? ` at line ${error.linePos[0].line}` : '';
    const what = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw new ConfigError([{ path: file, reason: `cannot parse${where}: ${what}` }]);
  }
  if (parsed === null || parsed === undefined) return layerFromObject({}, file);
  if (!isPlainObject(parsed)) {
    throw new ConfigError([{ path: file, reason: 'must contain a mapping of sections and keys' }]);
  }
  registerConfigSecrets(parsed);
  return layerFromObject(parsed, file);
}

/** The add-on's options.json: flat keys mapped to sections by ADDON_OPTIONS. */
export async function readAddonOptions(file: string): Promise<ConfigLayer> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readText(file));
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    throw new ConfigError([{ path: file, reason: `cannot parse: ${(error as Error).message}` }]);
  }
  if (!isPlainObject(parsed)) throw new ConfigError([{ path: file, reason: 'must contain a JSON object' }]);
  const values: ConfigValues = {};
  const origins: Record<string, string> = {};
  const issues: ConfigIssue[] = [];
  for (const [option, value] of Object.entries(parsed)) {
    const path = ADDON_OPTIONS[option];
    if (!path) {
      // A misspelt secret option is still a secret.
      if (SECRET_LIKE_NAME.test(option) && typeof value === 'string') registerSecret(value);
      const hint = closestName(option, Object.keys(ADDON_OPTIONS));
      issues.push({
        path: option,
        source: file,
        reason: hint ? `unknown add-on option (did you mean ${hint}?)` : 'unknown add-on option',
      });
      continue;
    }
    setPath(values, path, value);
    origins[path] = `${file} option "${option}"`;
  }
  registerConfigSecrets(values);
  return { values, origins, issues };
}

const TRUE = new Set(['true', '1', 'yes', 'on']);
const FALSE = new Set(['false', '0', 'no', 'off']);

function coerce(raw: string, type: KeyType): unknown {
  if (type === 'integer' && /^[+-]?\d+$/.test(raw.trim())) return Number(raw.trim());
  if (type === 'boolean') {
    const word = raw.trim().toLowerCase();
    if (TRUE.has(word)) return true;
    if (FALSE.has(word)) return false;
  }
  return raw;
}

/** NETATMO2MQTT_<SECTION>_<KEY> variables; an unknown NETATMO2MQTT_* name is an error, not ignored. */
export function readEnvironment(env: NodeJS.ProcessEnv): ConfigLayer {
  const values: ConfigValues = {};
  const origins: Record<string, string> = {};
  const issues: ConfigIssue[] = [];
  for (const [name, raw] of Object.entries(env)) {
    if (!name.startsWith(ENV_PREFIX) || name === CONFIG_FILE_ENV || name === ADDON_OPTIONS_FILE_ENV) continue;
    if (raw === undefined) continue;
    const key = keyByEnv.get(name);
    if (!key) {
      if (SECRET_LIKE_NAME.test(name)) registerSecret(raw);
      const hint = closestName(name, [...keyByEnv.keys(), CONFIG_FILE_ENV]);
      issues.push({
        path: name,
        reason:
          RETIRED_SETTINGS.get(name) ??
          (hint ? `unknown environment variable (did you mean ${hint}?)` : 'unknown environment variable'),
      });
      continue;
    }
    if (raw === '') continue;
    setPath(values, key.path, coerce(raw, key.type));
    origins[key.path] = name;
  }
  registerConfigSecrets(values);
  return { values, origins, issues };
}
