import { describe, expect, it } from 'vitest';
import { APP_SCALING_USERS, appLimitFor, NETATMO_LIMITS } from '../../src/netatmo/quota.js';

describe('appLimitFor', () => {
  it('is the small-app limit below the scaling threshold', () => {
    expect(appLimitFor(1)).toEqual(NETATMO_LIMITS.app);
    expect(appLimitFor(APP_SCALING_USERS - 1)).toEqual(NETATMO_LIMITS.app);
  });

  it('grows with the users from the threshold on', () => {
    const users = APP_SCALING_USERS * 3;
    expect(appLimitFor(users)).toEqual({
      per10s: NETATMO_LIMITS.appPerUser.per10s * users,
      perHour: NETATMO_LIMITS.appPerUser.perHour * users,
    });
  });
});
