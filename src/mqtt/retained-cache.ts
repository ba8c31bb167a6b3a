/**
 * The last retained payload of every topic the bridge owns. It is the bridge's own copy of
 * what the broker should hold: a broker restarted without persistence gets it all back on
 * reconnect, and an unchanged payload is not sent twice.
 */

export type QoS = 0 | 1 | 2;

export interface RetainedEntry {
  payload: string;
  qos: QoS;
}

/**
 * JSON with object keys in sorted order, so that the same state built in a different order
 * compares equal (zigbee2mqtt compares discovery payloads with json-stable-stringify).
 */
export function stableStringify(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return v;
    const sorted: Record<string, unknown> = {};
    for (const key of Object.keys(v).sort()) sorted[key] = (v as Record<string, unknown>)[key];
    return sorted;
  });
}

export class RetainedCache {
  readonly #entries = new Map<string, RetainedEntry>();
  /** Topics cleared while the broker was unreachable: the broker may still hold them. */
  readonly #pendingClears = new Set<string>();

  get size(): number {
    return this.#entries.size;
  }

  get(topic: string): RetainedEntry | undefined {
    return this.#entries.get(topic);
  }

  /** True when `payload` is exactly what the topic already holds. */
  holds(topic: string, payload: string): boolean {
    return this.#entries.get(topic)?.payload === payload;
  }

  set(topic: string, payload: string, qos: QoS): void {
    this.#entries.set(topic, { payload, qos });
    this.#pendingClears.delete(topic);
  }

  /** Forgets a topic; the broker is owed an empty retained payload until `confirmClear`. */
  clear(topic: string): void {
    this.#entries.delete(topic);
    this.#pendingClears.add(topic);
  }

  /** The broker acknowledged the empty retained payload for `topic`. */
  confirmClear(topic: string): void {
    this.#pendingClears.delete(topic);
  }

  /** Clears still owed to the broker. */
  pendingClears(): string[] {
    return [...this.#pendingClears];
  }

  entries(): [string, RetainedEntry][] {
    return [...this.#entries];
  }
}
