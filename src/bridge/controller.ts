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
import type { AccountCoordination, Coordination } from '../coordination/types.js';
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
import { DevicePublisher } from '../publish/device-publisher.js';
import { StateCache } from '../state/state-cache.js';
import { StateStore } from '../state/state-store.js';
import { type Clock, systemClock } from '../util/clock.js';
import { version } from '../version.js';
import type { WebLimits, WebServer } from '../web/server.js';
import { singleBridgeSite } from '../web/types.js';
import { DeviceSync } from './device-sync.js';
import { fencedCommandApi } from './fenced-commands.js';
import { buildHealth } from './health.js';
import { wireListeners } from './listeners.js';
import { mqttConnectionOptions } from './mqtt-options.js';
import { createNetatmoStack, type NetatmoStack } from './netatmo-stack.js';
import type { BridgeControl } from './requests.js';
import { SecurityStack, type SecurityStackOptions } from './security-stack.js';
import { startWebUi } from './web-ui.js';

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
  /**
   * The account this Bridge serves for an account host (account-host.ts): no web UI of its own
   * (the host runs the process's one), commands only while the process holds the account's
   * lease, and bridge/health names the account and its coordination.
   */
  account?: HostedAccount;
}

export interface HostedAccount {
  /** `accounts[].name` (the host names a lone account without `accounts` too). */
  name: string;
  /** One of several accounts: its bridge device in Home Assistant carries the name. */
  several: boolean;
  /** The process's coordination: its leases fence commands, its health goes into bridge/health. */
  coordination: Pick<Coordination, 'leases' | 'health'>;
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
    const { account } = options;
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
      api:
        account === undefined
          ? this.netatmo.client
          : fencedCommandApi(
              this.netatmo.client,
              () => account.coordination.leases.holds(account.name),
              account.name,
            ),
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

    this.#unsubscribe.push(...wireListeners(this, this.#cache, this.#birth));
    // Before MQTT: onboarding must be reachable even while the broker is not. Hosted, the
    // account host runs the process's one web UI.
    if (!this.#options.account) {
      this.#web = await startWebUi({
        config: this.config,
        site: singleBridgeSite(this),
        clock: this.clock,
        allowedPeers: this.#options.webAllowedPeers,
        limits: this.#options.webLimits,
        webhook: this.security.webhook?.receiver,
      });
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

  /**
   * Publishes offline, stops polling and saves state; bounded in time. `handover`: the account
   * moves to another process, which may already have published its `online`: the bridge state is
   * left alone (no `offline`, and a clean disconnect discards the will).
   */
  async stop(options: { handover?: boolean } = {}): Promise<void> {
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
    await (options.handover ? this.mqtt.handOver() : this.mqtt.close());
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
    const { account } = this.#options;
    const health = buildHealth({
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
    if (account) {
      health.account = account.name;
      const c = account.coordination.health();
      health.coordination = {
        mode: c.mode,
        connected: c.connected,
        owner: c.process,
        ...(c.refresh_blocked === undefined ? {} : { refresh_blocked: c.refresh_blocked }),
      };
    }
    return health;
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
      ...(this.#options.account?.several ? { account: this.#options.account.name } : {}),
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
