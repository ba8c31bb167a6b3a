import { portAnswers } from '../../scripts/lib/broker.js';
import { TEST_BROKER_ADDRESS } from './broker.js';

/** Every project that needs a broker names this setup; the run says which broker once. */
const ANNOUNCED = Symbol.for('netatmo2mqtt.test.brokerAnnounced');

/** Says once, at the top of the run, which broker the integration tests will use. */
export default async function globalSetup(): Promise<void> {
  const shared = globalThis as { [ANNOUNCED]?: boolean };
  if (shared[ANNOUNCED]) return;
  shared[ANNOUNCED] = true;
  const { host, port } = TEST_BROKER_ADDRESS;
  process.stderr.write(
    (await portAnswers(host, port))
      ? `[test] MQTT tests use Mosquitto at ${host}:${port}\n`
      : `[test] no Mosquitto answers at ${host}:${port}: MQTT tests fall back to an embedded aedes broker\n`,
  );
}
