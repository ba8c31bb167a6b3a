/**
 * The MQTT broker tests and benchmarks publish through: Mosquitto when it answers (CI makes sure
 * it does), otherwise an embedded aedes broker. Kept here because both sides may import it:
 * bench/ never imports test/ (whose helpers may need the vitest runner), and tests already
 * import scripts/.
 */
import { connect, createServer } from 'node:net';
import { startEmbeddedBroker } from '../../src/mqtt/embedded-broker.js';

export interface SharedBroker {
  url: string;
  kind: 'mosquitto' | 'aedes';
  /** Stops an aedes fallback; leaves a shared Mosquitto running. */
  close(): Promise<void>;
}

export interface BrokerAddress {
  host: string;
  port: number;
}

/** `<PREFIX>_MQTT_HOST` and `<PREFIX>_MQTT_PORT`, by default Mosquitto's 127.0.0.1:1883. */
export function brokerAddress(prefix: string, env: NodeJS.ProcessEnv = process.env): BrokerAddress {
  return {
    host: env[`${prefix}_MQTT_HOST`] ?? '127.0.0.1',
    port: Number(env[`${prefix}_MQTT_PORT`] ?? 1883),
  };
}

export function portAnswers(host: string, port: number, timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** A TCP port nothing listens on right now. */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      server.close(() => {
        if (address && typeof address === 'object') resolve(address.port);
        else reject(new Error('no port'));
      });
    });
  });
}

/**
 * Mosquitto at `address` when it answers, shared with everyone else using it; otherwise a
 * private aedes broker on a free port (`onFallback` is told once per call that falls back).
 */
export async function useSharedBroker(
  address: BrokerAddress,
  onFallback?: () => void,
): Promise<SharedBroker> {
  if (await portAnswers(address.host, address.port)) {
    return { url: `mqtt://${address.host}:${address.port}`, kind: 'mosquitto', close: async () => {} };
  }
  onFallback?.();
  const broker = await startEmbeddedBroker();
  return { url: broker.url, kind: 'aedes', close: () => broker.close() };
}
