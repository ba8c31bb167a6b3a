/**
 * Publishes what the StateStore knows about devices: retained state (only when it changed),
 * retained availability, Home Assistant discovery, and the `bridge/devices` inventory.
 *
 * Discovery sets `expire_after` on cloud-polled sensors, so a state confirmed by a poll but
 * unchanged is resent once it is older than half that period (a heartbeat): HA then never
 * blanks a value the bridge keeps confirming, and blanks it when the feed dies.
 */
import type { Device, DeviceState } from '../devices/types.js';
import { childLogger } from '../log.js';
import type { StateChange, StateStore, TopologyChange } from '../state/state-store.js';
import type { Clock } from '../util/clock.js';
import type { MqttConnection } from './connection.js';
import { buildDiscovery, type DiscoveryContext, deviceDiscoveryTopic } from './discovery.js';
import type { BridgeDevice } from './topics.js';

const log = childLogger('publish');

export interface DevicePublisherOptions {
  mqtt: MqttConnection;
  store: StateStore;
  clock: Clock;
  /** Absent when Home Assistant discovery is disabled. */
  discovery?: DiscoveryContext;
  /** `expire_after` per feed, asked at each discovery build (it follows the poll plan). */
  expireAfter?: () => DiscoveryContext['expireAfter'];
}

export class DevicePublisher {
  readonly #mqtt: MqttConnection;
  readonly #store: StateStore;
  readonly #clock: Clock;
  readonly #discovery: DiscoveryContext | undefined;
  readonly #expireAfter: (() => DiscoveryContext['expireAfter']) | undefined;
  readonly #lastStatePublish = new Map<string, number>();
  #messages = 0;

  constructor(options: DevicePublisherOptions) {
    this.#mqtt = options.mqtt;
    this.#store = options.store;
    this.#clock = options.clock;
    this.#discovery = options.discovery;
    this.#expireAfter = options.expireAfter;
  }

  /** MQTT messages this publisher handed to the connection (for the demo's figures). */
  get messages(): number {
    return this.#messages;
  }

  /** The discovery context as of now (with the current `expire_after`). */
  get discoveryContext(): DiscoveryContext | undefined {
    if (!this.#discovery) return undefined;
    const expireAfter = this.#expireAfter?.();
    return expireAfter ? { ...this.#discovery, expireAfter } : this.#discovery;
  }

  /** Topics of the discovery configs the current device set produces. */
  discoveryTopics(): Set<string> {
    const ctx = this.#discovery;
    if (!ctx) return new Set();
    return new Set(this.#store.devices().map((d) => deviceDiscoveryTopic(ctx, d.id)));
  }

  async publishTopology(change: TopologyChange): Promise<void> {
    await this.#all([
      ...[...change.added, ...change.updated].map((d) => this.publishDiscovery(d)),
      ...change.removed.map((d) => this.#forget(d)),
    ]);
    if (change.added.length + change.removed.length + change.updated.length > 0)
      await this.publishInventory();
  }

  async publishDiscovery(device: Device): Promise<void> {
    const ctx = this.discoveryContext;
    if (!ctx) return;
    const message = buildDiscovery(device, this.#store.state(device.id), ctx);
    await this.#send(() =>
      this.#mqtt.publishAbsolute(message.topic, message.payload, {
        retain: true,
        qos: 1,
        onlyIfChanged: true,
      }),
    );
  }

  async publishStates(changes: StateChange[]): Promise<void> {
    await this.#all(changes.map((c) => this.#publishState(c.device, c.state)));
  }

  /** Resends unchanged states a poll has just confirmed, when older than half their expire_after. */
  async heartbeat(confirmedIds: Iterable<string>): Promise<void> {
    const now = this.#clock.now();
    const due: StateChange[] = [];
    for (const id of confirmedIds) {
      const device = this.#store.device(id);
      const state = this.#store.state(id);
      const expireAfter = device ? this.#expireAfter?.()?.[device.source] : undefined;
      if (!device || !state || expireAfter === undefined) continue;
      const last = this.#lastStatePublish.get(id) ?? 0;
      if (now - last >= (expireAfter * 1000) / 2) due.push({ device, state });
    }
    // Same payload as the retained one, so publish without the unchanged-skip.
    await this.#all(due.map((c) => this.#publishState(c.device, c.state, true)));
  }

  async publishAvailability(deviceId: string, online: boolean): Promise<void> {
    await this.#send(() =>
      this.#mqtt.publish(
        `${deviceId}/availability`,
        { state: online ? 'online' : 'offline' },
        { retain: true, qos: 1 },
      ),
    );
  }

  async publishInventory(): Promise<void> {
    const inventory = this.#store.devices().map((d) => inventoryEntry(d, this.#store.state(d.id)));
    await this.#send(() => this.#mqtt.publishIfChanged('bridge/devices', inventory));
  }

  /** Resends every device's state and availability (Home Assistant came back online). */
  async republishAll(): Promise<void> {
    const devices = this.#store.devices();
    await this.#all(
      devices.flatMap((d) => {
        const state = this.#store.state(d.id);
        const online = this.#store.availability(d.id);
        return [
          ...(state ? [this.#publishState(d, state, true)] : []),
          ...(online === undefined ? [] : [this.publishAvailability(d.id, online)]),
        ];
      }),
    );
  }

  async #publishState(device: Device, state: DeviceState, force = false): Promise<void> {
    this.#lastStatePublish.set(device.id, this.#clock.now());
    await this.#send(() =>
      force
        ? this.#mqtt.publish(device.id, state, { retain: true, qos: 1 })
        : this.#mqtt.publishIfChanged(device.id, state),
    );
  }

  /** A device left the account: its retained topics and its Home Assistant device go too. */
  async #forget(device: Device): Promise<void> {
    this.#lastStatePublish.delete(device.id);
    const ctx = this.#discovery;
    await this.#all([
      this.#send(() => this.#mqtt.publish(device.id, '', { retain: true, qos: 1 })),
      this.#send(() => this.#mqtt.publish(`${device.id}/availability`, '', { retain: true, qos: 1 })),
      ...(ctx
        ? [
            this.#send(() =>
              this.#mqtt.publishAbsolute(deviceDiscoveryTopic(ctx, device.id), '', { retain: true, qos: 1 }),
            ),
          ]
        : []),
    ]);
    log.info(`device ${device.id} (${device.name}) is gone from the account; removed its topics`);
  }

  async #send(publish: () => Promise<string>): Promise<void> {
    try {
      if ((await publish()) === 'sent') this.#messages += 1;
    } catch (error) {
      log.error(`publish failed: ${(error as Error).message}`);
    }
  }

  async #all(tasks: Array<Promise<void>>): Promise<void> {
    await Promise.all(tasks);
  }
}

function inventoryEntry(device: Device, state: DeviceState | undefined): BridgeDevice {
  const entry: BridgeDevice = {
    id: device.id,
    netatmo_id: device.netatmoId,
    type: device.type,
    model: device.model,
    name: device.name,
    home: { id: device.homeId ?? '', name: device.homeName ?? '' },
    kind: device.kind,
  };
  if (device.roomId) entry.room = { id: device.roomId, name: device.roomName ?? '' };
  if (device.bridgeId) entry.via = device.bridgeId;
  const reachable = state?.reachable;
  if (typeof reachable === 'boolean') entry.reachable = reachable;
  return entry;
}
