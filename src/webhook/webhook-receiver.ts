/**
 * Netatmo's pushes, once the web server has read one (src/web/routes/webhook.ts): the
 * signature is checked before anything else (a forged or unsigned push changes nothing), the
 * answer goes back at once, and the push is handled afterwards:
 * - `webhook_activation`: Netatmo reaches the bridge (the registration is confirmed);
 * - a security event: to the SecurityHub, which merges it with polled events by id;
 * - a thermostat, schedule or floodlight change (`display_change`, `home_event_changed`,
 *   `NOC-light_mode`): an early homestatus read of that home (or topology, for a schedule),
 *   so a change made in the Netatmo app shows within seconds instead of at the next poll.
 * Every valid push tells PushActivity that the webhook delivers (events are then polled slowly).
 */
import { childLogger } from '../log.js';
import type { Clock } from '../util/clock.js';
import type { WebhookEndpoint } from '../web/routes/webhook.js';
import { hasValidSignature } from './signature.js';
import { isWebhookPath } from './webhook-url.js';

const log = childLogger('webhook');

/** A refused push is logged at most once per this period (a flood is one line). */
const REFUSAL_LOG_MS = 60_000;
const ENERGY_PUSHES = new Set(['display_change', 'home_event_changed']);

export interface WebhookReceiverOptions {
  /** The secret path segment (webhook-url.ts). */
  token: string;
  clientSecret: string;
  clock: Clock;
  /** Netatmo's activation ping arrived. */
  activated(): void;
  /** Any valid push arrived. */
  pushed(): void;
  /** Hands a push over as a possible security event. */
  securityEvent(payload: Record<string, unknown>): Promise<unknown>;
  refreshHome(homeId: string): void;
  refreshTopology(): void;
}

export interface WebhookReceiverStats {
  received: number;
  refused: number;
  malformed: number;
}

export class WebhookReceiver implements WebhookEndpoint {
  readonly #o: WebhookReceiverOptions;
  readonly #stats: WebhookReceiverStats = { received: 0, refused: 0, malformed: 0 };
  #lastRefusalLog = Number.NEGATIVE_INFINITY;

  constructor(options: WebhookReceiverOptions) {
    this.#o = options;
  }

  stats(): WebhookReceiverStats {
    return { ...this.#stats };
  }

  matches(pathname: string): boolean {
    return isWebhookPath(pathname, this.#o.token);
  }

  receive(body: Buffer, signature: string | undefined): 'accepted' | 'forbidden' | 'malformed' {
    if (!hasValidSignature(body, signature, this.#o.clientSecret)) {
      this.#stats.refused += 1;
      const now = this.#o.clock.now();
      if (now - this.#lastRefusalLog >= REFUSAL_LOG_MS) {
        this.#lastRefusalLog = now;
        log.warning(
          `refused a webhook push with ${signature === undefined ? 'no' : 'a wrong'} X-Netatmo-secret signature (${this.#stats.refused} so far)`,
        );
      }
      return 'forbidden';
    }
    let payload: unknown;
    try {
      payload = JSON.parse(body.toString('utf8'));
    } catch {
      payload = undefined;
    }
    if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
      this.#stats.malformed += 1;
      return 'malformed';
    }
    this.#stats.received += 1;
    this.#o.pushed();
    // Answer first: Netatmo counts a slow answer as a failed delivery.
    setImmediate(() => this.#handle(payload as Record<string, unknown>));
    return 'accepted';
  }

  #handle(payload: Record<string, unknown>): void {
    const pushType = typeof payload.push_type === 'string' ? payload.push_type : '';
    if (pushType === 'webhook_activation') {
      this.#o.activated();
      return;
    }
    const eventType = payload.event_type;
    if (ENERGY_PUSHES.has(pushType) || eventType === 'light_mode') {
      const homeId = homeIdOf(payload);
      if (eventType === 'schedule') this.#o.refreshTopology();
      else if (homeId !== undefined) this.#o.refreshHome(homeId);
      return;
    }
    this.#o.securityEvent(payload).catch((error: unknown) => {
      log.error(`handling a pushed event failed: ${(error as Error).message}`);
    });
  }
}

/** `home_id`, or `home.id` (setpoint pushes carry the home as an object). */
function homeIdOf(payload: Record<string, unknown>): string | undefined {
  if (typeof payload.home_id === 'string') return payload.home_id;
  const home = payload.home as { id?: unknown } | undefined;
  return typeof home?.id === 'string' ? home.id : undefined;
}
