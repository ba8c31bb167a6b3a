/**
 * The retained MQTT output of a run, made comparable with another run's: what a fresh
 * subscriber (Home Assistant starting) finds under the base topic and the discovery prefix,
 * with the run's own values (base topic, data folders, URLs, process names) replaced and the
 * fields that say when rather than what (timestamps, uptimes, counters) left out.
 */
import mqtt from 'mqtt';
import { parsePayload, type Snapshot, withoutRunValues } from '../../scripts/mqtt-snapshot.js';

/** Payload keys that differ between two runs of the same output: when, not what. */
const VOLATILE_KEY = /(^|_)(at|time|timestamp|since|uptime|started|last_seen|last_poll|process)$/;

/** Clears retained topics (a run on a shared broker leaves nothing behind). */
export async function clearRetained(url: string, topics: Iterable<string>, clientId: string): Promise<void> {
  const client = await mqtt.connectAsync(url, { clientId, clean: true });
  try {
    await Promise.all([...topics].map((t) => client.publishAsync(t, '', { retain: true, qos: 1 })));
  } finally {
    await client.endAsync();
  }
}

/**
 * The output as one sorted document: `runValues` (`{value: placeholder}`, e.g. the base topic)
 * replaced in topics and payloads, `skip` topics (after replacement, such as `<base>/+/bridge/health`
 * counters) and volatile keys left out.
 */
export function comparableOutput(
  retained: ReadonlyMap<string, string>,
  runValues: Readonly<Record<string, string>>,
  skip: (topic: string) => boolean = () => false,
): Snapshot {
  const out: Snapshot = {};
  const entries = [...retained].map(
    ([topic, text]) => [withoutRunValues(topic, runValues), withoutRunValues(text, runValues)] as const,
  );
  for (const [topic, text] of entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (skip(topic)) continue;
    out[topic] = withoutVolatile(parsePayload(text));
  }
  return out;
}

function withoutVolatile(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutVolatile);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([key]) => !VOLATILE_KEY.test(key))
      .map(([key, v]) => [key, withoutVolatile(v)]),
  );
}
