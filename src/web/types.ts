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
    availability(id: string): boolean | undefined;
  };
  readonly netatmo: {
    auth: WebAuthPort;
    gate: { stats(): GateStats };
  };
  health(): BridgeHealthPayload;
}
