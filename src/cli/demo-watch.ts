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
  /** Topic name (friendly name or id) → the device's id, from `bridge/devices`. */
  readonly #ids = new Map<string, string>();
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
      const config = parse(text) as { cmps?: Json } | undefined;
      if (config) this.discovery.set(topic, Object.keys(config.cmps ?? {}).length);
      return;
    }
    const relative = topic.slice(this.#baseTopic.length + 1);
    if (relative.startsWith('bridge/')) {
      if (relative === 'bridge/devices') this.#inventory(text);
      else if (relative === 'bridge/response/device/set') this.#answer(text);
      return;
    }
    const [device, second, attribute] = this.#split(relative);
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

  /** Friendly names may span levels (`Ground floor/Living room`): the longest known one wins. */
  #split(relative: string): [string, string | undefined, string | undefined] {
    let device = relative.split('/')[0] ?? '';
    for (const name of this.#ids.keys())
      if ((relative === name || relative.startsWith(`${name}/`)) && name.length > device.length)
        device = name;
    const [second, attribute] = relative.slice(device.length + 1).split('/');
    return [device, second || undefined, attribute];
  }

  #inventory(text: string): void {
    let devices: unknown;
    try {
      devices = JSON.parse(text);
    } catch {
      return;
    }
    if (!Array.isArray(devices)) return;
    for (const d of devices as Array<{ id?: unknown; friendly_name?: unknown }>) {
      if (typeof d.id !== 'string') continue;
      this.#ids.set(d.id, d.id);
      if (typeof d.friendly_name === 'string') this.#ids.set(d.friendly_name, d.id);
    }
  }

  /** `Bedroom Awning (velux_opener_awning)`: the name it is addressed by, and its id. */
  #name(device: string): string {
    const id = this.#ids.get(device);
    return id && id !== device ? `${device} (${id})` : device;
  }
}
