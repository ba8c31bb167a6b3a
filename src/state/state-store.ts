/**
 * The StateStore: the bridge's memory of every device, its merged state and availability.
 *
 * Polls deliver PARTIAL states (see devices/state.ts); the store merges them into the
 * previous state and reports only devices whose state really changed, so MQTT publishes
 * only on change. It is the single owner of that memory: publishers read from it and
 * never keep their own copies.
 */
import { initialState } from '../devices/index.js';
import type { Device, DeviceState } from '../devices/types.js';

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

/** What survives a restart: the last merged state of every device. Availability is recomputed. */
export interface StateSnapshot {
  states: Record<string, DeviceState>;
}

export class StateStore {
  readonly #devices = new Map<string, Device>();
  readonly #states = new Map<string, DeviceState>();
  readonly #availability = new Map<string, boolean>();
  readonly #serialized = new Map<string, string>();

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
    for (const device of devices) {
      const previous = this.#devices.get(device.id);
      if (!previous) change.added.push(device);
      else if (JSON.stringify(previous) !== JSON.stringify(device)) change.updated.push(device);
      // Keep restored or earlier values; fill keys the device gained with null.
      this.#states.set(device.id, { ...initialState(device), ...(this.#states.get(device.id) ?? {}) });
    }
    this.#devices.clear();
    for (const [id, device] of next) this.#devices.set(id, device);
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

  /** Merges partial states; returns the devices whose merged state differs from what was last returned. */
  applyStates(partials: Map<string, DeviceState>): StateChange[] {
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
    return changes;
  }

  availability(id: string): boolean | undefined {
    return this.#availability.get(id);
  }

  /** Returns true when the availability changed. */
  setAvailability(id: string, online: boolean): boolean {
    if (!this.#devices.has(id) || this.#availability.get(id) === online) return false;
    this.#availability.set(id, online);
    return true;
  }
}
