/**
 * The bridge as `netatmo2mqtt start` runs it (configuration from NETATMO2MQTT_* variables,
 * stop on SIGTERM within the add-on timeout), but on a ScaledClock shared with the test's
 * simulator, so a process test sees minutes of bridge time (polls, token refreshes,
 * state-cache writes) in seconds of wall time.
 *
 * N2M_TEST_CLOCK = "speed,origin,wallOrigin": the parent's ScaledClock, reproduced here;
 * without it the bridge runs on the system clock, exactly like `start`.
 *
 * N2M_TEST_WEB_REQUEST_TIMEOUT_MS shortens the web UI's request timeout (30 s) so that a short
 * test run can watch slow clients being cut off.
 *
 * Started with `node --expose-gc`, SIGUSR2 makes it collect garbage and print
 * `[heap] <bytes>` (heap used after a full GC) on stderr: RSS alone cannot tell a leak from a
 * heap that has not been collected yet.
 */
import { clockFromSpec, loadChildConfig, runChild } from '../../../scripts/lib/scaled-child.js';
import { Bridge } from '../../../src/bridge/controller.js';
import { runUntilSignal } from '../../../src/cli/lifecycle.js';
import { childLogger } from '../../../src/log.js';
import { systemClock } from '../../../src/util/clock.js';

const log = childLogger('main');

function clockFromEnv(spec: string | undefined) {
  return spec ? clockFromSpec(spec, 'N2M_TEST_CLOCK') : systemClock;
}

function reportHeapOnSignal(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) return;
  process.on('SIGUSR2', () => {
    gc();
    gc(); // a second pass frees what the first one's finalizers released
    process.stderr.write(`[heap] ${process.memoryUsage().heapUsed}\n`);
  });
}

async function main(): Promise<number> {
  reportHeapOnSignal();
  const config = await loadChildConfig();
  if (!config) return 2;
  const webTimeout = Number(process.env.N2M_TEST_WEB_REQUEST_TIMEOUT_MS);
  const bridge = new Bridge({
    config,
    clock: clockFromEnv(process.env.N2M_TEST_CLOCK),
    ...(webTimeout > 0 ? { webLimits: { requestTimeoutMs: webTimeout } } : {}),
  });
  try {
    await bridge.start();
  } catch (error) {
    log.error(`cannot start: ${(error as Error).message}`);
    await bridge.stop().catch(() => {});
    return 1;
  }
  return runUntilSignal(() => bridge.stop());
}

runChild(main);
