/**
 * `netatmo2mqtt auth --refresh-token TOKEN [--config FILE]`: stores a Netatmo token pair in
 * data_dir without starting the bridge (for headless installs). The pasted refresh token is
 * exchanged at once, so a wrong or already-rotated token is refused here, not at the next start.
 * `netatmo2mqtt auth --status` says what the store holds, without any secret.
 */
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '../config/index.js';
import { EventBus } from '../events.js';
import { NetatmoAuth } from '../netatmo/auth.js';
import { isNetatmoError } from '../netatmo/errors.js';
import { FileTokenStore } from '../tokens/file-store.js';
import { expiresAtMs } from '../tokens/stored-token.js';
import { systemClock } from '../util/clock.js';
import { HELP } from './help.js';

const USAGE = `Usage: ${HELP.auth.usage}\n`;

export async function runAuthCommand(argv: string[]): Promise<number> {
  let values: { 'refresh-token'?: string; status?: boolean; config?: string };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        'refresh-token': { type: 'string' },
        status: { type: 'boolean' },
        config: { type: 'string', short: 'c' },
      },
    }));
  } catch (error) {
    process.stderr.write(`netatmo2mqtt auth: ${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  if (!values.status && !values['refresh-token']) {
    process.stderr.write(`netatmo2mqtt auth: say --refresh-token TOKEN or --status\n${USAGE}`);
    return 2;
  }
  let config: Awaited<ReturnType<typeof loadConfig>>;
  try {
    config = await loadConfig({ configFile: values.config });
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`netatmo2mqtt: invalid configuration.\n${error.message}\n`);
      return 2;
    }
    throw error;
  }
  const store = new FileTokenStore(config.data_dir);
  if (values.status) {
    const token = await store.load();
    process.stdout.write(
      token
        ? `A token pair is stored in ${store.path}; the access token expires ${new Date(expiresAtMs(token)).toISOString()}.\n`
        : `No token is stored in ${store.path}.\n`,
    );
    return token ? 0 : 1;
  }
  const auth = new NetatmoAuth({
    clientId: config.netatmo.client_id,
    clientSecret: config.netatmo.client_secret,
    baseUrl: config.netatmo.base_url,
    store,
    clock: systemClock,
    events: new EventBus(),
    httpTimeoutMs: config.netatmo.request_timeout_ms,
  });
  try {
    await auth.setRefreshToken(values['refresh-token']!);
  } catch (error) {
    const reason = isNetatmoError(error) ? error.message : (error as Error).message;
    process.stderr.write(`netatmo2mqtt auth: Netatmo did not accept that refresh token: ${reason}\n`);
    return 1;
  }
  process.stdout.write(
    `Stored a new token pair in ${store.path}. Start the bridge with 'netatmo2mqtt start'.\n`,
  );
  return 0;
}
