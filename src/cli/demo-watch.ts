/**
 * What the demo shows while it runs: counts of what the bridge publishes (states, Home Assistant
 * entities), and, for every command someone publishes, the command, the bridge's answer and the
 * device's state as it changes afterwards — a VELUX opener told to go to 40 % prints its
 * position on the way there.
 */
import mqtt from 'mqtt';

/** How long after a command a device's state changes are printed. */
const FOLLOW_MS = 10 * 60_000;
/** State keys that change on every poll and say nothing about the command. */
const QUIET_KEYS = new Set(['last_seen', 'rf_strength', 'rf_quality', 'wifi_strength', 'wifi_quality']);

type Json = Record<string, unknown>;

function parse(text: string): Json | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : undefined;
  } catch {
    return undefined;
  }
}

const show = (value: unknown): string => (typeof value === 'string' ? value : JSON.stringify(value));

export class PublishWatcher {
  readonly states = new Set<string>();
  readonly discovery = new Map<string, number>();
  messages = 0;
  readonly #baseTopic: string;
  readonly #print: (line: string) => void;
  readonly #names = new Map<string, string>();
  readonly #lastState = new Map<string, Json>();
  /** Device id → until when its state changes are printed. */
  readonly #following = new Map<string, number>();
  #client: mqtt.MqttClient | undefined;

  constructor(baseTopic: string, print: (line: string) => void) {
    this.#baseTopic = baseTopic;
    this.#print = print;
  }

  async start(url: string): Promise<void> {
    this.#client = await mqtt.connectAsync(url, {
      protocolVersion: 4,
      clientId: `netatmo2mqtt_demo_watch_${process.pid}`,
    });
    this.#client.on('message', (topic, payload) => this.#message(topic, payload.toString()));
    await this.#client.subscribeAsync([`${this.#baseTopic}/#`, 'homeassistant/device/#']);
  }

  entities(): number {
    return [...this.discovery.values()].reduce((a, b) => a + b, 0);
  }

  async close(): Promise<void> {
    await this.#client?.endAsync(true);
  }

  #message(topic: string, text: string): void {
    this.messages += 1;
    if (text.length === 0) return;
    if (topic.startsWith('homeassistant/')) {
      const config = parse(text) as { cmps?: Json; dev?: { name?: string } } | undefined;
      if (!config) return;
      this.discovery.set(topic, Object.keys(config.cmps ?? {}).length);
      const id = topic.split('/').at(-2);
      if (id && config.dev?.name) this.#names.set(id, config.dev.name);
      return;
    }
    const rest = topic.slice(this.#baseTopic.length + 1).split('/');
    const [device = '', second, attribute] = rest;
    if (device === 'bridge') {
      if (second === 'response' && rest[2] === 'device' && rest[3] === 'set') this.#answer(text);
      return;
    }
    if (second === 'set') {
      this.#following.set(device, Date.now() + FOLLOW_MS);
      this.#print(`→ ${this.#name(device)}: ${attribute ? `${attribute} = ${text}` : text}`);
      return;
    }
    if (second !== undefined) return;
    this.states.add(topic);
    const state = parse(text);
    if (state) this.#stateChanged(device, state);
  }

  #answer(text: string): void {
    const answer = parse(text) as { status?: string; error?: string; data?: Json } | undefined;
    if (!answer?.data) return;
    const device = String(answer.data.device ?? '');
    const adjusted = answer.data.adjusted
      ? ` (rounded to the device's step: ${show(answer.data.adjusted)})`
      : '';
    this.#print(
      answer.status === 'ok'
        ? `← ${this.#name(device)}: Netatmo took ${show(answer.data.values)}${adjusted}`
        : `← ${this.#name(device)}: refused (${show(answer.data.code)}): ${answer.error ?? ''}`,
    );
  }

  #stateChanged(device: string, state: Json): void {
    const previous = this.#lastState.get(device);
    this.#lastState.set(device, state);
    const until = this.#following.get(device);
    if (!previous || until === undefined) return;
    if (Date.now() > until) {
      this.#following.delete(device);
      return;
    }
    const changes = Object.keys(state)
      .filter((k) => !QUIET_KEYS.has(k) && show(state[k]) !== show(previous[k]))
      .map((k) => `${k} ${show(previous[k])} → ${show(state[k])}`);
    if (changes.length > 0) this.#print(`  ${this.#name(device)}: ${changes.join(', ')}`);
  }

  #name(device: string): string {
    const name = this.#names.get(device);
    return name ? `${name} (${device})` : device;
  }
}
