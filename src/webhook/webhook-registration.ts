/**
 * Registers the bridge's webhook with `addwebhook` at start, and keeps trying the way Home
 * Assistant's integration does not (a single 429 there leaves pushes off for days,
 * home-assistant/core#178195):
 *
 * - 429s, Netatmo outages and network errors are retried with backoff (1 min, doubling to
 *   30 min; a throttle's own end when it says) on the bridge's clock, forever: a call that
 *   fails registers nothing and makes Netatmo deliver nothing, so it cannot count towards a ban.
 * - A refusal (400: bad URL, a port Netatmo does not deliver to) is final and logged.
 * - After a successful call Netatmo pings the URL (`webhook_activation`). If no ping arrives
 *   within a minute, Netatmo cannot reach the bridge (proxy, port forward, certificate): every
 *   failed delivery counts towards Netatmo's ban (5 in an hour: 24 h), so the bridge asks again
 *   only once an hour, and polls meanwhile.
 * - On shutdown the webhook is dropped, so Netatmo does not push into the void while the
 *   bridge is away (and count failures towards a ban).
 *
 * p-retry drives the attempts; its own timers are off and the waits run on the injected clock.
 */
import pRetry from 'p-retry';
import { childLogger } from '../log.js';
import { isNetatmoError } from '../netatmo/errors.js';
import type { CallOptions } from '../netatmo/types.js';
import type { Clock } from '../util/clock.js';

const log = childLogger('webhook');

export const FIRST_RETRY_MS = 60_000;
export const MAX_RETRY_MS = 30 * 60_000;
export const ACTIVATION_WAIT_MS = 60_000;
/** Between two registrations whose activation never arrived (well under the ban's five failures an hour). */
export const UNREACHABLE_RETRY_MS = 3_600_000;
const CALL_DEADLINE_MS = 60_000;
const DROP_DEADLINE_MS = 3_000;

export type WebhookState =
  /** Calling addwebhook, or waiting to call it again after a failure. */
  | 'registering'
  /** Registered; waiting for Netatmo's activation ping. */
  | 'activating'
  /** Netatmo reached the bridge: pushes arrive. */
  | 'active'
  /** Registered, but Netatmo's ping never came: it cannot reach the public URL. */
  | 'unreachable'
  /** Netatmo refused the URL; see the log. */
  | 'refused'
  | 'stopped';

export interface WebhookApi {
  addWebhook(url: string, call?: Partial<CallOptions>): Promise<void>;
  dropWebhook(call?: Partial<CallOptions>): Promise<void>;
}

export interface WebhookRegistrationOptions {
  api: WebhookApi;
  clock: Clock;
  /** The URL to register (a secret) and what logs may show of it. */
  url: string;
  origin: string;
  firstRetryMs?: number;
  maxRetryMs?: number;
  activationWaitMs?: number;
  unreachableRetryMs?: number;
}

export interface WebhookStatus {
  state: WebhookState;
  /** addwebhook calls made (successful or not). */
  attempts: number;
  registered_at?: string;
  last_error?: string;
}

export class WebhookRegistration {
  readonly #o: WebhookRegistrationOptions;
  readonly #abort = new AbortController();
  #state: WebhookState = 'registering';
  #attempts = 0;
  #registeredAt: number | undefined;
  #lastError: string | undefined;
  #activated: (() => void) | undefined;
  #running: Promise<void> | undefined;

  constructor(options: WebhookRegistrationOptions) {
    this.#o = options;
  }

  get state(): WebhookState {
    return this.#state;
  }

  status(): WebhookStatus {
    return {
      state: this.#state,
      attempts: this.#attempts,
      ...(this.#registeredAt === undefined
        ? {}
        : { registered_at: new Date(this.#registeredAt).toISOString() }),
      ...(this.#lastError === undefined ? {} : { last_error: this.#lastError }),
    };
  }

  /** Starts registering in the background. */
  start(): void {
    this.#running ??= this.#run().catch((error: unknown) => {
      if (!this.#abort.signal.aborted) log.error(`webhook registration stopped: ${(error as Error).message}`);
    });
  }

  /** Netatmo's `webhook_activation` ping arrived: it reaches the bridge. */
  activated(): void {
    if (this.#state === 'stopped' || this.#state === 'refused') return;
    if (this.#state !== 'active')
      log.info(`Netatmo reached the webhook at ${this.#o.origin}: events are pushed`);
    this.#state = 'active';
    this.#activated?.();
  }

  /** Stops trying and drops the registration (best effort, briefly). */
  async stop(): Promise<void> {
    const wasRegistered = this.#registeredAt !== undefined;
    this.#state = 'stopped';
    this.#abort.abort(new Error('bridge stopping'));
    await this.#running;
    if (!wasRegistered) return;
    try {
      await this.#o.api.dropWebhook({
        priority: 'command',
        deadline: this.#o.clock.now() + DROP_DEADLINE_MS,
      });
    } catch (error) {
      log.warning(`could not drop the webhook on shutdown: ${(error as Error).message}`);
    }
  }

  async #run(): Promise<void> {
    const signal = this.#abort.signal;
    while (!signal.aborted) {
      if (!(await this.#register())) return;
      if (await this.#awaitActivation()) return;
      this.#state = 'unreachable';
      log.warning(
        `Netatmo did not reach the webhook at ${this.#o.origin} within ${Math.round(this.activationWaitMs / 1000)} s: ` +
          'check the reverse proxy or port forward and its certificate. Events are polled meanwhile; ' +
          `registering again in ${Math.round(this.#unreachableRetryMs / 60_000)} min.`,
      );
      await this.#o.clock.sleep(this.#unreachableRetryMs, signal);
    }
  }

  get activationWaitMs(): number {
    return this.#o.activationWaitMs ?? ACTIVATION_WAIT_MS;
  }

  get #unreachableRetryMs(): number {
    return this.#o.unreachableRetryMs ?? UNREACHABLE_RETRY_MS;
  }

  /** addwebhook until it succeeds (true) or Netatmo refuses the URL (false). */
  async #register(): Promise<boolean> {
    const signal = this.#abort.signal;
    const first = this.#o.firstRetryMs ?? FIRST_RETRY_MS;
    const max = this.#o.maxRetryMs ?? MAX_RETRY_MS;
    this.#state = 'registering';
    try {
      await pRetry(
        async () => {
          this.#attempts += 1;
          await this.#o.api.addWebhook(this.#o.url, {
            priority: 'background',
            deadline: this.#o.clock.now() + CALL_DEADLINE_MS,
            signal,
          });
        },
        {
          retries: Number.POSITIVE_INFINITY,
          minTimeout: 0,
          maxTimeout: 0,
          signal,
          shouldRetry: ({ error }) => retryable(error),
          onFailedAttempt: async ({ error, retriesConsumed }) => {
            this.#lastError = describe(error);
            if (!retryable(error) || signal.aborted) return;
            const backoff = Math.min(max, first * 2 ** Math.min(retriesConsumed, 20));
            const retryAt = isNetatmoError(error) ? error.retryAt : undefined;
            const wait = Math.max(backoff, (retryAt ?? 0) - this.#o.clock.now());
            log.warning(
              `addwebhook failed (${this.#lastError}); trying again in ${Math.round(wait / 1000)} s`,
            );
            await this.#o.clock.sleep(wait, signal);
          },
        },
      );
    } catch (error) {
      if (signal.aborted) return false;
      this.#state = 'refused';
      log.error(
        `Netatmo refused the webhook at ${this.#o.origin}: ${describe(error)}. Events are polled only; ` +
          'fix webhook.public_url and restart.',
      );
      return false;
    }
    this.#registeredAt = this.#o.clock.now();
    this.#lastError = undefined;
    // The ping may have come in before addwebhook's answer did.
    if (!this.#isActive()) this.#state = 'activating';
    log.info(`webhook registered at ${this.#o.origin}; waiting for Netatmo's activation ping`);
    return true;
  }

  /** True when the activation ping arrives (or arrived already) within the wait. */
  async #awaitActivation(): Promise<boolean> {
    if (this.#isActive()) return true;
    const signal = this.#abort.signal;
    const arrived = new Promise<true>((resolve) => {
      this.#activated = () => resolve(true);
    });
    const timeout = this.#o.clock.sleep(this.activationWaitMs, signal).then(
      () => false as const,
      () => false as const,
    );
    const result = await Promise.race([arrived, timeout]);
    this.#activated = undefined;
    return result || this.#isActive();
  }

  /** Read through a method: `activated()` changes the state while #run awaits. */
  #isActive(): boolean {
    return this.#state === 'active';
  }
}

/** Errors that pass (throttles, outages, network, a sign-in still to come); refusals do not. */
const RETRYABLE = new Set([
  'throttled',
  'throttle_window',
  'rate_limited',
  'waf_overload',
  'transient',
  'invalid_response',
  'deadline',
  'reauth_required',
]);

function retryable(error: unknown): boolean {
  return isNetatmoError(error) && RETRYABLE.has(error.kind);
}

function describe(error: unknown): string {
  if (isNetatmoError(error))
    return `${error.kind}${error.code === undefined ? '' : ` (code ${error.code})`}: ${error.message}`;
  return error instanceof Error ? error.message : String(error);
}
