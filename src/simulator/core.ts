/** The parts of a running simulator, shared by its route handlers. */
import type { FaultInjector } from './faults.js';
import type { TokenAuthority } from './oauth.js';
import type { QuotaTracker } from './quota.js';
import type { SecurityService } from './security/service.js';
import type { OffsetClock } from './sim-clock.js';
import type { StatsRecorder } from './stats.js';
import type { ApiRequestListener, ThrottleDialect } from './types.js';
import type { UsageRecorder } from './usage.js';
import type { AppUsers } from './users.js';
import type { World } from './world/world.js';

export interface SimulatorCore {
  clock: OffsetClock;
  world: World;
  /** Security events, persons, pictures and webhooks. */
  security: SecurityService;
  authority: TokenAuthority;
  quota: QuotaTracker;
  faults: FaultInjector;
  stats: StatsRecorder;
  /** Requests, throttles and peaks per app and per user. */
  usage: UsageRecorder;
  /** The app's users and which homes and devices each may see. */
  users: AppUsers;
  throttle: ThrottleDialect;
  /** The app the quota's per-app windows count against. */
  appKey: string;
  /** Told of every API request as soon as its body is read (benchmarks time arrivals). */
  onApiRequest?: ApiRequestListener | undefined;
}
