/**
 * Publishes what the StateStore knows about devices (it listens to the store): retained state
 * (only when it changed), retained availability, and the `bridge/devices` inventory.
 *
 * Discovery sets `expire_after` on cloud-polled sensors, so a state confirmed by a poll but
 * unchanged is resent once it is older than half that period (a heartbeat): HA then never
 * blanks a value the bridge keeps confirming, and blanks it when the feed dies.
 */
import type { Device, DeviceSource, DeviceState } from '../devices/types.js';
import { childLogger } from '../log.js';
import type { MqttConnection, PublishOutcome } from '../mqtt/connection.js';
import type { BridgeDevice } from '../mqtt/topics.js';
import type { DeviceMove, DeviceTopics } from '../names/device-names.js';
import type {
  AppliedStates,
  AvailabilityChange,
  StateChange,
  StateStore,
  StoreListener,
  TopologyChange,
} from '../state/state-store.js';
import type { Clock } from '../util/clock.js';

const log = childLogger('publish');

export interface DevicePublisherOptions {
  mqtt: MqttConnection;
  store: StateStore;
  clock: Clock;
  /** Seconds after which Home Assistant blanks a device's values, by feed; asked at each heartbeat. */
  expireAfter?: () => Partial<Record<DeviceSource, number>> | undefined;
  /** Each device's topic and friendly name (src/names); default its id and Netatmo name. */
  topics?: DeviceTopics;
}

const ID_TOPICS: DeviceTopics = { topicOf: (device) => device.id, nameOf: (device) => device.name };

export class DevicePublisher implements StoreListener {
  readonly #mqtt: MqttConnection;
  readonly #store: StateStore;
  readonly #clock: Clock;
  readonly #expireAfter: DevicePublisherOptions['expireAfter'];
  readonly #topics: DeviceTopics;
  readonly #lastStatePublish = new Map<string, number>();

  constructor(options: DevicePublisherOptions) {
    this.#mqtt = options.mqtt;
    this.#store = options.store;
    this.#clock = options.clock;
    this.#expireAfter = options.expireAfter;
    this.#topics = options.topics ?? ID_TOPICS;
  }

  async topologyChanged(change: TopologyChange): Promise<void> {
    // The inventory as the topology left it (before the states that follow it are applied).
    const inventory = this.#inventory();
    await Promise.all(change.removed.map((d) => this.#forget(d)));
    await this.#send(() => this.#mqtt.publishIfChanged('bridge/devices', inventory));
  }

  async statesApplied(applied: AppliedStates): Promise<void> {
    await Promise.all(applied.changes.map((c) => this.#publishState(c.device, c.state)));
    if (applied.origin.kind !== 'poll') return;
    const changed = new Set(applied.changes.map((c) => c.device.id));
    await this.#heartbeat([...applied.partials.keys()].filter((id) => !changed.has(id)));
  }

  async availabilityChanged(changes: AvailabilityChange[]): Promise<void> {
    await Promise.all(changes.map((c) => this.publishAvailability(c.device, c.online)));
  }

  async publishAvailability(device: Device, online: boolean): Promise<void> {
    await this.#send(() =>
      this.#mqtt.publish(
        `${this.#topics.topicOf(device)}/availability`,
        { state: online ? 'online' : 'offline' },
        { retain: true, qos: 1 },
      ),
    );
  }

  #inventory(): BridgeDevice[] {
    return this.#store
      .devices()
      .map((d) => inventoryEntry(d, this.#topics.nameOf(d), this.#store.state(d.id)));
  }

  /**
   * Devices were renamed (src/names): their old retained topics are cleared, state and
   * availability are published under the new ones, and `bridge/devices` shows the new names.
   */
  async moved(moves: DeviceMove[]): Promise<void> {
    await Promise.all(moves.filter((m) => m.from !== m.to).map((m) => this.#move(m)));
    await this.#send(() => this.#mqtt.publishIfChanged('bridge/devices', this.#inventory()));
  }

  async #move({ device, from }: DeviceMove): Promise<void> {
    await Promise.all([
      this.#send(() => this.#mqtt.publish(from, '', { retain: true, qos: 1 })),
      this.#send(() => this.#mqtt.publish(`${from}/availability`, '', { retain: true, qos: 1 })),
    ]);
    const online = this.#store.availability(device.id);
    await Promise.all([
      this.republish(device),
      ...(online === undefined ? [] : [this.publishAvailability(device, online)]),
    ]);
  }

  /** Resends a device's state as it is (`<device>/get`, or Home Assistant came back online). */
  async republish(device: Device): Promise<void> {
    const state = this.#store.state(device.id);
    if (state) await this.#publishState(device, state, true);
  }

  /** Resends every device's state and availability (Home Assistant came back online). */
  async republishAll(): Promise<void> {
    await Promise.all(
      this.#store.devices().flatMap((d) => {
        const online = this.#store.availability(d.id);
        return [this.republish(d), ...(online === undefined ? [] : [this.publishAvailability(d, online)])];
      }),
    );
  }

  /** Resends unchanged states a poll has just confirmed, when older than half their expire_after. */
  async #heartbeat(confirmedIds: Iterable<string>): Promise<void> {
    const now = this.#clock.now();
    const due: StateChange[] = [];
    const expireAfter = this.#expireAfter?.();
    for (const id of confirmedIds) {
      const device = this.#store.device(id);
      const state = this.#store.state(id);
      const expire = device ? expireAfter?.[device.source] : undefined;
      if (!device || !state || expire === undefined) continue;
      const last = this.#lastStatePublish.get(id) ?? 0;
      if (now - last >= (expire * 1000) / 2) due.push({ device, state });
    }
    // Same payload as the retained one, so publish without the unchanged-skip.
    await Promise.all(due.map((c) => this.#publishState(c.device, c.state, true)));
  }

  async #publishState(device: Device, state: DeviceState, force = false): Promise<void> {
    this.#lastStatePublish.set(device.id, this.#clock.now());
    const topic = this.#topics.topicOf(device);
    await this.#send(() =>
      force
        ? this.#mqtt.publish(topic, state, { retain: true, qos: 1 })
        : this.#mqtt.publishIfChanged(topic, state),
    );
  }

  /** A device left the account: its retained topics go too. */
  async #forget(device: Device): Promise<void> {
    this.#lastStatePublish.delete(device.id);
    const topic = this.#topics.topicOf(device);
    await Promise.all([
      this.#send(() => this.#mqtt.publish(topic, '', { retain: true, qos: 1 })),
      this.#send(() => this.#mqtt.publish(`${topic}/availability`, '', { retain: true, qos: 1 })),
    ]);
    log.info(`device ${device.id} (${topic}) is gone from the account; removed its topics`);
  }

  async #send(publish: () => Promise<PublishOutcome>): Promise<void> {
    try {
      await publish();
    } catch (error) {
      log.error(`publish failed: ${(error as Error).message}`);
    }
  }
}

function inventoryEntry(device: Device, friendlyName: string, state: DeviceState | undefined): BridgeDevice {
  const entry: BridgeDevice = {
    id: device.id,
    friendly_name: friendlyName,
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
