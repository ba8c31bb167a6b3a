/**
 * Coordination through Redis (`coordination.redis_url`): what the processes sharing one
 * Netatmo app share — each account's token (compare-and-set), its refresh lock, the budgets
 * and throttle windows of every account and of the app, and who polls which account (leases).
 * See the modules beside this one for each part and what happens while Redis is away.
 */
import { appBudgetLimits, type GateLimits, gateLimitsForProfile } from '../../netatmo/gate/limits.js';
import { WindowBudget } from '../../netatmo/gate/window-budget.js';
import { FileTokenStore } from '../../tokens/file-store.js';
import { defaultProcessName } from '../local.js';
import { ThrottleBoard } from '../throttle-board.js';
import type {
  AccountCoordination,
  AccountSpec,
  Coordination,
  CoordinationDeps,
  CoordinationHealth,
  CoordinationSettings,
} from '../types.js';
import { DEFAULT_CONNECTION_TUNING, RedisConnection } from './connection.js';
import { RedisGateShare } from './gate-share.js';
import { RedisKeys } from './keys.js';
import { RedisLeases } from './leases.js';
import { DEFAULT_REFRESH_LOCK_TUNING, RedisRefreshLock, RefreshBlock } from './refresh-lock.js';
import { RedisTokenStore } from './token-store.js';

interface Account {
  store: RedisTokenStore;
  share: RedisGateShare;
}

/**
 * `lease_ttl_s` is what users are promised: a dead process's accounts move within it. A lease
 * expires in Redis at most its expiry after the last renewal and is claimed within one lease round
 * (a quarter of the expiry) after that, so the expiry is three quarters of the setting.
 */
export function leaseExpiryMs(leaseTtlMs: number): number {
  return Math.floor((leaseTtlMs * 3) / 4);
}

export function createRedisCoordination(
  settings: CoordinationSettings & { redisUrl: string },
  deps: CoordinationDeps,
): Coordination {
  const tuning = deps.tuning ?? {};
  const processName = settings.processName || defaultProcessName();
  const connection = new RedisConnection(settings.redisUrl, settings.redisPassword, processName, {
    ...DEFAULT_CONNECTION_TUNING,
    ...(tuning.commandTimeoutMs === undefined ? {} : { commandTimeoutMs: tuning.commandTimeoutMs }),
  });
  const keys = new RedisKeys(settings.keyPrefix);
  const block = new RefreshBlock();
  const board = new ThrottleBoard();
  const accounts = new Map<string, Account>();
  const appLimits = tuning.appLimits ?? appBudgetLimits(settings.appUsers);
  const restoreTokens = (): void => {
    for (const { store } of accounts.values()) void store.restore().catch(() => undefined);
  };
  const leases = new RedisLeases(connection, keys, processName, leaseExpiryMs(settings.leaseTtlMs), {
    onRedisReset: restoreTokens,
  });
  // Redis away: this process's owned share of the app budget, halved (at least one call per window).
  const fallback = new WindowBudget((): GateLimits => {
    const share = Math.max(1, leases.owned().length) / Math.max(1, settings.appUsers) / 2;
    return {
      per10s: Math.max(1, Math.floor(appLimits.per10s * share)),
      perHour: Math.max(1, Math.floor(appLimits.perHour * share)),
    };
  }, tuning.windowsMs);
  connection.onChange((up) => {
    if (!up) return;
    block.clear();
    restoreTokens();
    for (const { share } of accounts.values()) void share.replayOffline();
  });
  void connection.connect();
  const lockTuning = {
    ...DEFAULT_REFRESH_LOCK_TUNING,
    ...(tuning.refreshLockTtlMs === undefined ? {} : { ttlMs: tuning.refreshLockTtlMs }),
    ...(tuning.refreshWaitMs === undefined ? {} : { waitMs: tuning.refreshWaitMs }),
  };

  return {
    mode: 'redis',
    leases: {
      start: async (names, handlers) => {
        await connection.connect();
        await leases.start(names, handlers);
      },
      stop: () => leases.stop(),
      holds: (account) => leases.holds(account),
      owned: () => leases.owned(),
    },
    account(spec: AccountSpec): AccountCoordination {
      // One store per account for the process's life: a second file copy on the same folder would
      // recover (move) the temp file of a write the first still has in flight.
      const store =
        accounts.get(spec.name)?.store ??
        new RedisTokenStore(connection, keys.token(spec.name), new FileTokenStore(spec.dataDir));
      const share = new RedisGateShare({
        account: spec.name,
        connection,
        keys,
        clock: deps.clock,
        userLimits: tuning.userLimits ?? gateLimitsForProfile(spec.profile ?? 'own_app', settings.appUsers),
        appLimits,
        fallback,
        board,
        ...(tuning.windowsMs ? { windowsMs: tuning.windowsMs } : {}),
      });
      accounts.set(spec.name, { store, share });
      return {
        account: spec.name,
        tokens: store,
        appUsers: settings.appUsers,
        gateShare: share,
        refreshLock: new RedisRefreshLock(connection, keys.refreshLock(spec.name), block, lockTuning),
      };
    },
    health(): CoordinationHealth {
      const up = connection.up;
      return {
        mode: 'redis',
        connected: up,
        process: processName,
        owned: leases.owned(),
        ...(block.reason === undefined ? {} : { refresh_blocked: block.reason }),
        live_processes: leases.liveProcesses,
        budget: up ? 'redis' : 'local_fallback',
        accounts: Object.fromEntries(
          [...accounts].map(([name, a]) => [
            name,
            { holds: leases.holds(name), offline_starts: a.share.offlineStarts },
          ]),
        ),
      };
    },
    close: async () => {
      await leases.stop();
      await connection.close();
    },
  };
}
