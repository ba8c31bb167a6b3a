/**
 * The device-family contract (zigbee2mqtt's converter definitions): one family holds, for its
 * Netatmo types, what a device exposes, how its state is read, how its commands are checked and
 * written, and which Home Assistant components announce it. The rest of the bridge only talks
 * to families through this interface (see families/README.md for how to add a type or family).
 */
import type { ComponentConfig, Transaction } from '../mqtt/topics.js';
import type { HomeStatus, HomeTopology, ModuleStatus, RoomStatus } from '../netatmo/api-types.js';
import type { FamilyId } from './families/ids.js';
import { historyCapabilities, type MeasureHistory } from './history.js';
import type { Capability, Device, DeviceKind, DeviceState, StateValue } from './types.js';

/** The values a module has reported, by state key (non-null only): capabilities may come from them. */
export type Reported = ReadonlyMap<string, StateValue>;

/** What the catalogue says about one Netatmo type: one line in a family's `types` table. */
export interface TypeEntry {
  model: string;
  vendor: string;
  /** The kind shown in `bridge/devices` when it differs from the family's. */
  kind?: DeviceKind;
  /** Runs on batteries (battery_state / battery_level / battery_percent). */
  battery?: true;
  /** Reports an 868 MHz radio signal (rf_strength / rf_status). */
  rf?: true;
  /** Reports a Wi-Fi signal (wifi_strength / wifi_status). */
  wifi?: true;
  /** Heats the room it is in: the room becomes a climate device. */
  heats?: true;
  /** Its room takes setpoints through `setstate` (OpenTherm, Smarther, pilot wire) rather than setroomthermpoint. */
  setstateRoom?: true;
  /** Its room reports humidity. */
  roomHumidity?: true;
  /**
   * Air-conditions the room it is in (Smart AC Control): in a home whose
   * `temperature_control_mode` is `cooling` or `auto`, that room takes `cooling_`/`auto_`
   * setpoints instead of heating ones.
   */
  cools?: true;
  /**
   * Has a measure history the bridge reads with getmeasure (history.ts): the energy it counted
   * (`energy`, or `legacy_energy` for the Ecometer) or its boiler's running time (`boiler`).
   */
  history?: MeasureHistory;
}

/** What a family knows when it decides a module's capabilities. */
export interface ModuleFacts {
  type: string;
  /** homesdata `category` (door tags: door, window, garage...). */
  category?: string;
  /** What the module has reported so far, by state key: capabilities may come from the data. */
  reported: Reported;
  /** The module's homesdata entry (VELUX openers carry `velux_type` there); empty for stations. */
  attributes?: Readonly<Record<string, unknown>>;
}

// ---- commands ----------------------------------------------------------------------------

/** A command that passed validation: normalized values for ONE device, ready to encode. */
export interface ValidCommand {
  device: Device;
  /** Capability key → normalized value (`TOGGLE` already resolved, enums in their declared spelling). */
  values: Record<string, StateValue>;
  /** Epoch seconds a room setpoint or a home away/frost-guard mode ends, when asked for. */
  endTime?: number;
  /** Values moved onto the device's step (20.9 °C → 21, position 42 → 40 on a step of 5). */
  adjusted?: Record<string, Adjustment>;
  transaction?: Transaction;
}

/** A number the bridge rounded to the device's step before sending it. */
export interface Adjustment {
  requested: number;
  applied: number;
  step: number;
}

/** One Netatmo call (or one part of a setstate) that carries a command. */
export type NetatmoAction =
  | { kind: 'setstate_module'; homeId: string; module: { id: string; [field: string]: unknown } }
  | { kind: 'setstate_room'; homeId: string; room: { id: string; [field: string]: unknown } }
  | {
      kind: 'room_therm_point';
      homeId: string;
      roomId: string;
      mode: string;
      temp?: number;
      endtime?: number;
    }
  | { kind: 'therm_mode'; homeId: string; mode: string; endtime?: number }
  | { kind: 'switch_schedule'; homeId: string; scheduleId: string }
  /** `setpersonsaway`: one person, or (no person) everybody: the home is empty. */
  | { kind: 'persons_away'; homeId: string; personId?: string }
  | { kind: 'persons_home'; homeId: string; personId: string };

/** The optimistic state a successful command leaves on its device. */
export type ExpectedState = DeviceState;

export interface Encoded {
  actions: NetatmoAction[];
  /** Optimistic state published once Netatmo accepted the command. */
  expected: ExpectedState;
  /** Keys the next poll should confirm (moving shutters report positions in transit). */
  confirmable: string[];
}

export type EncodeResult = Encoded | { error: string };

// ---- Home Assistant ----------------------------------------------------------------------

/** What a family needs to write its composite Home Assistant components (built by homeassistant/). */
export interface ComponentKit {
  /** The device's state topic, `<base>/<device>`. */
  readonly stateTopic: string;
  /** `<state topic>/set/<key>`, or `<state topic>/set` without a key. */
  commandTopic(key?: string): string;
  /** unique_id, name (null for the device's main feature) and entity_category of one entity. */
  common(
    entityKey: string,
    cap?: Capability,
  ): { unique_id: string; name: string | null; entity_category?: 'diagnostic' | 'config' };
  /** The template reading one key of the state JSON: `{{ value_json.<key> }}`. */
  value(key: string): string;
  /** The plain entity (sensor, binary_sensor, switch, select) of one capability. */
  single(cap: Capability): ComponentConfig | undefined;
}

// ---- families ----------------------------------------------------------------------------

interface FamilyBase {
  readonly id: FamilyId;
  /** The kind `bridge/devices` shows for its devices (a type entry may say otherwise). */
  readonly kind: DeviceKind;
  /** Command keys this family may accept: elsewhere such a key is "unsupported", not "unknown". */
  readonly commandKeys?: readonly string[];
  /** State keys whose first value changes the device's capabilities (capabilities from data). */
  readonly dataKeys?: readonly string[];
  /**
   * Keys a sender may add that these devices cannot honour and that change nothing (Home
   * Assistant's light `transition`: Netatmo switches at once). Accepted, dropped, logged at debug.
   */
  readonly ignoredKeys?: readonly string[];
  /** Keys refused with a reason of their own, e.g. a light's `flash`. */
  readonly unsupportedKeys?: Readonly<Record<string, string>>;
  /** A refusal (text) for a command the capability specs alone allow but the device cannot do. */
  validate?(command: ValidCommand, state: DeviceState | undefined): string | undefined;
  /** Whether `end_time`/`duration` may qualify these values. Default: never. */
  timed?(values: Record<string, StateValue>): boolean;
  encode?(command: ValidCommand, state: DeviceState | undefined): EncodeResult;
  /** Composite components (climate, cover, light, fan, buttons) built from the device's capabilities. */
  components?(
    kit: ComponentKit,
    caps: ReadonlyMap<string, Capability>,
    device: Device,
    state: DeviceState | undefined,
  ): Record<string, ComponentConfig>;
  /** What discovery depends on in the state besides firmware; a change republishes the config. */
  discoveryKey?(state: DeviceState): string;
}

/** A family of Netatmo module types. */
export interface ModuleFamily extends FamilyBase {
  /** Netatmo type → catalogue entry; type codes are unique across families. */
  readonly types: Readonly<Record<string, TypeEntry>>;
  capabilities(facts: ModuleFacts): Capability[];
  /**
   * homestatus module → this family's keys (connectivity, battery and signal are read for every
   * module). `room` is the status of the module's room, for a sensor whose values Netatmo reports
   * on the room (the VELUX indoor climate sensor).
   */
  state?(module: ModuleStatus, device: Device, room?: RoomStatus): DeviceState;
}

export type TypeLookup = (type: string) => TypeEntry | undefined;

/** One home's homestatus as the virtual families read it. */
export interface HomeStatusView {
  home: HomeStatus;
  rooms: ReadonlyMap<string, RoomStatus>;
  /** By cleaned Netatmo id. */
  modules: ReadonlyMap<string, ModuleStatus>;
  /** The bridge's devices of this home. */
  devices: readonly Device[];
}

/** A family of devices the bridge derives from topology (rooms, homes): no Netatmo type of its own. */
export interface VirtualFamily extends FamilyBase {
  /** The devices this family derives from one home's topology. */
  devicesOf(home: HomeTopology, entryOf: TypeLookup): Device[];
  /** State the topology itself tells (a home's mode and selected schedule). */
  topologyState?(device: Device, home: HomeTopology): DeviceState | undefined;
  /** State from the home's homestatus. */
  homeState?(device: Device, status: HomeStatusView): DeviceState | undefined;
}

export type DeviceFamily = ModuleFamily | VirtualFamily;

export function isModuleFamily(family: DeviceFamily): family is ModuleFamily {
  return 'types' in family;
}

/**
 * Defines a module family whose type entries carry options of their own (`dimmable`,
 * `floodlight`...): inside the definition `entry` is typed with them; outside, it is a plain
 * ModuleFamily. A type with a `history` gets its energy or heating-time entities here, once
 * its data has them (history.ts), whatever its family.
 */
export function moduleFamily<O extends object>(
  definition: Omit<ModuleFamily, 'types' | 'capabilities'> & {
    types: Readonly<Record<string, TypeEntry & O>>;
    capabilities(facts: ModuleFacts & { entry: TypeEntry & O }): Capability[];
  },
): ModuleFamily {
  return {
    ...definition,
    capabilities: (facts) => {
      const entry = definition.types[facts.type];
      if (!entry) throw new Error(`${facts.type} is not a ${definition.id} type`);
      return [...definition.capabilities({ ...facts, entry }), ...historyCapabilities(entry, facts.reported)];
    },
  };
}

/** A `setstate` entry for one module (with its bridge, which Netatmo needs for bridged modules). */
export function moduleAction(
  device: Device,
  fields: Record<string, unknown>,
): NetatmoAction | { error: string } {
  if (!device.homeId) return { error: `${device.id} belongs to no Netatmo home; it cannot be controlled` };
  const module: { id: string; [field: string]: unknown } = { id: device.netatmoId };
  if (device.bridgeId) module.bridge = device.bridgeId;
  return { kind: 'setstate_module', homeId: device.homeId, module: { ...module, ...fields } };
}
