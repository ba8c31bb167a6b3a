/**
 * The bridge's logger: winston with syslog-style levels and secret redaction.
 *
 * Redaction runs before formatting and builds new objects, so callers' data is never
 * mutated and no transport ever sees a secret.
 */
import winston from 'winston';
import { redact, redactString } from './util/redact.js';

export const LOG_LEVELS = ['error', 'warning', 'info', 'debug'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

const levels: Record<LogLevel, number> = { error: 0, warning: 1, info: 2, debug: 3 };

const redactFormat = winston.format((info) => {
  const clean: Record<string | symbol, unknown> = {};
  for (const [k, v] of Object.entries(info)) clean[k] = redact(v);
  for (const sym of Object.getOwnPropertySymbols(info)) {
    const v = (info as Record<symbol, unknown>)[sym];
    clean[sym] = typeof v === 'string' ? redactString(v) : v;
  }
  return clean as winston.Logform.TransformableInfo;
});

const lineFormat = winston.format.printf((info) => {
  const { level, message, timestamp, namespace, stack, ...rest } = info;
  const ns = namespace ? ` [${String(namespace)}]` : '';
  const extra = Object.keys(rest).length > 0 ? ` ${JSON.stringify(rest)}` : '';
  const trace = typeof stack === 'string' && level === 'debug' ? `\n${stack}` : '';
  return `${String(timestamp)} ${level}${ns}: ${String(message)}${extra}${trace}`;
});

export type Logger = winston.Logger;

export const logger: winston.Logger = winston.createLogger({
  levels,
  level: process.env.NETATMO2MQTT_LOG_LEVEL ?? 'info',
  format: winston.format.combine(
    winston.format.errors({ stack: true }),
    redactFormat(),
    winston.format.timestamp(),
    lineFormat,
  ),
  transports: [new winston.transports.Console({ stderrLevels: ['error'] })],
});

/**
 * Also writes the log to `<dir>/netatmo2mqtt.log` (rotated at 5 MB, 3 files kept, mode 0600):
 * the add-on keeps its logs under /data, so they survive restarts and are in backups.
 */
export function addFileLog(dir: string): void {
  logger.add(
    new winston.transports.File({
      filename: `${dir}/netatmo2mqtt.log`,
      maxsize: 5 * 1024 * 1024,
      maxFiles: 3,
      tailable: true,
      options: { mode: 0o600 },
      format: winston.format.uncolorize(),
    }),
  );
}

export function setLogLevel(level: LogLevel): void {
  logger.level = level;
}

export function childLogger(namespace: string): winston.Logger {
  return logger.child({ namespace });
}
