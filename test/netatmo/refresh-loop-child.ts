/**
 * Child process for token-crash.test.ts: loads the token from <dataDir>, then refreshes it
 * in a tight loop until killed. Prints `ready` once initialised, `refreshed` per refresh,
 * and `reauth <reason>` (exit 3) when the stored pair was rejected.
 *
 * argv: dataDir baseUrl
 */
import { EventBus } from '../../src/events.js';
import { setLogLevel } from '../../src/log.js';
import { NetatmoAuth } from '../../src/netatmo/auth.js';
import { isNetatmoError } from '../../src/netatmo/errors.js';
import { FileTokenStore } from '../../src/tokens/file-store.js';
import { systemClock } from '../../src/util/clock.js';

const [dataDir, baseUrl] = process.argv.slice(2);
if (!dataDir || !baseUrl) {
  process.stderr.write('usage: refresh-loop-child <dataDir> <baseUrl>\n');
  process.exit(2);
}
setLogLevel('error');

const events = new EventBus();
const auth = new NetatmoAuth({
  clientId: 'crash-test',
  clientSecret: 'crash-test-secret',
  baseUrl,
  store: new FileTokenStore(dataDir),
  clock: systemClock,
  events,
  minForcedRefreshIntervalMs: 0,
  httpTimeoutMs: 5_000,
});
events.on('reauthRequired', ({ reason }) => {
  process.stdout.write(`reauth ${reason}\n`);
  process.exit(3);
});

await auth.init();
process.stdout.write('ready\n');
for (;;) {
  try {
    await auth.forceRefresh(await auth.accessToken());
    process.stdout.write('refreshed\n');
  } catch (error) {
    if (isNetatmoError(error, 'reauth_required')) break;
    process.stdout.write(`error ${error instanceof Error ? error.message : String(error)}\n`);
  }
}
