/**
 * What the web UI needs from the bridge, as a narrow port: the Bridge controller satisfies it,
 * and nothing in src/web reaches further into the bridge than this.
 */
import type { Device } from '../devices/types.js';
import type { EventBus } from '../events.js';
import type { BridgeHealthPayload } from '../mqtt/topics.js';
import type { AuthState, AuthStats } from '../netatmo/auth.js';
import type { GateStats } from '../netatmo/gate.js';

export interface WebAuthPort {
  readonly state: AuthState;
  stats(): AuthStats;
  authorizeUrl(params: { redirectUri: string; scope: string[]; state: string }): string;
  exchangeCode(code: string, redirectUri: string): Promise<unknown>;
  setRefreshToken(refreshToken: string): Promise<void>;
}

export interface WebBridgePort {
  /** Started and not stopped. */
  readonly running: boolean;
  readonly events: EventBus;
  readonly store: {
    devices(): Device[];
    device(id: string): Device | undefined;
    availability(id: string): boolean | undefined;
  };
  /** Each device's friendly name and topic (src/names). */
  readonly names: {
    nameOf(device: Device): string;
    topicOf(device: Device): string;
  };
  /** MQTT base topic: `<base>/<topic name>` carries a device's state. */
  readonly baseTopic: string;
  /** Renames a device (`from`: its friendly name or id); rejects with the reason it cannot. */
  renameDevice(from: unknown, to: unknown): Promise<{ from: string; to: string }>;
  readonly netatmo: {
    auth: WebAuthPort;
    gate: { stats(): GateStats };
  };
  health(): BridgeHealthPayload;
}
