import { describe, expect, it } from 'vitest';
import { APP_SCALING_USERS, appLimit, NETATMO_LIMITS } from '../../src/netatmo/quota.js';

describe('appLimit', () => {
  it('refuses an app without users', () => {
    expect(() => appLimit(0)).toThrow(/app users must be ≥ 1/);
  });

  it('is the small-app limit below the scaling threshold', () => {
    expect(appLimit(1)).toEqual(NETATMO_LIMITS.app);
    expect(appLimit(APP_SCALING_USERS - 1)).toEqual(NETATMO_LIMITS.app);
  });

  it('grows with the users from the threshold on', () => {
    const users = APP_SCALING_USERS * 3;
    expect(appLimit(users)).toEqual({
      per10s: NETATMO_LIMITS.appPerUser.per10s * users,
      perHour: NETATMO_LIMITS.appPerUser.perHour * users,
    });
  });
});
