/**
 * The security part of a device's discovery config, for every device that sends events
 * (src/devices/events.ts): an `event` entity listing its event types and one device trigger per
 * type (zigbee2mqtt's actions), all reading `<base>/<device>/event`; and for cameras the last
 * snapshot (`image` entity by URL, optionally a `camera` entity with the fetched bytes) and the
 * live stream URL (a diagnostic sensor, disabled by default: it is the camera's credential).
 */
import { CAMERA_TYPES, eventTypesOf } from '../../devices/events.js';
import type { ComponentKit } from '../../devices/family.js';
import type { Device } from '../../devices/types.js';
import type { ComponentConfig } from '../../mqtt/topics.js';

/** HA's event device classes: the doorbell rings, cameras see motion. */
function eventDeviceClass(type: string): 'doorbell' | 'motion' | undefined {
  if (type === 'NDB') return 'doorbell';
  return CAMERA_TYPES.has(type) ? 'motion' : undefined;
}

export interface SecurityDiscoveryOptions {
  /** Announce the `camera` entity fed with snapshot bytes (`cameras.fetch_snapshots`). */
  snapshotCamera: boolean;
}

export function securityComponents(
  kit: ComponentKit,
  device: Device,
  options: SecurityDiscoveryOptions,
): Record<string, ComponentConfig> {
  const types = eventTypesOf(device.type);
  if (types.length === 0) return {};
  const eventTopic = `${kit.stateTopic}/event`;
  const deviceClass = eventDeviceClass(device.type);
  const cmps: Record<string, ComponentConfig> = {
    event: {
      p: 'event',
      ...kit.common('event'),
      name: 'Event',
      state_topic: eventTopic,
      event_types: types,
      ...(deviceClass ? { device_class: deviceClass } : {}),
    },
  };
  for (const type of types) {
    cmps[`trigger_${type}`] = {
      p: 'device_automation',
      automation_type: 'trigger',
      topic: eventTopic,
      type: 'event',
      subtype: type,
      payload: type,
      value_template: '{{ value_json.event_type }}',
      qos: 1,
    };
  }
  if (!CAMERA_TYPES.has(device.type)) return cmps;
  cmps.snapshot = {
    p: 'image',
    ...kit.common('snapshot'),
    name: 'Last snapshot',
    url_topic: `${kit.stateTopic}/snapshot`,
    url_template: '{{ value_json.url }}',
  };
  if (options.snapshotCamera) {
    cmps.snapshot_camera = {
      p: 'camera',
      ...kit.common('snapshot_camera'),
      name: 'Last snapshot picture',
      topic: `${kit.stateTopic}/snapshot/image`,
      image_encoding: 'b64',
    };
  }
  cmps.stream_url = {
    p: 'sensor',
    ...kit.common('stream_url'),
    name: 'Stream URL',
    entity_category: 'diagnostic',
    enabled_by_default: false,
    icon: 'mdi:cctv',
    state_topic: `${kit.stateTopic}/stream`,
    value_template: kit.value('url'),
    json_attributes_topic: `${kit.stateTopic}/stream`,
  };
  return cmps;
}
