/**
 * The bridge's logger: winston with syslog-style levels and secret redaction.
 *
 * Redaction runs before formatting and builds new objects, so callers' data is never
 * mutated and no transport ever sees a secret.
 */
import { chmodSync, lstatSync, mkdirSync } from 'node:fs';
import winston from 'winston';
import { escapeLogText } from './util/log-escape.js';
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

/**
 * A stack keeps its own frame lines; anything else in it (the error message, which may quote
 * a payload) stays on the line it belongs to.
 */
function escapeStack(stack: string): string {
  return stack
    .split('\n')
    .map((line, i) =>
      i > 0 && /^\s+at /.test(line)
        ? `\n${escapeLogText(line)}`
        : `${i > 0 ? '\\n' : ''}${escapeLogText(line)}`,
    )
    .join('');
}

/** One event, one line: text from outside is escaped (see util/log-escape.ts). */
const lineFormat = winston.format.printf((info) => {
  const { level, message, timestamp, namespace, stack, ...rest } = info;
  const ns = namespace ? ` [${escapeLogText(String(namespace))}]` : '';
  const extra = Object.keys(rest).length > 0 ? ` ${JSON.stringify(rest)}` : '';
  const trace = typeof stack === 'string' && level === 'debug' ? `\n${escapeStack(stack)}` : '';
  return `${String(timestamp)} ${level}${ns}: ${escapeLogText(String(message))}${extra}${trace}`;
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
 * the add-on keeps its logs under /data, so they survive restarts and are in backups. The
 * directory is created 0700 (winston would make it 0755) and must be a real directory, not a
 * symbolic link to somewhere else.
 */
export function addFileLog(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const info = lstatSync(dir);
  if (!info.isDirectory())
    throw new Error(`${dir} is not a directory (a symbolic link?); not writing the log there`);
  if ((info.mode & 0o077) !== 0) chmodSync(dir, 0o700);
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
