/**
 * Every MQTT topic the bridge uses, relative to the base topic, mapped to its payload type
 * (zigbee2mqtt `lib/types/api.ts` style), plus the few runtime helpers that keep topics safe:
 * the wildcard guard and the parser for incoming command topics.
 *
 * `<device>` is a device's topic name: its friendly name (which may contain `/`, zigbee2mqtt
 * style; src/names/friendly-name.ts says what it may be) or, with `mqtt.device_topic: id`, its id.
 * src/names/device-names.ts is the one place that maps devices to topic names and back.
 */
import { BridgeError } from '../errors.js';
import type { LogLevel } from '../log.js';

export type OnlineState = 'online' | 'offline';

/** `<base>/bridge/state`, retained QoS 1; `offline` is also the last will. */
export interface BridgeStatePayload {
  state: OnlineState;
}

/** `<base>/bridge/info`, retained. */
export interface BridgeInfoPayload {
  version: string;
  commit?: string;
  /** The running configuration with every secret replaced by `[REDACTED]`. */
  config: Record<string, unknown>;
  /** JSON schema of the configuration, for UIs that edit options at run time. */
  config_schema?: Record<string, unknown>;
  log_level: LogLevel;
  restart_required: boolean;
  base_topic: string;
  discovery_prefix: string;
}

/** One entry of `<base>/bridge/devices` (retained, republished when the inventory changes). */
export interface BridgeDevice {
  /** The bridge's stable id of the device (Netatmo's id made topic-safe); commands accept it too. */
  id: string;
  /**
   * Its name in topics: `<base>/<friendly_name>` carries its state (`<base>/<id>` with
   * `mqtt.device_topic: id`). Netatmo's name unless renamed with `bridge/request/device/rename`.
   */
  friendly_name: string;
  /** Netatmo's id (a MAC address for modules, an opaque id for rooms and homes). */
  netatmo_id: string;
  /** Netatmo's module type, e.g. `NATherm1`, `NRV`, `NAMain`. */
  type: string;
  /** Human-readable model, e.g. `Smart Thermostat`. */
  model: string;
  name: string;
  home: { id: string; name: string };
  room?: { id: string; name: string };
  /** What the bridge makes of it, e.g. `thermostat`, `valve`, `weather_station`, `room`. */
  kind: string;
  /** The module this one talks through (a valve's relay, an outdoor module's station). */
  via?: string;
  firmware?: string;
  reachable?: boolean;
}

/** The MQTT part of `<base>/bridge/health`; produced by `MqttConnection.status()`. */
export interface MqttHealth {
  connected: boolean;
  /** Successful connections after the first one. */
  reconnects: number;
  /** ISO time of the current connection, absent while disconnected. */
  connected_since?: string;
  /** ISO time the connection was lost, while it is (absent before the first connection). */
  disconnected_since?: string;
  last_error?: string;
  retained_topics: number;
  /** Publishes that were not sent because the broker was unreachable (retained ones return on connect). */
  dropped_while_offline: number;
}

/** `<base>/bridge/health`: what the quota is spent on and what is left of it. */
export interface BridgeHealthPayload {
  uptime_s: number;
  auth: {
    state: 'ok' | 'refreshing' | 'reauth_required' | 'unconfigured';
    token_refreshes: number;
    forced_refreshes: number;
    last_refresh?: string;
    /** Why the newest token exists only in memory (a restart would need a new sign-in). */
    token_not_saved?: string;
  };
  api: {
    /** Calls made in the sliding windows Netatmo counts, and per endpoint since start. */
    calls: { last_10s: number; last_hour: number; by_endpoint: Record<string, number> };
    budget: { per_10s: number; per_hour: number; remaining_10s: number; remaining_hour: number };
    throttle: { active: boolean; retry_at?: string; reason?: string; count: number };
    errors: number;
  };
  commands: { ok: number; failed: number; rejected: number; coalesced: number; last_error?: string };
  polling: PollingHealth;
  mqtt: MqttHealth;
  events: SecurityHealth;
  energy: EnergyHealth;
  /** The account (`accounts[].name`) whose figures these are; absent for a bridge without `accounts`. */
  account?: string;
  /** How this process shares the Netatmo app with others; absent for a standalone bridge. */
  coordination?: CoordinationHealthPayload;
}

/** `bridge/health` → `coordination`: who serves the account and whether tokens can be refreshed. */
export interface CoordinationHealthPayload {
  /** `local`: this process alone (nothing to run); `redis`: processes share coordination.redis_url. */
  mode: 'local' | 'redis';
  /** Redis answers (always true in local mode). */
  connected: boolean;
  /** The process serving the account (its lease holder): coordination.process_name. */
  owner: string;
  /** Why token refreshes wait (Redis down: never refresh without the lock); absent when they need not. */
  refresh_blocked?: string;
}

/** The energy feed (getmeasure per meter and boiler) in `bridge/health`. */
export interface EnergyHealth {
  /** Meters and boilers whose history is read. */
  meters: number;
  /** Of those, the ones whose history has brought values (the others are read rarely). */
  reporting: number;
  /** Buckets counted since start, and buckets read again and skipped (never counted twice). */
  buckets: number;
  duplicates: number;
  /** Rows refused as impossible (negative, beyond what a bucket allows). */
  refused: number;
  /** Missing ranges still asked for (Netatmo delivers late data for a day at most). */
  gaps: number;
  last_read?: string;
}

/** Security events and Netatmo's webhook, in `bridge/health`. */
export interface SecurityHealth {
  /** Events published, by how they arrived first. */
  published: { poll: number; push: number };
  /** Second copies dropped (a push and the poll that read it too). */
  duplicates: number;
  /** `slow` while the webhook delivers (events are polled only as a safety net). */
  polling: 'normal' | 'slow';
  webhook: {
    /** `off` without webhook.public_url; see src/webhook/webhook-registration.ts for the others. */
    state: 'off' | 'registering' | 'activating' | 'active' | 'unreachable' | 'refused' | 'stopped';
    attempts: number;
    registered_at?: string;
    last_error?: string;
    pushes: number;
    last_push?: string;
    /** Pushes refused for a missing or wrong signature. */
    refused: number;
  };
}

/** The poller's part of `bridge/health`: the plan and each publisher's last outcome. */
export interface PollingHealth {
  running: boolean;
  budget_per_hour: number;
  calls_last_hour: number;
  /** One line per publisher: why the intervals are what they are. */
  plan?: string;
  publishers: Array<{
    id: string;
    interval_s: number;
    online: boolean | null;
    failures: number;
    last_success?: string;
    last_error?: string;
    next_due?: string;
  }>;
}

/** `<base>/bridge/event`: notable things a user may want an automation for. Not retained. */
export type BridgeEventPayload =
  | { type: 'throttled'; data: { retry_at: string; reason: string; scope: 'token' | 'user' | 'app' } }
  | { type: 'throttle_cleared'; data: Record<string, never> }
  | { type: 'reauth_required'; data: { reason: string } }
  | { type: 'credentials_restored'; data: Record<string, never> }
  | { type: 'token_refreshed'; data: { forced: boolean; expires_at: string } }
  | { type: 'command_storm'; data: { device: string; dropped: number; window_s: number } }
  | { type: 'command_failed'; data: { device: string; error: string } }
  | { type: 'devices_changed'; data: { added: string[]; removed: string[] } }
  /** A rotated token could not be saved (kept in memory: a restart would need a new sign-in). */
  | { type: 'token_persist_failed'; data: { location: string; error: string } };

export type BridgeEventType = BridgeEventPayload['type'];

/** `<base>/bridge/logging`: non-debug log lines. */
export interface BridgeLogPayload {
  level: LogLevel;
  message: string;
  namespace?: string;
}

export type Transaction = string | number;

/** `<base>/bridge/request/<cmd>`: a JSON object, with an optional transaction to echo back. */
export interface BridgeRequestPayload {
  transaction?: Transaction;
  [field: string]: unknown;
}

/**
 * The body each `bridge/request/<cmd>` expects and the `data` its `bridge/response/<cmd>`
 * carries. Bodies arrive unchecked from the broker: handlers read them as `RequestBody<cmd>`.
 */
export interface BridgeRequests {
  /** The current health payload, at once. */
  health: { body: Record<string, never>; data: BridgeHealthPayload };
  /** A home's live state (`home`, also `home_id`), or the topology when no home is named. */
  refresh: { body: { home?: string; home_id?: string }; data: { refreshed: string } };
  /** Restarts polling (the process keeps running). */
  restart: { body: Record<string, never>; data: { restarted: 'polling' } };
  'polling/restart': { body: Record<string, never>; data: { restarted: 'polling' } };
  /** `{"log_level":"debug"}` (or `{"value":"debug"}`, or the bare level). */
  log_level: { body: { log_level?: LogLevel; value?: LogLevel }; data: { log_level: LogLevel } };
  /** zigbee2mqtt's options request; only `log_level` can change at run time. */
  options: { body: { options: { log_level?: LogLevel } }; data: { log_level: LogLevel } };
  /** Renames a device (`from`: its friendly name or id); stored in data_dir, its topics move. */
  'device/rename': { body: { from: string; to: string }; data: { from: string; to: string } };
}

export type BridgeRequestName = keyof BridgeRequests;
/** A request body as it arrives: the expected fields, each still to be checked. */
export type RequestBody<K extends BridgeRequestName> = {
  [F in keyof BridgeRequests[K]['body']]?: unknown;
} & BridgeRequestPayload;

/** `<base>/bridge/response/<cmd>`. */
export type BridgeResponsePayload<T = unknown> =
  | { status: 'ok'; data: T; transaction?: Transaction }
  | { status: 'error'; data: Record<string, never>; error: string; transaction?: Transaction };

/**
 * `<base>/bridge/response/device/set`: the outcome of every `<base>/<device>/set[/<attr>]`
 * command (zigbee2mqtt's response shape). `data.code` names the rejection or failure
 * (src/commands/README.md); `data.retry_at` says when a throttled account takes commands again.
 */
export type DeviceSetResponsePayload =
  | { status: 'ok'; data: DeviceSetResult; transaction?: Transaction }
  | { status: 'error'; data: DeviceSetResult; error: string; transaction?: Transaction };

export interface DeviceSetResult {
  /** The device as the command's topic named it: its friendly name or its id. */
  device: string;
  values: Record<string, unknown>;
  /** Why it failed, or `superseded` (ok: a newer value for the same attributes was sent instead). */
  code?: string;
  /** ISO time after which a throttled command may be sent again. */
  retry_at?: string;
  /**
   * Numbers the bridge moved onto the device's step before sending them (`values` holds what
   * was sent): `{"target_temperature":{"requested":20.9,"applied":21,"step":0.5}}`.
   */
  adjusted?: Record<string, { requested: number; applied: number; step: number }>;
}

/** `<base>/<device>`: retained JSON state, attribute → value. */
export type DeviceStatePayload = { [attribute: string]: unknown };

/**
 * `<base>/<device>/event` (not retained, QoS 1): one message per security event of the device,
 * polled or pushed, never twice. Home Assistant's event entity and device triggers read it.
 */
export interface DeviceEventPayload {
  /** The bridge's name for it (src/devices/events.ts): `movement`, `human`, `smoke_detected`… */
  event_type: string;
  /** Netatmo's event id (an outdoor camera's detections share it; `subevent_id` tells them apart). */
  event_id: string;
  subevent_id?: string;
  /** Netatmo's own type and `sub_type` code (`smoke`, 1). */
  netatmo_type: string;
  sub_type?: number;
  /** ISO 8601 time Netatmo gives the event. */
  time: string;
  message?: string;
  /** Capability URLs of the pictures (anyone holding them sees the picture): never logged. */
  snapshot_url?: string;
  vignette_url?: string;
  /** Persons concerned: id and, for known persons, their name. */
  persons?: Array<{ id: string; name?: string }>;
  /** An indoor camera's `person` event: the person just came home. */
  is_arrival?: boolean;
  /** `poll` (read with getevents) or `push` (Netatmo's webhook). */
  via: 'poll' | 'push';
}

/** `<base>/<device>/snapshot`, retained: the picture of the device's last event that had one. */
export interface DeviceSnapshotPayload {
  /** A capability URL; Home Assistant's image entity fetches it. */
  url: string;
  event_type: string;
  event_id: string;
  time: string;
}

/**
 * `<base>/<device>/stream`, retained: a camera's live stream (HLS) for go2rtc or Frigate. Both
 * URLs are capability URLs (they are the camera's only credential): never logged.
 */
export interface CameraStreamPayload {
  /** The best URL: on the local network when the camera answers there, else through Netatmo's relay. */
  url: string;
  /** Through Netatmo's relay (`vpn_url`). */
  vpn_url: string;
  /** On the local network (`local_url`), when the camera is local and answers there. */
  local_url?: string;
  /** A current still picture (`…/live/snapshot_720.jpg`). */
  snapshot_url: string;
}

/** `<base>/<device>/availability`, retained QoS 1. */
export interface AvailabilityPayload {
  state: OnlineState;
}

/** `<base>/<device>/set` (and `/get`): a JSON object; a bare `ON`/`OFF` means `{"state": …}`. */
export type DeviceCommandPayload = { [attribute: string]: unknown };

// ---- Home Assistant discovery (`<discovery_prefix>/device/<base>/<device>/config`) ----------

/** The Home Assistant MQTT platforms the bridge announces entities on. */
export type HaPlatform =
  | 'sensor'
  | 'binary_sensor'
  | 'switch'
  | 'select'
  | 'button'
  | 'number'
  | 'climate'
  | 'cover'
  | 'light'
  | 'fan'
  | 'event'
  | 'image'
  | 'camera';

/** What every component of a device config carries; the rest are the platform's own keys. */
interface ComponentBase {
  /** The platform (HA's abbreviation of `platform`). */
  p: HaPlatform;
  unique_id: string;
  /** null: the entity is the device's main feature and takes the device's name. */
  name: string | null;
  entity_category?: 'diagnostic' | 'config';
  [key: string]: unknown;
}

/** A state read from the device's state JSON by a template. */
interface ReadsState {
  state_topic: string;
  value_template: string;
}

export type SensorComponent = ComponentBase & ReadsState & { p: 'sensor' };
export type BinarySensorComponent = ComponentBase & ReadsState & { p: 'binary_sensor' };
export type SwitchComponent = ComponentBase & { p: 'switch'; command_topic: string };
export type SelectComponent = ComponentBase & { p: 'select'; command_topic: string; options: string[] };
export type ButtonComponent = ComponentBase & { p: 'button'; command_topic: string };
export type NumberComponent = ComponentBase & { p: 'number'; command_topic: string };
export type ClimateComponent = ComponentBase & { p: 'climate'; modes: string[] };
export type CoverComponent = ComponentBase & { p: 'cover'; command_topic: string };
/** JSON-schema light: HA reads `state`/`brightness` from the device's state JSON. */
export type LightComponent = ComponentBase & { p: 'light'; schema: 'json'; command_topic: string };
export type FanComponent = ComponentBase & { p: 'fan'; command_topic: string };
/** A device's events (`<base>/<device>/event`): HA fires one per message whose `event_type` it lists. */
export type EventComponent = ComponentBase & { p: 'event'; state_topic: string; event_types: string[] };
/** The last snapshot, by URL: HA fetches the picture itself. */
export type ImageComponent = ComponentBase & { p: 'image'; url_topic: string; url_template?: string };
/** Picture bytes (base64) the bridge fetched: `<base>/<device>/snapshot/image`. */
export type CameraComponent = ComponentBase & { p: 'camera'; topic: string; image_encoding: 'b64' };

/**
 * A device trigger (HA's `device_automation`, zigbee2mqtt's actions): one per event type of the
 * device, matching `payload` against `value_template` of the messages on `topic`. It is no
 * entity: no unique_id, no name.
 */
export type DeviceTriggerComponent = {
  p: 'device_automation';
  automation_type: 'trigger';
  topic: string;
  type: string;
  subtype: string;
  payload: string;
  value_template: string;
  qos?: 0 | 1;
};

/** One entry of a device config's `cmps`. */
export type ComponentConfig =
  | SensorComponent
  | BinarySensorComponent
  | SwitchComponent
  | SelectComponent
  | ButtonComponent
  | NumberComponent
  | ClimateComponent
  | CoverComponent
  | LightComponent
  | FanComponent
  | EventComponent
  | ImageComponent
  | CameraComponent
  | DeviceTriggerComponent;

/** Device-based discovery (HA 2024.11+): one retained config per device, every entity in `cmps`. */
export interface DeviceDiscoveryPayload {
  dev: {
    identifiers: string[];
    name: string;
    manufacturer: string;
    model: string;
    model_id?: string;
    serial_number?: string;
    sw_version?: string;
    suggested_area?: string;
    via_device?: string;
  };
  /** Origin: who publishes this config. */
  o: { name: string; sw: string; url: string };
  availability?: Array<{ topic: string; value_template: string }>;
  availability_mode?: 'all' | 'any' | 'latest';
  qos: 0 | 1;
  cmps: Record<string, ComponentConfig>;
}

/** The topic map. Placeholders in angle brackets stand for one topic level. */
export interface TopicPayloads {
  'bridge/state': BridgeStatePayload;
  'bridge/info': BridgeInfoPayload;
  'bridge/devices': BridgeDevice[];
  'bridge/health': BridgeHealthPayload;
  'bridge/event': BridgeEventPayload;
  'bridge/logging': BridgeLogPayload;
  /** The body of each request is typed in BridgeRequests (`RequestBody<cmd>`). */
  'bridge/request/<cmd>': BridgeRequestPayload;
  /** `data` of each answer is typed in BridgeRequests (`BridgeRequests[cmd]['data']`). */
  'bridge/response/<cmd>': BridgeResponsePayload;
  'bridge/response/device/set': DeviceSetResponsePayload;
  '<device>': DeviceStatePayload;
  '<device>/availability': AvailabilityPayload;
  '<device>/event': DeviceEventPayload;
  '<device>/snapshot': DeviceSnapshotPayload;
  /** The last snapshot's bytes, base64 (with `cameras.fetch_snapshots`), retained. */
  '<device>/snapshot/image': string;
  '<device>/stream': CameraStreamPayload;
  '<device>/set': DeviceCommandPayload;
  /** Raw value, same as `{"<attr>": value}` on `<device>/set`. */
  '<device>/set/<attr>': string;
  /** Any payload: the device's state is published again and its home read soon. */
  '<device>/get': DeviceCommandPayload;
  '<device>/get/<attr>': string;
}

/**
 * Topics outside the base topic (Home Assistant's), with the same placeholders; `<prefix>` is
 * `homeassistant.discovery_prefix` and `<base>` the base topic made id-safe.
 */
export interface HomeAssistantTopicPayloads {
  /** Retained, QoS 1; an empty payload removes the device from Home Assistant. */
  '<prefix>/device/<base>/<device>/config': DeviceDiscoveryPayload;
  '<prefix>/device/<base>/bridge/config': DeviceDiscoveryPayload;
  /** Home Assistant's birth and will (`homeassistant.status_topic`); `online` makes the bridge republish. */
  '<prefix>/status': 'online' | 'offline';
}

export type TopicKey = keyof TopicPayloads;

/**
 * Topics the bridge's modules publish; the rest it only listens to. `bridge/state` belongs to
 * the connection itself (will, online on connect, offline on shutdown).
 */
export type OutgoingTopicKey =
  | 'bridge/info'
  | 'bridge/devices'
  | 'bridge/health'
  | 'bridge/event'
  | 'bridge/logging'
  | 'bridge/response/<cmd>'
  | 'bridge/response/device/set'
  | '<device>'
  | '<device>/availability'
  | '<device>/event'
  | '<device>/snapshot'
  | '<device>/snapshot/image'
  | '<device>/stream';

type FixedTopic = {
  [K in TopicKey]: K extends `${string}<${string}` ? never : K;
}[TopicKey];

/** Maps a concrete relative topic (`living_valve/availability`) to its key in the map. */
export type TopicKeyOf<T extends string> = T extends FixedTopic
  ? T
  : T extends `bridge/request/${string}`
    ? 'bridge/request/<cmd>'
    : T extends `bridge/response/${string}`
      ? 'bridge/response/<cmd>'
      : T extends `bridge/${string}` | 'bridge'
        ? never
        : T extends `${string}/availability`
          ? '<device>/availability'
          : T extends `${string}/event`
            ? '<device>/event'
            : T extends `${string}/snapshot/image`
              ? '<device>/snapshot/image'
              : T extends `${string}/snapshot`
                ? '<device>/snapshot'
                : T extends `${string}/stream`
                  ? '<device>/stream'
                  : T extends `${string}/set/${string}`
                    ? '<device>/set/<attr>'
                    : T extends `${string}/set`
                      ? '<device>/set'
                      : T extends `${string}/get/${string}`
                        ? '<device>/get/<attr>'
                        : T extends `${string}/get`
                          ? '<device>/get'
                          : T extends `${string}/${string}`
                            ? never
                            : '<device>';

/** The payload type for publishing to relative topic `T`; `never` for topics the bridge does not publish. */
export type OutgoingPayload<T extends string> = string extends T
  ? TopicPayloads[OutgoingTopicKey]
  : TopicPayloads[TopicKeyOf<T> & OutgoingTopicKey];

export class TopicError extends BridgeError {}

/**
 * Throws unless `topic` is a concrete topic the broker would accept for a publish:
 * wildcards would be a protocol error at best and fan a message out to strangers at worst.
 */
export function assertPublishableTopic(topic: string): void {
  if (topic.length === 0) throw new TopicError('refusing to publish to an empty topic');
  if (topic.includes('+') || topic.includes('#')) {
    throw new TopicError(`refusing to publish to a wildcard topic: ${topic}`);
  }
  if (topic.includes('\u0000')) throw new TopicError('refusing to publish to a topic containing NUL');
}

export type ParsedTopic =
  | { kind: 'device_set' | 'device_get'; device: string; attribute?: string }
  | { kind: 'bridge_request'; command: string };

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Builds the parser for topics the bridge listens to: `<base>/<device>/(set|get)[/<attr>]`
 * (zigbee2mqtt's `^<base>/(?!bridge)(.+?)/(get|set)(?:/(.+))?$`) and `<base>/bridge/request/<cmd>`.
 * Anything else yields `undefined`.
 */
export function createTopicParser(baseTopic: string): (topic: string) => ParsedTopic | undefined {
  const base = escapeRegExp(baseTopic);
  const deviceCommand = new RegExp(`^${base}/(?!bridge/)(.+?)/(get|set)(?:/(.+))?$`);
  const bridgeRequest = new RegExp(`^${base}/bridge/request/(.+)$`);
  return (topic) => {
    const request = bridgeRequest.exec(topic);
    if (request) return { kind: 'bridge_request', command: request[1]! };
    const command = deviceCommand.exec(topic);
    if (!command) return undefined;
    const kind = command[2] === 'set' ? 'device_set' : 'device_get';
    const attribute = command[3];
    return attribute === undefined ? { kind, device: command[1]! } : { kind, device: command[1]!, attribute };
  };
}
