/**
 * The broker the benchmarks publish through: Mosquitto on 127.0.0.1:1883 when it answers (a
 * real broker, as in CI), otherwise an embedded aedes broker. This deliberately repeats the
 * few lines of test/support/broker.ts: bench code does not import from test/.
 */
import { connect } from 'node:net';
import { startEmbeddedBroker } from '../../src/mqtt/embedded-broker.js';

export interface BenchBroker {
  url: string;
  kind: 'mosquitto' | 'aedes';
  close(): Promise<void>;
}

const HOST = process.env.BENCH_MQTT_HOST ?? '127.0.0.1';
const PORT = Number(process.env.BENCH_MQTT_PORT ?? 1883);

function portAnswers(host: string, port: number, timeoutMs = 500): Promise<boolean> {
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

export async function useBenchBroker(): Promise<BenchBroker> {
  if (await portAnswers(HOST, PORT)) {
    return { url: `mqtt://${HOST}:${PORT}`, kind: 'mosquitto', close: async () => {} };
  }
  const broker = await startEmbeddedBroker();
  return { url: broker.url, kind: 'aedes', close: () => broker.close() };
}
