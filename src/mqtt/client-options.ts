/**
 * The bridge's MQTT settings and their translation into mqtt.js client options:
 * last will, persistent session, credentials and TLS material read from files.
 */
import { readFileSync } from 'node:fs';
import type { IClientOptions } from 'mqtt';
import type { Clock } from '../util/clock.js';
import { redactString, registerSecret } from '../util/redact.js';

export interface MqttTlsFiles {
  /** Paths to PEM files. */
  ca?: string;
  cert?: string;
  key?: string;
  /** Default true; false accepts any server certificate (self-signed test brokers only). */
  rejectUnauthorized?: boolean;
}

export interface MqttConnectionOptions {
  /** `mqtt://host:1883`, `mqtts://host:8883`, `ws://…`. */
  url: string;
  /** Default `netatmo2mqtt`. */
  baseTopic?: string;
  username?: string;
  password?: string;
  /**
   * Must be stable across restarts for the persistent session to find its queued commands,
   * and unique per bridge: two clients with one id take the session from each other in a loop.
   * Default: derived from the base topic.
   */
  clientId?: string;
  /** Seconds; default 60. */
  keepalive?: number;
  /**
   * Default true: `clean: false`, so QoS 1 commands sent while the bridge is away are queued
   * by the broker and delivered on return.
   */
  persistentSession?: boolean;
  tls?: MqttTlsFiles;
  /** Backoff between reconnect attempts: doubles from `initialMs` up to `maxMs`. */
  reconnect?: { initialMs: number; maxMs: number };
  /** Per attempt; default 10 s. */
  connectTimeoutMs?: number;
  clock?: Clock;
}

export const DEFAULT_BASE_TOPIC = 'netatmo2mqtt';
export const DEFAULT_RECONNECT = { initialMs: 1_000, maxMs: 30_000 };

export const OFFLINE_PAYLOAD = JSON.stringify({ state: 'offline' });
export const ONLINE_PAYLOAD = JSON.stringify({ state: 'online' });

export function defaultClientId(baseTopic: string): string {
  return `netatmo2mqtt_${baseTopic.replace(/[^A-Za-z0-9]+/g, '_')}`;
}

export function bridgeStateTopic(baseTopic: string): string {
  return `${baseTopic}/bridge/state`;
}

function readPem(path: string, what: string): Buffer {
  try {
    return readFileSync(path);
  } catch (error) {
    throw new Error(`cannot read MQTT TLS ${what} file ${path}: ${(error as Error).message}`);
  }
}

/** Options for one mqtt.js client. Reconnecting is left to MqttConnection (reconnectPeriod 0). */
export function buildClientOptions(options: MqttConnectionOptions): IClientOptions {
  const baseTopic = options.baseTopic ?? DEFAULT_BASE_TOPIC;
  const client: IClientOptions = {
    protocolVersion: 4, // aedes 1.x speaks 3.1.1 only; Mosquitto speaks both
    keepalive: options.keepalive ?? 60,
    clientId: options.clientId ?? defaultClientId(baseTopic),
    clean: !(options.persistentSession ?? true),
    connectTimeout: options.connectTimeoutMs ?? 10_000,
    reconnectPeriod: 0,
    // Nothing may pile up while disconnected: state lives in the retained cache instead.
    queueQoSZero: false,
    // MqttConnection subscribes on every connect itself.
    resubscribe: false,
    will: { topic: bridgeStateTopic(baseTopic), payload: Buffer.from(OFFLINE_PAYLOAD), qos: 1, retain: true },
  };
  if (options.username !== undefined) client.username = options.username;
  if (options.password !== undefined) {
    registerSecret(options.password);
    client.password = options.password;
  }
  const tls = options.tls;
  if (tls) {
    if (tls.ca) client.ca = readPem(tls.ca, 'CA');
    if (tls.cert) client.cert = readPem(tls.cert, 'certificate');
    if (tls.key) {
      const key = readPem(tls.key, 'key');
      registerSecret(key.toString('utf8'));
      client.key = key;
    }
    client.rejectUnauthorized = tls.rejectUnauthorized ?? true;
  }
  return client;
}

/**
 * Errors that retrying cannot fix: the broker's refusal (a numeric CONNACK code, e.g. bad
 * credentials) and a server certificate that does not verify.
 */
export function isConfigurationError(error: Error & { code?: unknown }): boolean {
  if (typeof error.code === 'number') return true;
  return typeof error.code === 'string' && /CERT|SELF_SIGNED|ERR_TLS|UNABLE_TO_(GET|VERIFY)/.test(error.code);
}

/** The broker URL without credentials, for logs. */
export function describeBrokerUrl(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.username = '';
    parsed.password = '';
    return parsed.toString().replace(/\/$/, '');
  } catch {
    return redactString(url);
  }
}
