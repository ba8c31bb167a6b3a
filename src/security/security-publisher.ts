/**
 * The MQTT side of security events: each event on `<base>/<device>/event` (not retained), the
 * last snapshot of a camera on `<base>/<device>/snapshot` (retained; with
 * `cameras.fetch_snapshots` also its bytes, base64, on `<base>/<device>/snapshot/image`), and
 * the live stream URLs on `<base>/<device>/stream`, `<device>` being its topic name (src/names).
 * Those topics go when their device leaves the account, and move with it when it is renamed.
 * Picture and stream URLs are capability URLs: no log line names them.
 */
import type { Device } from '../devices/types.js';
import { childLogger } from '../log.js';
import type { MqttConnection, PublishOutcome } from '../mqtt/connection.js';
import type { CameraStreamPayload, DeviceEventPayload, DeviceSnapshotPayload } from '../mqtt/topics.js';
import type { DeviceMove, DeviceTopics } from '../names/device-names.js';
import type { StoreListener, TopologyChange } from '../state/state-store.js';
import { boundedFetch } from './bounded-fetch.js';

const log = childLogger('security');

/** Netatmo snapshots are a few hundred kB at most; anything far larger is not one. */
const SNAPSHOT_MAX_BYTES = 5 * 1024 * 1024;
const SNAPSHOT_TIMEOUT_MS = 10_000;
const RETAINED_SUFFIXES = ['snapshot', 'snapshot/image', 'stream'] as const;

export interface SecurityPublisherOptions {
  mqtt: MqttConnection;
  topics: DeviceTopics;
  /** The device of an id (stream URLs are published by id). */
  device(id: string): Device | undefined;
  /** Fetch each new snapshot and publish its bytes for Home Assistant's camera entity. */
  fetchSnapshots: boolean;
}

export class SecurityPublisher implements StoreListener {
  readonly #o: SecurityPublisherOptions;
  /** The snapshot each camera's bytes are being fetched for (a newer one wins). */
  readonly #fetching = new Map<string, string>();
  /** What each device's retained topics hold (by suffix), to publish again when it moves. */
  readonly #retained = new Map<string, Map<string, object | string>>();

  constructor(options: SecurityPublisherOptions) {
    this.#o = options;
  }

  async event(device: Device, payload: DeviceEventPayload): Promise<void> {
    const topic = `${this.#o.topics.topicOf(device)}/event`;
    await this.#send(() => this.#o.mqtt.publish(topic, payload, { qos: 1 }));
  }

  async snapshot(device: Device, payload: DeviceSnapshotPayload): Promise<void> {
    await this.#retain(device, 'snapshot', payload);
    if (this.#o.fetchSnapshots) await this.#fetchBytes(device, payload.url);
  }

  async stream(deviceId: string, payload: CameraStreamPayload): Promise<void> {
    const device = this.#o.device(deviceId);
    if (device) await this.#retain(device, 'stream', payload);
  }

  async topologyChanged(change: TopologyChange): Promise<void> {
    await Promise.all(
      change.removed.map((device) => {
        this.#retained.delete(device.id);
        return this.#clear(this.#o.topics.topicOf(device));
      }),
    );
  }

  /** Renamed devices (src/names): the old topics are cleared, what they held goes to the new ones. */
  async moved(moves: DeviceMove[]): Promise<void> {
    await Promise.all(
      moves
        .filter((m) => m.from !== m.to)
        .map(async ({ device, from, to }) => {
          await this.#clear(from);
          for (const [suffix, payload] of this.#retained.get(device.id) ?? [])
            await this.#publishRetained(`${to}/${suffix}`, payload);
        }),
    );
  }

  async #retain(
    device: Device,
    suffix: (typeof RETAINED_SUFFIXES)[number],
    payload: object | string,
  ): Promise<void> {
    const held = this.#retained.get(device.id) ?? new Map<string, object | string>();
    held.set(suffix, payload);
    this.#retained.set(device.id, held);
    await this.#publishRetained(`${this.#o.topics.topicOf(device)}/${suffix}`, payload);
  }

  /** A picture's bytes are text (base64); snapshots and streams JSON, sent only when they change. */
  async #publishRetained(topic: string, payload: object | string): Promise<void> {
    await this.#send(() =>
      typeof payload === 'string'
        ? this.#o.mqtt.publish(topic, payload, { retain: true, qos: 1 })
        : this.#o.mqtt.publishIfChanged(topic, payload as DeviceSnapshotPayload),
    );
  }

  async #clear(topic: string): Promise<void> {
    await Promise.all(
      RETAINED_SUFFIXES.map((suffix) =>
        this.#send(() => this.#o.mqtt.publish(`${topic}/${suffix}`, '', { retain: true, qos: 1 })),
      ),
    );
  }

  async #fetchBytes(device: Device, url: string): Promise<void> {
    this.#fetching.set(device.id, url);
    let bytes: Buffer;
    try {
      bytes = await boundedFetch(url, {
        timeoutMs: SNAPSHOT_TIMEOUT_MS,
        maxBytes: SNAPSHOT_MAX_BYTES,
        accept: 'image/',
      });
    } catch (error) {
      log.warning(`cannot fetch the snapshot of ${device.id}: ${(error as Error).message}`);
      return;
    }
    if (this.#fetching.get(device.id) !== url) return; // a newer snapshot arrived meanwhile
    this.#fetching.delete(device.id);
    await this.#retain(device, 'snapshot/image', bytes.toString('base64'));
  }

  async #send(publish: () => Promise<PublishOutcome>): Promise<void> {
    try {
      await publish();
    } catch (error) {
      log.error(`security publish failed: ${(error as Error).message}`);
    }
  }
}
