/**
 * Runs a long-lived command until SIGINT/SIGTERM, then stops it within the add-on's stop
 * timeout (Home Assistant waits 10 s before SIGKILL) and exits 0.
 */
import { childLogger } from '../log.js';

const log = childLogger('main');

export const STOP_TIMEOUT_MS = 8_000;

export function runUntilSignal(stop: () => Promise<void>): Promise<number> {
  return new Promise((resolve) => {
    let stopping = false;
    const onSignal = (signal: NodeJS.Signals): void => {
      if (stopping) return;
      stopping = true;
      log.info(`${signal} received: stopping`);
      const timer = setTimeout(() => {
        log.warning(`stopping took longer than ${STOP_TIMEOUT_MS / 1000} s; exiting anyway`);
        resolve(0);
      }, STOP_TIMEOUT_MS);
      timer.unref();
      stop().then(
        () => {
          clearTimeout(timer);
          resolve(0);
        },
        (error: unknown) => {
          clearTimeout(timer);
          log.error(`error while stopping: ${(error as Error).message}`);
          resolve(1);
        },
      );
    };
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
  });
}
