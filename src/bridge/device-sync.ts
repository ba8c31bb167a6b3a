/**
 * DeviceSync is the one writer of the StateStore (the data direction of the design): Netatmo
 * bodies from the poller → device model → StateStore, whose listeners publish. A command's
 * optimistic state goes through the same queue, so a poll answer and a command's result are
 * applied one after the other, in the order they arrived.
 *
 * Devices come from three feeds (homesdata, getstationsdata, gethomecoachsdata), so the
 * device list is rebuilt whenever any of them brings a different set of devices. Devices are
 * also rebuilt when their data brings a value their capabilities do not cover yet (a module
 * that reports a battery gets a battery entity). A device is online when the poll that feeds
 * it works and Netatmo does not report it unreachable.
 *
 * A weather module can be in both the homes model (homestatus) and the stations model, which
 * report some values differently (battery as a coarse state vs a percentage). The stations feed
 * owns the keys it reports for such a device; otherwise the two polls would flip the value back
 * and forth and publish on every poll.
 */
import {
  buildDevices,
  buildHomeDevices,
  deviceStates,
  needsRebuild,
  type Reported,
} from '../devices/index.js';
import type { Device, DeviceState } from '../devices/types.js';
import type { EventBus } from '../events.js';
import { childLogger } from '../log.js';
import type {
  HomeCoachsDataBody,
  HomeStatusBody,
  HomesDataBody,
  StationsDataBody,
} from '../netatmo/api-types.js';
import { homePublisherId, type PollerSinks, type PublisherId } from '../poller/ports.js';
import type { StateOrigin, StateStore } from '../state/state-store.js';

const log = childLogger('devices');

export interface DeviceSyncOptions {
  store: StateStore;
  events?: EventBus;
  clock?: { now(): number };
}

export class DeviceSync implements PollerSinks {
  readonly #store: StateStore;
  readonly #events: EventBus | undefined;
  readonly #now: () => number;
  #homes: HomesDataBody | undefined;
  #stations: StationsDataBody | undefined;
  #coaches: HomeCoachsDataBody | undefined;
  readonly #offlinePublishers = new Set<PublisherId>();
  /** Keys the stations / home coach feeds report per device: homestatus leaves them alone. */
  readonly #weatherKeys = new Map<string, Set<string>>();
  /** Data keys a rebuild already considered per device (so an unused key never rebuilds again). */
  readonly #tried = new Map<string, Set<string>>();
  /** Serialises updates so publishes keep the order in which polls answered. */
  #queue: Promise<void> = Promise.resolve();

  constructor(options: DeviceSyncOptions) {
    this.#store = options.store;
    this.#events = options.events;
    this.#now = () => options.clock?.now() ?? Date.now();
  }

  /** Resolves when every update handed in so far has been applied and published. */
  async idle(): Promise<void> {
    await this.#queue;
    await this.#store.settled();
  }

  onTopology(body: HomesDataBody): void {
    this.#homes = body;
    this.#enqueue(() => {
      this.#rebuild();
      this.#apply(deviceStates(this.#store.devices(), { homes: body }), { kind: 'poll' });
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
      return this.#apply(partials, { kind: 'poll', homeId }, homeId);
    });
  }

  onStations(body: StationsDataBody): void {
    this.#stations = body;
    this.#enqueue(() => {
      this.#rebuild();
      this.#apply(this.#ownWeatherKeys(deviceStates(this.#store.devices(), { stations: body })), {
        kind: 'poll',
      });
    });
  }

  onHomeCoachs(body: HomeCoachsDataBody): void {
    this.#coaches = body;
    this.#enqueue(() => {
      this.#rebuild();
      this.#apply(this.#ownWeatherKeys(deviceStates(this.#store.devices(), { coaches: body })), {
        kind: 'poll',
      });
    });
  }

  onAvailability(publisher: PublisherId, online: boolean): void {
    // A first success is no news (every publisher starts with one): only a comeback is logged.
    const wasOffline = this.#offlinePublishers.has(publisher);
    if (online) this.#offlinePublishers.delete(publisher);
    else this.#offlinePublishers.add(publisher);
    if (!online || wasOffline)
      log.info(`${publisher} is ${online ? 'back online' : 'offline after repeated failures'}`);
    this.#enqueue(() => this.#refreshAvailability(this.#store.devices()));
  }

  /**
   * Applies what a command Netatmo accepted should leave on a device, in turn with the polls;
   * resolves once it is published.
   */
  async applyExpected(deviceId: string, expected: DeviceState): Promise<void> {
    await this.#enqueue(() => this.#apply(new Map([[deviceId, expected]]), { kind: 'command' }));
    await this.#store.settled();
  }

  /**
   * Applies what security events changed (smoke alarm on, door open, person home), in turn with
   * the polls; resolves once it is published.
   */
  applyEventStates(partials: ReadonlyMap<string, DeviceState>): Promise<void> {
    return this.#applyOther(partials, { kind: 'event' });
  }

  /** Applies meter readings (energy, heating time), in turn with the polls; resolves once published. */
  applyMeasuredStates(partials: ReadonlyMap<string, DeviceState>): Promise<void> {
    return this.#applyOther(partials, { kind: 'measure' });
  }

  async #applyOther(partials: ReadonlyMap<string, DeviceState>, origin: StateOrigin): Promise<void> {
    if (partials.size === 0) return;
    await this.#enqueue(() => this.#apply(new Map(partials), origin));
    await this.#store.settled();
  }

  #ownWeatherKeys(partials: Map<string, DeviceState>): Map<string, DeviceState> {
    for (const [id, partial] of partials) {
      const keys = this.#weatherKeys.get(id) ?? new Set<string>();
      for (const key of Object.keys(partial)) keys.add(key);
      this.#weatherKeys.set(id, keys);
    }
    return partials;
  }

  /** The values a device has, which its family may turn into capabilities. */
  #reported = (deviceId: string): Reported => {
    const state = this.#store.state(deviceId) ?? {};
    return new Map(Object.entries(state).filter(([, v]) => v !== null && v !== undefined));
  };

  #rebuild(): void {
    const devices = buildDevices(
      { homes: this.#homes, stations: this.#stations, coaches: this.#coaches },
      this.#reported,
    );
    const first = this.#store.devices().length === 0;
    const change = this.#store.replaceDevices(devices);
    if (change.added.length + change.removed.length + change.updated.length === 0) return;
    log.info(
      `devices: ${devices.length} (${change.added.length} new, ${change.removed.length} gone, ${change.updated.length} changed)`,
    );
    // The first device set is the start, not a change of the account.
    if (!first && change.added.length + change.removed.length > 0) {
      this.#events?.emit('devicesChanged', {
        added: change.added.map((d) => d.id),
        removed: change.removed.map((d) => d.id),
        at: this.#now(),
      });
    }
  }

  #apply(partials: Map<string, DeviceState>, origin: StateOrigin, homeId?: string): void {
    const changes = this.#store.applyStates(partials, origin);
    this.#rebuildFromData(changes.map((c) => c.device));
    if (origin.kind !== 'poll') return;
    const touched = this.#store
      .devices()
      .filter((d) => partials.has(d.id) || (homeId !== undefined && d.homeId === homeId));
    this.#refreshAvailability(touched);
  }

  /** Devices whose new values their capabilities do not cover yet are rebuilt (per home where possible). */
  #rebuildFromData(changed: Device[]): void {
    const due = changed.filter((device) => {
      const keys = needsRebuild(
        device,
        this.#store.state(device.id) ?? {},
        this.#tried.get(device.id) ?? new Set(),
      );
      if (keys.length === 0) return false;
      this.#tried.set(device.id, new Set([...(this.#tried.get(device.id) ?? []), ...keys]));
      return true;
    });
    if (due.length === 0) return;
    const homeIds = new Set(due.filter((d) => d.source === 'homes').map((d) => d.homeId));
    const rebuilt = [
      ...(this.#homes?.homes ?? [])
        .filter((h) => homeIds.has(h.id))
        .flatMap((h) => buildHomeDevices(h, this.#reported)),
      ...(due.some((d) => d.source !== 'homes')
        ? buildDevices({ stations: this.#stations, coaches: this.#coaches }, this.#reported)
        : []),
    ];
    const change = this.#store.updateDevices(rebuilt);
    if (change.updated.length > 0)
      log.info(`devices: ${change.updated.length} gained capabilities from their data`);
  }

  #refreshAvailability(devices: Device[]): void {
    // A device never seen before gets its first availability message, changed or not.
    this.#store.setAvailability(devices.map((d) => [d.id, this.#isOnline(d)] as const));
  }

  #isOnline(device: Device): boolean {
    if (this.#offlinePublishers.has(feedOf(device))) return false;
    const reachable = this.#store.state(device.id)?.reachable;
    return reachable !== false;
  }

  #enqueue(task: () => void | Promise<void>): Promise<void> {
    const run = this.#queue.then(task);
    this.#queue = run.catch((error: unknown) => {
      log.error(`updating devices failed: ${(error as Error).message}`);
    });
    return this.#queue;
  }
}

/** The poll that feeds a device's live state. */
function feedOf(device: Device): PublisherId {
  if (device.source === 'stations') return 'weather';
  if (device.source === 'coaches') return 'homecoach';
  return device.homeId ? homePublisherId(device.homeId) : 'topology';
}
