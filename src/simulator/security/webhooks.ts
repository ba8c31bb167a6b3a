/**
 * The app's webhook as Netatmo runs it: one URL per user (`addwebhook` replaces it,
 * `dropwebhook` removes it), a `webhook_activation` ping right after registering, then one POST
 * per push with header `X-Netatmo-secret` = hex HMAC-SHA256 of the raw body keyed by the app's
 * client secret. A delivery fails on a non-2xx answer, a connection error, or no complete answer
 * within the timeout (Netatmo: answer 200 in under 10 s). Five failures within an hour ban the
 * webhook for 24 hours (Netatmo's note quoted in home-assistant/core#24002); while banned,
 * pushes are dropped and a new `addwebhook` does not lift the ban (Netatmo's dev portal has an
 * "unban" button: `POST /__sim/webhooks/unban`).
 *
 * The URL is a capability (the receiver's secret path): it never appears in a log line or a
 * control answer, only its origin and a fingerprint.
 */
import { createHash, createHmac } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Clock } from '../../util/clock.js';
import { invalid, missing } from '../api-error.js';
import type { PushPayload } from './push-payloads.js';

export interface WebhookOptions {
  /** A delivery must be answered within this many real ms (default 10 000, Netatmo's limit). */
  deliveryTimeoutMs?: number;
  /** Refuse URLs on ports other than 80, 88, 443 and 9443, as Netatmo does (default false: tests use free ports). */
  netatmoPortsOnly?: boolean;
}

export type DeliveryOutcome =
  | 'delivered'
  | 'http_error'
  | 'timeout'
  | 'connection_error'
  | 'suppressed_banned';

export interface DeliveryRecord {
  /** Simulated ms at which the delivery was attempted. */
  at: number;
  push_type: string;
  event_type?: string;
  event_id?: string;
  outcome: DeliveryOutcome;
  status?: number;
  duration_ms?: number;
}

export interface WebhookCounts {
  attempted: number;
  delivered: number;
  failed: number;
  suppressed: number;
  /** Pushes dropped because the queue was full (a receiver far too slow). */
  dropped: number;
}

/** GET /__sim/webhooks */
export interface WebhookStatus {
  registered: boolean;
  url_origin?: string;
  /** First 16 hex of SHA-256 of the URL: compare it, the URL itself is a secret. */
  url_fingerprint?: string;
  app_types?: string;
  registered_at?: number;
  banned: boolean;
  banned_until?: number;
  failures_last_hour: number;
  counts: WebhookCounts;
  deliveries: DeliveryRecord[];
}

export const BAN_FAILURES = 5;
export const BAN_WINDOW_MS = 3_600_000;
export const BAN_DURATION_MS = 24 * 3_600_000;
const DEFAULT_TIMEOUT_MS = 10_000;
const NETATMO_PORTS = [80, 88, 443, 9443];
const MAX_QUEUE = 1_000;
const MAX_LOG = 500;

interface Registration {
  url: URL;
  appTypes?: string;
  at: number;
}

export function webhookFingerprint(url: string): string {
  return createHash('sha256').update(url).digest('hex').slice(0, 16);
}

export function signPush(body: string, secret: string): string {
  return createHmac('sha256', secret).update(body).digest('hex');
}

export class Webhooks {
  readonly #clock: Clock;
  readonly #secret: () => string;
  readonly #timeoutMs: number;
  readonly #netatmoPortsOnly: boolean;
  #registration: Registration | undefined;
  #bannedUntil = 0;
  #failures: number[] = [];
  #queue: PushPayload[] = [];
  #draining = false;
  #closed = false;
  #inFlight: (() => void) | undefined;
  #log: DeliveryRecord[] = [];
  #counts: WebhookCounts = emptyCounts();

  constructor(clock: Clock, secret: () => string, options: WebhookOptions = {}) {
    this.#clock = clock;
    this.#secret = secret;
    this.#timeoutMs = options.deliveryTimeoutMs ?? DEFAULT_TIMEOUT_MS;
    if (!(Number.isFinite(this.#timeoutMs) && this.#timeoutMs > 0))
      throw new RangeError(`webhook delivery timeout must be > 0 ms, got ${this.#timeoutMs}`);
    this.#netatmoPortsOnly = options.netatmoPortsOnly ?? false;
  }

  /** addwebhook: checks the URL (Netatmo's errors), stores it, then pings it with `activation`. */
  register(rawUrl: string | undefined, appTypes: string | undefined, activation: PushPayload): void {
    if (rawUrl === undefined || rawUrl === '') throw missing('url');
    let url: URL;
    try {
      url = new URL(rawUrl);
    } catch {
      throw invalid('Invalid url');
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw invalid('Invalid url');
    const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
    if (this.#netatmoPortsOnly && !NETATMO_PORTS.includes(port))
      throw invalid('Allowed ports for webhooks are 80, 88, 443 and 9443.');
    this.#registration = { url, at: this.#clock.now(), ...(appTypes ? { appTypes } : {}) };
    this.push(activation);
  }

  drop(): void {
    this.#registration = undefined;
    this.#queue = [];
  }

  get registered(): boolean {
    return this.#registration !== undefined;
  }

  /** Queues one push; deliveries go out one at a time, in order. */
  push(payload: PushPayload): void {
    if (!this.#registration || this.#closed) return;
    this.#queue.push(payload);
    if (this.#queue.length > MAX_QUEUE) {
      this.#queue.shift();
      this.#counts.dropped++;
    }
    if (!this.#draining) void this.#drain();
  }

  unban(): void {
    this.#bannedUntil = 0;
    this.#failures = [];
  }

  status(): WebhookStatus {
    const now = this.#clock.now();
    const reg = this.#registration;
    return {
      registered: reg !== undefined,
      ...(reg
        ? {
            url_origin: reg.url.origin,
            url_fingerprint: webhookFingerprint(reg.url.href),
            registered_at: reg.at,
            ...(reg.appTypes ? { app_types: reg.appTypes } : {}),
          }
        : {}),
      banned: this.#bannedUntil > now,
      ...(this.#bannedUntil > now ? { banned_until: this.#bannedUntil } : {}),
      failures_last_hour: this.#failures.filter((t) => t > now - BAN_WINDOW_MS).length,
      counts: { ...this.#counts },
      deliveries: structuredClone(this.#log),
    };
  }

  resetCounts(): void {
    this.#counts = emptyCounts();
    this.#log = [];
  }

  /** Stops delivering; an answer still awaited is abandoned. */
  close(): void {
    this.#closed = true;
    this.#queue = [];
    this.#inFlight?.();
  }

  async #drain(): Promise<void> {
    this.#draining = true;
    try {
      for (let payload = this.#queue.shift(); payload; payload = this.#queue.shift()) {
        const reg = this.#registration;
        if (!reg || this.#closed) break;
        await this.#deliver(reg.url, payload);
      }
    } finally {
      this.#draining = false;
    }
  }

  async #deliver(url: URL, payload: PushPayload): Promise<void> {
    const at = this.#clock.now();
    const record: DeliveryRecord = { at, push_type: String(payload.push_type), outcome: 'delivered' };
    if (typeof payload.event_type === 'string') record.event_type = payload.event_type;
    if (typeof payload.event_id === 'string') record.event_id = payload.event_id;
    if (this.#bannedUntil > at) {
      record.outcome = 'suppressed_banned';
      this.#counts.suppressed++;
      this.#record(record);
      return;
    }
    this.#counts.attempted++;
    const body = JSON.stringify(payload);
    const started = performance.now();
    const answer = await this.#post(url, body, signPush(body, this.#secret()));
    record.duration_ms = Math.round(performance.now() - started);
    if (answer.status !== undefined) record.status = answer.status;
    record.outcome = answer.outcome;
    if (answer.outcome === 'delivered') this.#counts.delivered++;
    else this.#fail();
    this.#record(record);
  }

  #fail(): void {
    this.#counts.failed++;
    const now = this.#clock.now();
    this.#failures = this.#failures.filter((t) => t > now - BAN_WINDOW_MS);
    this.#failures.push(now);
    if (this.#failures.length >= BAN_FAILURES) {
      this.#bannedUntil = now + BAN_DURATION_MS;
      this.#failures = [];
    }
  }

  #record(record: DeliveryRecord): void {
    this.#log.push(record);
    if (this.#log.length > MAX_LOG) this.#log.splice(0, this.#log.length - MAX_LOG);
  }

  /** One POST without keep-alive; resolves with how it went, never rejects. */
  #post(url: URL, body: string, signature: string): Promise<{ outcome: DeliveryOutcome; status?: number }> {
    return new Promise((resolve) => {
      let settled = false;
      const finish = (outcome: DeliveryOutcome, status?: number): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        this.#inFlight = undefined;
        req.destroy();
        resolve(status === undefined ? { outcome } : { outcome, status });
      };
      const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
      const req = send(url, {
        method: 'POST',
        agent: false,
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          'x-netatmo-secret': signature,
          'user-agent': 'netatmo2mqtt-simulator-webhook',
        },
      });
      const timer = setTimeout(() => finish('timeout'), this.#timeoutMs);
      this.#inFlight = () => finish('connection_error');
      req.on('response', (res) => {
        const status = res.statusCode ?? 0;
        res.resume();
        res.on('end', () => finish(status >= 200 && status < 300 ? 'delivered' : 'http_error', status));
        res.on('error', () => finish('connection_error', status));
      });
      req.on('error', () => finish('connection_error'));
      req.end(body);
    });
  }
}

function emptyCounts(): WebhookCounts {
  return { attempted: 0, delivered: 0, failed: 0, suppressed: 0, dropped: 0 };
}
