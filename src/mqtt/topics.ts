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
import type { DeviceDiscoveryPayload } from './discovery-payload.js';
import type { BridgeHealthPayload } from './health-payload.js';

// The payload types of bridge/health and of discovery live in their own files; importers see them here.
export type * from './discovery-payload.js';
export type * from './health-payload.js';

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
