/**
 * The device model's public types: what a Netatmo module, room or home looks like to the
 * rest of the bridge (MQTT state, discovery, command validation).
 *
 * A Device is topology only (no live values); its live values are a DeviceState keyed by
 * the capability keys. Capabilities carry both how Home Assistant shows a value
 * (`component`, classes, units) and, when `writable` is set, what a command may send.
 * Which family a device belongs to (families/) decides everything else about it.
 */
import type { FamilyId } from './families/ids.js';

export type DeviceKind =
  | 'home'
  | 'room'
  | 'person'
  | 'thermostat'
  | 'valve'
  | 'boiler'
  | 'weather_station'
  | 'weather_module'
  | 'home_coach'
  | 'shutter'
  | 'light'
  | 'switch'
  | 'fan'
  | 'camera'
  | 'smoke_alarm'
  | 'co_alarm'
  | 'door_tag'
  | 'siren'
  | 'gateway'
  | 'meter'
  | 'remote'
  | 'intercom'
  | 'sensor'
  | 'unknown';

/** Where a device's live state comes from, i.e. which poll refreshes it. */
export type DeviceSource = 'homes' | 'stations' | 'coaches';

export type CapabilityValueKind = 'number' | 'boolean' | 'enum' | 'text' | 'timestamp';

/**
 * How Home Assistant shows a capability. `climate`, `cover`, `light` and `fan` capabilities
 * are parts of ONE composite entity per device (e.g. a room's climate is built from
 * current_temperature, target_temperature, mode and heating_action); the others are one
 * entity each.
 */
export type HaComponent =
  | 'sensor'
  | 'binary_sensor'
  | 'switch'
  | 'light'
  | 'cover'
  | 'climate'
  | 'select'
  | 'fan'
  | 'number'
  | 'button';

export interface WritableSpec {
  min?: number;
  max?: number;
  step?: number;
  /** Exact values a command may carry (raw payload of `<base>/<device>/set/<key>`). */
  options?: string[];
}

export interface Capability {
  /** The key in the device's state object, lowercase snake_case. */
  key: string;
  kind: CapabilityValueKind;
  component: HaComponent;
  /** Human label for the entity; absent for the device's main feature. */
  name?: string;
  unit?: string;
  deviceClass?: string;
  stateClass?: 'measurement' | 'total' | 'total_increasing';
  category?: 'diagnostic' | 'config';
  /** Values an enum state may take. */
  options?: string[];
  /** Present when the bridge accepts commands for this key; the command layer validates against it. */
  writable?: WritableSpec;
}

export interface Device {
  /**
   * Topic-safe, stable id used in MQTT topics and HA identifiers (see ids.ts):
   * modules `12_34_56_00_01_ae` (':' → '_', '#' → '-', lowercase, spaces dropped),
   * rooms `room_<roomId>`, homes `home_<homeId>`.
   */
  id: string;
  /** The id Netatmo uses in API calls (spaces removed); for rooms the room id, for homes the home id. */
  netatmoId: string;
  homeId?: string;
  homeName?: string;
  /** Netatmo id of the gateway module that bridges this module (NAPlug, NLG, NAMain, ...). */
  bridgeId?: string;
  roomId?: string;
  kind: DeviceKind;
  /** The device family (families/) that reads its state, encodes its commands and announces it. */
  family: FamilyId;
  /** Netatmo type code (`NATherm1`, ...); `room`, `home` and `person` for the virtual devices. */
  type: string;
  name: string;
  model: string;
  manufacturer: string;
  roomName?: string;
  /** homesdata `category` of a module (door tags: door, window, garage...). */
  category?: string;
  source: DeviceSource;
  capabilities: Capability[];
  /** Rooms: how Netatmo takes this room's setpoints (OpenTherm/Smarther/pilot-wire rooms need setstate). */
  setpointApi?: 'setroomthermpoint' | 'setstate';
  /**
   * Rooms: which setpoints the room takes. `heating` (`therm_setpoint_*`), or for an
   * air-conditioned room in a home whose `temperature_control_mode` says so, `cooling`
   * (`cooling_setpoint_*`) or `auto` (`auto_setpoint_*`: the AC heats or cools).
   */
  climateMode?: ClimateMode;
  /** Homes: the therm schedules a `schedule` command may name. */
  schedules?: ScheduleRef[];
}

export type ClimateMode = 'heating' | 'cooling' | 'auto';

export interface ScheduleRef {
  id: string;
  name: string;
  selected: boolean;
}

export type StateValue = string | number | boolean | null;
export type DeviceState = Record<string, StateValue>;
