/**
 * The bridge's one MQTT connection (mqtt.js 5, MQTT 3.1.1).
 *
 * Lifecycle, zigbee2mqtt style: the last will is a retained `{"state":"offline"}` on
 * `<base>/bridge/state`; every (re)connect publishes `online`, subscribes, and republishes every
 * retained message from the bridge's own cache, because a broker restarted without persistence
 * has forgotten them all. Shutdown publishes `offline` before disconnecting, since a clean
 * DISCONNECT suppresses the will.
 *
 * Offline publishing: nothing is queued. Retained payloads wait in the cache (only the newest
 * per topic, so no stale burst on reconnect); everything else is dropped and counted.
 *
 * Subscriptions are precise (`<base>/+/set`, `<base>/+/set/+`, `/get` likewise,
 * `<base>/bridge/request/#`, and the topics others `watch`, such as Home Assistant's status)
 * rather than zigbee2mqtt's `<base>/#`: the bridge never receives its own state back, so no echo
 * filter is needed and a reconnect does not pull every retained state and discovery payload
 * down again. Friendly names may contain `/` (src/names): for names N levels deep the same four
 * filters are added with N `+` levels (`<base>/+/+/set`, …), as `setDeviceTopicDepth` is told;
 * names never contain a `set`/`get` level, so the parser splits such topics unambiguously.
 *
 * Persistent session: `clean: false` with a stable client id, subscriptions at QoS 1. A QoS 1
 * command published while the bridge is away (restart, network cut) is queued by the broker and
 * delivered when the bridge returns. QoS 1 is at-least-once, so a command acknowledged by
 * nobody can come again; Netatmo commands are absolute (set 19 °C, close to 0 %), so a repeat
 * is harmless. A command queued for hours still arrives hours late: MQTT 3.1.1 carries no age,
 * so brokers bound it (Mosquitto `max_queued_messages`, `persistent_client_expiration`); users
 * who want no late commands set `persistentSession: false`. Retained messages on command topics
 * are replays, not commands, and are ignored: otherwise every reconnect would re-run them.
 */
import mqtt, { type IConnackPacket, type MqttClient } from 'mqtt';
import { childLogger } from '../log.js';
import { type Clock, systemClock } from '../util/clock.js';
import { redactString } from '../util/redact.js';
import {
  bridgeStateTopic,
  buildClientOptions,
  DEFAULT_BASE_TOPIC,
  DEFAULT_RECONNECT,
  describeBrokerUrl,
  isConfigurationError,
  type MqttConnectionOptions,
  OFFLINE_PAYLOAD,
  ONLINE_PAYLOAD,
} from './client-options.js';
import type { IncomingKind } from './incoming.js';
import { IncomingDispatch, type MessageHandler, type TopicWatcher } from './incoming-dispatch.js';
import { type QoS, RetainedCache, stableStringify } from './retained-cache.js';
import { assertPublishableTopic, type MqttHealth, type OutgoingPayload, TopicError } from './topics.js';

export type { MqttConnectionOptions } from './client-options.js';
export type { TopicWatcher } from './incoming-dispatch.js';

const log = childLogger('mqtt');

const NOT_CONNECTED_WARNING_INTERVAL_MS = 10_000;

export interface PublishOptions {
  /** Default false. Retained payloads are cached and republished on every connect. */
  retain?: boolean;
  /** Default 0. */
  qos?: QoS;
  /** Retained only: skip the publish when the topic already holds this exact payload. */
  onlyIfChanged?: boolean;
}

/** `sent`: handed to the broker (acknowledged for QoS 1); `unchanged`: skipped; `offline`: not sent. */
export type PublishOutcome = 'sent' | 'unchanged' | 'offline';

export class MqttConnection {
  readonly baseTopic: string;
  readonly #url: string;
  readonly #options: MqttConnectionOptions;
  readonly #clock: Clock;
  readonly #cache = new RetainedCache();
  readonly #incoming: IncomingDispatch;
  readonly #connectionListeners = new Set<(connected: boolean) => void>();
  #client: MqttClient | undefined;
  #connected = false;
  #closing = false;
  #generation = 0;
  #connects = 0;
  #connectedSince: number | undefined;
  /** When the connection was lost (undefined while connected and before the first connect). */
  #disconnectedSince: number | undefined;
  #lastError: string | undefined;
  #dropped = 0;
  #lastNotConnectedWarning = Number.NEGATIVE_INFINITY;
  #reconnectDelayMs: number;
  #cancelReconnect: (() => void) | undefined;
  #abortStart: ((error: Error) => void) | undefined;
  /** How many levels the deepest device topic name has (see setDeviceTopicDepth). */
  #deviceDepth = 1;

  constructor(options: MqttConnectionOptions) {
    this.#options = options;
    this.#url = options.url;
    this.#clock = options.clock ?? systemClock;
    this.baseTopic = options.baseTopic ?? DEFAULT_BASE_TOPIC;
    assertPublishableTopic(this.baseTopic);
    this.#incoming = new IncomingDispatch(this.baseTopic, (topic, payload) =>
      this.#publish(topic, payload, { qos: 1 }),
    );
    this.#reconnectDelayMs = (options.reconnect ?? DEFAULT_RECONNECT).initialMs;
  }

  get connected(): boolean {
    return this.#connected;
  }

  /**
   * Connects and resolves once connected. Network failures are retried with backoff until then
   * (the broker may start after the bridge); a broker refusal (bad credentials) or a server
   * certificate that does not verify rejects, since no retry can fix it.
   * Register message handlers before calling this: a persistent session delivers queued
   * commands right after the broker accepts the connection.
   */
  start(): Promise<void> {
    if (this.#client) throw new Error('MqttConnection.start() called twice');
    const client = mqtt.connect(this.#url, buildClientOptions(this.#options));
    this.#client = client;
    client.on('connect', (connack) => this.#handleConnect(client, connack));
    client.on('close', () => this.#handleClose(client));
    client.on('message', (topic, payload, packet) => this.#incoming.dispatch(topic, payload, packet.retain));
    return new Promise<void>((resolve, reject) => {
      this.#abortStart = reject;
      const onConnect = (): void => {
        this.#abortStart = undefined;
        client.off('error', onError);
        resolve();
      };
      const onError = (error: Error & { code?: unknown }): void => {
        if (!isConfigurationError(error)) return; // network errors are retried
        client.off('connect', onConnect);
        this.#abortStart = undefined;
        const message = `cannot connect to MQTT broker ${describeBrokerUrl(this.#url)}: ${redactString(error.message)}`;
        void this.close().finally(() => reject(new Error(message)));
      };
      client.once('connect', onConnect);
      client.on('error', onError);
      client.on('error', (error) => {
        this.#lastError = redactString(error.message);
        log.warning(`MQTT error: ${this.#lastError}`);
      });
    });
  }

  /**
   * Publishes to `<base>/<topic>`; an empty retained payload clears the topic. Throws a
   * TopicError for wildcard topics and for `bridge/state`, which only the connection publishes.
   */
  publish<T extends string>(
    topic: T,
    payload: OutgoingPayload<T> | '',
    options: PublishOptions = {},
  ): Promise<PublishOutcome> {
    return this.#publish(`${this.baseTopic}/${topic}`, payload, options);
  }

  /** Retained QoS 1 publish that is skipped when the topic already holds the same payload. */
  publishIfChanged<T extends string>(topic: T, payload: OutgoingPayload<T>): Promise<PublishOutcome> {
    return this.publish(topic, payload, { retain: true, qos: 1, onlyIfChanged: true });
  }

  /** Publishes outside the base topic (Home Assistant discovery). Throws for wildcard topics. */
  publishAbsolute(
    topic: string,
    payload: object | string,
    options: PublishOptions = {},
  ): Promise<PublishOutcome> {
    return this.#publish(topic, payload, options);
  }

  /** Handles messages of one kind; returns the unsubscribe function. */
  onMessage<K extends IncomingKind>(kind: K, handler: MessageHandler<K>): () => void {
    return this.#incoming.onMessage(kind, handler);
  }

  /**
   * Subscribes to one more exact topic outside the command topics (Home Assistant's status, say)
   * for as long as the connection lives; returns the function that stops watching it.
   */
  watch(topic: string, watcher: TopicWatcher): () => void {
    assertPublishableTopic(topic);
    const { isNewTopic, stop } = this.#incoming.watch(topic, watcher);
    if (isNewTopic && this.#connected) void this.#client?.subscribeAsync(topic, { qos: 1 }).catch(() => {});
    return stop;
  }

  /**
   * Listens to `set`/`get` topics of device names up to `levels` levels deep (the deepest
   * friendly name; src/names tells it). Resolves once the broker confirmed the change, at once
   * when offline (the next connect subscribes).
   */
  async setDeviceTopicDepth(levels: number): Promise<void> {
    const before = this.#deviceFilters();
    this.#deviceDepth = Math.max(1, Math.floor(levels));
    const after = this.#deviceFilters();
    const client = this.#client;
    if (!this.#connected || !client) return;
    const added = after.filter((f) => !before.includes(f));
    const removed = before.filter((f) => !after.includes(f));
    try {
      if (added.length > 0) await client.subscribeAsync(added, { qos: 1 });
      if (removed.length > 0) await client.unsubscribeAsync(removed);
    } catch (error) {
      log.warning(`changing the device command subscriptions failed: ${redactString(String(error))}`);
    }
  }

  /** Called with true after each (re)connect has been set up, false on each disconnect. */
  onConnectionChange(listener: (connected: boolean) => void): () => void {
    this.#connectionListeners.add(listener);
    return () => this.#connectionListeners.delete(listener);
  }

  status(): MqttHealth {
    const health: MqttHealth = {
      connected: this.#connected,
      reconnects: Math.max(0, this.#connects - 1),
      retained_topics: this.#cache.size,
      dropped_while_offline: this.#dropped,
    };
    if (this.#connectedSince !== undefined)
      health.connected_since = new Date(this.#connectedSince).toISOString();
    if (this.#disconnectedSince !== undefined)
      health.disconnected_since = new Date(this.#disconnectedSince).toISOString();
    if (this.#lastError !== undefined) health.last_error = this.#lastError;
    return health;
  }

  /** Publishes `offline` (retained) and disconnects; bounded by `timeoutMs` of the clock. */
  close(timeoutMs = 3_000): Promise<void> {
    return this.#end(timeoutMs, true);
  }

  /**
   * Leaves the topics to another process (an account whose lease moved): disconnects without
   * publishing anything. A clean DISCONNECT discards the will too, so neither an `offline` of ours
   * nor our will can land after the new owner's `online`, whichever of the two connects first.
   */
  handOver(timeoutMs = 3_000): Promise<void> {
    return this.#end(timeoutMs, false);
  }

  async #end(timeoutMs: number, offline: boolean): Promise<void> {
    if (this.#closing) return;
    this.#closing = true;
    this.#cancelReconnect?.();
    this.#abortStart?.(new Error('MqttConnection closed before it connected'));
    const client = this.#client;
    if (!client) return;
    const limit = new AbortController();
    const timeout = this.#clock.sleep(timeoutMs, limit.signal).then(
      () => false,
      () => false,
    );
    try {
      if (offline && this.#connected) {
        const state = bridgeStateTopic(this.baseTopic);
        const sent = client.publishAsync(state, OFFLINE_PAYLOAD, { qos: 1, retain: true }).then(
          () => true,
          () => false,
        );
        if (!(await Promise.race([sent, timeout])))
          log.warning('could not publish offline state before disconnecting');
      }
      // A graceful end waits for in-flight acknowledgements, which never come without a broker.
      const ended = this.#connected
        ? client.endAsync(false).then(
            () => true,
            () => false,
          )
        : Promise.resolve(false);
      if (!(await Promise.race([ended, timeout]))) await client.endAsync(true);
    } finally {
      limit.abort();
      this.#setConnected(false);
    }
  }

  #publish(topic: string, payload: object | string, options: PublishOptions): Promise<PublishOutcome> {
    assertPublishableTopic(topic);
    // A cached copy would be republished after `online` and could say `offline` to the world.
    if (topic === bridgeStateTopic(this.baseTopic)) {
      throw new TopicError(`${topic} is published by the MQTT connection only`);
    }
    const text = typeof payload === 'string' ? payload : stableStringify(payload);
    const qos = options.qos ?? 0;
    const retain = options.retain ?? false;
    if (retain && text === '') {
      this.#cache.clear(topic);
    } else if (retain) {
      if (options.onlyIfChanged && this.#cache.holds(topic, text)) return Promise.resolve('unchanged');
      this.#cache.set(topic, text, qos);
    }
    const client = this.#client;
    if (!this.#connected || !client) {
      this.#noteNotConnected(topic);
      return Promise.resolve('offline');
    }
    return this.#send(client, topic, text, qos, retain);
  }

  #send(client: MqttClient, topic: string, text: string, qos: QoS, retain: boolean): Promise<PublishOutcome> {
    return new Promise((resolve) => {
      client.publish(topic, text, { qos, retain }, (error) => {
        if (error) {
          log.debug(`publish to ${topic} failed: ${redactString(error.message)}`);
          resolve('offline');
          return;
        }
        if (retain && text === '') this.#cache.confirmClear(topic);
        resolve('sent');
      });
    });
  }

  #noteNotConnected(topic: string): void {
    this.#dropped += 1;
    const now = this.#clock.now();
    if (now - this.#lastNotConnectedWarning < NOT_CONNECTED_WARNING_INTERVAL_MS) return;
    this.#lastNotConnectedWarning = now;
    log.warning(
      `not connected to the MQTT broker; not publishing ${topic} (retained state is sent on reconnect)`,
    );
  }

  #handleConnect(client: MqttClient, connack: IConnackPacket): void {
    if (this.#closing) return;
    // mqtt.js leaves Nagle's algorithm on: a small publish right after another one would wait
    // for the peer's delayed ACK (~40 ms on Linux). Commands and their answers are small.
    const socket = client.stream as { setNoDelay?: (noDelay: boolean) => unknown };
    socket.setNoDelay?.(true);
    this.#connected = true;
    this.#connects += 1;
    this.#connectedSince = this.#clock.now();
    this.#disconnectedSince = undefined;
    this.#reconnectDelayMs = (this.#options.reconnect ?? DEFAULT_RECONNECT).initialMs;
    const generation = ++this.#generation;
    log.info(
      `connected to MQTT broker ${describeBrokerUrl(this.#url)}${connack.sessionPresent ? ' (session resumed)' : ''}`,
    );
    this.#announce(client, generation).then(
      () => {
        if (generation === this.#generation && this.#connected) this.#notify(true);
      },
      (error: unknown) => {
        if (!this.#closing)
          log.warning(`setting up the MQTT connection failed: ${redactString(String(error))}`);
      },
    );
  }

  /** online → subscriptions → owed clears → every retained payload, newest values only. */
  async #announce(client: MqttClient, generation: number): Promise<void> {
    await client.publishAsync(bridgeStateTopic(this.baseTopic), ONLINE_PAYLOAD, { qos: 1, retain: true });
    await client.subscribeAsync(this.#subscriptions(), { qos: 1 });
    if (generation !== this.#generation) return;
    const sends: Promise<PublishOutcome>[] = [];
    for (const topic of this.#cache.pendingClears()) sends.push(this.#send(client, topic, '', 1, true));
    for (const [topic, entry] of this.#cache.entries()) {
      sends.push(this.#send(client, topic, entry.payload, entry.qos, true));
    }
    const outcomes = await Promise.all(sends);
    const sent = outcomes.filter((outcome) => outcome === 'sent').length;
    log.debug(`republished ${sent} of ${outcomes.length} retained topics`);
  }

  #subscriptions(): string[] {
    return [
      ...this.#deviceFilters(),
      `${this.baseTopic}/bridge/request/#`,
      ...this.#incoming.watchedTopics(),
    ];
  }

  /** `<base>/+/set`, `<base>/+/set/+`, `/get` likewise, for names of 1 to #deviceDepth levels. */
  #deviceFilters(): string[] {
    const filters: string[] = [];
    for (let depth = 1; depth <= this.#deviceDepth; depth++) {
      const name = `${this.baseTopic}/${'+/'.repeat(depth)}`;
      filters.push(`${name}set`, `${name}set/+`, `${name}get`, `${name}get/+`);
    }
    return filters;
  }

  #handleClose(client: MqttClient): void {
    if (this.#connected && !this.#closing)
      log.warning(`disconnected from MQTT broker ${describeBrokerUrl(this.#url)}`);
    this.#setConnected(false);
    if (this.#closing || this.#cancelReconnect) return;
    const delay = this.#reconnectDelayMs;
    const { maxMs } = this.#options.reconnect ?? DEFAULT_RECONNECT;
    this.#reconnectDelayMs = Math.min(delay * 2, maxMs);
    this.#cancelReconnect = this.#clock.schedule(delay, () => {
      this.#cancelReconnect = undefined;
      if (this.#closing) return;
      // Keeping the stores lets mqtt.js finish QoS 1 publishes that were in flight.
      client.reconnect({ incomingStore: client.incomingStore, outgoingStore: client.outgoingStore });
    });
  }

  #setConnected(connected: boolean): void {
    const was = this.#connected;
    this.#connected = connected;
    if (!connected) this.#connectedSince = undefined;
    if (was && !connected) {
      this.#disconnectedSince = this.#clock.now();
      this.#notify(false);
    }
  }

  #notify(connected: boolean): void {
    for (const listener of this.#connectionListeners) {
      try {
        listener(connected);
      } catch (error) {
        log.error('MQTT connection listener failed', { error });
      }
    }
  }
}
