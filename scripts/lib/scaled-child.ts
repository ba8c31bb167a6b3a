/**
 * What a test's or benchmark's bridge child process shares with the others: the parent's
 * ScaledClock rebuilt from `speed,origin,wallOrigin`, the configuration as `netatmo2mqtt start`
 * loads it (environment and NETATMO2MQTT_CONFIG), and the exit code of its main function.
 */
import { ConfigError, loadConfig } from '../../src/config/index.js';
import type { BridgeConfig } from '../../src/config/types.js';
import { ScaledClock } from '../../src/util/clock.js';

/** `speed,origin,wallOrigin`: the parent's clock, its reading `origin` taken at wall time `wallOrigin`. */
export function clockFromSpec(spec: string, name: string): ScaledClock {
  const [speed, origin, wallOrigin] = spec.split(',').map(Number);
  if (!speed || !origin || !wallOrigin) throw new Error(`bad ${name} '${spec}'`);
  return new ScaledClock(speed, origin + (Date.now() - wallOrigin) * speed);
}

/** The configuration, or undefined after saying why it is invalid (the caller exits 2). */
export async function loadChildConfig(): Promise<BridgeConfig | undefined> {
  try {
    return await loadConfig({});
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`netatmo2mqtt: invalid configuration, not starting.\n${error.message}\n`);
      return undefined;
    }
    throw error;
  }
}

/** Runs the child's main function and exits with its code (1 and the message on an error). */
export function runChild(main: () => Promise<number>): void {
  main().then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`netatmo2mqtt: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
