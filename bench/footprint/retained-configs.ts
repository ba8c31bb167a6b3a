/**
 * A fresh subscriber's view of the retained discovery configs: what Home Assistant would find
 * if it connected now. The live watcher of a start-up burst can lose QoS 0 messages when the
 * broker's per-client queue overflows (Mosquitto keeps 1000) while the bench process is busy
 * serving the simulator; the retained copies are the broker's own record, so the count of
 * modules discovered does not depend on how fast the bench could read.
 */
import { readRetained } from '../../scripts/lib/retained.js';

/** Device ids with a retained, non-empty config under `configPrefix` (`<prefix>/device/<base>/`). */
export async function retainedConfigDevices(
  mqttUrl: string,
  configPrefix: string,
  clientId: string,
  quietMs = 500,
): Promise<Set<string>> {
  const retained = await readRetained(mqttUrl, [`${configPrefix}+/config`], clientId, quietMs);
  return new Set([...retained.keys()].map((topic) => topic.slice(configPrefix.length, -'/config'.length)));
}
