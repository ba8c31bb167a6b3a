/**
 * The coordination the host builds once per process: in-process by default, through Redis
 * with `settings.redisUrl`. See types.ts for the contract.
 */
import { createLocalCoordination } from './local.js';
import { createRedisCoordination } from './redis/index.js';
import type { AccountCoordination, Coordination, CoordinationDeps, CoordinationSettings } from './types.js';

export type * from './types.js';

/** Settings of a process with one account and no Redis: the bridge as it always was. */
export const SINGLE_ACCOUNT_SETTINGS: CoordinationSettings = {
  keyPrefix: 'netatmo2mqtt',
  leaseTtlMs: 30_000,
  appUsers: 1,
};

/**
 * Throws RedisSettingsError (naming `coordination.redis_url`) for a URL it cannot use; never
 * waits for Redis: it connects in the background and reconnects by itself.
 */
export function createCoordination(settings: CoordinationSettings, deps: CoordinationDeps): Coordination {
  if (!Number.isInteger(settings.appUsers) || settings.appUsers < 1) {
    throw new RangeError(
      `coordination: the number of accounts sharing the app must be ≥ 1, got ${settings.appUsers}`,
    );
  }
  const { redisUrl } = settings;
  return redisUrl
    ? createRedisCoordination({ ...settings, redisUrl }, deps)
    : createLocalCoordination(settings, deps);
}

/** The one account of a bridge without coordination settings: its token in `dataDir`. */
export function singleAccountCoordination(dataDir: string, deps: CoordinationDeps): AccountCoordination {
  return createLocalCoordination(SINGLE_ACCOUNT_SETTINGS, deps).account({ name: 'default', dataDir });
}
