/**
 * The bridge's configuration, fully defaulted: every module reads this shape and never
 * looks at files, options.json or environment variables itself.
 *
 * Names are snake_case because they are also the keys users write in YAML, options.json and
 * NETATMO2MQTT_<SECTION>_<KEY> variables.
 */
import type { LogLevel } from '../log.js';
import type { NetatmoProfile } from '../netatmo/quota.js';

export interface NetatmoConfig {
  /** Always set: a local simulator URL gets placeholder credentials (see validate.ts). */
  client_id: string;
  client_secret: string;
  /** Bootstrap only: a token stored in data_dir always wins over this one. */
  refresh_token?: string;
  /** Without a trailing slash. */
  base_url: string;
  /** Which Netatmo quota the bridge plans for: its own app or an app shared with others. */
  profile: NetatmoProfile;
  request_timeout_ms: number;
}

/** `friendly_name`: `<base>/<friendly name>`; `id`: `<base>/<device id>` (the topics before names). */
export type DeviceTopicMode = 'friendly_name' | 'id';

export interface MqttConfig {
  /** mqtt://, mqtts://, ws://, wss://, tcp:// or ssl:// URL, or `embedded` for the in-process broker. */
  url: string;
  username?: string;
  password?: string;
  base_topic: string;
  /** `<base>/<friendly name>` or `<base>/<device id>` (src/names). */
  device_topic: DeviceTopicMode;
  client_id?: string;
  /** File paths (absolute after loadConfig), never PEM contents. */
  ca?: string;
  cert?: string;
  key?: string;
  reject_unauthorized: boolean;
  /** Seconds. */
  keepalive: number;
  /** With url `embedded`: where the in-process broker listens (loopback unless told otherwise). */
  embedded_host: string;
  embedded_port: number;
}

export interface HomeAssistantConfig {
  enabled: boolean;
  discovery_prefix: string;
  status_topic: string;
}

export interface CommandsConfig {
  storm_cap_per_minute: number;
  /** Across all devices; derived from netatmo.profile when not set (validate.ts). */
  global_cap_per_minute: number;
  coalesce_ms: number;
  deadline_ms: number;
}

export interface WebConfig {
  enabled: boolean;
  /** 0 = any free port. */
  port: number;
  host: string;
  /** Standalone login password; without it the password is chosen with a setup code. */
  password?: string;
  /** Bearer token for /metrics (Prometheus) besides a logged-in session. */
  metrics_token?: string;
  /** Where users reach the UI (without a trailing slash); the OAuth redirect URI comes from it. */
  external_url?: string;
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

/** One Netatmo account (user) of the app: `accounts[]`. */
export interface AccountConfig {
  /** `<base>/<name>/…` and `<data_dir>/accounts/<name>/` with several accounts. */
  name: string;
  /** Bootstrap only, like netatmo.refresh_token: a stored token wins. */
  refresh_token?: string;
  /** Default netatmo.profile. */
  profile?: NetatmoProfile;
}

/** How the processes of one Netatmo app coordinate; absent: this process alone, in memory. */
export interface CoordinationConfig {
  /** redis:// or rediss://; unset = in-process. */
  redis_url?: string;
  redis_password?: string;
  key_prefix: string;
  lease_ttl_s: number;
  /** Default `<hostname>-<pid>`. */
  process_name?: string;
}

export interface BridgeConfig {
  netatmo: NetatmoConfig;
  mqtt: MqttConfig;
  homeassistant: HomeAssistantConfig;
  commands: CommandsConfig;
  web: WebConfig;
  webhook: WebhookConfig;
  cameras: CamerasConfig;
  data_dir: string;
  log_level: LogLevel;
  /** Absent: one account, configured by `netatmo` (today's topics and data_dir). */
  accounts?: AccountConfig[];
  coordination?: CoordinationConfig;
}
