/**
 * The typed event bus modules use to tell each other what happened, without reaching
 * into each other's state. A throwing listener is logged and never breaks the emitter.
 */
import { childLogger } from './log.js';

export interface BridgeEvents {
  /** The token endpoint answered invalid_grant: no more token requests until new credentials. */
  reauthRequired: { reason: string; at: number };
  /** New credentials arrived (onboarding, pasted token); the account is usable again. */
  credentialsRestored: { at: number };
  tokenRefreshed: { expiresAt: number; forced: boolean; at: number };
  throttleWindowOpened: { retryAt: number; reason: string; at: number };
  throttleWindowClosed: { at: number };
  /** A rotated token could not be persisted; it is kept in memory (a restart now needs re-auth). */
  tokenPersistFailed: { location: string; message: string; at: number };
  /** One device went over its command cap per minute; reported once per storm. */
  commandStorm: { device: string; dropped: number; windowS: number; at: number };
  /** A command reached Netatmo and failed there (throttled, API error, per-module error). */
  commandFailed: { device: string; error: string; at: number };
  /** Devices appeared in or left the account (by device id). */
  devicesChanged: { added: string[]; removed: string[]; at: number };
}

export type BridgeEventName = keyof BridgeEvents;
type Listener<K extends BridgeEventName> = (payload: BridgeEvents[K]) => void;

const log = childLogger('events');

export class EventBus {
  readonly #listeners = new Map<BridgeEventName, Set<Listener<BridgeEventName>>>();

  on<K extends BridgeEventName>(event: K, listener: Listener<K>): () => void {
    let set = this.#listeners.get(event);
    if (!set) {
      set = new Set();
      this.#listeners.set(event, set);
    }
    set.add(listener as Listener<BridgeEventName>);
    return () => set.delete(listener as Listener<BridgeEventName>);
  }

  emit<K extends BridgeEventName>(event: K, payload: BridgeEvents[K]): void {
    for (const listener of this.#listeners.get(event) ?? []) {
      try {
        listener(payload);
      } catch (error) {
        log.error(`listener for ${event} failed`, { error });
      }
    }
  }
}
