/**
 * Collects the retained topics under a filter: a short-lived second client subscribes,
 * gathers what the broker replays for a moment, and leaves. Used for the start-up sweep of
 * stale discovery configs, without widening the bridge connection's precise subscriptions.
 * The listening time is wall time on purpose: it waits for the network, not for simulated time.
 */
import mqtt from 'mqtt';
import { childLogger } from '../log.js';
import { buildClientOptions, type MqttConnectionOptions } from './client-options.js';

const log = childLogger('mqtt');

/** Non-empty retained topics matching `filter`; an empty set when the broker cannot be reached. */
export async function scanRetainedTopics(
  options: MqttConnectionOptions,
  filter: string,
  listenMs = 2_000,
): Promise<Set<string>> {
  const topics = new Set<string>();
  const clientOptions = buildClientOptions(options);
  // A throwaway identity: no will, no persistent session, never the bridge's own client id.
  delete clientOptions.will;
  clientOptions.clean = true;
  clientOptions.clientId = `${String(clientOptions.clientId)}_scan_${Math.random().toString(16).slice(2, 8)}`;
  const client = mqtt.connect(options.url, clientOptions);
  client.on('message', (topic, payload, packet) => {
    if (packet.retain && payload.length > 0) topics.add(topic);
  });
  try {
    await new Promise<void>((resolve, reject) => {
      client.once('connect', () => resolve());
      client.once('error', reject);
      client.once('close', () => reject(new Error('connection closed')));
    });
    await client.subscribeAsync(filter, { qos: 0 });
    await new Promise((resolve) => setTimeout(resolve, listenMs));
  } catch (error) {
    log.warning(`could not scan retained ${filter}: ${(error as Error).message}`);
  } finally {
    await client.endAsync(true).catch(() => {});
  }
  return topics;
}
