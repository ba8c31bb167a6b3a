/** The configuration module's public surface: import from here, not from its parts. */
export { ConfigError, type ConfigIssue } from './errors.js';
export { ADDON_OPTIONS, CONFIG_KEYS, type ConfigKey, ITEM_KEYS, type ItemKey } from './keys.js';
export { type LoadConfigOptions, loadConfig } from './load.js';
export { type ConfigLayer, type MergedConfig, mergeConfig } from './merge.js';
export { config_schema, configSchema, DEFAULT_MQTT_URL, DEFAULT_NETATMO_BASE_URL } from './schema.js';
export { redactedConfig } from './secrets.js';
export { resolveSupervisorMqtt } from './supervisor.js';
export type * from './types.js';
export { isLocalUrl, LOCAL_SIMULATOR_CREDENTIAL, validateConfig } from './validate.js';
