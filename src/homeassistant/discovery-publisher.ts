/**
 * Keeps Home Assistant's discovery configs in step with the StateStore (it listens to the store):
 * a retained config per device when it appears or its topology changes, an empty one when it
 * leaves, and a new config when what discovery shows from the state changes (firmware as
 * `sw_version`, a family's data-driven entities) — never on every poll: configs are only sent
 * when those inputs change. Also the bridge's own device, and the start-up sweep that clears
 * retained configs of devices this bridge no longer has.
 */
import type { Device, DeviceSource } from '../devices/types.js';
import { childLogger } from '../log.js';
import type { MqttConnection } from '../mqtt/connection.js';
import type { AppliedStates, StateStore, StoreListener, TopologyChange } from '../state/state-store.js';
import { buildBridgeDiscovery } from './discovery/bridge.js';
import { type DiscoveryContext, deviceDiscoveryTopic, ownDiscoveryTopicPrefix } from './discovery/context.js';
import { buildDiscovery, discoveryInputs } from './discovery/device.js';
import { discoveryTopicsToClear } from './discovery/sweep.js';

const log = childLogger('discovery');

export interface DiscoveryPublisherOptions {
  mqtt: MqttConnection;
  store: StateStore;
  context: DiscoveryContext;
  /** `expire_after` per feed, asked at each build (it follows the poll plan). */
  expireAfter?: () => Partial<Record<DeviceSource, number>> | undefined;
}

export class DiscoveryPublisher implements StoreListener {
  readonly #o: DiscoveryPublisherOptions;
  /** What each device's last published config was built from (see discoveryInputs). */
  readonly #inputs = new Map<string, string>();
  #sweep: Promise<ReadonlySet<string>> | undefined;

  constructor(options: DiscoveryPublisherOptions) {
    this.#o = options;
  }

  /** The discovery context as of now (with the current `expire_after`). */
  get context(): DiscoveryContext {
    const expireAfter = this.#o.expireAfter?.();
    return expireAfter ? { ...this.#o.context, expireAfter } : this.#o.context;
  }

  /** The filter under which this bridge's device configs live (for the start-up scan). */
  get sweepFilter(): string {
    return `${ownDiscoveryTopicPrefix(this.#o.context)}+/config`;
  }

  /**
   * Hands over the retained configs found under `sweepFilter` at start-up: once the first device
   * set is published, the ones it no longer produces are cleared.
   */
  sweepAfterFirstTopology(retained: Promise<ReadonlySet<string>>): void {
    this.#sweep = retained;
  }

  async publishBridge(): Promise<void> {
    const message = buildBridgeDiscovery(this.#o.context);
    await this.#o.mqtt.publishAbsolute(message.topic, message.payload, {
      retain: true,
      qos: 1,
      onlyIfChanged: true,
    });
  }

  async topologyChanged(change: TopologyChange): Promise<void> {
    const ctx = this.#o.context;
    await Promise.all([
      ...[...change.added, ...change.updated].map((d) => this.#publish(d)),
      ...change.removed.map((d) => {
        this.#inputs.delete(d.id);
        return this.#o.mqtt.publishAbsolute(deviceDiscoveryTopic(ctx, d.id), '', { retain: true, qos: 1 });
      }),
    ]);
    // The scan may still be listening: the queue of state updates does not wait for it.
    void this.#sweepStale().catch((error: unknown) =>
      log.warning(`sweeping stale discovery configs failed: ${(error as Error).message}`),
    );
  }

  /** Publishes a device's config again (it was renamed: its topics and name changed). */
  republish(device: Device): Promise<void> {
    return this.#inputs.has(device.id) ? this.#publish(device) : Promise.resolve();
  }

  async statesApplied(applied: AppliedStates): Promise<void> {
    const due = applied.changes.filter(
      (c) =>
        this.#inputs.has(c.device.id) && this.#inputs.get(c.device.id) !== discoveryInputs(c.device, c.state),
    );
    await Promise.all(due.map((c) => this.#publish(c.device)));
  }

  async #publish(device: Device): Promise<void> {
    const state = this.#o.store.state(device.id);
    this.#inputs.set(device.id, discoveryInputs(device, state));
    const message = buildDiscovery(device, state, this.context);
    try {
      await this.#o.mqtt.publishAbsolute(message.topic, message.payload, {
        retain: true,
        qos: 1,
        onlyIfChanged: true,
      });
    } catch (error) {
      log.error(`publishing the discovery config of ${device.id} failed: ${(error as Error).message}`);
    }
  }

  /** Clears retained configs of devices that are gone (once, after the first device set). */
  async #sweepStale(): Promise<void> {
    const sweep = this.#sweep;
    if (!sweep) return;
    this.#sweep = undefined;
    const ctx = this.#o.context;
    const current = new Set(this.#o.store.devices().map((d) => deviceDiscoveryTopic(ctx, d.id)));
    const stale = discoveryTopicsToClear(await sweep, current, ownDiscoveryTopicPrefix(ctx));
    // The bridge's own config lives under the same prefix.
    for (const topic of stale.filter((t) => !t.endsWith('/bridge/config'))) {
      log.info(`removing stale discovery config ${topic}`);
      await this.#o.mqtt.publishAbsolute(topic, '', { retain: true, qos: 1 });
    }
  }
}
