/**
 * The MQTT side of security events: each event on `<base>/<device>/event` (not retained), the
 * last snapshot of a camera on `<base>/<device>/snapshot` (retained; with
 * `cameras.fetch_snapshots` also its bytes, base64, on `<base>/<device>/snapshot/image`), and
 * the live stream URLs on `<base>/<device>/stream`. Those topics go when their device leaves the
 * account. Picture and stream URLs are capability URLs: no log line names them.
 */
import type { Device } from '../devices/types.js';
import { childLogger } from '../log.js';
import type { MqttConnection, PublishOutcome } from '../mqtt/connection.js';
import type { CameraStreamPayload, DeviceEventPayload, DeviceSnapshotPayload } from '../mqtt/topics.js';
import type { StoreListener, TopologyChange } from '../state/state-store.js';
import { boundedFetch } from './bounded-fetch.js';

const log = childLogger('security');

/** Netatmo snapshots are a few hundred kB at most; anything far larger is not one. */
const SNAPSHOT_MAX_BYTES = 5 * 1024 * 1024;
const SNAPSHOT_TIMEOUT_MS = 10_000;
const RETAINED_SUFFIXES = ['snapshot', 'snapshot/image', 'stream'] as const;

export interface SecurityPublisherOptions {
  mqtt: MqttConnection;
  /** Fetch each new snapshot and publish its bytes for Home Assistant's camera entity. */
  fetchSnapshots: boolean;
}

export class SecurityPublisher implements StoreListener {
  readonly #o: SecurityPublisherOptions;
  /** The snapshot each camera's bytes are being fetched for (a newer one wins). */
  readonly #fetching = new Map<string, string>();

  constructor(options: SecurityPublisherOptions) {
    this.#o = options;
  }

  async event(device: Device, payload: DeviceEventPayload): Promise<void> {
    await this.#send(() => this.#o.mqtt.publish(`${device.id}/event`, payload, { qos: 1 }));
  }

  async snapshot(device: Device, payload: DeviceSnapshotPayload): Promise<void> {
    await this.#send(() => this.#o.mqtt.publishIfChanged(`${device.id}/snapshot`, payload));
    if (this.#o.fetchSnapshots) await this.#fetchBytes(device, payload.url);
  }

  async stream(deviceId: string, payload: CameraStreamPayload): Promise<void> {
    await this.#send(() => this.#o.mqtt.publishIfChanged(`${deviceId}/stream`, payload));
  }

  async topologyChanged(change: TopologyChange): Promise<void> {
    await Promise.all(
      change.removed.flatMap((device) =>
        RETAINED_SUFFIXES.map((suffix) =>
          this.#send(() => this.#o.mqtt.publish(`${device.id}/${suffix}`, '', { retain: true, qos: 1 })),
        ),
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
    await this.#send(() =>
      this.#o.mqtt.publish(`${device.id}/snapshot/image`, bytes.toString('base64'), { retain: true, qos: 1 }),
    );
  }

  async #send(publish: () => Promise<PublishOutcome>): Promise<void> {
    try {
      await publish();
    } catch (error) {
      log.error(`security publish failed: ${(error as Error).message}`);
    }
  }
}
