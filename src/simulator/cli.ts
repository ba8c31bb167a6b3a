/**
 * `netatmo2mqtt simulator ...`: runs the simulator alone until SIGINT/SIGTERM and prints its
 * URL and a bootstrap refresh token (a simulator token: printing it is the point).
 */

import { parseArgs } from 'node:util';
import { BridgeError } from '../errors.js';
import { formatQuota } from '../netatmo/quota.js';
import { startSimulator } from './index.js';
import { SCENARIO_FORMS } from './scenarios/index.js';
import type { QuotaMode, SimulatorOptions, ThrottleDialect } from './types.js';

const USAGE_LINE =
  'netatmo2mqtt simulator --port N [--host H] [--scenario NAME] [--quota per-token|per-user]\n' +
  '         [--throttle 429|403|waf] [--users N] [--app-limit PER10S/PERHOUR] [--token-lifetime S]\n' +
  '         [--client-id X --client-secret Y]';
const USAGE = `usage: ${USAGE_LINE}\n`;

/** `netatmo2mqtt simulator --help` (the shape of the CLI's CommandHelp, src/cli/help.ts). */
export const SIMULATOR_HELP = {
  usage: USAGE_LINE,
  about:
    'The Netatmo cloud simulator alone (OAuth with rotating tokens, the API endpoints the bridge uses, quotas, ' +
    'throttling, fault injection) until Ctrl+C. Prints its URL and a bootstrap refresh token.',
  options: [
    ['--port N', 'port to listen on (0: any free port)'],
    ['--host H', 'address to listen on (default 127.0.0.1)'],
    ['--scenario NAME', `${SCENARIO_FORMS} (default fixtures)`],
    ['--quota per-token|per-user', 'how the quota is counted (default per-token)'],
    ['--throttle 429|403|waf', "which throttling answer it gives (default 429, Netatmo's since mid-2025)"],
    ['--users N', 'users of the app, user1..userN, the homes dealt round robin to them (default 1)'],
    [
      '--app-limit PER10S/PERHOUR',
      "the app's limit, requests per 10 s and per hour (default Netatmo's for the number of users)",
    ],
    ['--token-lifetime S', 'access token lifetime in seconds'],
    ['--client-id X --client-secret Y', 'accept only these credentials (default: any)'],
    ['-h, --help', 'show this help and exit'],
  ] as Array<[string, string]>,
  environment: [
    'Reads no configuration file and no NETATMO2MQTT_* variable. Point a bridge at it with ' +
      'NETATMO2MQTT_NETATMO_BASE_URL=<its URL> and NETATMO2MQTT_NETATMO_REFRESH_TOKEN=<the printed token>.',
  ],
};

class UsageError extends BridgeError {}

/** Enough for Netatmo's scaled app limit and a bench; each user costs little. */
const MAX_USERS = 10_000;

export function parseSimulatorArgs(argv: string[]): SimulatorOptions {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        scenario: { type: 'string' },
        quota: { type: 'string' },
        throttle: { type: 'string' },
        users: { type: 'string' },
        'app-limit': { type: 'string' },
        'token-lifetime': { type: 'string' },
        'client-id': { type: 'string' },
        'client-secret': { type: 'string' },
      },
    }));
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const str = (key: string): string | undefined =>
    typeof values[key] === 'string' ? values[key] : undefined;
  const options: SimulatorOptions = {};
  const port = str('port');
  if (port !== undefined) {
    const n = Number(port);
    if (!Number.isInteger(n) || n < 0 || n > 65535)
      throw new UsageError(`--port must be 0..65535, got '${port}'`);
    options.port = n;
  }
  if (str('host') !== undefined) options.host = str('host');
  if (str('scenario') !== undefined) options.scenario = str('scenario');
  const quota = str('quota');
  if (quota !== undefined) {
    if (quota !== 'per-token' && quota !== 'per-user')
      throw new UsageError(`--quota must be per-token or per-user, got '${quota}'`);
    options.quota = quota satisfies QuotaMode;
  }
  const throttle = str('throttle');
  if (throttle !== undefined) {
    if (throttle !== '429' && throttle !== '403' && throttle !== 'waf') {
      throw new UsageError(`--throttle must be 429, 403 or waf, got '${throttle}'`);
    }
    options.throttle = throttle satisfies ThrottleDialect;
  }
  const users = str('users');
  if (users !== undefined) {
    const n = Number(users);
    if (!Number.isInteger(n) || n < 1 || n > MAX_USERS)
      throw new UsageError(`--users must be a whole number 1..${MAX_USERS}, got '${users}'`);
    options.users = n;
  }
  const appLimit = str('app-limit');
  if (appLimit !== undefined) {
    const match = /^(\d+)\/(\d+)$/.exec(appLimit);
    const [per10s, perHour] = [Number(match?.[1]), Number(match?.[2])];
    if (!match || per10s < 1 || perHour < 1)
      throw new UsageError(`--app-limit must be PER10S/PERHOUR, two whole numbers ≥ 1, got '${appLimit}'`);
    options.limits = { appPer10s: per10s, appPerHour: perHour };
  }
  const lifetime = str('token-lifetime');
  if (lifetime !== undefined) {
    const n = Number(lifetime);
    if (!Number.isInteger(n) || n <= 0)
      throw new UsageError(`--token-lifetime must be a positive number of seconds, got '${lifetime}'`);
    options.tokenLifetimeSec = n;
  }
  const clientId = str('client-id');
  const clientSecret = str('client-secret');
  if ((clientId === undefined) !== (clientSecret === undefined)) {
    throw new UsageError('--client-id and --client-secret go together');
  }
  if (clientId !== undefined) options.clientId = clientId;
  if (clientSecret !== undefined) options.clientSecret = clientSecret;
  return options;
}

export async function runSimulatorCommand(argv: string[]): Promise<number> {
  let options: SimulatorOptions;
  try {
    options = parseSimulatorArgs(argv);
    if (options.scenario !== undefined) {
      // Fail on a bad scenario with the usage hint rather than a stack trace.
      const { seedForScenario } = await import('./scenarios/index.js');
      if (options.scenario !== 'fixtures') seedForScenario(options.scenario, 0);
    }
  } catch (error) {
    process.stderr.write(
      `netatmo2mqtt simulator: ${error instanceof Error ? error.message : String(error)}\n${USAGE}`,
    );
    return 2;
  }
  const sim = await startSimulator(options);
  const tokens = sim.mintTokens();
  const names = Object.keys(sim.users());
  const appLimit = sim.stats().app.limits;
  process.stdout.write(
    `Netatmo simulator listening on ${sim.url}\n` +
      `  base_url:      ${sim.url}\n` +
      `  scenario:      ${options.scenario ?? 'fixtures'}, quota ${options.quota ?? 'per-token'}, throttle ${options.throttle ?? '429'}\n` +
      `  users:         ${names.length === 1 ? names[0] : `${names[0]}..${names.at(-1)}`}, app limit ${formatQuota(appLimit)}\n` +
      `  refresh_token: ${tokens.refresh_token} (${names[0]}; others: POST /__sim/tokens {"user":"<name>"})\n` +
      `Stop with Ctrl-C.\n`,
  );
  await new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  await sim.close();
  process.stdout.write('Netatmo simulator stopped.\n');
  return 0;
}
