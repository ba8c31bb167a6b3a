/**
 * Home Assistant announces a (re)start with `online` on `<discovery_prefix>/status`. After
 * that it has forgotten every entity whose discovery or state was not retained, so the bridge
 * republishes. The delay is randomised so that many bridges on one broker do not answer the
 * same birth in the same instant, and repeated births during the delay coalesce into one.
 */
import { childLogger } from '../log.js';
import type { MqttConnection } from '../mqtt/connection.js';
import type { Clock } from '../util/clock.js';

const log = childLogger('mqtt');

export interface BirthDelay {
  minMs: number;
  maxMs: number;
}

export const DEFAULT_BIRTH_DELAY: BirthDelay = { minMs: 5_000, maxMs: 15_000 };

export type BirthCallback = () => void | Promise<void>;

export class HomeAssistantBirthWatcher {
  readonly #clock: Clock;
  readonly #delay: BirthDelay;
  readonly #random: () => number;
  readonly #callbacks = new Set<BirthCallback>();
  #cancelPending: (() => void) | undefined;

  constructor(clock: Clock, delay: BirthDelay = DEFAULT_BIRTH_DELAY, random: () => number = Math.random) {
    if (!(delay.minMs >= 0 && delay.maxMs >= delay.minMs)) {
      throw new RangeError(`invalid birth delay ${delay.minMs}..${delay.maxMs} ms`);
    }
    this.#clock = clock;
    this.#delay = delay;
    this.#random = random;
  }

  /** Watches Home Assistant's status topic on `mqtt`; returns the function that stops. */
  attach(mqtt: MqttConnection, statusTopic: string): () => void {
    const stop = mqtt.watch(statusTopic, (payload) => this.handleStatus(payload.trim()));
    return () => {
      stop();
      this.dispose();
    };
  }

  /** Registers `callback` for every birth; returns the unregister function. */
  onBirth(callback: BirthCallback): () => void {
    this.#callbacks.add(callback);
    return () => this.#callbacks.delete(callback);
  }

  /** Feeds a payload seen on the status topic. */
  handleStatus(status: string): void {
    if (status === 'online') {
      if (this.#cancelPending) return; // a republish is already on its way
      const delayMs = this.#delay.minMs + this.#random() * (this.#delay.maxMs - this.#delay.minMs);
      log.debug(`Home Assistant is online; republishing in ${Math.round(delayMs)} ms`);
      this.#cancelPending = this.#clock.schedule(delayMs, () => {
        this.#cancelPending = undefined;
        this.#fire();
      });
    } else if (status === 'offline') {
      // Home Assistant went away again: its next birth starts a fresh delay.
      this.dispose();
    }
  }

  dispose(): void {
    this.#cancelPending?.();
    this.#cancelPending = undefined;
  }

  #fire(): void {
    for (const callback of this.#callbacks) {
      Promise.resolve()
        .then(callback)
        .catch((error: unknown) => log.error('Home Assistant birth callback failed', { error }));
    }
  }
}
