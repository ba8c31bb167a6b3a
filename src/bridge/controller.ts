/**
 * The Bridge: wires configuration into the running parts and owns their lifecycle
 * (zigbee2mqtt's controller). Data flows Netatmo → poller → DeviceSync → StateStore →
 * DevicePublisher → MQTT; bridge requests and events flow through BridgeControl and the bus.
 */

import { CommandRouter } from '../commands/router.js';
import { config_schema, redactedConfig } from '../config/index.js';
import type { BridgeConfig } from '../config/types.js';
import { EventBus } from '../events.js';
import { childLogger, type LogLevel, logger, setLogLevel } from '../log.js';
import { BridgePublisher } from '../mqtt/bridge-publisher.js';
import { type BridgeControl, bridgeRequestHandlers, serveBridgeRequests } from '../mqtt/bridge-requests.js';
import type { MqttConnectionOptions } from '../mqtt/client-options.js';
import { MqttConnection } from '../mqtt/connection.js';
import { DevicePublisher } from '../mqtt/device-publisher.js';
import {
  type DiscoveryContext,
  discoveryTopicsToClear,
  expireAfterFromPollInterval,
  ownDiscoveryTopicPrefix,
} from '../mqtt/discovery.js';
import { scanRetainedTopics } from '../mqtt/retained-scan.js';
import type { BridgeHealthPayload, BridgeInfoPayload } from '../mqtt/topics.js';
import { Poller } from '../poller/poller.js';
import { StateCache } from '../state/state-cache.js';
import { StateStore } from '../state/state-store.js';
import { type Clock, systemClock } from '../util/clock.js';
import { version } from '../version.js';
import { ingressAllowList } from '../web/ingress-guard.js';
import { type WebLimits, WebServer, type WebServerOptions } from '../web/server.js';
import { DeviceSync } from './device-sync.js';
import { buildHealth } from './health.js';
import { createNetatmoStack, type NetatmoStack } from './netatmo-stack.js';

const log = childLogger('bridge');

export const PROJECT_URL = 'https://github.com/netatmo2mqtt/netatmo2mqtt';
/** Discovery `expire_after` never below this: one slow poll must not blank a sensor. */
const MIN_EXPIRE_AFTER_S = 1_800;

export interface BridgeOptions {
  config: BridgeConfig;
  clock?: Clock;
  events?: EventBus;
  /** Tuning for tests and benchmarks. */
  mqttOptions?: Partial<MqttConnectionOptions>;
  healthIntervalMs?: number;
  /** How long the start-up sweep listens for retained discovery configs. Default 2 s. */
  discoveryScanMs?: number;
  /** Web UI peers allowed to call; default: the ingress proxy in add-on mode, anyone (with login) otherwise. */
  webAllowedPeers?: readonly string[];
  /** Web UI timeouts and connection cap (tests shorten them). */
  webLimits?: Partial<WebLimits>;
}

/** Add-on: the ingress proxy only, no login of ours. Standalone: the login and its settings. */
function webAccess(
  config: BridgeConfig,
  allowedPeers: readonly string[] | undefined,
): Pick<WebServerOptions, 'allowedPeers' | 'login' | 'metricsToken' | 'externalUrl'> {
  const { password, metrics_token: metricsToken, external_url: externalUrl } = config.web;
  return {
    ...(allowedPeers
      ? { allowedPeers }
      : { login: { dataDir: config.data_dir, ...(password === undefined ? {} : { password }) } }),
    ...(metricsToken === undefined ? {} : { metricsToken }),
    ...(externalUrl === undefined ? {} : { externalUrl }),
  };
}

export class Bridge implements BridgeControl {
  readonly config: BridgeConfig;
  readonly clock: Clock;
  readonly events: EventBus;
  readonly netatmo: NetatmoStack;
  readonly store = new StateStore();
  readonly mqtt: MqttConnection;
  readonly poller: Poller;
  readonly devices: DevicePublisher;
  readonly sync: DeviceSync;
  readonly commands: CommandRouter;
  readonly #cache: StateCache;
  readonly #bridgePublisher: BridgePublisher;
  readonly #options: BridgeOptions;
  readonly #mqttOptions: MqttConnectionOptions;
  readonly #unsubscribe: Array<() => void> = [];
  #startedAt = 0;
  #stopped = false;
  #web: WebServer | undefined;
  #sweep: Promise<Set<string>> | undefined;

  constructor(options: BridgeOptions) {
    this.#options = options;
    this.config = options.config;
    this.clock = options.clock ?? systemClock;
    this.events = options.events ?? new EventBus();
    this.netatmo = createNetatmoStack(this.config, this.clock, this.events);
    this.#mqttOptions = mqttConnectionOptions(this.config, this.clock, options.mqttOptions);
    this.mqtt = new MqttConnection(this.#mqttOptions);
    this.#cache = new StateCache({
      dataDir: this.config.data_dir,
      clock: this.clock,
      snapshot: () => this.store.snapshot(),
    });
    const discovery = this.config.homeassistant.enabled ? this.#discoveryContext() : undefined;
    this.devices = new DevicePublisher({
      mqtt: this.mqtt,
      store: this.store,
      clock: this.clock,
      discovery,
      expireAfter: () => this.#expireAfter(),
    });
    this.sync = new DeviceSync({
      store: this.store,
      publisher: this.devices,
      cache: this.#cache,
      onDevicesChanged: () => void this.#sweepStaleDiscovery(),
    });
    this.commands = new CommandRouter({
      clock: this.clock,
      config: this.config.commands,
      api: this.netatmo.client,
      store: this.store,
      publisher: this.devices,
      mqtt: this.mqtt,
      events: this.events,
      confirm: (homeId) => this.poller.refreshHome(homeId, { soon: true }),
      refreshTopology: () => this.poller.refreshTopology(),
    });
    this.poller = new Poller({
      clock: this.clock,
      api: this.netatmo.client,
      gate: this.netatmo.gate,
      sinks: this.commands.observe(this.sync),
    });
    this.#bridgePublisher = new BridgePublisher({
      mqtt: this.mqtt,
      clock: this.clock,
      events: this.events,
      info: () => this.info(),
      health: () => this.health(),
      discovery,
      healthIntervalMs: options.healthIntervalMs,
    });
  }

  /** Connects to MQTT and Netatmo and starts polling. Rejects on what no retry can fix. */
  async start(): Promise<void> {
    this.#startedAt = this.clock.now();
    setLogLevel(this.config.log_level);
    const snapshot = await this.#cache.load();
    if (snapshot) this.store.restore(snapshot);
    const tokenSource = await this.netatmo.auth.init(this.config.netatmo.refresh_token);

    this.#unsubscribe.push(
      serveBridgeRequests(this.mqtt, bridgeRequestHandlers(this)),
      // Before mqtt.start(): a persistent session delivers queued commands right after connect.
      this.commands.attach(),
      this.mqtt.onHomeAssistantBirth(() => this.devices.republishAll()),
      this.events.on('reauthRequired', (e) => {
        log.error(
          `Netatmo needs a new authorisation: ${e.reason}. Polling stops until new credentials arrive.`,
        );
        this.poller.stop();
      }),
      this.events.on('credentialsRestored', () => {
        log.info('Netatmo credentials restored: polling starts');
        this.poller.restart();
      }),
    );
    // Before MQTT: onboarding must be reachable even while the broker is not.
    if (this.config.web.enabled) {
      this.#web = new WebServer({
        bridge: this,
        port: this.config.web.port,
        host: this.config.web.host,
        clock: this.clock,
        ...webAccess(this.config, this.#options.webAllowedPeers ?? ingressAllowList()),
        ...(this.#options.webLimits ? { limits: this.#options.webLimits } : {}),
      });
      await this.#web.start();
    }
    log.info(`netatmo2mqtt ${version} connecting to MQTT at ${describeUrl(this.config.mqtt.url)}`);
    await this.mqtt.start();
    if (this.devices.discoveryContext) {
      const ctx = this.devices.discoveryContext;
      this.#sweep = scanRetainedTopics(
        this.#mqttOptions,
        `${ownDiscoveryTopicPrefix(ctx)}+/config`,
        this.#options.discoveryScanMs,
      );
    }
    await this.#bridgePublisher.start();
    if (tokenSource === 'none') {
      log.warning(
        'no Netatmo token yet: set netatmo.refresh_token (bootstrap), run `netatmo2mqtt auth`, or connect in the web UI. Waiting.',
      );
      return;
    }
    this.poller.start();
  }

  /** Publishes offline, stops polling and saves state; bounded in time. */
  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    await this.#web?.stop();
    this.poller.stop();
    this.commands.stop();
    this.#bridgePublisher.stop();
    for (const off of this.#unsubscribe.splice(0)) off();
    await this.sync.idle();
    this.#cache.dispose();
    await this.#cache.save();
    this.netatmo.gate.close();
    await this.mqtt.close();
  }

  /** Started and not stopped (the web UI's /healthz). */
  get running(): boolean {
    return this.#startedAt > 0 && !this.#stopped;
  }

  /** Where the web UI listens, once started with config.web.enabled. */
  get webUrl(): string | undefined {
    return this.#web?.url;
  }

  info(): BridgeInfoPayload {
    return {
      version,
      config: redactedConfig(this.config) as unknown as Record<string, unknown>,
      config_schema: config_schema as unknown as Record<string, unknown>,
      log_level: logger.level as LogLevel,
      restart_required: false,
      base_topic: this.config.mqtt.base_topic,
      discovery_prefix: this.config.homeassistant.discovery_prefix,
    };
  }

  health(): BridgeHealthPayload {
    return buildHealth({
      startedAt: this.#startedAt,
      now: this.clock.now(),
      auth: this.netatmo.auth.stats(),
      gate: this.netatmo.gate.stats(),
      session: this.netatmo.session.stats(),
      poller: this.poller.status(),
      mqtt: this.mqtt.status(),
      commands: this.commands.stats(),
    });
  }

  refreshHome(homeId: string): boolean {
    return this.poller.refreshHome(homeId);
  }

  refreshTopology(): void {
    this.poller.refreshTopology();
  }

  restartPolling(): void {
    this.poller.restart();
  }

  setLogLevel(level: LogLevel): void {
    setLogLevel(level);
    log.info(`log level is now ${level}`);
    void this.#bridgePublisher.publishInfo();
  }

  #discoveryContext(): DiscoveryContext {
    return {
      baseTopic: this.config.mqtt.base_topic,
      discoveryPrefix: this.config.homeassistant.discovery_prefix,
      bridgeDeviceId: `${this.config.mqtt.base_topic.replace(/[^a-zA-Z0-9_-]/g, '_')}_bridge`,
      origin: { name: 'netatmo2mqtt', sw: version, url: PROJECT_URL },
    };
  }

  /** `expire_after` per feed: three missed polls of the current plan, never under 30 min. */
  #expireAfter(): DiscoveryContext['expireAfter'] {
    const plan = this.poller.plan;
    const expire = (ms: number | undefined): number | undefined =>
      ms === undefined ? undefined : Math.max(MIN_EXPIRE_AFTER_S, expireAfterFromPollInterval(ms / 1000));
    return {
      homes: expire(plan?.homeStatusIntervalMs ?? 60_000),
      stations: expire(plan?.weather?.intervalMs ?? 600_000),
      coaches: expire(plan?.homeCoach?.intervalMs ?? 600_000),
    };
  }

  /** After the first device set is known: clear retained configs of devices that are gone. */
  async #sweepStaleDiscovery(): Promise<void> {
    const ctx = this.devices.discoveryContext;
    const sweep = this.#sweep;
    if (!ctx || !sweep) return;
    this.#sweep = undefined;
    const stale = discoveryTopicsToClear(
      await sweep,
      this.devices.discoveryTopics(),
      ownDiscoveryTopicPrefix(ctx),
    );
    // The bridge's own config lives under the same prefix.
    for (const topic of stale.filter((t) => !t.endsWith('/bridge/config'))) {
      log.info(`removing stale discovery config ${topic}`);
      await this.mqtt.publishAbsolute(topic, '', { retain: true, qos: 1 });
    }
  }
}

function describeUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}`;
  } catch {
    return url;
  }
}

export function mqttConnectionOptions(
  config: BridgeConfig,
  clock: Clock,
  overrides: Partial<MqttConnectionOptions> = {},
): MqttConnectionOptions {
  const { mqtt, homeassistant } = config;
  const options: MqttConnectionOptions = {
    url: mqtt.url,
    baseTopic: mqtt.base_topic,
    discoveryPrefix: homeassistant.discovery_prefix,
    homeAssistantStatusTopic: homeassistant.status_topic,
    keepalive: mqtt.keepalive,
    clock,
  };
  if (mqtt.username !== undefined) options.username = mqtt.username;
  if (mqtt.password !== undefined) options.password = mqtt.password;
  if (mqtt.client_id !== undefined) options.clientId = mqtt.client_id;
  if (mqtt.ca || mqtt.cert || mqtt.key) {
    options.tls = { rejectUnauthorized: mqtt.reject_unauthorized };
    if (mqtt.ca) options.tls.ca = mqtt.ca;
    if (mqtt.cert) options.tls.cert = mqtt.cert;
    if (mqtt.key) options.tls.key = mqtt.key;
  }
  return { ...options, ...overrides };
}
