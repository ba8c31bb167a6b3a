/**
 * The account host: one Bridge per account this process holds the lease of, and the process's
 * one web UI. `coordination.leases` says which accounts run here: acquired → the account's
 * Bridge starts; lost → it stops. Stopping because another process took the account leaves
 * `<base>/<name>/bridge/state` alone (Bridge.stop({handover}): no `offline`, no will), so nothing
 * of ours lands after the new owner's `online`; stopping the process publishes `offline` and
 * only then releases the leases, so a process taking over publishes `online` after it.
 */
import type { BridgeConfig } from '../config/types.js';
import { createCoordination } from '../coordination/index.js';
import type { Coordination, CoordinationSettings } from '../coordination/types.js';
import { EventBus } from '../events.js';
import { childLogger } from '../log.js';
import { type Clock, systemClock } from '../util/clock.js';
import type { WebhookEndpoint } from '../web/routes/webhook.js';
import type { WebServer } from '../web/server.js';
import type { AccountServing, WebAccount, WebSitePort } from '../web/types.js';
import { type AccountPlan, accountPlans } from './account-plans.js';
import { Bridge, type BridgeOptions } from './controller.js';
import { startWebUi } from './web-ui.js';

const log = childLogger('accounts');

/** What every account's Bridge gets besides its own configuration (tests and benchmarks tune it). */
export type AccountBridgeOptions = Omit<
  BridgeOptions,
  'config' | 'clock' | 'events' | 'account' | 'coordination'
>;

export interface AccountHostOptions {
  config: BridgeConfig;
  clock?: Clock;
  bridge?: AccountBridgeOptions;
}

/**
 * The coordination settings of a configuration: `coordination` in ms, and the app's users
 * counted from `accounts` (every process of one app lists the same accounts).
 */
export function coordinationSettings(config: BridgeConfig): CoordinationSettings {
  const c = config.coordination;
  return {
    keyPrefix: c?.key_prefix ?? 'netatmo2mqtt',
    leaseTtlMs: (c?.lease_ttl_s ?? 30) * 1000,
    appUsers: Math.max(1, config.accounts?.length ?? 1),
    ...(c?.redis_url === undefined ? {} : { redisUrl: c.redis_url }),
    ...(c?.redis_password === undefined ? {} : { redisPassword: c.redis_password }),
    ...(c?.process_name === undefined ? {} : { processName: c.process_name }),
  };
}

/** One configured account: its Bridge while this process serves it, and its lasting event bus. */
class HostedAccountSlot implements WebAccount {
  readonly events = new EventBus();
  running: Bridge | undefined;
  state: 'stopped' | 'starting' | 'here' | 'stopping' = 'stopped';
  /** Acquired and lost run one after the other, never interleaved. */
  turn: Promise<void> = Promise.resolve();

  constructor(
    readonly plan: AccountPlan,
    readonly remote: () => boolean,
  ) {}

  get name(): string {
    return this.plan.name;
  }

  bridge(): Bridge | undefined {
    return this.state === 'here' ? this.running : undefined;
  }

  serving(): AccountServing {
    if (this.state === 'here') return { state: 'here' };
    if (this.state === 'starting') return { state: 'starting' };
    // Not held here while others may hold it: with Redis another process serves it.
    return this.remote() ? { state: 'elsewhere' } : { state: 'stopped' };
  }
}

export class AccountHost implements WebSitePort {
  readonly clock: Clock;
  readonly several: boolean;
  readonly accounts: readonly HostedAccountSlot[];
  readonly coordination: Coordination;
  readonly #options: AccountHostOptions;
  #web: WebServer | undefined;
  #started = false;
  #stopping = false;

  constructor(options: AccountHostOptions) {
    this.#options = options;
    this.clock = options.clock ?? systemClock;
    this.coordination = createCoordination(coordinationSettings(options.config), {
      clock: this.clock,
      events: new EventBus(),
    });
    const plans = accountPlans(options.config);
    this.several = plans.length > 1;
    const remote = (): boolean => this.coordination.mode === 'redis';
    this.accounts = plans.map((plan) => new HostedAccountSlot(plan, remote));
  }

  /** The process, as the leases name it. */
  get process(): string {
    return this.coordination.health().process;
  }

  get running(): boolean {
    return this.#started && !this.#stopping;
  }

  /** Where the web UI listens, once started with config.web.enabled. */
  get webUrl(): string | undefined {
    return this.#web?.url;
  }

  /** The account's Bridge while this process serves it. */
  bridge(name: string): Bridge | undefined {
    return this.#slot(name)?.bridge();
  }

  /** Starts the web UI, then takes the accounts the leases give this process. */
  async start(): Promise<void> {
    this.#started = true;
    const { config, bridge } = this.#options;
    // Before any account: onboarding must be reachable even while the broker is not.
    this.#web = await startWebUi({
      config,
      site: this,
      clock: this.clock,
      allowedPeers: bridge?.webAllowedPeers,
      limits: bridge?.webLimits,
      webhook: config.webhook.public_url === undefined ? undefined : this.#webhook(),
    });
    log.info(
      this.several
        ? `${this.accounts.length} accounts: ${this.accounts.map((a) => a.name).join(', ')} (${this.coordination.mode} coordination, process ${this.process})`
        : `account ${this.accounts[0]?.name} (${this.coordination.mode} coordination, process ${this.process})`,
    );
    await this.coordination.leases.start(
      this.accounts.map((a) => a.name),
      {
        acquired: (name) => this.#turn(name, (slot) => this.#startAccount(slot)),
        lost: (name) => this.#turn(name, (slot) => this.#stopAccount(slot, !this.#stopping)),
      },
    );
  }

  /** Stops every account (publishing `offline`), then releases the leases, then the web UI. */
  async stop(): Promise<void> {
    if (this.#stopping) return;
    this.#stopping = true;
    // The leases run each held account's `lost` first (a full stop, not a handover), then release.
    await this.coordination.leases.stop();
    await Promise.all(this.accounts.map((slot) => this.#turn(slot.name, (s) => this.#stopAccount(s, false))));
    await this.coordination.close();
    await this.#web?.stop();
  }

  /**
   * Netatmo's pushes, to the receiver of the account's Bridge while it runs here (a webhook is
   * refused with several accounts, so there is one account).
   */
  #webhook(): WebhookEndpoint {
    const receiver = () => this.accounts[0]?.bridge()?.security.webhook?.receiver;
    return {
      matches: (pathname) => receiver()?.matches(pathname) ?? false,
      receive: (body, signature) => receiver()?.receive(body, signature) ?? 'forbidden',
    };
  }

  #slot(name: string): HostedAccountSlot | undefined {
    return this.accounts.find((a) => a.name === name);
  }

  #turn(name: string, step: (slot: HostedAccountSlot) => Promise<void>): Promise<void> {
    const slot = this.#slot(name);
    if (!slot) {
      log.warning(`the leases named an account that is not configured here: ${name}`);
      return Promise.resolve();
    }
    slot.turn = slot.turn.then(() => step(slot));
    return slot.turn;
  }

  async #startAccount(slot: HostedAccountSlot): Promise<void> {
    if (slot.running || this.#stopping) return;
    const { plan } = slot;
    const bridge = new Bridge({
      ...this.#options.bridge,
      config: plan.config,
      clock: this.clock,
      events: slot.events,
      coordination: this.coordination.account({
        name: plan.name,
        dataDir: plan.config.data_dir,
        profile: plan.config.netatmo.profile,
      }),
      account: { name: plan.name, several: plan.several, coordination: this.coordination },
    });
    slot.running = bridge;
    slot.state = 'starting';
    try {
      await bridge.start();
      slot.state = 'here';
      log.info(`account ${plan.name}: serving ${plan.config.mqtt.base_topic}/…`);
    } catch (error) {
      log.error(`account ${plan.name} cannot start: ${(error as Error).message}`);
      slot.running = undefined;
      slot.state = 'stopped';
      await bridge.stop().catch(() => {});
      // A lone bridge that cannot start exits, as it always did; one account of several must
      // not take the others down.
      if (!this.several && this.coordination.mode === 'local') throw error;
    }
  }

  /** `handover`: another process takes the account; its retained state is not ours to touch. */
  async #stopAccount(slot: HostedAccountSlot, handover: boolean): Promise<void> {
    const bridge = slot.running;
    if (!bridge) return;
    slot.state = 'stopping';
    if (handover) log.warning(`account ${slot.name}: lease lost, another process serves it now`);
    try {
      await bridge.stop({ handover });
    } finally {
      slot.running = undefined;
      slot.state = 'stopped';
    }
  }
}
