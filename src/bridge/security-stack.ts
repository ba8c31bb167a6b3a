/**
 * The security side of the bridge, built from configuration: the event ledger, the hub that
 * handles polled and pushed events, their MQTT publisher, camera stream URLs, the events feed
 * the poller plans, and (with `webhook.public_url`) the webhook's registration and receiver.
 */
import type { BridgeConfig } from '../config/types.js';
import type { DeviceState } from '../devices/types.js';
import type { MqttConnection } from '../mqtt/connection.js';
import type { SecurityHealth } from '../mqtt/topics.js';
import type { DeviceTopics } from '../names/device-names.js';
import type { NetatmoClient } from '../netatmo/client.js';
import type { PollerSinks } from '../poller/ports.js';
import { CameraStreams } from '../security/camera-streams.js';
import { EventLedger } from '../security/event-ledger.js';
import { EventsFeed } from '../security/events-feed.js';
import { PushActivity } from '../security/push-activity.js';
import { SecurityHub } from '../security/security-hub.js';
import { SecurityPublisher } from '../security/security-publisher.js';
import type { StateStore } from '../state/state-store.js';
import type { Clock } from '../util/clock.js';
import { WebhookReceiver } from '../webhook/webhook-receiver.js';
import { WebhookRegistration } from '../webhook/webhook-registration.js';
import { webhookAddress } from '../webhook/webhook-url.js';

export interface SecurityStackOptions {
  config: BridgeConfig;
  clock: Clock;
  client: NetatmoClient;
  store: StateStore;
  writer: { applyEventStates(partials: ReadonlyMap<string, DeviceState>): Promise<void> };
  mqtt: MqttConnection;
  /** Each device's topic name (src/names). */
  topics: DeviceTopics;
  /** Saves state.json now. */
  persist(): Promise<void>;
  /** The poller's early reads and re-planning (it is built after this stack). */
  poller(): {
    refreshHome(homeId: string, options?: { soon?: boolean }): boolean;
    refreshTopology(): void;
    feedsChanged(reason: string): void;
  };
  /** Tuning for tests and benchmarks. */
  tuning?: {
    pushQuietMs?: number;
    webhookRetryMs?: number;
    activationWaitMs?: number;
  };
}

export interface Webhook {
  registration: WebhookRegistration;
  receiver: WebhookReceiver;
}

export class SecurityStack {
  readonly ledger: EventLedger;
  readonly publisher: SecurityPublisher;
  readonly streams: CameraStreams;
  readonly hub: SecurityHub;
  readonly pushes: PushActivity;
  readonly feed: EventsFeed;
  readonly webhook: Webhook | undefined;
  readonly #offPushes: () => void;

  constructor(o: SecurityStackOptions) {
    this.ledger = new EventLedger(Math.floor(o.clock.now() / 1000));
    this.publisher = new SecurityPublisher({
      mqtt: o.mqtt,
      topics: o.topics,
      device: (id) => o.store.device(id),
      fetchSnapshots: o.config.cameras.fetch_snapshots,
    });
    this.streams = new CameraStreams({ publish: (id, payload) => this.publisher.stream(id, payload) });
    this.pushes = new PushActivity(o.clock, o.tuning?.pushQuietMs);
    this.hub = new SecurityHub({
      store: o.store,
      writer: o.writer,
      publisher: this.publisher,
      ledger: this.ledger,
      clock: o.clock,
      cameraUrl: (id) => this.streams.cameraUrl(id),
      persist: o.persist,
      pushes: this.pushes,
    });
    this.feed = new EventsFeed({ api: o.client, hub: this.hub, pushes: this.pushes });
    this.#offPushes = this.pushes.onChange((active) =>
      o.poller().feedsChanged(active ? 'webhook pushes arrive' : 'webhook pushes stopped'),
    );
    this.webhook = o.config.webhook.public_url
      ? createWebhook(o, o.config.webhook.public_url, this)
      : undefined;
  }

  /** The poller's sinks, with homestatus also read for the cameras' stream URLs. */
  sinks(sync: PollerSinks): PollerSinks {
    return {
      onTopology: (body) => sync.onTopology(body),
      onHomeStatus: (homeId, body) => {
        sync.onHomeStatus(homeId, body);
        void this.streams.onHomeStatus(body);
      },
      onStations: (body) => sync.onStations(body),
      onHomeCoachs: (body) => sync.onHomeCoachs(body),
      onPublisherError: (publisher, error, failures) => sync.onPublisherError?.(publisher, error, failures),
      onAvailability: (publisher, online) => sync.onAvailability?.(publisher, online),
    };
  }

  /** Registers the webhook (in the background), when configured. */
  start(): void {
    this.webhook?.registration.start();
  }

  async stop(): Promise<void> {
    this.#offPushes();
    this.pushes.stop();
    await this.webhook?.registration.stop();
    await this.hub.idle();
  }

  health(): SecurityHealth {
    const hub = this.hub.stats();
    const webhook = this.webhook;
    const last = this.pushes.lastPushAt;
    return {
      published: hub.published,
      duplicates: hub.duplicates,
      polling: this.pushes.active ? 'slow' : 'normal',
      webhook: webhook
        ? {
            ...webhook.registration.status(),
            pushes: this.pushes.pushes,
            refused: webhook.receiver.stats().refused,
            ...(last === undefined ? {} : { last_push: new Date(last).toISOString() }),
          }
        : { state: 'off', attempts: 0, pushes: 0, refused: 0 },
    };
  }
}

function createWebhook(o: SecurityStackOptions, publicUrl: string, stack: SecurityStack): Webhook {
  const address = webhookAddress(publicUrl, o.config.netatmo.client_secret);
  const registration = new WebhookRegistration({
    api: o.client,
    clock: o.clock,
    url: address.url,
    origin: address.origin,
    ...(o.tuning?.webhookRetryMs === undefined ? {} : { firstRetryMs: o.tuning.webhookRetryMs }),
    ...(o.tuning?.activationWaitMs === undefined ? {} : { activationWaitMs: o.tuning.activationWaitMs }),
  });
  const receiver = new WebhookReceiver({
    token: address.token,
    clientSecret: o.config.netatmo.client_secret,
    clock: o.clock,
    activated: () => registration.activated(),
    pushed: () => stack.pushes.pushed(),
    securityEvent: (payload) => stack.hub.pushed(payload),
    refreshHome: (homeId) => o.poller().refreshHome(homeId, { soon: false }),
    refreshTopology: () => o.poller().refreshTopology(),
  });
  return { registration, receiver };
}
