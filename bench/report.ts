/** The benchmark report: markdown tables of every figure next to its target. */
import { clusterSection } from './cluster/report.js';
import type { ClusterResult } from './cluster/scenario.js';
import type { EnergyResult } from './energy/scenario.js';
import type { FootprintResult } from './footprint/scenario.js';
import type { FreshnessResult } from './freshness/scenario.js';
import type { LatencyResult } from './latency/scenario.js';
import { STAGES, type Stage } from './latency/stages.js';
import { fmt } from './lib/stats.js';
import type { SecurityRun } from './security/scenario.js';
import type { ThrottleRun } from './throttle/scenario.js';

export interface BenchResults {
  date: string;
  machine: { cores: number; node: string; platform: string; broker: string };
  speed: number;
  freshness: FreshnessResult[];
  throttle: ThrottleRun[];
  latency: LatencyResult;
  footprint: FootprintResult[];
  /** Absent in results recorded before scenario 5 existed. */
  security?: SecurityRun[];
  /** Absent in results recorded before scenario 6 existed. */
  energy?: EnergyResult[];
  energySpeed?: number;
  /** Absent in results recorded before scenario 7 existed, or without redis-server. */
  cluster?: ClusterResult;
  wallSeconds: number;
}

const KINDS = ['setpoint', 'measured', 'shutter', 'weather'] as const;

export function renderReport(r: BenchResults): string {
  const lines: string[] = [];
  lines.push(
    `Run ${r.date} on ${r.machine.cores} cores, Node ${r.machine.node}, ${r.machine.platform}, ` +
      `broker ${r.machine.broker}; simulated clock ${r.speed}× real time; ${fmt(r.wallSeconds, 0)} s wall.`,
    '',
    '### 1. Freshness per API call (one simulated hour, quota per user)',
    '',
    'Staleness = time from a change in the simulator to the MQTT publish a subscriber sees, p50/p95 in seconds. ' +
      '`hs mean` = mean over homestatus kinds. Bound = H·3600/(2B).',
    '',
    '| scenario | profile | strategy | calls/h | throttled | ' +
      KINDS.map((k) => `${k} p50/p95`).join(' | ') +
      ' | hs mean |',
    `|---|---|---|---|---|${KINDS.map(() => '---').join('|')}|---|`,
  );
  for (const f of r.freshness) {
    for (const run of Object.values(f.runs)) {
      const cells = KINDS.map((k) => {
        const s = run.staleness[k];
        if (!s || s.changes === 0) return '—';
        const unseen = s.unseen > 0 ? ` (${s.unseen}/${s.changes} unseen)` : '';
        return `${fmt(s.p50Sec)}/${fmt(s.p95Sec)}${unseen}`;
      });
      lines.push(
        `| ${scenarioCell(f)} | ${f.profile} | ${run.strategy} | ${fmt(run.callsPerHour, 0)} | ${run.throttled} | ` +
          `${cells.join(' | ')} | ${fmt(run.meanHomestatusSec)} |`,
      );
    }
  }
  lines.push(
    '',
    '| scenario | profile | (a) staleness ÷ bridge (target ≥ 2) | bridge calls ÷ (a) (target ≤ 1) | bridge ÷ bound at its calls (target ≤ 1.5) | bridge ÷ bound at full quota | bridge throttles (target 0) | bridge polls dropped at deadline |',
    '|---|---|---|---|---|---|---|---|',
  );
  for (const f of r.freshness) {
    lines.push(
      `| ${scenarioCell(f)} | ${f.profile} | ${fmt(f.haStalenessOverBridge, 2)} | ${fmt(f.bridgeCallsOverHa, 2)} | ` +
        `${fmt(f.bridgeVsBoundAtCalls, 2)} (bound ${fmt(f.boundSecAtBridgeCalls)} s) | ` +
        `${fmt(f.bridgeVsBoundAtQuota, 2)} (bound ${fmt(f.boundSecAtQuota)} s) | ${f.runs.bridge.throttled} | ` +
        `${f.runs.bridge.pollsDroppedAtDeadline ?? '—'} |`,
    );
  }
  lines.push(
    '',
    '### 2. Throttle recovery (quota runs out with 20 commands in flight)',
    '',
    '| quota | strategy | first success after throttle (s) | settled (s) | refreshes | invalid_grant | failed | failed with retryAt | duplicated |',
    '|---|---|---|---|---|---|---|---|---|',
  );
  for (const t of r.throttle) {
    lines.push(
      `| ${t.quota} | ${t.strategy} | ${fmt(t.timeToFirstSuccessSec)} | ${fmt(t.settleSec)} | ${t.tokenRefreshes} | ` +
        `${t.invalidGrant} | ${t.failed}/${t.commands} | ${t.failedWithRetryAt} | ${t.duplicated} |`,
    );
  }
  lines.push(
    '',
    'Targets: per-token → one refresh, zero failures; per-user → fast, explicit failure with retryAt.',
  );
  lines.push(
    ...latencySection(r.latency),
    ...footprintSection(r.footprint),
    ...securitySection(r.security ?? [], r.speed),
    ...energySection(r.energy ?? [], r.energySpeed ?? r.speed),
    ...clusterSection(r.cluster),
  );
  return lines.join('\n');
}

const STAGE_NAMES: Record<Stage, string> = {
  broker: 'publish → bridge handler (broker, MQTT parse)',
  router: 'handler → queued at the gate (validate, coalesce, dispatch)',
  gate: 'queued → started',
  token: 'access token',
  http: 'token → simulator (request build, HTTP)',
};

function scenarioCell(f: FreshnessResult): string {
  return f.speed === undefined ? f.scenario : `${f.scenario} (${f.speed}×)`;
}

function latencySection(l: LatencyResult): string[] {
  return [
    '',
    `### 3. Command latency (${l.commands} single clicks, simulator latency 0, broker: ${l.broker})`,
    '',
    'MQTT publish of `<base>/<room>/set` → `setroomthermpoint` received by the simulator, against the same call made directly over HTTP by the bench process, interleaved.',
    '',
    '| path | p50 (ms) | p99 (ms) | max (ms) |',
    '|---|---|---|---|',
    `| direct HTTP | ${fmt(l.direct.p50Ms, 2)} | ${fmt(l.direct.p99Ms, 2)} | ${fmt(l.direct.maxMs, 2)} |`,
    `| MQTT → bridge → HTTP | ${fmt(l.bridge.p50Ms, 2)} | ${fmt(l.bridge.p99Ms, 2)} | ${fmt(l.bridge.maxMs, 2)} |`,
    '',
    `Bridge-added: p50 ${fmt(l.addedP50Ms, 2)} ms, p99 ${fmt(l.addedP99Ms, 2)} ms (target < 5 ms at p99); ` +
      `bridge ÷ direct: p50 ${fmt(l.ratioP50, 2)}, p99 ${fmt(l.ratioP99, 2)}. ` +
      `Answered ok: ${l.ok}/${l.commands}, failed ${l.failed}.`,
    '',
    'Where the bridge path goes (ms, p50/p99 of each stage on its own): ' +
      STAGES.map((s) => `${STAGE_NAMES[s]} ${fmt(l.stages[s].p50Ms, 2)}/${fmt(l.stages[s].p99Ms, 2)}`).join(
        ', ',
      ) +
      '.',
  ];
}

function footprintSection(runs: FootprintResult[]): string[] {
  const lines = [
    '',
    '### 4. Footprint and scale (the bridge in its own process, real time, own_app quota)',
    '',
    '| scenario | modules discovered | all discovered after topology (s, target < 5) | MQTT msgs/s at start-up (mean / peak 1 s) | steady RSS MB (last / max) | steady CPU % of a core (target < 2) |',
    '|---|---|---|---|---|---|',
  ];
  for (const f of runs) {
    lines.push(
      `| ${f.scenario} | ${f.modulesDiscovered}/${f.modules} (${f.discoveryConfigs} configs) | ` +
        `${discoveryTime(f)} | ${fmt(f.startupMessagesPerSec, 0)} / ${f.startupPeakMessagesPerSec} | ` +
        `${fmt(f.steadyRssMb, 0)} / ${fmt(f.steadyMaxRssMb, 0)} | ${fmt(f.steadyCpuPercent, 2)} |`,
    );
  }
  lines.push(
    '',
    'Modules discovered = retained configs a fresh subscriber finds after the burst, joined with what the live (QoS 0) watcher saw; ' +
      '"n recounted" = configs the live watcher lost (broker queue overflow), published at the latest when the recount began (the ≤ bound).',
    'RSS targets: < 80 MB idle (fixtures), < 200 MB (`scale:100,50`).',
  );
  return lines;
}

function discoveryTime(f: FootprintResult): string {
  const live = fmt(f.allDiscoveredAfterTopologySec, 2);
  if (f.modulesRecounted === 0 || Number.isNaN(f.allDiscoveredUpperBoundSec)) return live;
  return `${live} (≤ ${fmt(f.allDiscoveredUpperBoundSec, 2)}; ${f.modulesRecounted} recounted)`;
}

function securitySection(runs: SecurityRun[], speed: number): string[] {
  if (runs.length === 0) return [];
  const lines = [
    '',
    '### 5. Security events (one simulated hour, quota per user, event generator in every home with security devices)',
    '',
    '| scenario | profile | mode | calls/h (quota) | getevents/h | homestatus/h | throttled (target 0) | events published / raised (target all) | twice (target 0) | polled p50/p99 (s) | pushed p50/p99 (ms) |',
    '|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const s of runs) {
    const perHour = (endpoint: string): string => fmt(s.callsPerHourByEndpoint[endpoint] ?? 0, 0);
    lines.push(
      `| ${s.scenario} | ${s.profile} | ${s.mode} | ${fmt(s.callsPerHour, 0)} (${s.quotaPerHour}) | ${perHour('getevents')} | ` +
        `${perHour('homestatus')} | ${s.throttled} | ${s.published}/${s.raised} (${s.byPoll} polled, ${s.byPush} pushed) | ` +
        `${s.publishedTwice} | ${fmt(s.polledLatencySec.p50)}/${fmt(s.polledLatencySec.p99)} | ` +
        `${fmt(s.pushedLatencyMs.p50, 0)}/${fmt(s.pushedLatencyMs.p99, 0)} |`,
    );
  }
  lines.push(
    '',
    `Polled latency is the wait for the next \`getevents\` of the home, on the simulated clock (${speed}×); pushed latency is wall time ` +
      'from the simulator raising the event to the subscriber receiving it (Netatmo → webhook → bridge → broker), no clock involved. ' +
      'With the webhook, `getevents` becomes a slow safety net and its budget goes to homestatus.',
  );
  for (const s of runs) lines.push('', `Plan (${s.scenario}, ${s.profile}, ${s.mode}): ${s.plan}`);
  return lines;
}

function energySection(results: EnergyResult[], speed: number): string[] {
  if (results.length === 0) return [];
  const hours = results[0]?.simulatedHours ?? 0;
  const lines = [
    '',
    `### 6. Energy meters (${fmt(hours, 0)} simulated hours at ${speed}×, \`scale:1,28\` alone and with 20 NLPC meters, quota per user)`,
    '',
    '| profile | scenario | calls/h (quota) | getmeasure/h | homestatus/h | throttled (target 0) | mean homestatus age (s) | meters shown / exact / added (target: exact = shown) |',
    '|---|---|---|---|---|---|---|---|',
  ];
  for (const e of results) {
    for (const run of [e.without, e.with]) {
      lines.push(
        `| ${e.profile} | ${run.scenario} | ${fmt(run.callsPerHour, 0)} (${e.quotaPerHour}) | ${fmt(run.getmeasurePerHour)} | ` +
          `${fmt(run.homestatusPerHour)} | ${run.throttled} | ${fmt(run.meanHomestatusAgeSec)} | ` +
          `${run.metersShown} / ${run.metersExact} / ${run.meters} |`,
      );
    }
  }
  lines.push(
    '',
    'Homestatus freshness with meters ÷ without (target ≤ 1.10): ' +
      results.map((e) => `${e.profile} ${fmt(e.freshnessRatio, 3)}`).join(', ') +
      '. Exact = the energy the bridge shows equals what the simulator counted from its first bucket to its last. ' +
      'On a tight budget meters are read less often than once a day (each read catches up every bucket since the last).',
  );
  for (const e of results) lines.push('', `Plan (${e.profile}, meters:20): ${e.with.plan}`);
  return lines;
}
