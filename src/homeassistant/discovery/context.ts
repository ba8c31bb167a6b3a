/**
 * What every discovery builder needs to know about the running bridge, and the shared
 * naming rules (topics, identifiers, unique ids) that keep discovery stable across restarts
 * and keep two bridges on one broker apart.
 */
import type { DeviceSource } from '../../devices/types.js';
import type { DeviceDiscoveryPayload } from '../../mqtt/topics.js';
import type { DeviceTopics } from '../../names/device-names.js';

export interface DiscoveryOrigin {
  name: string;
  sw: string;
  url: string;
}

export interface DiscoveryContext {
  /** MQTT base topic, e.g. `netatmo2mqtt`. */
  baseTopic: string;
  /** Home Assistant discovery prefix, e.g. `homeassistant`. */
  discoveryPrefix: string;
  /** HA device identifier of the bridge itself; every device's `via_device`. */
  bridgeDeviceId: string;
  /** One of several accounts of a process (`<base>/<account>` is the base topic): the bridge device's name says which. */
  account?: string;
  origin: DiscoveryOrigin;
  /**
   * Seconds after which HA marks a cloud-polled sensor unavailable when no state message
   * arrived, by the poll that feeds the device (see `expireAfterFromPollInterval`). Absent
   * for a source = no `expire_after`. The state publisher must then republish each device's
   * state at least once per this period, even when nothing changed.
   */
  expireAfter?: Partial<Record<DeviceSource, number>>;
  /** Cameras also get a `camera` entity fed with their last snapshot's bytes (`cameras.fetch_snapshots`). */
  snapshotCamera?: boolean;
  /**
   * Each device's topic and friendly name (src/names); default its id and Netatmo name. The
   * discovery topic, identifiers and unique ids stay on the id, so a rename keeps every entity.
   */
  topics?: DeviceTopics;
}

export interface DiscoveryMessage {
  /** Retain it (QoS 1); an empty retained payload on the same topic removes the device. */
  topic: string;
  payload: DeviceDiscoveryPayload;
}

/**
 * `expire_after` for a poll interval: three missed polls plus a minute of slack, so one
 * failed or throttled poll never blanks a sensor, while a dead feed does within minutes.
 */
export function expireAfterFromPollInterval(intervalSeconds: number): number {
  return Math.ceil(3 * intervalSeconds + 60);
}

/** The base topic as one id-safe token (`home/netatmo` → `home_netatmo`). */
export function baseTopicToken(baseTopic: string): string {
  return baseTopic.replace(/[^a-zA-Z0-9_-]/g, '_');
}

/**
 * `<prefix>/device/<base>/<device>/config`: the base topic as HA's node id keeps two
 * bridges' configs apart and gives the start-up sweep a prefix that is ours alone.
 */
export function deviceDiscoveryTopic(ctx: DiscoveryContext, deviceId: string): string {
  return `${ownDiscoveryTopicPrefix(ctx)}${deviceId}/config`;
}

/** Every discovery topic this bridge (this base topic) publishes starts with this. */
export function ownDiscoveryTopicPrefix(ctx: DiscoveryContext): string {
  return `${ctx.discoveryPrefix}/device/${baseTopicToken(ctx.baseTopic)}/`;
}

/** HA device identifier of a Netatmo device. */
export function deviceIdentifier(ctx: DiscoveryContext, deviceId: string): string {
  return `${baseTopicToken(ctx.baseTopic)}_${deviceId}`;
}

/** Entity unique id, zigbee2mqtt style: `<device>_<entity>_<base topic>`. */
export function uniqueId(ctx: DiscoveryContext, deviceId: string, entityKey: string): string {
  return `${deviceId}_${entityKey}_${ctx.baseTopic}`;
}

/** Both availability topics of a device, by its topic (`DeviceTopics.topicOf`). */
export function availabilityList(
  ctx: DiscoveryContext,
  deviceTopic: string,
): Array<{ topic: string; value_template: string }> {
  return [
    { topic: `${ctx.baseTopic}/bridge/state`, value_template: '{{ value_json.state }}' },
    { topic: `${ctx.baseTopic}/${deviceTopic}/availability`, value_template: '{{ value_json.state }}' },
  ];
}
