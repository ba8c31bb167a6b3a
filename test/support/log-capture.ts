/**
 * The bridge's log as it is written (the formatted lines a console or file gets), from now on:
 * a winston transport on the shared logger. `level` lowers the logger's level meanwhile.
 */
import { Writable } from 'node:stream';
import winston from 'winston';
import { type LogLevel, logger } from '../../src/log.js';

export interface LogCapture {
  text(): string;
  lines(): string[];
  stop(): void;
}

export function captureLog(level?: LogLevel): LogCapture {
  let text = '';
  const transport = new winston.transports.Stream({
    stream: new Writable({
      write(chunk: Buffer, _encoding, next) {
        text += chunk.toString();
        next();
      },
    }),
  });
  const previous = logger.level;
  if (level) logger.level = level;
  logger.add(transport);
  return {
    text: () => text,
    lines: () => text.split('\n').filter((l) => l !== ''),
    stop: () => {
      logger.remove(transport);
      if (level) logger.level = previous;
    },
  };
}
