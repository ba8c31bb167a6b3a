/**
 * The StateStore: the bridge's memory of every device, its merged state and availability.
 *
 * Polls deliver PARTIAL states (see devices/state.ts); the store merges them into the
 * previous state and reports only devices whose state really changed, so MQTT publishes
 * only on change. It is the single owner of that memory: publishers read from it and
 * never keep their own copies.
 *
 * Whatever changes it tells its listeners (publishers, the state cache, command confirmation)
 * at once, in the order they subscribed; their publishes therefore leave in the order in which
 * one writer (DeviceSync) applied the updates, without anyone waiting for the broker between
 * two updates. `settled()` waits for what the listeners started.
 */
import { initialState } from '../devices/index.js';
import type { Device, DeviceState } from '../devices/types.js';
import { childLogger } from '../log.js';

const log = childLogger('state');

export interface TopologyChange {
  added: Device[];
  removed: Device[];
  /** Devices whose topology (name, capabilities, room...) changed. */
  updated: Device[];
}

export interface StateChange {
  device: Device;
  state: DeviceState;
}

/** Where a batch of partial states came from. */
export type StateOrigin =
  /** A poll: `homeId` is set for one home's homestatus. */
  | { kind: 'poll'; homeId?: string }
  /** The optimistic state of a command Netatmo accepted. */
  | { kind: 'command' }
  /** What a security event changed (an alarm, a door, a person): src/security/. */
  | { kind: 'event' }
  /** Meter readings and boiler time from getmeasure: src/energy/. */
  | { kind: 'measure' };

export interface AppliedStates {
  origin: StateOrigin;
  /** What the source reported, per device (before merging). */
  partials: ReadonlyMap<string, DeviceState>;
  /** Devices whose merged state changed. */
  changes: StateChange[];
}

export interface AvailabilityChange {
  device: Device;
  online: boolean;
}

/** What the store tells; every method is optional. A returned promise is awaited by `settled()`. */
export interface StoreListener {
  topologyChanged?(change: TopologyChange): void | Promise<void>;
  statesApplied?(applied: AppliedStates): void | Promise<void>;
  availabilityChanged?(changes: AvailabilityChange[]): void | Promise<void>;
}

/** What survives a restart: the last merged state of every device. Availability is recomputed. */
export interface StateSnapshot {
  states: Record<string, DeviceState>;
}

export class StateStore {
  readonly #devices = new Map<string, Device>();
  readonly #states = new Map<string, DeviceState>();
  readonly #availability = new Map<string, boolean>();
  readonly #serialized = new Map<string, string>();
  readonly #listeners: StoreListener[] = [];
  readonly #inFlight = new Set<Promise<void>>();

  /** Adds a listener; returns the function that removes it. */
  subscribe(listener: StoreListener): () => void {
    this.#listeners.push(listener);
    return () => {
      const at = this.#listeners.indexOf(listener);
      if (at >= 0) this.#listeners.splice(at, 1);
    };
  }

  /** Seeds states from a saved snapshot (before any device is known). */
  restore(snapshot: StateSnapshot): void {
    for (const [id, state] of Object.entries(snapshot.states)) this.#states.set(id, { ...state });
  }

  snapshot(): StateSnapshot {
    const states: Record<string, DeviceState> = {};
    for (const id of this.#devices.keys()) {
      const state = this.#states.get(id);
      if (state) states[id] = state;
    }
    return { states };
  }

  /** Resolves once every listener call made so far has finished (its publishes acknowledged). */
  async settled(): Promise<void> {
    while (this.#inFlight.size > 0) await Promise.all([...this.#inFlight]);
  }

  /** Replaces the device list (after a topology poll); keeps the state of devices that stay. */
  replaceDevices(devices: Device[]): TopologyChange {
    const next = new Map(devices.map((d) => [d.id, d]));
    const change: TopologyChange = { added: [], removed: [], updated: [] };
    for (const [id, device] of this.#devices) {
      if (!next.has(id)) {
        change.removed.push(device);
        this.#states.delete(id);
        this.#availability.delete(id);
        this.#serialized.delete(id);
      }
    }
    const previous = new Map(this.#devices);
    this.#devices.clear();
    for (const device of devices) this.#put(device, previous.get(device.id), change);
    this.#tellTopology(change);
    return change;
  }

  /** Replaces some devices (known ones only), e.g. when their data added capabilities. */
  updateDevices(devices: Device[]): TopologyChange {
    const change: TopologyChange = { added: [], removed: [], updated: [] };
    for (const device of devices) {
      const previous = this.#devices.get(device.id);
      if (previous) this.#put(device, previous, change);
    }
    this.#tellTopology(change);
    return change;
  }

  devices(): Device[] {
    return [...this.#devices.values()];
  }

  device(id: string): Device | undefined {
    return this.#devices.get(id);
  }

  state(id: string): DeviceState | undefined {
    return this.#states.get(id);
  }

  /** Merges partial states, tells the listeners, and returns the devices whose merged state changed. */
  applyStates(partials: ReadonlyMap<string, DeviceState>, origin: StateOrigin): StateChange[] {
    const changes: StateChange[] = [];
    for (const [id, partial] of partials) {
      const device = this.#devices.get(id);
      if (!device) continue;
      const merged = { ...(this.#states.get(id) ?? initialState(device)), ...partial };
      this.#states.set(id, merged);
      const text = JSON.stringify(merged);
      if (this.#serialized.get(id) !== text) {
        this.#serialized.set(id, text);
        changes.push({ device, state: merged });
      }
    }
    const applied: AppliedStates = { origin, partials, changes };
    this.#tell((listener) => listener.statesApplied?.(applied));
    return changes;
  }

  availability(id: string): boolean | undefined {
    return this.#availability.get(id);
  }

  /** Records availabilities; tells the listeners those that changed (or were first known). */
  setAvailability(entries: Iterable<readonly [string, boolean]>): AvailabilityChange[] {
    const changes: AvailabilityChange[] = [];
    for (const [id, online] of entries) {
      const device = this.#devices.get(id);
      if (!device || this.#availability.get(id) === online) continue;
      this.#availability.set(id, online);
      changes.push({ device, online });
    }
    if (changes.length > 0) this.#tell((listener) => listener.availabilityChanged?.(changes));
    return changes;
  }

  #put(device: Device, previous: Device | undefined, change: TopologyChange): void {
    this.#devices.set(device.id, device);
    // Keep restored or earlier values; fill keys the device gained with null.
    this.#states.set(device.id, { ...initialState(device), ...(this.#states.get(device.id) ?? {}) });
    if (!previous) change.added.push(device);
    else if (JSON.stringify(previous) !== JSON.stringify(device)) change.updated.push(device);
  }

  #tellTopology(change: TopologyChange): void {
    if (change.added.length + change.removed.length + change.updated.length === 0) return;
    this.#tell((listener) => listener.topologyChanged?.(change));
  }

  /** Calls every listener now, in order; what they return is tracked for `settled()`. */
  #tell(call: (listener: StoreListener) => void | Promise<void>): void {
    for (const listener of [...this.#listeners]) {
      let result: void | Promise<void>;
      try {
        result = call(listener);
      } catch (error) {
        log.error(`a state listener failed: ${(error as Error).message}`);
        continue;
      }
      if (!result) continue;
      const tracked: Promise<void> = result
        .catch((error: unknown) => {
          log.error(`a state listener failed: ${(error as Error).message}`);
        })
        .finally(() => this.#inFlight.delete(tracked));
      this.#inFlight.add(tracked);
    }
  }
}
