/**
 * What the Poller needs from its neighbours, as small structural interfaces: NetatmoClient
 * (client.ts) and RequestGate (gate.ts) satisfy them as they are, and the Poller does not
 * reach into either.
 */
import type {
  HomeCoachsDataBody,
  HomeStatusBody,
  HomesDataBody,
  StationsDataBody,
} from '../netatmo/api-types.js';
import type { CallOptions } from '../netatmo/types.js';

/** The four reads the poller makes (NetatmoClient's signatures: params, then call options). */
export interface PollerApi {
  homesData(params: { homeId?: string }, call?: Partial<CallOptions>): Promise<HomesDataBody>;
  homeStatus(
    homeId: string,
    params: { deviceTypes?: string[] },
    call?: Partial<CallOptions>,
  ): Promise<HomeStatusBody>;
  stationsData(params: { deviceId?: string }, call?: Partial<CallOptions>): Promise<StationsDataBody>;
  homeCoachsData(params: { deviceId?: string }, call?: Partial<CallOptions>): Promise<HomeCoachsDataBody>;
}

/** The part of RequestGate.stats() the poller plans with. */
export interface GateStatsView {
  callsLastHour: number;
  remainingHour: number;
  throttleWindow?: { until: number; reason: string };
  /** The gate's hourly limit and the share of it kept for commands. */
  limits?: { perHour: number };
  commandReserve?: { perHour: number };
}

export interface GateStatsSource {
  stats(): GateStatsView;
}

export type PublisherKind = 'topology' | 'home' | 'weather' | 'homecoach' | 'feed';

/** `topology`, `weather`, `homecoach`, `home:<home id>`, or `feed:<feed>:<target>` (feeds.ts). */
export type PublisherId = 'topology' | 'weather' | 'homecoach' | `home:${string}` | `feed:${string}`;

export function homePublisherId(homeId: string): PublisherId {
  return `home:${homeId}`;
}

/** Where the poller delivers what it read and what went wrong. A throwing sink is logged and ignored. */
export interface PollerSinks {
  onTopology(body: HomesDataBody): void;
  onHomeStatus(homeId: string, body: HomeStatusBody): void;
  onStations(body: StationsDataBody): void;
  onHomeCoachs(body: HomeCoachsDataBody): void;
  onPublisherError?(publisher: PublisherId, error: unknown, consecutiveFailures: number): void;
  /** Called on changes only: offline after several consecutive outage failures, online on the next success. */
  onAvailability?(publisher: PublisherId, online: boolean): void;
}
