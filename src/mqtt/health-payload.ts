/** `<base>/bridge/health` and its parts: what the quota is spent on and what is left of it. */

/** The MQTT part of `<base>/bridge/health`; produced by `MqttConnection.status()`. */
export interface MqttHealth {
  connected: boolean;
  /** Successful connections after the first one. */
  reconnects: number;
  /** ISO time of the current connection, absent while disconnected. */
  connected_since?: string;
  /** ISO time the connection was lost, while it is (absent before the first connection). */
  disconnected_since?: string;
  last_error?: string;
  retained_topics: number;
  /** Publishes that were not sent because the broker was unreachable (retained ones return on connect). */
  dropped_while_offline: number;
}

/** `<base>/bridge/health`: what the quota is spent on and what is left of it. */
export interface BridgeHealthPayload {
  uptime_s: number;
  auth: {
    state: 'ok' | 'refreshing' | 'reauth_required' | 'unconfigured';
    token_refreshes: number;
    forced_refreshes: number;
    last_refresh?: string;
    /** Why the newest token exists only in memory (a restart would need a new sign-in). */
    token_not_saved?: string;
  };
  api: {
    /** Calls made in the sliding windows Netatmo counts, and per endpoint since start. */
    calls: { last_10s: number; last_hour: number; by_endpoint: Record<string, number> };
    budget: { per_10s: number; per_hour: number; remaining_10s: number; remaining_hour: number };
    throttle: { active: boolean; retry_at?: string; reason?: string; count: number };
    errors: number;
  };
  commands: { ok: number; failed: number; rejected: number; coalesced: number; last_error?: string };
  polling: PollingHealth;
  mqtt: MqttHealth;
  events: SecurityHealth;
  energy: EnergyHealth;
  /** The account (`accounts[].name`) whose figures these are; absent for a bridge without `accounts`. */
  account?: string;
  /** How this process shares the Netatmo app with others; absent for a standalone bridge. */
  coordination?: CoordinationHealthPayload;
}

/** `bridge/health` → `coordination`: who serves the account and whether tokens can be refreshed. */
export interface CoordinationHealthPayload {
  /** `local`: this process alone (nothing to run); `redis`: processes share coordination.redis_url. */
  mode: 'local' | 'redis';
  /** Redis answers (always true in local mode). */
  connected: boolean;
  /** The process serving the account (its lease holder): coordination.process_name. */
  owner: string;
  /** Why token refreshes wait (Redis down: never refresh without the lock); absent when they need not. */
  refresh_blocked?: string;
}

/** The energy feed (getmeasure per meter and boiler) in `bridge/health`. */
export interface EnergyHealth {
  /** Meters and boilers whose history is read. */
  meters: number;
  /** Of those, the ones whose history has brought values (the others are read rarely). */
  reporting: number;
  /** Buckets counted since start, and buckets read again and skipped (never counted twice). */
  buckets: number;
  duplicates: number;
  /** Rows refused as impossible (negative, beyond what a bucket allows). */
  refused: number;
  /** Missing ranges still asked for (Netatmo delivers late data for a day at most). */
  gaps: number;
  last_read?: string;
}

/** Security events and Netatmo's webhook, in `bridge/health`. */
export interface SecurityHealth {
  /** Events published, by how they arrived first. */
  published: { poll: number; push: number };
  /** Second copies dropped (a push and the poll that read it too). */
  duplicates: number;
  /** `slow` while the webhook delivers (events are polled only as a safety net). */
  polling: 'normal' | 'slow';
  webhook: {
    /** `off` without webhook.public_url; see src/webhook/webhook-registration.ts for the others. */
    state: 'off' | 'registering' | 'activating' | 'active' | 'unreachable' | 'refused' | 'stopped';
    attempts: number;
    registered_at?: string;
    last_error?: string;
    pushes: number;
    last_push?: string;
    /** Pushes refused for a missing or wrong signature. */
    refused: number;
  };
}

/** The poller's part of `bridge/health`: the plan and each publisher's last outcome. */
export interface PollingHealth {
  running: boolean;
  budget_per_hour: number;
  calls_last_hour: number;
  /** One line per publisher: why the intervals are what they are. */
  plan?: string;
  publishers: Array<{
    id: string;
    interval_s: number;
    online: boolean | null;
    failures: number;
    last_success?: string;
    last_error?: string;
    next_due?: string;
  }>;
}
