/**
 * Turns what the poller reads into devices, states and availability (the data direction of
 * the design): Netatmo bodies → device model → StateStore → DevicePublisher.
 *
 * Devices come from three feeds (homesdata, getstationsdata, gethomecoachsdata), so the
 * device list is rebuilt whenever any of them brings a different set of devices. A device is
 * online when the poll that feeds it works and Netatmo does not report it unreachable.
 *
 * A weather module can be in both the homes model (homestatus) and the stations model, which
 * report some values differently (battery as a coarse state vs a percentage). The stations feed
 * owns the keys it reports for such a device; otherwise the two polls would flip the value back
 * and forth and publish on every poll.
 */
import { buildDevices, deviceStates } from '../devices/index.js';
import type { Device, DeviceState } from '../devices/types.js';
import { childLogger } from '../log.js';
import type { DevicePublisher } from '../mqtt/device-publisher.js';
import type {
  HomeCoachsDataBody,
  HomeStatusBody,
  HomesDataBody,
  StationsDataBody,
} from '../netatmo/api-types.js';
import { homePublisherId, type PollerSinks, type PublisherId } from '../poller/ports.js';
import type { StateCache } from '../state/state-cache.js';
import type { StateStore } from '../state/state-store.js';

const log = childLogger('devices');

export interface DeviceSyncOptions {
  store: StateStore;
  publisher: DevicePublisher;
  cache?: StateCache;
  /** Called after the device list changed (e.g. to re-plan discovery expiry or log figures). */
  onDevicesChanged?: (devices: Device[]) => void;
}

export class DeviceSync implements PollerSinks {
  readonly #store: StateStore;
  readonly #publisher: DevicePublisher;
  readonly #cache: StateCache | undefined;
  readonly #onDevicesChanged: ((devices: Device[]) => void) | undefined;
  #homes: HomesDataBody | undefined;
  #stations: StationsDataBody | undefined;
  #coaches: HomeCoachsDataBody | undefined;
  readonly #offlinePublishers = new Set<PublisherId>();
  /** Keys the stations / home coach feeds report per device: homestatus leaves them alone. */
  readonly #weatherKeys = new Map<string, Set<string>>();
  /** Serialises updates so publishes keep the order in which polls answered. */
  #queue: Promise<void> = Promise.resolve();

  constructor(options: DeviceSyncOptions) {
    this.#store = options.store;
    this.#publisher = options.publisher;
    this.#cache = options.cache;
    this.#onDevicesChanged = options.onDevicesChanged;
  }

  /** Resolves when every update handed in so far has been published. */
  idle(): Promise<void> {
    return this.#queue;
  }

  onTopology(body: HomesDataBody): void {
    this.#homes = body;
    this.#enqueue(async () => {
      await this.#rebuild();
      await this.#apply(deviceStates(this.#store.devices(), { homes: body }));
    });
  }

  onHomeStatus(homeId: string, body: HomeStatusBody): void {
    this.#enqueue(() => {
      const partials = deviceStates(this.#store.devices(), { homeStatus: body });
      for (const [id, partial] of partials) {
        const owned = this.#weatherKeys.get(id);
        if (owned)
          partials.set(id, Object.fromEntries(Object.entries(partial).filter(([k]) => !owned.has(k))));
      }
      return this.#apply(partials, homeId);
    });
  }

  onStations(body: StationsDataBody): void {
    this.#stations = body;
    this.#enqueue(async () => {
      await this.#rebuild();
      await this.#apply(this.#ownWeatherKeys(deviceStates(this.#store.devices(), { stations: body })));
    });
  }

  onHomeCoachs(body: HomeCoachsDataBody): void {
    this.#coaches = body;
    this.#enqueue(async () => {
      await this.#rebuild();
      await this.#apply(this.#ownWeatherKeys(deviceStates(this.#store.devices(), { coaches: body })));
    });
  }

  onAvailability(publisher: PublisherId, online: boolean): void {
    if (online) this.#offlinePublishers.delete(publisher);
    else this.#offlinePublishers.add(publisher);
    log.info(`${publisher} is ${online ? 'back online' : 'offline after repeated failures'}`);
    this.#enqueue(() => this.#refreshAvailability(this.#store.devices()));
  }

  #ownWeatherKeys(partials: Map<string, DeviceState>): Map<string, DeviceState> {
    for (const [id, partial] of partials) {
      const keys = this.#weatherKeys.get(id) ?? new Set<string>();
      for (const key of Object.keys(partial)) keys.add(key);
      this.#weatherKeys.set(id, keys);
    }
    return partials;
  }

  async #rebuild(): Promise<void> {
    const devices = buildDevices({ homes: this.#homes, stations: this.#stations, coaches: this.#coaches });
    const change = this.#store.replaceDevices(devices);
    if (change.added.length + change.removed.length + change.updated.length === 0) return;
    log.info(
      `devices: ${devices.length} (${change.added.length} new, ${change.removed.length} gone, ${change.updated.length} changed)`,
    );
    await this.#publisher.publishTopology(change);
    this.#onDevicesChanged?.(devices);
    this.#cache?.markDirty();
  }

  async #apply(partials: Map<string, DeviceState>, homeId?: string): Promise<void> {
    const changes = this.#store.applyStates(partials);
    await this.#publisher.publishStates(changes);
    const changed = new Set(changes.map((c) => c.device.id));
    await this.#publisher.heartbeat([...partials.keys()].filter((id) => !changed.has(id)));
    const touched = this.#store
      .devices()
      .filter((d) => partials.has(d.id) || (homeId !== undefined && d.homeId === homeId));
    await this.#refreshAvailability(touched);
    if (changes.length > 0) this.#cache?.markDirty();
  }

  async #refreshAvailability(devices: Device[]): Promise<void> {
    const updates: Array<Promise<void>> = [];
    for (const device of devices) {
      const online = this.#isOnline(device);
      // A device never seen before gets its first availability message, changed or not.
      if (this.#store.setAvailability(device.id, online))
        updates.push(this.#publisher.publishAvailability(device.id, online));
    }
    await Promise.all(updates);
    if (updates.length > 0) this.#cache?.markDirty();
  }

  #isOnline(device: Device): boolean {
    if (this.#offlinePublishers.has(feedOf(device))) return false;
    const reachable = this.#store.state(device.id)?.reachable;
    return reachable !== false;
  }

  #enqueue(task: () => Promise<void>): void {
    this.#queue = this.#queue.then(task).catch((error: unknown) => {
      log.error(`updating devices failed: ${(error as Error).message}`);
    });
  }
}

/** The poll that feeds a device's live state. */
function feedOf(device: Device): PublisherId {
  if (device.source === 'stations') return 'weather';
  if (device.source === 'coaches') return 'homecoach';
  return device.homeId ? homePublisherId(device.homeId) : 'topology';
}
