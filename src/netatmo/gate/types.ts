/** The RequestGate's options, statistics and errors (see gate.ts). */
import { BridgeError } from '../../errors.js';
import type { EventBus } from '../../events.js';
import type { Clock } from '../../util/clock.js';
import type { Priority } from '../types.js';
import type { GateLimits } from './limits.js';
import type { GateShare } from './share.js';

export const DEFAULT_MAX_IN_FLIGHT = 4;

export interface RequestGateOptions {
  clock: Clock;
  limits: GateLimits;
  /** When given, throttleWindowOpened/Closed are emitted here. */
  events?: EventBus;
  /** Calls in flight at once (default 4); polls may use all but one. */
  maxInFlight?: number;
  /** Windows shared with other gates (app budget, other processes); none by default. */
  share?: GateShare;
}

export interface GateRunOptions {
  priority: Priority;
  /** Epoch ms on the gate's clock after which the task must not start any more. */
  deadline?: number;
  /** Aborting removes a queued task and rejects it with the signal's reason. */
  signal?: AbortSignal;
  /** For logs (an endpoint name; never a secret). */
  label?: string;
}

export interface ThrottleWindow {
  until: number;
  reason: string;
}

export interface GateStats {
  callsLast10s: number;
  callsLastHour: number;
  /** Starts polls may still make in the current 10 s, command reserve excluded. */
  remaining10s: number;
  /** Calls the planner may still make in the coming hour without crowding out commands. */
  remainingHour: number;
  queued: Record<Priority, number>;
  inFlight: number;
  throttleWindow?: ThrottleWindow;
  /** Throttle windows opened (extensions of an open window are not counted). */
  windowsOpened: number;
  throttleRejections: number;
  deadlineRejections: number;
  totalCalls: number;
  /** Starts per clock minute for the last 60 minutes, oldest first; the last is the current minute. */
  callsPerMinute: number[];
  limits: GateLimits;
  commandReserve: GateLimits;
}

/** The gate was closed: the task was never started. */
export class GateClosedError extends BridgeError {
  constructor(label?: string) {
    super(label ? `request gate closed before ${label} could start` : 'request gate closed');
  }
}
