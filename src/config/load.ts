/**
 * loadConfig: defaults < config file < add-on options < environment, validated once.
 *
 * Config file: `--config FILE` (passed as `configFile`) or NETATMO2MQTT_CONFIG must exist.
 * Without either, the first existing of `<cwd>/configuration.yaml` and
 * `<data_dir>/configuration.yaml` is read, where data_dir is NETATMO2MQTT_DATA_DIR or the mode's
 * default (`./data`, `/data` in the add-on) — the file cannot choose where it is looked for.
 * Add-on mode (SUPERVISOR_TOKEN set): /data/options.json is read, data_dir defaults to /data,
 * and the MQTT broker comes from the Supervisor unless the user set mqtt.url.
 * Relative paths (data_dir, mqtt.ca/cert/key) are resolved against `cwd`.
 */
import { access, constants } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import { childLogger } from '../log.js';
import type { ConfigIssue } from './errors.js';
import { ADDON_OPTIONS_FILE_ENV, CONFIG_FILE_ENV } from './keys.js';
import {
  type ConfigLayer,
  type ConfigOrigins,
  type ConfigValues,
  isPlainObject,
  mergeConfig,
} from './merge.js';
import { readAddonOptions, readConfigFile, readEnvironment } from './sources.js';
import { resolveSupervisorMqtt } from './supervisor.js';
import type { BridgeConfig } from './types.js';
import { configWarnings, validateConfig } from './validate.js';

const log = childLogger('config');

export const DEFAULT_ADDON_OPTIONS_FILE = '/data/options.json';
export const DEFAULT_CONFIG_FILE_NAME = 'configuration.yaml';

export interface LoadConfigOptions {
  /** `--config FILE`; must exist when given. */
  configFile?: string;
  /** Defaults to process.env. */
  env?: NodeJS.ProcessEnv;
  /** Defaults to NETATMO2MQTT_ADDON_OPTIONS_FILE, else /data/options.json; read only in add-on mode. */
  addonOptionsFile?: string;
  /** Base for relative paths and the default config file; defaults to process.cwd(). */
  cwd?: string;
}

async function exists(file: string): Promise<boolean> {
  try {
    await access(file, constants.F_OK);
    return true;
  } catch {
    return false;
  }
}

async function findConfigFile(
  options: LoadConfigOptions,
  env: NodeJS.ProcessEnv,
  cwd: string,
  addon: boolean,
): Promise<string | undefined> {
  const explicit = options.configFile || env[CONFIG_FILE_ENV];
  if (explicit) return resolve(cwd, explicit);
  const dataDir = env.NETATMO2MQTT_DATA_DIR || (addon ? '/data' : './data');
  for (const candidate of [
    resolve(cwd, DEFAULT_CONFIG_FILE_NAME),
    resolve(cwd, dataDir, DEFAULT_CONFIG_FILE_NAME),
  ]) {
    if (await exists(candidate)) return candidate;
  }
  return undefined;
}

const TLS_FILES = ['ca', 'cert', 'key'] as const;

function absolutePath(file: string, cwd: string): string {
  return isAbsolute(file) ? file : resolve(cwd, file);
}

/** The TLS files named in the merged values that cannot be read (reported with every other problem). */
async function unreadableFiles(
  values: ConfigValues,
  cwd: string,
  origins: ConfigOrigins,
): Promise<ConfigIssue[]> {
  const mqtt = isPlainObject(values.mqtt) ? values.mqtt : {};
  const issues: ConfigIssue[] = [];
  for (const key of TLS_FILES) {
    const file = mqtt[key];
    if (typeof file !== 'string' || file === '') continue;
    const absolute = absolutePath(file, cwd);
    try {
      await access(absolute, constants.R_OK);
    } catch {
      issues.push({
        path: `mqtt.${key}`,
        source: origins[`mqtt.${key}`],
        reason: `cannot read file ${absolute}`,
      });
    }
  }
  return issues;
}

/** Makes data_dir and the TLS file paths absolute. */
function resolvePaths(config: BridgeConfig, cwd: string): void {
  config.data_dir = resolve(cwd, config.data_dir);
  for (const key of TLS_FILES) {
    const file = config.mqtt[key];
    if (file !== undefined) config.mqtt[key] = absolutePath(file, cwd);
  }
}

/** Reads every source, validates, and returns the fully defaulted config; throws ConfigError. */
export async function loadConfig(options: LoadConfigOptions = {}): Promise<BridgeConfig> {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const addon = Boolean(env.SUPERVISOR_TOKEN);

  const layers: ConfigLayer[] = [];
  // In the add-on the web UI must answer the ingress proxy (172.30.32.2), which only lets
  // Home Assistant's authenticated users through, and the peer guard refuses everyone else.
  if (addon)
    layers.push({ values: { data_dir: '/data', web: { host: '0.0.0.0' } }, origins: {}, issues: [] });
  const configFile = await findConfigFile(options, env, cwd, addon);
  if (configFile) layers.push(await readConfigFile(configFile));
  if (addon) {
    const optionsFile =
      options.addonOptionsFile ?? (env[ADDON_OPTIONS_FILE_ENV] || DEFAULT_ADDON_OPTIONS_FILE);
    if (await exists(optionsFile)) layers.push(await readAddonOptions(optionsFile));
    else log.warning(`SUPERVISOR_TOKEN is set but ${optionsFile} does not exist: no add-on options`);
  }
  layers.push(readEnvironment(env));

  const merged = mergeConfig(layers);
  const files = await unreadableFiles(merged.values, cwd, merged.origins);
  const config = validateConfig(merged.values, {
    origins: merged.origins,
    issues: [...merged.issues, ...files],
  });
  resolvePaths(config, cwd);
  const envCount = Object.values(merged.origins).filter((o) => o.startsWith('NETATMO2MQTT_')).length;
  const sources = [configFile ?? 'no config file', addon ? 'add-on options' : '', `${envCount} env var(s)`];
  log.info(`configuration: ${sources.filter(Boolean).join(', ')}`);
  for (const warning of configWarnings(config)) log.warning(warning);
  return addon ? resolveSupervisorMqtt(config, env) : config;
}
