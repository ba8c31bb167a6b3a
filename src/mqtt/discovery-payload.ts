/** Home Assistant device discovery (`<discovery_prefix>/device/<base>/<device>/config`) payloads. */

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
