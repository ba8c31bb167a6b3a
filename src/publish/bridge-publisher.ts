/**
 * The bridge's own topics: retained `bridge/info` and `bridge/health` (every minute and at
 * once after anything notable), and `bridge/event` for what automations may react to.
 */
import type { EventBus } from '../events.js';
import { childLogger } from '../log.js';
import type { MqttConnection } from '../mqtt/connection.js';
import type { BridgeEventPayload, BridgeHealthPayload, BridgeInfoPayload } from '../mqtt/topics.js';
import type { Clock } from '../util/clock.js';

const log = childLogger('bridge');

export interface BridgePublisherOptions {
  mqtt: MqttConnection;
  clock: Clock;
  events: EventBus;
  info: () => BridgeInfoPayload;
  health: () => BridgeHealthPayload;
  healthIntervalMs?: number;
}

export class BridgePublisher {
  readonly #o: BridgePublisherOptions;
  readonly #unsubscribe: Array<() => void> = [];
  #cancelTimer: (() => void) | undefined;
  #stopped = false;

  constructor(options: BridgePublisherOptions) {
    this.#o = options;
  }

  async start(): Promise<void> {
    const { events } = this.#o;
    const iso = (ms: number): string => new Date(ms).toISOString();
    this.#unsubscribe.push(
      events.on('throttleWindowOpened', (e) =>
        this.event({
          type: 'throttled',
          data: { retry_at: iso(e.retryAt), reason: e.reason, scope: 'user' },
        }),
      ),
      events.on('throttleWindowClosed', () => this.event({ type: 'throttle_cleared', data: {} })),
      events.on('reauthRequired', (e) => this.event({ type: 'reauth_required', data: { reason: e.reason } })),
      events.on('credentialsRestored', () => this.event({ type: 'credentials_restored', data: {} })),
      events.on('tokenRefreshed', (e) =>
        this.event({ type: 'token_refreshed', data: { forced: e.forced, expires_at: iso(e.expiresAt) } }),
      ),
      events.on('commandStorm', (e) =>
        this.event({
          type: 'command_storm',
          data: { device: e.device, dropped: e.dropped, window_s: e.windowS },
        }),
      ),
      events.on('commandFailed', (e) =>
        this.event({ type: 'command_failed', data: { device: e.device, error: e.error } }),
      ),
      events.on('devicesChanged', (e) =>
        this.event({ type: 'devices_changed', data: { added: e.added, removed: e.removed } }),
      ),
      events.on('tokenPersistFailed', (e) =>
        this.event({ type: 'token_persist_failed', data: { location: e.location, error: e.message } }),
      ),
    );
    await this.publishInfo();
    await this.publishHealth();
    this.#schedule();
  }

  async publishInfo(): Promise<void> {
    await this.#o.mqtt.publishIfChanged('bridge/info', this.#o.info());
  }

  async publishHealth(): Promise<void> {
    if (this.#stopped) return;
    await this.#o.mqtt.publish('bridge/health', this.#o.health(), { retain: true, qos: 0 });
  }

  /** Publishes an event and refreshes health, so dashboards show the change at once. */
  event(payload: BridgeEventPayload): void {
    if (this.#stopped) return;
    log.info(`event ${payload.type} ${JSON.stringify(payload.data)}`);
    void this.#o.mqtt.publish('bridge/event', payload).catch(() => {});
    void this.publishHealth().catch(() => {});
  }

  stop(): void {
    this.#stopped = true;
    this.#cancelTimer?.();
    for (const off of this.#unsubscribe.splice(0)) off();
  }

  #schedule(): void {
    this.#cancelTimer = this.#o.clock.schedule(this.#o.healthIntervalMs ?? 60_000, () => {
      void this.publishHealth()
        .catch((error: unknown) => log.warning(`health publish failed: ${(error as Error).message}`))
        .finally(() => {
          if (!this.#stopped) this.#schedule();
        });
    });
  }
}
