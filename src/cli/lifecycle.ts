/**
 * Runs a long-lived command until SIGINT, SIGTERM or SIGHUP (the terminal closed), then stops
 * it within the add-on's stop timeout (Home Assistant waits 10 s before SIGKILL) and exits 0.
 * A second signal while stopping exits at once (through `process.exit`, so exit hooks such as
 * temp-dir.ts's still run).
 */
import { childLogger } from '../log.js';

const log = childLogger('main');

export const STOP_TIMEOUT_MS = 8_000;
const SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
/** 128 + the signal number, as a shell reports a process a signal ended. */
const FORCED_EXIT_CODE: Partial<Record<NodeJS.Signals, number>> = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 };

/** `afterMs`: also stop by itself after this long (`demo --duration`). */
export function runUntilSignal(
  stop: () => Promise<void>,
  options: { afterMs?: number } = {},
): Promise<number> {
  return new Promise((resolve) => {
    let stopping = false;
    const begin = (why: string): void => {
      stopping = true;
      log.info(`${why}: stopping (send a signal again to exit at once)`);
      const timer = setTimeout(() => {
        log.warning(`stopping took longer than ${STOP_TIMEOUT_MS / 1000} s; exiting anyway`);
        finish(0);
      }, STOP_TIMEOUT_MS);
      timer.unref();
      stop().then(
        () => {
          clearTimeout(timer);
          finish(0);
        },
        (error: unknown) => {
          clearTimeout(timer);
          log.error(`error while stopping: ${(error as Error).message}`);
          finish(1);
        },
      );
    };
    const onSignal = (signal: NodeJS.Signals): void => {
      if (!stopping) {
        begin(`${signal} received`);
        return;
      }
      log.warning(`${signal} received again: exiting without waiting`);
      process.exit(FORCED_EXIT_CODE[signal] ?? 1);
    };
    const deadline =
      options.afterMs === undefined
        ? undefined
        : setTimeout(() => {
            if (!stopping) begin(`${options.afterMs! / 1000} s passed`);
          }, options.afterMs);
    const finish = (code: number): void => {
      if (deadline) clearTimeout(deadline);
      for (const signal of SIGNALS) process.off(signal, onSignal);
      resolve(code);
    };
    for (const signal of SIGNALS) process.on(signal, onSignal);
  });
}
