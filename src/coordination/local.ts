/**
 * In-process coordination, the default: each account's token in its data folder, the refresh
 * single flight inside NetatmoAuth, one app budget and one throttle board for every account
 * of the process, and leases that own every account.
 */
import { hostname } from 'node:os';
import { appBudgetLimits } from '../netatmo/gate/limits.js';
import type { GateShare } from '../netatmo/gate/share.js';
import { WindowBudget } from '../netatmo/gate/window-budget.js';
import { FileTokenStore } from '../tokens/file-store.js';
import type { Clock } from '../util/clock.js';
import { LocalLeases } from './local-leases.js';
import { ThrottleBoard } from './throttle-board.js';
import type {
  AccountCoordination,
  AccountSpec,
  Coordination,
  CoordinationDeps,
  CoordinationHealth,
  CoordinationSettings,
} from './types.js';

/** How the leases and health name a process when the settings do not. */
export function defaultProcessName(): string {
  return `${hostname()}-${process.pid}`;
}

/** One account's view of a process-wide budget and throttle board. */
export function localShare(
  account: string,
  budget: WindowBudget,
  board: ThrottleBoard,
  clock: Clock,
): GateShare {
  return {
    take: (now, kind) => board.refusal(account, now) ?? budget.take(now, kind),
    throttled: (until, reason) => {
      board.open(account, until, reason, clock.now());
    },
  };
}

export function createLocalCoordination(
  settings: CoordinationSettings,
  deps: CoordinationDeps,
): Coordination {
  const limits = appBudgetLimits(settings.appUsers);
  const budget = new WindowBudget(() => limits);
  const board = new ThrottleBoard();
  const leases = new LocalLeases();
  const processName = settings.processName || defaultProcessName();
  // One store per account folder for the process's life (see redis/index.ts: a second one on the
  // same folder would recover the temp file of a write still in flight).
  const stores = new Map<string, FileTokenStore>();
  const storeFor = (dataDir: string): FileTokenStore => {
    const store = stores.get(dataDir) ?? new FileTokenStore(dataDir);
    stores.set(dataDir, store);
    return store;
  };
  return {
    mode: 'local',
    leases,
    account(spec: AccountSpec): AccountCoordination {
      return {
        account: spec.name,
        tokens: storeFor(spec.dataDir),
        appUsers: settings.appUsers,
        gateShare: localShare(spec.name, budget, board, deps.clock),
      };
    },
    health(): CoordinationHealth {
      return { mode: 'local', connected: true, process: processName, owned: leases.owned() };
    },
    close: () => leases.stop(),
  };
}
