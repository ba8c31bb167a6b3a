/**
 * The MQTT broker integration tests talk to: Mosquitto at TEST_MQTT_HOST:TEST_MQTT_PORT
 * (default 127.0.0.1:1883) when it answers, otherwise an embedded aedes broker, announced on
 * stderr. The logic is shared with the benchmarks (scripts/lib/broker.ts).
 */
import { brokerAddress, type SharedBroker, useSharedBroker } from '../../scripts/lib/broker.js';

export type TestBroker = SharedBroker;

export const TEST_BROKER_ADDRESS = brokerAddress('TEST');

let announced = false;

/** Each call returns a broker; Mosquitto is shared, an aedes fallback is private to the caller. */
export function useTestBroker(): Promise<TestBroker> {
  return useSharedBroker(TEST_BROKER_ADDRESS, () => {
    if (announced) return;
    announced = true;
    const { host, port } = TEST_BROKER_ADDRESS;
    process.stderr.write(`[test] no Mosquitto answers at ${host}:${port}; using an embedded aedes broker\n`);
  });
}
