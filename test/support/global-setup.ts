import { portAnswers } from './broker.js';

/** Every project that needs a broker names this setup; the run says which broker once. */
const ANNOUNCED = Symbol.for('netatmo2mqtt.test.brokerAnnounced');

/** Says once, at the top of the run, which broker the integration tests will use. */
export default async function globalSetup(): Promise<void> {
  const shared = globalThis as { [ANNOUNCED]?: boolean };
  if (shared[ANNOUNCED]) return;
  shared[ANNOUNCED] = true;
  const mosquitto = await portAnswers(
    process.env.TEST_MQTT_HOST ?? '127.0.0.1',
    Number(process.env.TEST_MQTT_PORT ?? 1883),
  );
  process.stderr.write(
    mosquitto
      ? '[test] MQTT tests use Mosquitto at 127.0.0.1:1883\n'
      : '[test] no Mosquitto answers at 127.0.0.1:1883: MQTT tests fall back to an embedded aedes broker\n',
  );
}
