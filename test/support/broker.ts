/**
 * The MQTT broker integration tests talk to: Mosquitto on 127.0.0.1:1883 when it answers
 * (CI makes sure it does), otherwise an embedded aedes broker, announced on stderr.
 */
import { connect } from 'node:net';
import { type EmbeddedBroker, startEmbeddedBroker } from '../../src/mqtt/embedded-broker.js';

export interface TestBroker {
  url: string;
  kind: 'mosquitto' | 'aedes';
  close(): Promise<void>;
}

const MOSQUITTO_HOST = process.env.TEST_MQTT_HOST ?? '127.0.0.1';
const MOSQUITTO_PORT = Number(process.env.TEST_MQTT_PORT ?? 1883);

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

let announced = false;

/** Each call returns a broker; Mosquitto is shared, an aedes fallback is private to the caller. */
export async function useTestBroker(): Promise<TestBroker> {
  if (await portAnswers(MOSQUITTO_HOST, MOSQUITTO_PORT)) {
    return { url: `mqtt://${MOSQUITTO_HOST}:${MOSQUITTO_PORT}`, kind: 'mosquitto', close: async () => {} };
  }
  if (!announced) {
    announced = true;
    process.stderr.write(
      `[test] no Mosquitto answers at ${MOSQUITTO_HOST}:${MOSQUITTO_PORT}; using an embedded aedes broker\n`,
    );
  }
  const broker: EmbeddedBroker = await startEmbeddedBroker();
  return { url: broker.url, kind: 'aedes', close: () => broker.close() };
}
