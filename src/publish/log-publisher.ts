/**
 * `<base>/bridge/logging`: the bridge's log lines (info and above, already redacted) as JSON,
 * as zigbee2mqtt publishes them, for dashboards that show a bridge's log. Not retained.
 *
 * A log line written while publishing one (an MQTT warning, say) is not published again, and at
 * most LINES_PER_MINUTE lines a minute go out, so a log storm cannot become an MQTT storm.
 */
import Transport from 'winston-transport';
import { LOG_LEVELS, type LogLevel, logger } from '../log.js';
import type { MqttConnection } from '../mqtt/connection.js';
import type { Clock } from '../util/clock.js';

const LINES_PER_MINUTE = 120;
const PUBLISHED: ReadonlySet<string> = new Set<LogLevel>(['error', 'warning', 'info']);

class MqttLogTransport extends Transport {
  readonly #mqtt: MqttConnection;
  readonly #clock: Clock;
  #publishing = false;
  #windowStart = 0;
  #inWindow = 0;

  constructor(mqtt: MqttConnection, clock: Clock) {
    super();
    this.#mqtt = mqtt;
    this.#clock = clock;
  }

  override log(info: { level: string; message: unknown; namespace?: unknown }, next: () => void): void {
    next();
    if (this.#publishing || !this.#mqtt.connected || !PUBLISHED.has(info.level)) return;
    const now = this.#clock.now();
    if (now - this.#windowStart >= 60_000) {
      this.#windowStart = now;
      this.#inWindow = 0;
    }
    if (++this.#inWindow > LINES_PER_MINUTE) return;
    const level = (LOG_LEVELS as readonly string[]).includes(info.level) ? (info.level as LogLevel) : 'info';
    this.#publishing = true;
    try {
      void this.#mqtt
        .publish('bridge/logging', {
          level,
          message: String(info.message),
          ...(typeof info.namespace === 'string' ? { namespace: info.namespace } : {}),
        })
        .catch(() => {});
    } finally {
      this.#publishing = false;
    }
  }
}

/** Publishes the bridge's log on `mqtt` until the returned function is called. */
export function publishLog(mqtt: MqttConnection, clock: Clock): () => void {
  const transport = new MqttLogTransport(mqtt, clock);
  logger.add(transport);
  return () => logger.remove(transport);
}
