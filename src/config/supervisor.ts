/**
 * In the Home Assistant add-on, the MQTT broker comes from the Supervisor's service registry
 * (the Mosquitto app) unless the user configured one. Like ring-mqtt, only the parts the
 * user left unset are filled in: a user's mqtt.url wins outright; a user's username and
 * password win over the service's.
 */
import { childLogger } from '../log.js';
import { registerSecret } from '../util/redact.js';
import { ConfigError } from './errors.js';
import { isPlainObject } from './merge.js';
import { DEFAULT_MQTT_URL } from './schema.js';
import { redactUrl } from './secrets.js';
import type { BridgeConfig } from './types.js';

const log = childLogger('config');
const DEFAULT_SUPERVISOR_URL = 'http://supervisor';
const REQUEST_TIMEOUT_MS = 10_000;

export interface SupervisorMqttService {
  host: string;
  port: number;
  ssl: boolean;
  username?: string;
  password?: string;
}

function unavailable(reason: string): ConfigError {
  return new ConfigError([
    {
      path: 'mqtt.url',
      reason:
        `not set, and the Supervisor offers no MQTT broker (${reason}); ` +
        'install the Mosquitto broker app or set the mqtt_url option',
    },
  ]);
}

function parseService(body: unknown): SupervisorMqttService {
  const data = isPlainObject(body) && body.result === 'ok' ? body.data : undefined;
  if (!isPlainObject(data) || typeof data.host !== 'string' || data.host === '') {
    throw unavailable('the answer names no broker host');
  }
  // The Supervisor sends the port as a string ("1883"); accept a number too.
  const port = typeof data.port === 'number' ? data.port : Number.parseInt(String(data.port ?? ''), 10);
  if (!Number.isInteger(port) || port <= 0 || port > 65535) {
    throw unavailable(`the answer has an invalid port ${JSON.stringify(data.port)}`);
  }
  const text = (value: unknown): string | undefined =>
    typeof value === 'string' && value !== '' ? value : undefined;
  return {
    host: data.host,
    port,
    ssl: data.ssl === true || data.ssl === 'true',
    username: text(data.username),
    password: text(data.password),
  };
}

async function fetchService(env: NodeJS.ProcessEnv, token: string): Promise<SupervisorMqttService> {
  const base = (env.SUPERVISOR_URL || DEFAULT_SUPERVISOR_URL).replace(/\/+$/, '');
  let response: Response;
  try {
    response = await fetch(`${base}/services/mqtt`, {
      headers: { Authorization: `Bearer ${token}` },
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
  } catch (error) {
    throw unavailable(`cannot reach the Supervisor: ${(error as Error).message}`);
  }
  const text = await response.text();
  if (!response.ok) throw unavailable(`the Supervisor answered HTTP ${response.status}`);
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw unavailable('the Supervisor answered something other than JSON');
  }
  const service = parseService(body);
  registerSecret(service.password);
  return service;
}

/**
 * Returns `config` with the broker filled in from the Supervisor when running as an add-on
 * (SUPERVISOR_TOKEN set) and mqtt.url was left at its default; otherwise returns it unchanged.
 * Throws ConfigError when the broker is needed but the Supervisor has none.
 */
export async function resolveSupervisorMqtt(
  config: BridgeConfig,
  env: NodeJS.ProcessEnv,
): Promise<BridgeConfig> {
  const token = env.SUPERVISOR_TOKEN;
  if (!token) return config;
  registerSecret(token);
  if (config.mqtt.url !== DEFAULT_MQTT_URL) {
    log.info(`using the configured MQTT broker ${redactUrl(config.mqtt.url)}, not the Supervisor's`);
    return config;
  }
  const service = await fetchService(env, token);
  const host = service.host.includes(':') ? `[${service.host}]` : service.host;
  const userSetCredentials = config.mqtt.username !== undefined;
  const mqtt = {
    ...config.mqtt,
    url: `${service.ssl ? 'mqtts' : 'mqtt'}://${host}:${service.port}`,
    username: userSetCredentials ? config.mqtt.username : service.username,
    password: userSetCredentials ? config.mqtt.password : service.password,
  };
  log.info(
    `MQTT broker from the Supervisor: ${mqtt.url}, user ${mqtt.username ?? '(none)'}` +
      (userSetCredentials ? ' (your username and password)' : ''),
  );
  return { ...config, mqtt };
}
