/**
 * Scenario 5: security events for one simulated hour, polled only and with the webhook. The
 * simulator's event generator raises camera, doorbell, door tag, siren and smoke/CO events in
 * every home with security devices; the bridge runs on the per-user quota of its profile.
 *
 * Figures: API calls per hour against the quota (and per endpoint: what each feed costs),
 * throttles (target 0), events raised vs published (target: all, each once), and the latency
 * from an event to its MQTT publish. Polled latency is mostly the wait for the next read, so it
 * is measured on the simulated clock (s); pushed latency involves no clock at all (Netatmo →
 * bridge → broker), so it is measured in wall ms.
 */
import mqtt from 'mqtt';
import { freePort } from '../../scripts/lib/broker.js';
import { Bridge } from '../../src/bridge/controller.js';
import type { DeviceEventPayload } from '../../src/mqtt/topics.js';
import type { Clock } from '../../src/util/clock.js';
import { benchConfig, type Profile, quotaPerHour, startBenchSimulator, withTempDir } from '../lib/setup.js';
import { percentile } from '../lib/stats.js';

export type SecurityMode = 'polled' | 'pushed';

export interface SecurityTiming {
  /** Simulated ms before measuring: topology, the first events read, the webhook's activation. */
  warmupMs: number;
  /** Simulated ms during which events are raised and calls counted. */
  measureMs: number;
  /** Simulated ms after it, so the last events are still read. */
  tailMs: number;
  /** Mean simulated ms between two events in one home. */
  eventEveryMs: number;
}

export interface SecurityRun {
  scenario: string;
  profile: Profile;
  mode: SecurityMode;
  quotaPerHour: number;
  callsPerHour: number;
  /** Calls per hour by endpoint: what each feed costs. */
  callsPerHourByEndpoint: Record<string, number>;
  throttled: number;
  /** Events (outdoor detections counted one by one) raised in the window. */
  raised: number;
  /** Of those, published on `<device>/event` (each once), and by which path. */
  published: number;
  publishedTwice: number;
  byPoll: number;
  byPush: number;
  /** Polled: simulated seconds from the event to its publish. */
  polledLatencySec: { p50: number; p99: number };
  /** Pushed: wall ms from the event to its publish. */
  pushedLatencyMs: { p50: number; p99: number };
  /** The bridge's plan for the events feed at the end of the window. */
  plan: string;
}

export interface SecurityInput {
  scenario: string;
  profile: Profile;
  mode: SecurityMode;
  clock: Clock;
  mqttUrl: string;
  timing: SecurityTiming;
  tag: string;
}

interface Raised {
  simAt: number;
  wallAt: number;
}

/** The keys the bridge publishes an event under: its id, or `<id>/<sub-event id>` per detection. */
function keysOf(event: { id: string; type: string; subevents?: Array<Record<string, unknown>> }): string[] {
  const subs = event.type === 'outdoor' ? (event.subevents ?? []) : [];
  return subs.length > 0 ? subs.map((s) => `${event.id}/${String(s.id)}`) : [event.id];
}

export async function runSecurityScenario(input: SecurityInput): Promise<SecurityRun> {
  const { clock, timing } = input;
  const sim = await startBenchSimulator(input.scenario, clock, input.profile);
  const raised = new Map<string, Raised>();
  const published = new Map<string, Array<{ simAt: number; wallAt: number; via: string }>>();
  let measuring = false;
  const stopListening = sim.onSecurityEvent((_homeId, event) => {
    if (!measuring) return;
    for (const key of keysOf(event)) raised.set(key, { simAt: clock.now(), wallAt: Date.now() });
  });
  const subscriber = await mqtt.connectAsync(input.mqttUrl, {
    protocolVersion: 4,
    clientId: `${input.tag}_events`,
  });
  subscriber.on('message', (_topic, payload) => {
    const event = JSON.parse(payload.toString()) as DeviceEventPayload;
    const key = event.subevent_id ? `${event.event_id}/${event.subevent_id}` : event.event_id;
    published.set(key, [
      ...(published.get(key) ?? []),
      { simAt: clock.now(), wallAt: Date.now(), via: event.via },
    ]);
  });
  await subscriber.subscribeAsync(`${input.tag}/+/event`, { qos: 1 });
  try {
    return await withTempDir('netatmo2mqtt-bench-security-', async (dataDir) => {
      const port = await freePort();
      const config = benchConfig({
        simUrl: sim.url,
        refreshToken: sim.mintTokens().refresh_token,
        mqttUrl: input.mqttUrl,
        baseTopic: input.tag,
        dataDir,
        profile: input.profile,
        discovery: false,
        extra:
          input.mode === 'pushed'
            ? {
                web: { enabled: true, port, host: '127.0.0.1' },
                webhook: { public_url: `http://127.0.0.1:${port}` },
              }
            : {},
      });
      const bridge = new Bridge({ config, clock });
      await bridge.start();
      const startedAt = clock.now();
      const from = startedAt + timing.warmupMs;
      const to = from + timing.measureMs;
      await clock.sleep(from - clock.now());
      measuring = true;
      await generator(sim.url, { every_ms: timing.eventEveryMs, seed: 7 });
      await clock.sleep(to - clock.now());
      measuring = false;
      await generator(sim.url, { stop: true });
      await clock.sleep(timing.tailMs);
      const plan = bridge.poller.plan?.explanation ?? '';
      await bridge.stop();

      const window = sim.log().filter((e) => e.at >= from && e.at < to && e.endpoint !== 'token');
      const perHour = 3_600_000 / timing.measureMs;
      const callsPerHourByEndpoint: Record<string, number> = {};
      for (const e of window)
        callsPerHourByEndpoint[e.endpoint] = (callsPerHourByEndpoint[e.endpoint] ?? 0) + perHour;
      const polled: number[] = [];
      const pushed: number[] = [];
      let count = 0;
      let twice = 0;
      for (const [key, at] of raised) {
        const seen = published.get(key);
        if (!seen?.[0]) continue;
        count += 1;
        if (seen.length > 1) twice += 1;
        if (seen[0].via === 'push') pushed.push(seen[0].wallAt - at.wallAt);
        else polled.push((seen[0].simAt - at.simAt) / 1000);
      }
      return {
        scenario: input.scenario,
        profile: input.profile,
        mode: input.mode,
        quotaPerHour: quotaPerHour(input.profile),
        callsPerHour: window.length * perHour,
        callsPerHourByEndpoint,
        throttled: sim.log().filter((e) => e.outcome === 'throttled').length,
        raised: raised.size,
        published: count,
        publishedTwice: twice,
        byPoll: polled.length,
        byPush: pushed.length,
        polledLatencySec: { p50: percentile(polled, 50), p99: percentile(polled, 99) },
        pushedLatencyMs: { p50: percentile(pushed, 50), p99: percentile(pushed, 99) },
        plan,
      };
    });
  } finally {
    stopListening();
    await subscriber.endAsync(true);
    await sim.close();
  }
}

/** Starts or stops the simulator's event generator (POST /__sim/events/generator). */
async function generator(simUrl: string, body: Record<string, unknown>): Promise<void> {
  const response = await fetch(`${simUrl}/__sim/events/generator`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`event generator: HTTP ${response.status} ${await response.text()}`);
}
