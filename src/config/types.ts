/**
 * The bridge's configuration, fully defaulted: every module reads this shape and never
 * looks at files, options.json or environment variables itself.
 *
 * Names follow DESIGN.md "Configuration"; snake_case because they are also the keys users
 * write in YAML, options.json and NETATMO2MQTT_<SECTION>_<KEY> variables.
 */
import type { LogLevel } from '../log.js';

/** Which Netatmo quota the bridge plans for: its own app (2000/h) or an app shared with others. */
export type NetatmoProfile = 'own_app' | 'shared_app';

export interface NetatmoConfig {
  /** Always set: a local simulator URL gets placeholder credentials (see validate.ts). */
  client_id: string;
  client_secret: string;
  /** Bootstrap only: a token stored in data_dir always wins over this one. */
  refresh_token?: string;
  /** Without a trailing slash. */
  base_url: string;
  profile: NetatmoProfile;
  request_timeout_ms: number;
}

export interface MqttConfig {
  /** mqtt://, mqtts://, ws://, wss://, tcp:// or ssl:// URL, or `embedded` for the in-process broker. */
  url: string;
  username?: string;
  password?: string;
  base_topic: string;
  client_id?: string;
  /** File paths (absolute after loadConfig), never PEM contents. */
  ca?: string;
  cert?: string;
  key?: string;
  reject_unauthorized: boolean;
  /** Seconds. */
  keepalive: number;
}

export interface HomeAssistantConfig {
  enabled: boolean;
  discovery_prefix: string;
  status_topic: string;
}

export interface CommandsConfig {
  storm_cap_per_minute: number;
  coalesce_ms: number;
  deadline_ms: number;
}

export interface WebConfig {
  enabled: boolean;
  /** 0 = any free port. */
  port: number;
  host: string;
}

/** Netatmo's webhook (pushed events); without a public URL the bridge polls only. */
export interface WebhookConfig {
  /** Where Netatmo reaches the web server from the internet; the bridge appends a secret path. */
  public_url?: string;
}

export interface CamerasConfig {
  /** Fetch each new snapshot and publish its bytes (Home Assistant camera entity). */
  fetch_snapshots: boolean;
}

export type TokenStoreKind = 'file' | 'redis';

/** Where the rotating Netatmo token pair lives: data_dir, or Redis when several bridges share one app. */
export interface TokensConfig {
  store: TokenStoreKind;
  redis_url: string;
  redis_key_prefix: string;
}

export interface BridgeConfig {
  netatmo: NetatmoConfig;
  mqtt: MqttConfig;
  homeassistant: HomeAssistantConfig;
  commands: CommandsConfig;
  web: WebConfig;
  webhook: WebhookConfig;
  cameras: CamerasConfig;
  tokens: TokensConfig;
  data_dir: string;
  log_level: LogLevel;
}
