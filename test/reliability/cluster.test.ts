/**
 * Issue 17's proof, short: three bridge processes share six accounts of one simulated Netatmo
 * app through a real Redis, on one clock 60× faster than wall time (bench/cluster/scenario.ts;
 * `npm run bench` runs the full 3 × 30 over a simulated hour). Along the way every process
 * forces refreshes of every account, the busiest process gets SIGKILL, and Redis is killed and
 * restarted. Then the cluster's MQTT output is compared with one bridge's.
 */
import { describe, expect, it } from 'vitest';
import { redisServerMissing } from '../../bench/cluster/redis-server.js';
import { clusterSection } from '../../bench/cluster/report.js';
import { type ClusterPlan, runClusterScenario } from '../../bench/cluster/scenario.js';
import { ScaledClock } from '../../src/util/clock.js';
import { useTestBroker } from '../support/broker.js';

const MINUTE = 60_000;
const ACCOUNTS = 6;
const PROCESSES = 3;

const PLAN: ClusterPlan = {
  accounts: ACCOUNTS,
  processes: PROCESSES,
  scenario: `scale:${ACCOUNTS},28`,
  speed: 60,
  leaseTtlS: 5,
  // Four rounds (5.5 simulated minutes apart) in which every process forces a refresh of every
  // account; the killed process's later rounds and a round before the tokens are stored are lost.
  forcedRefreshes: 2 * ACCOUNTS * PROCESSES,
  timing: {
    warmupMs: 3 * MINUTE,
    measureMs: 20 * MINUTE,
    tailMs: 4 * MINUTE,
    killAtMs: 10 * MINUTE,
    redisDownAtMs: 16 * MINUTE,
    redisDownMs: 2 * MINUTE,
    activityEveryMs: 3 * MINUTE,
  },
  checkOutput: true,
};

const skip = redisServerMissing();
if (skip) process.stderr.write(`[test] cluster proof skipped: ${skip} (it needs a Redis of its own)\n`);

describe.skipIf(skip !== undefined)('3 bridge processes × 6 accounts on one app, through Redis', () => {
  it('keep every limit, never spend a token twice, move a dead process’s accounts, survive Redis, publish what one bridge does', async () => {
    const broker = await useTestBroker();
    try {
      const r = await runClusterScenario({
        plan: PLAN,
        clock: new ScaledClock(PLAN.speed),
        mqttUrl: broker.url,
        tag: `n2mtest_cluster_${process.pid}`,
      });
      // The figures, shown when an expectation fails.
      console.log(clusterSection(r).join('\n'));

      // Netatmo's limits, as the simulator counted every request (throttled ones too).
      expect(r.peaks.app.per10s).toBeLessThanOrEqual(r.limits.app.per10s);
      expect(r.peaks.app.perHour).toBeLessThanOrEqual(r.limits.app.perHour);
      expect(r.peaks.user.per10s).toBeLessThanOrEqual(r.limits.user.per10s);
      expect(r.peaks.user.perHour).toBeLessThanOrEqual(r.limits.user.perHour);
      expect(r.throttled).toEqual({ total: 0, steady: 0, byAppLimit: 0 });
      expect(r.calls.perAccountPerHour.min).toBeGreaterThan(0);
      expect(r.calls.unattributed).toBe(0);

      // Forced refreshes from every process, contending for each account's token: some rotate
      // it, the others find the new pair; none is refused as spent (a call may only wait too
      // long for the lock while Redis is away, or come too soon after its last one).
      expect(r.forced.calls).toBeGreaterThanOrEqual(r.forced.target);
      expect(r.forced.refreshed).toBeGreaterThan(0);
      expect(r.forced.adopted).toBeGreaterThan(0);
      const failures = Object.keys(r.forced.failed);
      expect(failures.filter((kind) => kind !== 'transient' && kind !== 'throttle_window')).toEqual([]);
      expect(r.forced.invalidGrant).toBe(0);

      // The killed process's accounts moved within the lease TTL, as DOCS promises (a second more
      // for the 200-ms ownership samples and a busy CI machine), and no account was claimed by
      // two processes at once or polled by one while another claimed it.
      expect(r.kill.accounts).toBeGreaterThan(0);
      expect(r.kill.unmoved).toBe(0);
      expect(r.kill.claimedAfterWallSec).toBeLessThanOrEqual(PLAN.leaseTtlS + 1);
      expect(r.doublePolls).toEqual({ claims: 0, polls: 0, examples: [] });

      // Redis away: polling went on, no refresh without the lock, everything resumed by itself.
      expect(r.redis.requestsWhileDown).toBeGreaterThan(0);
      expect(r.redis.refreshesWhileDown).toBe(0);
      expect(r.redis.notResumed).toBe(0);

      // Every account's changes reached its topics.
      for (const account of r.freshness)
        expect(account.unseen, account.account).toBeLessThan(account.changes);

      expect(r.output?.killedAccounts).toBeGreaterThan(0);
      expect(r.output?.differences).toEqual([]);
      expect(r.output?.topics).toBeGreaterThan(ACCOUNTS * 28);
    } finally {
      await broker.close();
    }
  }, 240_000);
});
