/**
 * The "recent activity" list of the status page: a small ring buffer fed by the bridge's
 * warnings and errors (a winston transport; messages arrive already redacted) and by the
 * events that are not logged at that level (token refreshes, restored credentials, the end
 * of a throttle window).
 */
import { Writable } from 'node:stream';
import winston from 'winston';
import type { EventBus } from '../events.js';
import { logger } from '../log.js';
import type { Clock } from '../util/clock.js';
import { redactString } from '../util/redact.js';
import { truncate } from '../util/truncate.js';

export interface ActivityEntry {
  at: number;
  level: 'error' | 'warning' | 'info';
  source: string;
  message: string;
}

const DEFAULT_CAPACITY = 50;
/** Characters of one message shown on the status page. */
const ACTIVITY_MESSAGE_CHARS = 300;

/** A winston transport that hands warnings and errors to `sink` (objectMode: the info object itself). */
function activityTransport(sink: (entry: Omit<ActivityEntry, 'at'>) => void): winston.transport {
  const stream = new Writable({
    objectMode: true,
    write(info: Record<string, unknown>, _encoding, next) {
      const level = info.level === 'error' ? 'error' : 'warning';
      const source = typeof info.namespace === 'string' ? info.namespace : 'bridge';
      sink({ level, source, message: String(info.message) });
      next();
    },
  });
  return new winston.transports.Stream({ stream, level: 'warning' });
}

export class ActivityLog {
  readonly #entries: ActivityEntry[] = [];
  readonly #capacity: number;
  readonly #clock: Clock;
  readonly #off: Array<() => void> = [];

  constructor(clock: Clock, capacity = DEFAULT_CAPACITY) {
    this.#clock = clock;
    this.#capacity = capacity;
  }

  /**
   * Starts listening to the log and to each account's events (`account`: one of several, named in
   * the entries' source); `close` stops it.
   */
  attach(buses: ReadonlyArray<{ events: EventBus; account?: string }>): void {
    const transport = activityTransport((entry) => this.add(entry));
    logger.add(transport);
    this.#off.push(() => logger.remove(transport));
    for (const { events, account } of buses) {
      const source = (part: string): string => (account === undefined ? part : `${account} · ${part}`);
      this.#off.push(
        events.on('tokenRefreshed', (e) =>
          this.add({
            level: e.forced ? 'warning' : 'info',
            source: source('auth'),
            message: `${e.forced ? 'forced ' : ''}token refresh; the new token expires ${new Date(e.expiresAt).toISOString()}`,
          }),
        ),
        events.on('credentialsRestored', () =>
          this.add({
            level: 'info',
            source: source('auth'),
            message: 'new Netatmo credentials: polling starts',
          }),
        ),
        events.on('throttleWindowClosed', () =>
          this.add({
            level: 'info',
            source: source('gate'),
            message: 'throttle window over; requests resume',
          }),
        ),
      );
    }
  }

  add(entry: Omit<ActivityEntry, 'at'>): void {
    // Messages quote what senders sent: the page shows a bounded part of each.
    const message = truncate(redactString(entry.message), ACTIVITY_MESSAGE_CHARS);
    this.#entries.push({ ...entry, message, at: this.#clock.now() });
    if (this.#entries.length > this.#capacity) this.#entries.splice(0, this.#entries.length - this.#capacity);
  }

  /** Newest first. */
  recent(limit = this.#capacity): ActivityEntry[] {
    return this.#entries.slice(-limit).reverse();
  }

  close(): void {
    for (const off of this.#off.splice(0)) off();
  }
}
