/**
 * A fresh subscriber's view of the retained discovery configs: what Home Assistant would find
 * if it connected now. The live watcher of a start-up burst can lose QoS 0 messages when the
 * broker's per-client queue overflows (Mosquitto keeps 1000) while the bench process is busy
 * serving the simulator; the retained copies are the broker's own record, so the count of
 * modules discovered does not depend on how fast the bench could read.
 */
import mqtt from 'mqtt';

/**
 * Device ids with a retained, non-empty config under `configPrefix` (`<prefix>/device/<base>/`).
 * Retained messages arrive right after SUBACK; the read ends once none came for `quietMs`.
 */
export async function retainedConfigDevices(
  mqttUrl: string,
  configPrefix: string,
  clientId: string,
  quietMs = 500,
): Promise<Set<string>> {
  const devices = new Set<string>();
  const client = await mqtt.connectAsync(mqttUrl, { clientId, clean: true });
  try {
    let lastAt = Date.now();
    client.on('message', (topic, payload, packet) => {
      lastAt = Date.now();
      if (!packet.retain || payload.length === 0 || !topic.endsWith('/config')) return;
      devices.add(topic.slice(configPrefix.length, -'/config'.length));
    });
    await client.subscribeAsync(`${configPrefix}+/config`, { qos: 0 });
    lastAt = Date.now();
    while (Date.now() - lastAt < quietMs) await new Promise((resolve) => setTimeout(resolve, 50));
    return devices;
  } finally {
    await client.endAsync();
  }
}
