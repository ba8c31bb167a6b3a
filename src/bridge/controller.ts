/**
 * The Bridge: wires configuration into the running parts and owns their lifecycle
 * (zigbee2mqtt's controller). Data flows Netatmo → poller → DeviceSync → StateStore → its
 * listeners (DiscoveryPublisher, DevicePublisher, the state cache, command confirmation) → MQTT;
 * commands flow MQTT → CommandRouter → Netatmo, their optimistic state back through DeviceSync;
 * security events flow from the events feed and the webhook through the SecurityStack, their
 * states back through DeviceSync; meter readings flow from the energy feed through EnergyMeters
 * and DeviceSync; bridge requests and events flow through BridgeControl and the bus.
 */

import { CommandRouter } from '../commands/router.js';
import { config_schema, redactedConfig } from '../config/index.js';
import type { BridgeConfig } from '../config/types.js';
import { singleAccountCoordination } from '../coordination/index.js';
import type { AccountCoordination } from '../coordination/types.js';
import type { DeviceSource } from '../devices/types.js';
import { EnergyMeters } from '../energy/energy-meters.js';
import { EventBus } from '../events.js';
import { HomeAssistantBirthWatcher } from '../homeassistant/birth.js';
import { type DiscoveryContext, expireAfterFromPollInterval } from '../homeassistant/discovery/context.js';
import { DiscoveryPublisher } from '../homeassistant/discovery-publisher.js';
import { childLogger, type LogLevel, logger, setLogLevel } from '../log.js';
import { describeBrokerUrl, type MqttConnectionOptions } from '../mqtt/client-options.js';
import { MqttConnection } from '../mqtt/connection.js';
import { scanRetainedTopics } from '../mqtt/retained-scan.js';
import type { BridgeHealthPayload, BridgeInfoPayload } from '../mqtt/topics.js';
import { DeviceNames } from '../names/device-names.js';
import { renameFromRequest } from '../names/rename-request.js';
import { Poller } from '../poller/poller.js';
import { BridgePublisher } from '../publish/bridge-publisher.js';
import { serveDeviceGet } from '../publish/device-get.js';
import { DevicePublisher } from '../publish/device-publisher.js';
import { publishLog } from '../publish/log-publisher.js';
import { StateCache } from '../state/state-cache.js';
import { StateStore } from '../state/state-store.js';
import { type Clock, systemClock } from '../util/clock.js';
import { version } from '../version.js';
import { ingressAllowList } from '../web/ingress-guard.js';
import { type WebLimits, WebServer, type WebServerOptions } from '../web/server.js';
import { DeviceSync } from './device-sync.js';
import { buildHealth } from './health.js';
import { createNetatmoStack, type NetatmoStack } from './netatmo-stack.js';
import { type BridgeControl, bridgeRequestHandlers, serveBridgeRequests } from './requests.js';
import { SecurityStack, type SecurityStackOptions } from './security-stack.js';

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
  /** Security timing for tests and benchmarks (push quiet period, webhook retries). */
  security?: SecurityStackOptions['tuning'];
  /** Energy timing for tests and benchmarks: the shortest interval between two reads of a meter. */
  energy?: { floorMs?: number };
  /** The account's coordination; default: one account, in-process, its token in data_dir. */
  coordination?: AccountCoordination;
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
  /** Every device's topic name (src/names): the one place topics are made from devices. */
  readonly names: DeviceNames;
  readonly poller: Poller;
  readonly devices: DevicePublisher;
  /** Absent when Home Assistant discovery is disabled. */
  readonly discovery: DiscoveryPublisher | undefined;
  readonly sync: DeviceSync;
  readonly commands: CommandRouter;
  readonly security: SecurityStack;
  readonly energy: EnergyMeters;
  readonly #cache: StateCache;
  readonly #birth: HomeAssistantBirthWatcher;
  readonly #bridgePublisher: BridgePublisher;
  readonly #options: BridgeOptions;
  readonly #mqttOptions: MqttConnectionOptions;
  readonly #unsubscribe: Array<() => void> = [];
  #startedAt = 0;
  #stopped = false;
  #web: WebServer | undefined;

  constructor(options: BridgeOptions) {
    this.#options = options;
    this.config = options.config;
    this.clock = options.clock ?? systemClock;
    this.events = options.events ?? new EventBus();
    this.netatmo = createNetatmoStack(
      this.config,
      this.clock,
      this.events,
      options.coordination ??
        singleAccountCoordination(this.config.data_dir, { clock: this.clock, events: this.events }),
    );
    this.#mqttOptions = mqttConnectionOptions(this.config, this.clock, options.mqttOptions);
    this.mqtt = new MqttConnection(this.#mqttOptions);
    this.#cache = new StateCache({
      dataDir: this.config.data_dir,
      clock: this.clock,
      snapshot: () => ({
        ...this.store.snapshot(),
        sections: { events: this.security.ledger.snapshot(), energy: this.energy.snapshot() },
      }),
    });
    const expireAfter = (): Partial<Record<DeviceSource, number>> => this.#expireAfter();
    this.names = new DeviceNames({
      store: this.store,
      dataDir: this.config.data_dir,
      mode: this.config.mqtt.device_topic,
      onDepth: (levels) => this.mqtt.setDeviceTopicDepth(levels),
    });
    this.sync = new DeviceSync({ store: this.store, events: this.events, clock: this.clock });
    this.security = new SecurityStack({
      config: this.config,
      clock: this.clock,
      client: this.netatmo.client,
      store: this.store,
      writer: this.sync,
      mqtt: this.mqtt,
      topics: this.names,
      persist: () => this.#cache.save(),
      poller: () => this.poller,
      ...(options.security ? { tuning: options.security } : {}),
    });
    this.energy = new EnergyMeters({
      api: this.netatmo.client,
      clock: this.clock,
      writer: this.sync,
      persist: () => this.#cache.save(),
      poller: () => this.poller,
      ...(options.energy?.floorMs === undefined ? {} : { floorMs: options.energy.floorMs }),
    });
    this.devices = new DevicePublisher({
      mqtt: this.mqtt,
      store: this.store,
      clock: this.clock,
      expireAfter,
      topics: this.names,
    });
    this.discovery = this.config.homeassistant.enabled
      ? new DiscoveryPublisher({
          mqtt: this.mqtt,
          store: this.store,
          context: this.#discoveryContext(),
          expireAfter,
        })
      : undefined;
    this.#birth = new HomeAssistantBirthWatcher(this.clock);
    this.commands = new CommandRouter({
      clock: this.clock,
      config: this.config.commands,
      api: this.netatmo.client,
      store: this.store,
      writer: this.sync,
      mqtt: this.mqtt,
      events: this.events,
      names: this.names,
      confirm: (homeId) => this.poller.refreshHome(homeId, { soon: true }),
      refreshTopology: () => this.poller.refreshTopology(),
    });
    this.poller = new Poller({
      clock: this.clock,
      api: this.netatmo.client,
      gate: this.netatmo.gate,
      sinks: this.security.sinks(this.sync),
      feeds: [this.security.feed, this.energy.feed],
    });
    this.#bridgePublisher = new BridgePublisher({
      mqtt: this.mqtt,
      clock: this.clock,
      events: this.events,
      info: () => this.info(),
      health: () => this.health(),
      healthIntervalMs: options.healthIntervalMs,
    });
  }

  /** Connects to MQTT and Netatmo and starts polling. Rejects on what no retry can fix. */
  async start(): Promise<void> {
    this.#startedAt = this.clock.now();
    setLogLevel(this.config.log_level);
    const snapshot = await this.#cache.load();
    if (snapshot) this.store.restore(snapshot);
    this.security.ledger.restore(snapshot?.sections?.events);
    this.energy.restore(snapshot?.sections?.energy);
    const tokenSource = await this.netatmo.auth.init(this.config.netatmo.refresh_token);
    await this.names.load(snapshot !== undefined);

    const cache = this.#cache;
    this.#unsubscribe.push(
      // Names first: the publishers after it see a new topology's names.
      this.store.subscribe(this.names),
      this.names.onMoved(async (moves) => {
        await Promise.all([
          this.devices.moved(moves),
          this.security.publisher.moved(moves),
          ...moves.map((m) => this.discovery?.republish(m.device)),
        ]);
      }),
      // Configs before states: Home Assistant learns a device before its first value.
      ...(this.discovery ? [this.store.subscribe(this.discovery)] : []),
      this.store.subscribe(this.devices),
      this.store.subscribe(this.security.publisher),
      this.store.subscribe(this.energy),
      this.store.subscribe({
        topologyChanged: () => cache.markDirty(),
        statesApplied: (applied) => {
          if (applied.changes.length > 0) cache.markDirty();
        },
        availabilityChanged: () => cache.markDirty(),
      }),
      serveBridgeRequests(this.mqtt, bridgeRequestHandlers(this)),
      // Before mqtt.start(): a persistent session delivers queued commands right after connect.
      this.commands.attach(),
      serveDeviceGet({
        mqtt: this.mqtt,
        store: this.store,
        names: this.names,
        publisher: this.devices,
        refreshHome: (homeId) => this.poller.refreshHome(homeId, { soon: false }),
      }),
      this.#birth.attach(this.mqtt, this.config.homeassistant.status_topic),
      this.#birth.onBirth(() => this.devices.republishAll()),
      publishLog(this.mqtt, this.clock),
      this.events.on('reauthRequired', (e) => {
        log.error(
          `Netatmo needs a new authorisation: ${e.reason}. Polling stops until new credentials arrive.`,
        );
        this.poller.stop();
      }),
      this.events.on('credentialsRestored', () => {
        log.info('Netatmo credentials restored: polling starts');
        this.poller.restart();
        this.security.start();
        this.energy.start();
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
        ...(this.security.webhook ? { webhook: this.security.webhook.receiver } : {}),
      });
      await this.#web.start();
    }
    log.info(`netatmo2mqtt ${version} connecting to MQTT at ${describeBrokerUrl(this.config.mqtt.url)}`);
    await this.mqtt.start();
    if (this.discovery) {
      this.discovery.sweepAfterFirstTopology(
        scanRetainedTopics(this.#mqttOptions, this.discovery.sweepFilter, this.#options.discoveryScanMs),
      );
      await this.discovery.publishBridge();
    }
    await this.#bridgePublisher.start();
    if (tokenSource === 'none') {
      log.warning(
        'no Netatmo token yet: set netatmo.refresh_token (bootstrap), run `netatmo2mqtt auth`, or connect in the web UI. Waiting.',
      );
      return;
    }
    this.poller.start();
    this.security.start();
    this.energy.start();
  }

  /** Publishes offline, stops polling and saves state; bounded in time. */
  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    await this.#web?.stop();
    this.poller.stop();
    this.energy.stop();
    this.commands.stop();
    this.#bridgePublisher.stop();
    // Drops the webhook (Netatmo must not push into the void) and finishes the events in hand.
    await this.security.stop();
    // What the polls already delivered is still published before the listeners go.
    await this.sync.idle();
    for (const off of this.#unsubscribe.splice(0)) off();
    this.#cache.dispose();
    await this.#cache.save();
    this.netatmo.gate.close();
    await this.mqtt.close();
  }

  /** MQTT base topic (the web UI shows device topics). */
  get baseTopic(): string {
    return this.config.mqtt.base_topic;
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
      events: this.security.health(),
      energy: this.energy.health(),
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

  renameDevice(from: unknown, to: unknown): Promise<{ from: string; to: string }> {
    return renameFromRequest(this.names, from, to);
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
      snapshotCamera: this.config.cameras.fetch_snapshots,
      topics: this.names,
    };
  }

  /** `expire_after` per feed: three missed polls of the current plan, never under 30 min. */
  #expireAfter(): Partial<Record<DeviceSource, number>> {
    const plan = this.poller.plan;
    const expire = (ms: number | undefined): number | undefined =>
      ms === undefined ? undefined : Math.max(MIN_EXPIRE_AFTER_S, expireAfterFromPollInterval(ms / 1000));
    return {
      homes: expire(plan?.homeStatusIntervalMs ?? 60_000),
      stations: expire(plan?.weather?.intervalMs ?? 600_000),
      coaches: expire(plan?.homeCoach?.intervalMs ?? 600_000),
    };
  }
}

export function mqttConnectionOptions(
  config: BridgeConfig,
  clock: Clock,
  overrides: Partial<MqttConnectionOptions> = {},
): MqttConnectionOptions {
  const { mqtt } = config;
  const options: MqttConnectionOptions = {
    url: mqtt.url,
    baseTopic: mqtt.base_topic,
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
