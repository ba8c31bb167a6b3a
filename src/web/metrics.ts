/**
 * GET /metrics: the numbers of bridge/health in Prometheus format, for standalone users.
 * Its own Registry (never prom-client's global one, so several bridges in one process do not
 * collide), and every value is read from the bridge when scraped, so nothing can go stale.
 */
import { Counter, Gauge, Registry } from 'prom-client';
import type { BridgeHealthPayload } from '../mqtt/topics.js';
import type { WebBridgePort } from './types.js';

const AUTH_STATES = ['ok', 'refreshing', 'reauth_required', 'unconfigured'] as const;

type Source = () => BridgeHealthPayload;

export interface BridgeMetrics {
  readonly registry: Registry;
  readonly contentType: string;
  render(): Promise<string>;
}

const epochSeconds = (iso: string | undefined): number | undefined =>
  iso === undefined ? undefined : Date.parse(iso) / 1000;

export function createBridgeMetrics(bridge: WebBridgePort): BridgeMetrics {
  const registry = new Registry();
  // One health snapshot per scrape, shared by every metric's collect().
  let snapshot: BridgeHealthPayload | undefined;
  const health: Source = () => {
    snapshot ??= bridge.health();
    return snapshot;
  };
  const registers = [registry];

  new Gauge({
    name: 'netatmo2mqtt_up',
    help: '1 while the bridge runs and MQTT is connected (the same test as /healthz)',
    registers,
    collect() {
      this.set(bridge.running && health().mqtt.connected ? 1 : 0);
    },
  });
  new Gauge({
    name: 'netatmo2mqtt_uptime_seconds',
    help: 'Seconds since the bridge started',
    registers,
    collect() {
      this.set(health().uptime_s);
    },
  });
  new Gauge({
    name: 'netatmo2mqtt_auth_state',
    help: 'Netatmo authentication state (1 for the current state)',
    labelNames: ['state'],
    registers,
    collect() {
      const state = health().auth.state;
      for (const s of AUTH_STATES) this.set({ state: s }, s === state ? 1 : 0);
    },
  });
  counter(registry, 'netatmo2mqtt_token_refreshes_total', 'Netatmo token refreshes', () => [
    [{}, health().auth.token_refreshes],
  ]);
  counter(
    registry,
    'netatmo2mqtt_token_forced_refreshes_total',
    'Token refreshes forced to recover from throttling',
    () => [[{}, health().auth.forced_refreshes]],
  );
  gauge(
    registry,
    'netatmo2mqtt_api_calls',
    'Netatmo API calls in the sliding window Netatmo counts',
    ['window'],
    () => [
      [{ window: '10s' }, health().api.calls.last_10s],
      [{ window: '1h' }, health().api.calls.last_hour],
    ],
  );
  gauge(
    registry,
    'netatmo2mqtt_api_budget',
    'Netatmo API calls the bridge plans to make at most per window',
    ['window'],
    () => [
      [{ window: '10s' }, health().api.budget.per_10s],
      [{ window: '1h' }, health().api.budget.per_hour],
    ],
  );
  gauge(
    registry,
    'netatmo2mqtt_api_budget_remaining',
    'Calls polling may still make in the window (command reserve excluded)',
    ['window'],
    () => [
      [{ window: '10s' }, health().api.budget.remaining_10s],
      [{ window: '1h' }, health().api.budget.remaining_hour],
    ],
  );
  gauge(
    registry,
    'netatmo2mqtt_api_calls_last_minute',
    'Netatmo API calls started in the current clock minute',
    [],
    () => [[{}, bridge.netatmo.gate.stats().callsPerMinute.at(-1) ?? 0]],
  );
  counter(
    registry,
    'netatmo2mqtt_api_calls_total',
    'Netatmo API calls since start, per endpoint',
    () => Object.entries(health().api.calls.by_endpoint).map(([endpoint, n]) => [{ endpoint }, n]),
    ['endpoint'],
  );
  counter(registry, 'netatmo2mqtt_api_errors_total', 'Netatmo API calls that failed', () => [
    [{}, health().api.errors],
  ]);
  gauge(registry, 'netatmo2mqtt_throttle_active', '1 while a throttle window is open', [], () => [
    [{}, health().api.throttle.active ? 1 : 0],
  ]);
  gauge(
    registry,
    'netatmo2mqtt_throttle_retry_at_seconds',
    'When the open throttle window ends (epoch seconds)',
    [],
    () => {
      const at = epochSeconds(health().api.throttle.retry_at);
      return at === undefined ? [] : [[{}, at]];
    },
  );
  counter(registry, 'netatmo2mqtt_throttle_windows_total', 'Throttle windows opened', () => [
    [{}, health().api.throttle.count],
  ]);
  counter(
    registry,
    'netatmo2mqtt_commands_total',
    'Device commands by result',
    () => {
      const c = health().commands;
      return [
        [{ result: 'ok' }, c.ok],
        [{ result: 'failed' }, c.failed],
        [{ result: 'rejected' }, c.rejected],
        [{ result: 'coalesced' }, c.coalesced],
      ];
    },
    ['result'],
  );
  gauge(registry, 'netatmo2mqtt_polling_running', '1 while the poller runs', [], () => [
    [{}, health().polling.running ? 1 : 0],
  ]);
  gauge(
    registry,
    'netatmo2mqtt_poll_last_success_seconds',
    'Last successful read per polling publisher (epoch seconds)',
    ['publisher'],
    () =>
      health().polling.publishers.flatMap((p) => {
        const at = epochSeconds(p.last_success);
        return at === undefined ? [] : [[{ publisher: p.id }, at] as Sample];
      }),
  );
  gauge(
    registry,
    'netatmo2mqtt_poll_failures',
    'Consecutive failures per polling publisher',
    ['publisher'],
    () => health().polling.publishers.map((p) => [{ publisher: p.id }, p.failures]),
  );
  gauge(registry, 'netatmo2mqtt_devices', 'Devices known, by availability', ['availability'], () => {
    const devices = bridge.store.devices();
    const online = devices.filter((d) => bridge.store.availability(d.id) === true).length;
    const offline = devices.filter((d) => bridge.store.availability(d.id) === false).length;
    return [
      [{ availability: 'online' }, online],
      [{ availability: 'offline' }, offline],
      [{ availability: 'unknown' }, devices.length - online - offline],
    ];
  });
  gauge(registry, 'netatmo2mqtt_mqtt_connected', '1 while connected to the MQTT broker', [], () => [
    [{}, health().mqtt.connected ? 1 : 0],
  ]);
  counter(registry, 'netatmo2mqtt_mqtt_reconnects_total', 'MQTT reconnections after the first', () => [
    [{}, health().mqtt.reconnects],
  ]);

  return {
    registry,
    contentType: registry.contentType,
    async render(): Promise<string> {
      snapshot = undefined;
      try {
        return await registry.metrics();
      } finally {
        snapshot = undefined;
      }
    },
  };
}

type Labels = Record<string, string>;
type Sample = [Labels, number];

function gauge(
  registry: Registry,
  name: string,
  help: string,
  labelNames: string[],
  samples: () => Sample[],
): void {
  new Gauge({
    name,
    help,
    labelNames,
    registers: [registry],
    collect() {
      this.reset();
      for (const [labels, value] of samples()) this.set(labels, value);
    },
  });
}

/** A counter whose value is owned elsewhere: set on each scrape from the bridge's own count. */
function counter(
  registry: Registry,
  name: string,
  help: string,
  samples: () => Sample[],
  labelNames: string[] = [],
): void {
  new Counter({
    name,
    help,
    labelNames,
    registers: [registry],
    collect() {
      this.reset();
      for (const [labels, value] of samples()) this.inc(labels, value);
    },
  });
}
