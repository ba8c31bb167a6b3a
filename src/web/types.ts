/**
 * What the web UI needs from the bridge, as narrow ports: the Bridge controller satisfies
 * WebBridgePort (one account), the account host WebSitePort (every account of the process), and
 * nothing in src/web reaches further into the bridge than this.
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

/** Where an account stands, as this process sees it. */
export type AccountServing =
  | { state: 'here' }
  /** Another process holds its lease (`owner` when it is known). */
  | { state: 'elsewhere'; owner?: string }
  /** Its bridge is starting or stopping here. */
  | { state: 'starting' | 'stopped' };

/** One configured account, as the web UI lists it. */
export interface WebAccount {
  readonly name: string;
  /** Outlives the account's bridge (leases stop and start it): the activity list follows it. */
  readonly events: EventBus;
  /** The account's bridge while this process serves it. */
  bridge(): WebBridgePort | undefined;
  serving(): AccountServing;
}

/** What the one web server of a process serves: one account (the single-account pages) or several. */
export interface WebSitePort {
  /** The process runs (started and not stopped): /healthz. */
  readonly running: boolean;
  /** Several: the home page lists them and every page takes `?account=<name>`. */
  readonly several: boolean;
  readonly accounts: readonly WebAccount[];
  /** This process, as the account leases name it (the list of accounts shows it). */
  readonly process?: string;
}

/** The site of a standalone bridge: its one account, always here. */
export function singleBridgeSite(bridge: WebBridgePort): WebSitePort {
  const account: WebAccount = {
    name: '',
    events: bridge.events,
    bridge: () => bridge,
    serving: () => ({ state: 'here' }),
  };
  return {
    get running() {
      return bridge.running;
    },
    several: false,
    accounts: [account],
  };
}
