/**
 * The CommandRouter: `<base>/<device>/set[/<attr>]` → validate → coalesce → storm guard →
 * Netatmo → outcome. Every command gets one answer on `<base>/bridge/response/device/set`
 * (except values a newer one replaced while coalescing); rejected input is logged once and
 * never reaches Netatmo. A success is published at once (optimistic) and confirmed by a
 * refresh of the device's home soon after (its topology for a schedule, and again when a home's
 * timed away or frost-guard mode ends).
 */
import type { CommandsConfig } from '../config/types.js';
import type { Encoded, ValidCommand } from '../devices/index.js';
import type { DeviceState } from '../devices/types.js';
import type { EventBus } from '../events.js';
import { childLogger } from '../log.js';
import type { MqttConnection } from '../mqtt/connection.js';
import type { DeviceSetResponsePayload, DeviceSetResult, Transaction } from '../mqtt/topics.js';
import type { DeviceResolver } from '../names/device-names.js';
import type { StateStore } from '../state/state-store.js';
import type { Clock } from '../util/clock.js';
import { ECHO_MAX_CHARS, truncate, truncateValues } from '../util/truncate.js';
import { Coalescer } from './coalescer.js';
import type { SetMessage } from './decode.js';
import { type CommandApi, CommandDispatcher } from './dispatcher.js';
import { encodeCommand } from './encode.js';
import { ModeExpiry } from './mode-expiry.js';
import { PollWatch } from './poll-watch.js';
import { StormGuard, type StormVerdict } from './storm-guard.js';
import type { CommandStats, DispatchResult } from './types.js';
import { type Rejection, validateCommand } from './validate.js';

const log = childLogger('commands');
/** The `device` of a `command_storm` event when the cap across all devices was hit. */
export const GLOBAL_STORM_DEVICE = '*';

/** The same rejection text is logged at most once per this period (a flood of bad input is one line). */
const LOG_REPEAT_MS = 60_000;
/**
 * How long commands that arrive before the first topology read wait for it: a persistent
 * session delivers the commands queued while the bridge was away right after connecting,
 * before any device is known, and they must not be refused as unknown devices.
 */
const TOPOLOGY_WAIT_MS = 60_000;
const TOPOLOGY_CHECK_MS = 200;
/** At most this many rejection texts are remembered for that (a flood of unique ones is not a leak). */
const LOG_MEMORY = 500;

export interface CommandRouterOptions {
  clock: Clock;
  config: CommandsConfig;
  api: CommandApi;
  /** Where devices and their states are looked up (the router never writes to it). */
  store: StateStore;
  /** Applies a command's optimistic state in turn with the polls (DeviceSync). */
  writer: { applyExpected(deviceId: string, expected: DeviceState): Promise<void> };
  mqtt: MqttConnection;
  events: EventBus;
  /** Which device a command topic names: its friendly name or id (src/names); default: ids only. */
  names?: DeviceResolver;
  /** Asks for a confirmation read of a home soon (Poller.refreshHome(id, {soon: true})). */
  confirm(homeId: string): void;
  /** Asks for a topology read (schedule changes only show there). */
  refreshTopology?(): void;
  /** setstate batch window; default 20 ms. */
  batchMs?: number;
}

interface Job {
  command: ValidCommand;
  encoded: Encoded;
  /** The device as the sender named it (friendly name or id): answers echo it. */
  address: string;
}

export class CommandRouter {
  readonly #o: CommandRouterOptions;
  readonly #dispatcher: CommandDispatcher;
  readonly #coalescer: Coalescer<Job>;
  readonly #storm: StormGuard;
  readonly #expiry: ModeExpiry;
  readonly #watch: PollWatch;
  readonly #stats: CommandStats = { ok: 0, failed: 0, rejected: 0, coalesced: 0 };
  /** Values accepted but not yet settled, per device: what TOGGLE must flip. */
  readonly #intended = new Map<string, { state: DeviceState; open: number }>();
  readonly #logged = new Map<string, number>();
  #stopped = false;
  /** Pending while no device is known yet; commands wait on it in arrival order. */
  #topology: Promise<void> | undefined;

  constructor(options: CommandRouterOptions) {
    this.#o = options;
    this.#dispatcher = new CommandDispatcher({
      api: options.api,
      clock: options.clock,
      deadlineMs: options.config.deadline_ms,
      ...(options.batchMs === undefined ? {} : { batchMs: options.batchMs }),
    });
    this.#coalescer = new Coalescer<Job>({
      clock: options.clock,
      windowMs: options.config.coalesce_ms,
      send: (_key, job) => void this.#send(job),
      superseded: (_key, job) => {
        this.#stats.coalesced += 1;
        this.#settleIntent(job.command.device.id);
        // A sender that correlates answers (it sent a transaction) must not wait forever.
        if (job.command.transaction !== undefined) void this.#answerSuperseded(job);
      },
    });
    this.#storm = new StormGuard({
      clock: options.clock,
      capPerMinute: options.config.storm_cap_per_minute,
      globalCapPerMinute: options.config.global_cap_per_minute,
    });
    this.#watch = new PollWatch({ clock: options.clock });
    this.#expiry = new ModeExpiry(options.clock, () => this.#o.refreshTopology?.());
  }

  /**
   * Registers the `/set` handler and the confirmation of commands by the polls; call before the
   * MQTT connection starts. Returns the function that detaches both.
   */
  attach(): () => void {
    const offSet = this.#o.mqtt.onMessage('device_set', (message) => this.handle(message));
    const offWatch = this.#o.store.subscribe(this.#watch);
    return () => {
      offSet();
      offWatch();
    };
  }

  stats(): CommandStats {
    return { ...this.#stats };
  }

  /** Confirmations that disagreed with the command (Netatmo's value was kept). */
  get mismatches(): number {
    return this.#watch.mismatches;
  }

  stop(): void {
    this.#stopped = true;
    this.#coalescer.stop();
    this.#dispatcher.stop();
    this.#expiry.stop();
  }

  async handle(message: SetMessage): Promise<void> {
    if (this.#stopped) return;
    await this.#topologyKnown();
    if (this.#stopped) return;
    const device = this.#o.names
      ? this.#o.names.resolve(message.device)
      : this.#o.store.device(message.device);
    const intended = device ? this.#intended.get(device.id)?.state : undefined;
    const state = device ? { ...(this.#o.store.state(device.id) ?? {}), ...(intended ?? {}) } : undefined;
    const validation = validateCommand({ message, device, state, now: this.#o.clock.now() });
    if (!validation.ok) {
      await this.#reject(validation.rejection);
      return;
    }
    const command = validation.command;
    const encoded = encodeCommand(command, state);
    if ('error' in encoded) {
      await this.#reject({
        code: 'invalid_value',
        error: encoded.error,
        device: message.device,
        values: command.values,
        ...(command.transaction === undefined ? {} : { transaction: command.transaction }),
      });
      return;
    }
    this.#intend(command);
    this.#coalescer.submit(
      command.device.id,
      { command, encoded, address: message.device },
      Object.keys(command.values),
    );
  }

  async #send(job: Job): Promise<void> {
    const { command, encoded } = job;
    const device = command.device;
    const verdict = this.#storm.take(device.id);
    if (!verdict.allowed) {
      this.#settleIntent(device.id);
      await this.#refuseStorm(job, verdict);
      return;
    }
    const result = await this.#dispatcher.dispatch(device.id, encoded.actions);
    this.#settleIntent(device.id);
    if (this.#stopped) return;
    if (result.ok) {
      this.#stats.ok += 1;
      await this.#o.writer.applyExpected(device.id, encoded.expected);
      const confirmable = Object.fromEntries(
        Object.entries(encoded.expected).filter(([k]) => encoded.confirmable.includes(k)),
      );
      if (device.homeId) {
        this.#watch.expect(device.id, device.homeId, confirmable);
        if (device.family !== 'home' || 'thermostat_mode' in command.values) this.#o.confirm(device.homeId);
        if ('schedule' in command.values) this.#o.refreshTopology?.();
        if (device.family === 'home' && 'thermostat_mode' in command.values)
          this.#expiry.modeSet(device.homeId, command.endTime);
      }
    } else {
      this.#stats.failed += 1;
      this.#stats.last_error = `${device.id}: ${result.error}`;
      log.warning(`command to ${device.id} failed: ${result.error}`);
      this.#o.events.emit('commandFailed', {
        device: device.id,
        error: result.error,
        at: this.#o.clock.now(),
      });
    }
    await this.#respond(job, result);
  }

  /** A command over a storm cap: answered `command_storm` with `retry_at`; a new storm is reported once. */
  async #refuseStorm(job: Job, verdict: StormVerdict & { allowed: false }): Promise<void> {
    const device = job.command.device;
    const global = verdict.scope === 'global';
    const cap = global ? this.#storm.globalCapPerMinute : this.#storm.capPerMinute;
    const what = global ? 'all devices together are' : `${device.id} is`;
    if (verdict.startsStorm) {
      log.warning(
        `command storm ${global ? 'across all devices' : `on ${device.id} (${truncate(device.name, 80)})`}: over ${cap} commands per minute, dropping until it calms down`,
      );
      this.#o.events.emit('commandStorm', {
        device: global ? GLOBAL_STORM_DEVICE : device.id,
        dropped: verdict.dropped,
        windowS: 60,
        at: this.#o.clock.now(),
      });
    }
    this.#stats.rejected += 1;
    const error = `command storm: ${what} over the cap of ${cap} commands per minute; command dropped`;
    await this.#respond(
      job,
      { ok: false, code: 'api_error', error, retryAt: verdict.retryAt },
      'command_storm',
    );
  }

  async #reject(rejection: Rejection): Promise<void> {
    // Everything echoed comes from the sender: bounded in the response, the log and health.
    const error = truncate(rejection.error, 2 * ECHO_MAX_CHARS);
    const device = truncate(rejection.device);
    this.#stats.rejected += 1;
    this.#stats.last_error = error;
    const now = this.#o.clock.now();
    const last = this.#logged.get(error);
    if (last === undefined || now - last >= LOG_REPEAT_MS) {
      this.#logged.delete(error); // re-inserted last: the map stays in time order
      this.#logged.set(error, now);
      this.#forgetOldLogLines(now);
      log.warning(`rejected command: ${error}`);
    }
    const data: DeviceSetResult = { device, values: truncateValues(rejection.values), code: rejection.code };
    await this.#publish({ status: 'error', data, error, ...transactionOf(rejection.transaction) }, device);
  }

  async #respond(job: Job, result: DispatchResult, code?: string): Promise<void> {
    const { command } = job;
    const data = resultOf(job);
    const transaction = transactionOf(command.transaction);
    if (result.ok) {
      await this.#publish({ status: 'ok', data, ...transaction }, command.device.id);
      return;
    }
    data.code = code ?? result.code;
    if (result.retryAt !== undefined) data.retry_at = new Date(result.retryAt).toISOString();
    await this.#publish({ status: 'error', data, error: result.error, ...transaction }, command.device.id);
  }

  async #answerSuperseded(job: Job): Promise<void> {
    const { command } = job;
    const data: DeviceSetResult = { ...resultOf(job), code: 'superseded' };
    await this.#publish({ status: 'ok', data, ...transactionOf(command.transaction) }, command.device.id);
  }

  async #publish(payload: DeviceSetResponsePayload, device: string): Promise<void> {
    await this.#o.mqtt.publish('bridge/response/device/set', payload, { qos: 1 }).catch((error: unknown) => {
      log.error(`cannot answer the command for ${device}: ${(error as Error).message}`);
    });
  }

  /** Resolves once devices are known (or after TOPOLOGY_WAIT_MS); one shared wait keeps the order. */
  #topologyKnown(): Promise<void> {
    if (this.#topology) return this.#topology;
    if (this.#o.store.devices().length > 0) return Promise.resolve();
    const { clock, store } = this.#o;
    const deadline = clock.now() + TOPOLOGY_WAIT_MS;
    this.#topology = (async () => {
      while (store.devices().length === 0 && !this.#stopped && clock.now() < deadline) {
        await clock.sleep(TOPOLOGY_CHECK_MS);
      }
      this.#topology = undefined;
    })();
    return this.#topology;
  }

  /** Texts name devices, so random topics make each one unique: keep only recent ones, and few. */
  #forgetOldLogLines(now: number): void {
    for (const [text, at] of this.#logged) {
      if (this.#logged.size <= LOG_MEMORY && now - at < LOG_REPEAT_MS) break;
      this.#logged.delete(text);
    }
  }

  #intend(command: ValidCommand): void {
    const entry = this.#intended.get(command.device.id) ?? { state: {}, open: 0 };
    entry.state = { ...entry.state, ...command.values };
    entry.open += 1;
    this.#intended.set(command.device.id, entry);
  }

  #settleIntent(deviceId: string): void {
    const entry = this.#intended.get(deviceId);
    if (!entry) return;
    entry.open -= 1;
    if (entry.open <= 0) this.#intended.delete(deviceId);
  }
}

/**
 * What an answer says about a command: its device as the sender named it (friendly name or id),
 * the values sent and any rounded to a step.
 */
function resultOf({ command, address }: Job): DeviceSetResult {
  return {
    device: truncate(address),
    values: command.values,
    ...(command.adjusted ? { adjusted: command.adjusted } : {}),
  };
}

function transactionOf(transaction: Transaction | undefined): { transaction?: Transaction } {
  return transaction === undefined ? {} : { transaction };
}
