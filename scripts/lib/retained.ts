/**
 * What a fresh subscriber (Home Assistant starting) finds retained on a broker: the broker's own
 * record, whatever a live watcher may have missed.
 */
import mqtt from 'mqtt';

/**
 * Every non-empty retained payload under `filters`. The read ends once a marker published after
 * the subscription came back (the broker sends a subscription's retained copies first) and none
 * came for `quietMs` (a busy machine can pause the stream longer than that alone).
 */
export async function readRetained(
  url: string,
  filters: readonly string[],
  clientId: string,
  quietMs = 1_000,
): Promise<Map<string, string>> {
  const retained = new Map<string, string>();
  const marker = `${clientId}/read-marker`;
  const client = await mqtt.connectAsync(url, { clientId, clean: true, protocolVersion: 4 });
  try {
    let lastAt = Date.now();
    let markerSeen = false;
    // Only the broker's retained copies count: live publishes (retain flag off) never stop coming.
    client.on('message', (topic, payload, packet) => {
      if (topic === marker) markerSeen = true;
      if (!packet.retain) return;
      lastAt = Date.now();
      if (payload.length > 0) retained.set(topic, payload.toString());
    });
    // QoS 0: a broker queues at most so many QoS 1 messages per client (Mosquitto's
    // max_queued_messages, 1000) and drops the rest, which cut 30 accounts' 3000 topics to a third.
    await client.subscribeAsync([...filters, marker], { qos: 0 });
    await client.publishAsync(marker, 'x', { qos: 0 });
    lastAt = Date.now();
    while (!markerSeen || Date.now() - lastAt < quietMs)
      await new Promise((resolve) => setTimeout(resolve, 50));
    return retained;
  } finally {
    await client.endAsync(true);
  }
}
