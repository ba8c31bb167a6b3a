/**
 * Both ends of a staleness measurement: every change the simulator makes to a measured field
 * (ChangeLog), and every value a plain MQTT subscriber sees the bridge publish (PublishLog),
 * each stamped with the shared simulated clock.
 */
import mqtt from 'mqtt';
import type { RunningSimulator } from '../../src/simulator/index.js';
import type { Clock } from '../../src/util/clock.js';
import { isMeasuredStateKey, type StateKind, seriesForSimChange } from './kinds.js';
import type { TimedValue } from './staleness.js';

export class ChangeLog {
  readonly series = new Map<string, { kind: StateKind; values: TimedValue[] }>();
  readonly #stop: () => void;

  constructor(sim: RunningSimulator) {
    this.#stop = sim.onChange((id, field, value, at) => {
      const target = seriesForSimChange(id, field);
      if (!target || value === undefined) return;
      let entry = this.series.get(target.series);
      if (!entry) {
        entry = { kind: target.kind, values: [] };
        this.series.set(target.series, entry);
      }
      entry.values.push({ at, value });
    });
  }

  stop(): void {
    this.#stop();
  }
}

export class PublishLog {
  readonly series = new Map<string, TimedValue[]>();
  /** State messages received (any device). */
  messages = 0;
  /** Every topic that carried a retained payload, so the run can clear them from the broker. */
  readonly #topics = new Set<string>();
  #client: mqtt.MqttClient | undefined;

  constructor(
    private readonly clock: Clock,
    private readonly baseTopic: string,
  ) {}

  async start(url: string): Promise<void> {
    this.#client = await mqtt.connectAsync(url, { clientId: `bench_watch_${this.baseTopic}_${process.pid}` });
    this.#client.on('message', (topic, payload) => this.#onMessage(topic, payload));
    await this.#client.subscribeAsync(`${this.baseTopic}/#`, { qos: 1 });
  }

  #onMessage(topic: string, payload: Buffer): void {
    const at = this.clock.now();
    if (payload.length > 0) this.#topics.add(topic);
    const deviceId = topic.slice(this.baseTopic.length + 1);
    if (deviceId.includes('/') || deviceId === 'bridge' || payload.length === 0) return;
    let state: unknown;
    try {
      state = JSON.parse(payload.toString());
    } catch {
      return;
    }
    if (typeof state !== 'object' || state === null) return;
    this.messages += 1;
    for (const [key, value] of Object.entries(state)) {
      if (!isMeasuredStateKey(key) || value === null) continue;
      const series = `${deviceId}|${key}`;
      const list = this.series.get(series) ?? [];
      this.series.set(series, list);
      list.push({ at, value });
    }
  }

  /** Clears what the run left retained on a shared broker, then disconnects. */
  async close(): Promise<void> {
    const client = this.#client;
    if (!client) return;
    await client.unsubscribeAsync(`${this.baseTopic}/#`);
    await Promise.all([...this.#topics].map((t) => client.publishAsync(t, '', { retain: true, qos: 1 })));
    await client.endAsync();
  }
}
