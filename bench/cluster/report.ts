/** Scenario 7's part of the benchmark report (bench/report.ts). */
import { fmt, mean } from '../lib/stats.js';
import type { ClusterResult } from './scenario.js';

export function clusterSection(r: ClusterResult | undefined): string[] {
  if (!r) return [];
  const f = r.freshness.filter((a) => Number.isFinite(a.ratio));
  const ratios = f.map((a) => a.ratio);
  const failed = Object.entries(r.forced.failed).map(([kind, n]) => `${n} ${kind}`);
  const lines = [
    '',
    `### 7. Several bridges, many accounts, one app (${r.processes} processes × ${r.accounts} accounts, \`${r.scenario}\`, real Redis, ${r.speed}×)`,
    '',
    `${fmt(r.measuredMinutes, 0)} simulated minutes of steady state after the warm-up; one process killed (SIGKILL) and Redis killed and restarted within them. Limits are the simulator's (Netatmo's for an app with ${r.accounts} users); peaks count every request, throttled ones too.`,
    '',
    '| figure | value | target |',
    '|---|---|---|',
    `| app peak per 10 s / per hour | ${r.peaks.app.per10s} / ${r.peaks.app.perHour} | ≤ ${r.limits.app.per10s} / ${r.limits.app.perHour} |`,
    `| busiest user's peak per 10 s / per hour | ${r.peaks.user.per10s} / ${r.peaks.user.perHour} | ≤ ${r.limits.user.per10s} / ${r.limits.user.perHour} |`,
    `| throttled in steady state (all run; by the app limit) | ${r.throttled.steady} (${r.throttled.total}; ${r.throttled.byAppLimit}) | 0 |`,
    `| calls per account per hour (mean, min–max) | ${fmt(r.calls.perAccountPerHour.mean)} (${fmt(r.calls.perAccountPerHour.min)}–${fmt(r.calls.perAccountPerHour.max)}) | within the account's share |`,
    `| homestatus staleness ÷ bound per account (mean, max) | ${fmt(mean(ratios), 2)}, ${fmt(Math.max(...ratios), 2)} | |`,
    `| mean homestatus staleness per account (s; mean of accounts, max) | ${fmt(mean(f.map((a) => a.meanSec)))}, ${fmt(Math.max(...f.map((a) => a.meanSec)))} | |`,
    `| forced refreshes: calls (rotated / adopted${failed.length > 0 ? ` / ${failed.join(', ')}` : ''}) | ${r.forced.calls} (${r.forced.refreshed} / ${r.forced.adopted}) of ${r.forced.planned} planned | ≥ ${r.forced.target} |`,
    `| invalid_grant (token refreshes at the simulator) | ${r.forced.invalidGrant} (${r.forced.tokenRefreshes}) | 0 |`,
    `| killed ${r.kill.process}: its ${r.kill.accounts} accounts claimed / polled by others after (wall s) | ${fmt(r.kill.claimedAfterWallSec)} / ${fmt(r.kill.polledAfterWallSec)} (${r.kill.unmoved} unmoved) | claimed within the lease TTL (${r.leaseTtlS} s) |`,
    `| polled twice: claims of one account by two processes at once / requests while another process claimed it | ${r.doublePolls.claims} / ${r.doublePolls.polls} | 0 / 0 |`,
    `| Redis away ${fmt(r.redis.downSec, 0)} s: requests meanwhile, token refreshes meanwhile | ${r.redis.requestsWhileDown}, ${r.redis.refreshesWhileDown} | polling goes on until the leases lapse (3/8 of the TTL), 0 refreshes |`,
    `| after Redis is back: every account polled within (s) | ${fmt(r.redis.resumedAfterSec)} (${r.redis.notResumed} never) | by itself |`,
    `| RSS per process, most (MB) | ${Object.entries(r.rssMb)
      .map(([name, mb]) => `${name} ${fmt(mb, 0)}`)
      .join(', ')} | |`,
  ];
  if (r.outputError)
    lines.push(`| MQTT output of the cluster vs one bridge | not compared: ${r.outputError} | |`);
  if (r.output) {
    const o = r.output;
    lines.push(
      `| one process owning all ${o.accounts} accounts: RSS (MB) | ${fmt(o.soloRssMb, 0)} | |`,
      `| MQTT output of the cluster after killing ${o.killed} (${o.killedAccounts} accounts moved) vs one bridge | ${o.differences.length} differences in ${o.topics} retained topics | 0 |`,
    );
  }
  lines.push(
    '',
    "Times are simulated seconds (the clock runs at the speed above), except the leases' (Redis expires them in wall time). Freshness: the bound is H·3600/(2B) with B the calls the account got; a move after the kill and Redis being away count in it.",
  );
  if (r.doublePolls.examples.length > 0)
    lines.push('', `Polled twice: ${r.doublePolls.examples.join('; ')}.`);
  if (r.output && r.output.differences.length > 0)
    lines.push('', 'Output differences:', '', ...r.output.differences.slice(0, 20).map((d) => `    ${d}`));
  return lines;
}
