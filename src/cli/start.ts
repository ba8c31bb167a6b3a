/** `netatmo2mqtt start [--config FILE]`: run the bridge from configuration. */
import { parseArgs } from 'node:util';
import { AccountHost } from '../bridge/account-host.js';
import { ConfigError, loadConfig } from '../config/index.js';
import type { BridgeConfig } from '../config/types.js';
import { isLoopbackHost } from '../config/validate.js';
import { addFileLog, childLogger } from '../log.js';
import type { EmbeddedBroker } from '../mqtt/embedded-broker.js';
import { HELP } from './help.js';
import { runUntilSignal } from './lifecycle.js';

const log = childLogger('main');

export async function runStartCommand(argv: string[]): Promise<number> {
  let configFile: string | undefined;
  try {
    const { values } = parseArgs({ args: argv, options: { config: { type: 'string', short: 'c' } } });
    configFile = values.config;
  } catch (error) {
    process.stderr.write(`netatmo2mqtt start: ${(error as Error).message}\nUsage: ${HELP.start.usage}\n`);
    return 2;
  }
  await adoptSupervisorTimezone(process.env);
  let config: BridgeConfig;
  try {
    config = await loadConfig({ configFile });
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(
        `netatmo2mqtt: invalid configuration, not starting.\n${error.message}\n` +
          "'netatmo2mqtt start --help' lists every setting and where configuration is read from.\n",
      );
      return 2;
    }
    throw error;
  }
  // In the add-on the log also goes under /data (stdout remains the add-on's log tab).
  if (process.env.SUPERVISOR_TOKEN) {
    try {
      addFileLog(`${config.data_dir}/log`);
    } catch (error) {
      log.warning(`not writing the log file: ${(error as Error).message}`);
    }
  }
  return runBridge(config);
}

const SUPERVISOR_INFO_TIMEOUT_MS = 5_000;

/**
 * In the add-on (SUPERVISOR_TOKEN set), local times follow Home Assistant's time zone. The
 * Supervisor normally passes TZ; when it does not, ask its /info (allowed without hassio_api)
 * and set TZ, which Node applies from then on. Any failure only costs local times: UTC stays.
 */
export async function adoptSupervisorTimezone(env: NodeJS.ProcessEnv): Promise<void> {
  const token = env.SUPERVISOR_TOKEN;
  if (!token || env.TZ) return;
  const base = (env.SUPERVISOR_URL || 'http://supervisor').replace(/\/+$/, '');
  try {
    const response = await fetch(`${base}/info`, {
      headers: { Authorization: `Bearer ${token}` },
      signal: AbortSignal.timeout(SUPERVISOR_INFO_TIMEOUT_MS),
    });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    const body = (await response.json()) as { data?: { timezone?: unknown } };
    const timezone = body.data?.timezone;
    if (typeof timezone !== 'string' || timezone === '') throw new Error('the answer names no time zone');
    new Intl.DateTimeFormat('en', { timeZone: timezone }); // throws RangeError when unknown
    env.TZ = timezone;
    log.info(`time zone ${timezone} from the Supervisor`);
  } catch (error) {
    log.warning(`cannot read the time zone from the Supervisor (${(error as Error).message}); using UTC`);
  }
}

/**
 * `mqtt.url: embedded`: aedes on mqtt.embedded_host:embedded_port, announced with who may
 * connect. A port in use is reported at once (undefined: the caller exits non-zero).
 */
async function startConfiguredBroker(config: BridgeConfig): Promise<EmbeddedBroker | undefined> {
  // aedes is loaded only here: a bridge on an external broker does not carry it in memory.
  const { startEmbeddedBroker } = await import('../mqtt/embedded-broker.js');
  const { embedded_host: host, embedded_port: port, username, password } = config.mqtt;
  let broker: EmbeddedBroker;
  try {
    broker = await startEmbeddedBroker({
      host,
      port,
      ...(username !== undefined && password !== undefined ? { username, password } : {}),
    });
  } catch (error) {
    log.error((error as Error).message);
    return undefined;
  }
  const where = `${broker.host.includes(':') ? `[${broker.host}]` : broker.host}:${broker.port}`;
  const reach = isLoopbackHost(broker.host) ? 'this machine only' : 'the network';
  const login = broker.authenticated
    ? `clients must log in as ${username}`
    : 'no login (set mqtt.username and mqtt.password to require one)';
  log.info(`embedded MQTT broker listening on ${where}: reachable from ${reach}, ${login}`);
  return broker;
}

/**
 * Starts the bridge — every account the coordination gives this process, and the web UI — (and
 * an embedded broker when `mqtt.url` is `embedded`) until a signal.
 */
export async function runBridge(config: BridgeConfig): Promise<number> {
  let closeBroker: (() => Promise<void>) | undefined;
  if (config.mqtt.url === 'embedded') {
    const broker = await startConfiguredBroker(config);
    if (!broker) return 1;
    const local = isLoopbackHost(broker.host) || broker.host === '0.0.0.0' || broker.host === '::';
    const dial = local ? (broker.host.includes(':') ? '[::1]' : '127.0.0.1') : broker.host;
    config = { ...config, mqtt: { ...config.mqtt, url: `mqtt://${dial}:${broker.port}` } };
    closeBroker = () => broker.close();
  }
  const host = new AccountHost({ config });
  try {
    await host.start();
  } catch (error) {
    log.error(`cannot start: ${(error as Error).message}`);
    await host.stop().catch(() => {});
    await closeBroker?.();
    return 1;
  }
  return runUntilSignal(async () => {
    await host.stop();
    await closeBroker?.();
  });
}
