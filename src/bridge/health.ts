/**
 * Builds `bridge/health` from the numbers each part keeps: what the quota is spent on, what
 * is left of it, throttle windows, token refreshes, polling, MQTT, events and the webhook, and
 * the energy meters. The status page and `/metrics` read the same payload.
 */
import type { CommandStats } from '../commands/types.js';
import type {
  BridgeHealthPayload,
  EnergyHealth,
  MqttHealth,
  PollingHealth,
  SecurityHealth,
} from '../mqtt/topics.js';
import type { AuthStats } from '../netatmo/auth.js';
import type { GateStats } from '../netatmo/gate.js';
import type { SessionStats } from '../netatmo/session.js';
import type { PollerStatus } from '../poller/poller.js';

export interface HealthSources {
  startedAt: number;
  now: number;
  auth: AuthStats;
  gate: GateStats;
  session: SessionStats;
  poller: PollerStatus;
  mqtt: MqttHealth;
  commands: CommandStats;
  events: SecurityHealth;
  energy: EnergyHealth;
}

const iso = (ms: number | null | undefined): string | undefined =>
  ms === null || ms === undefined ? undefined : new Date(ms).toISOString();

export function buildHealth(s: HealthSources): BridgeHealthPayload {
  const window = s.gate.throttleWindow;
  const failed = Object.values(s.session.failed).reduce((sum, n) => sum + (n ?? 0), 0);
  return {
    uptime_s: Math.round((s.now - s.startedAt) / 1000),
    auth: {
      state: s.auth.state === 'no_token' ? 'unconfigured' : s.auth.state,
      token_refreshes: s.auth.refreshes,
      forced_refreshes: s.auth.forcedRefreshes,
      ...(s.auth.lastRefreshAt === undefined ? {} : { last_refresh: iso(s.auth.lastRefreshAt) }),
      ...(s.auth.persistError === undefined ? {} : { token_not_saved: s.auth.persistError }),
    },
    api: {
      calls: {
        last_10s: s.gate.callsLast10s,
        last_hour: s.gate.callsLastHour,
        by_endpoint: s.session.byEndpoint,
      },
      budget: {
        per_10s: s.gate.limits.per10s,
        per_hour: s.gate.limits.perHour,
        remaining_10s: s.gate.remaining10s,
        remaining_hour: s.gate.remainingHour,
      },
      throttle: {
        active: window !== undefined,
        ...(window ? { retry_at: iso(window.until), reason: window.reason } : {}),
        count: s.gate.windowsOpened,
      },
      errors: failed,
    },
    commands: s.commands,
    polling: pollingHealth(s.poller),
    mqtt: s.mqtt,
    events: s.events,
    energy: s.energy,
  };
}

function pollingHealth(status: PollerStatus): PollingHealth {
  return {
    running: status.running,
    budget_per_hour: status.budgetPerHour,
    calls_last_hour: status.ownCallsLastHour,
    ...(status.plan ? { plan: status.plan.explanation } : {}),
    publishers: status.publishers.map((p) => ({
      id: p.id,
      interval_s: Math.round(p.intervalMs / 1000),
      online: p.online,
      failures: p.failures,
      ...(p.lastSuccessAt === null ? {} : { last_success: iso(p.lastSuccessAt) }),
      ...(p.lastError === null
        ? {}
        : { last_error: String(p.lastError.message ?? p.lastError.kind ?? 'error') }),
      ...(p.nextDueAt === null ? {} : { next_due: iso(p.nextDueAt) }),
    })),
  };
}
