/**
 * Scenario 4, footprint and scale: the bridge in its own process against the simulator (real
 * time, the profile's real quota), watched by a plain MQTT subscriber. Figures: time from the
 * topology answer (homesdata received by the simulator) to a discovery config for every
 * module, MQTT messages per second at start-up, and once settled the bridge's RSS and CPU.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import mqtt from 'mqtt';
import { moduleDeviceId } from '../../src/devices/ids.js';
import { startSimulator } from '../../src/simulator/index.js';
import { seedForScenario } from '../../src/simulator/scenarios/index.js';
import { limitsForProfile, withTempDir } from '../lib/setup.js';
import { BridgeProcess, type ProcessSample } from './bridge-process.js';
import { retainedConfigDevices } from './retained-configs.js';

/**
 * The burst is over when no new module config has arrived live for this long (wall ms) and a
 * fresh subscriber's count of retained configs stopped growing. The bridge builds 5000 devices
 * before the bulk of the configs, a pause longer than a second on a busy machine.
 */
const BURST_QUIET_MS = 3_000;

export interface FootprintTiming {
  /** Wall ms to wait for every discovery config before giving up. */
  discoveryTimeoutMs: number;
  /** Wall ms after the last discovery config before steady state is measured. */
  settleMs: number;
  /** Wall ms of steady state over which CPU is measured and RSS sampled. */
  steadyMs: number;
}

export interface FootprintResult {
  scenario: string;
  modules: number;
  /** Modules with a retained discovery config after the burst (live watcher ∪ fresh subscriber). */
  modulesDiscovered: number;
  discoveryConfigs: number;
  /** Modules whose config only the fresh subscriber saw: the live watcher lost them. */
  modulesRecounted: number;
  /** Seconds from the bridge process's spawn to the simulator receiving homesdata. */
  topologyAfterStartSec: number;
  /**
   * Seconds from homesdata to the last module config the live watcher saw (NaN when not every
   * module has a retained config). When the recount found configs the watcher lost, they were
   * published before the recount began: `allDiscoveredUpperBoundSec` bounds the time from above.
   */
  allDiscoveredAfterTopologySec: number;
  allDiscoveredUpperBoundSec: number;
  /** Messages the subscriber saw from spawn until every module was discovered, per second. */
  startupMessagesPerSec: number;
  /** The busiest one-second bucket in that span. */
  startupPeakMessagesPerSec: number;
  startupMessages: number;
  /** At steady state: last and highest RSS sample, MB. */
  steadyRssMb: number;
  steadyMaxRssMb: number;
  /** CPU time ÷ wall time over the steady window, % of one core. */
  steadyCpuPercent: number;
  exitCode: number | null;
}

export async function runFootprintScenario(options: {
  scenario: string;
  mqttUrl: string;
  timing: FootprintTiming;
  tag: string;
}): Promise<FootprintResult> {
  const seed = seedForScenario(options.scenario, Date.now());
  const moduleIds = seed.homes.flatMap((h) => (h.modules ?? []).map((m) => moduleDeviceId(m.id)));
  const sim = await startSimulator({
    scenario: options.scenario,
    quota: 'per-user',
    limits: limitsForProfile('own_app'),
  });
  let topologyAt = Number.NaN;
  const stopListening = sim.onApiRequest((endpoint) => {
    if (endpoint === 'homesdata' && Number.isNaN(topologyAt)) topologyAt = performance.now();
  });
  const base = `${options.tag}_fp`;
  const prefix = `${options.tag}_ha`;
  const configPrefix = `${prefix}/device/${base}/`;
  const arrivals: number[] = [];
  const discovered = new Map<string, number>();
  let lastConfigAt = Number.NaN;
  const retained = new Set<string>();
  const watcher = await mqtt.connectAsync(options.mqttUrl, { clientId: `${base}_watch` });
  watcher.on('message', (topic, payload, packet) => {
    const at = performance.now();
    if (payload.length === 0) return;
    arrivals.push(at);
    if (packet.retain || topic.startsWith(prefix)) retained.add(topic);
    if (topic.startsWith(configPrefix) && topic.endsWith('/config')) {
      const device = topic.slice(configPrefix.length, -'/config'.length);
      if (!discovered.has(device)) {
        discovered.set(device, at);
        lastConfigAt = at;
      }
    }
  });
  // QoS 0, as Home Assistant subscribes to discovery.
  await watcher.subscribeAsync([`${base}/#`, `${prefix}/#`], { qos: 0 });
  try {
    return await withTempDir('netatmo2mqtt-bench-footprint-', async (dir) => {
      const configFile = join(dir, 'config.json');
      await writeFile(
        configFile,
        JSON.stringify({
          netatmo: { base_url: sim.url, refresh_token: sim.mintTokens().refresh_token, profile: 'own_app' },
          mqtt: { url: options.mqttUrl, base_topic: base, client_id: `${base}_bridge` },
          homeassistant: { enabled: true, discovery_prefix: prefix },
          data_dir: join(dir, 'data'),
          log_level: 'warning',
          web: { enabled: false },
        }),
      );
      const spawnedAt = performance.now();
      const bridge = await BridgeProcess.start(configFile);
      try {
        const liveEnd = await waitFor(
          () =>
            moduleIds.every((id) => discovered.has(id)) || performance.now() - lastConfigAt > BURST_QUIET_MS,
          options.timing.discoveryTimeoutMs,
          bridge,
        );
        // Recount until every module has a retained config or the count stops growing (the
        // live watcher keeps recording meanwhile, so its times stay current).
        let recountAt = performance.now();
        let retainedNow = await retainedConfigDevices(options.mqttUrl, configPrefix, `${base}_recount`);
        for (let round = 1; liveEnd !== undefined && round < 20; round++) {
          if (moduleIds.every((id) => discovered.has(id) || retainedNow.has(id))) break;
          await sleep(BURST_QUIET_MS);
          const again = await retainedConfigDevices(options.mqttUrl, configPrefix, `${base}_recount`);
          const grew = again.size > retainedNow.size;
          recountAt = performance.now();
          retainedNow = again;
          if (!grew) break;
        }
        const lateModules = moduleIds.filter((id) => retainedNow.has(id) && !discovered.has(id));
        const lateConfigs = [...retainedNow].filter((id) => !discovered.has(id)).length;
        const isDiscovered = (id: string): boolean => discovered.has(id) || retainedNow.has(id);
        const allRetained = moduleIds.every(isDiscovered);
        const startupEnd = liveEnd === undefined ? performance.now() : lastConfigAt;
        const startup = arrivals.filter((t) => t <= startupEnd);
        const buckets = new Map<number, number>();
        for (const t of startup) {
          const second = Math.floor((t - spawnedAt) / 1000);
          buckets.set(second, (buckets.get(second) ?? 0) + 1);
        }
        await sleep(options.timing.settleMs);
        const samples: ProcessSample[] = [await bridge.sample()];
        const steadyStart = performance.now();
        while (performance.now() - steadyStart < options.timing.steadyMs) {
          await sleep(Math.min(1000, options.timing.steadyMs));
          samples.push(await bridge.sample());
        }
        const steadyWallSec = (performance.now() - steadyStart) / 1000;
        const first = samples[0] as ProcessSample;
        const last = samples[samples.length - 1] as ProcessSample;
        const lastLive = Math.max(...moduleIds.map((id) => discovered.get(id) ?? Number.NEGATIVE_INFINITY));
        const lastDiscovery = lateModules.length > 0 ? recountAt : lastLive;
        const result: Omit<FootprintResult, 'exitCode'> = {
          scenario: options.scenario,
          modules: moduleIds.length,
          modulesDiscovered: moduleIds.filter(isDiscovered).length,
          discoveryConfigs: discovered.size + lateConfigs,
          modulesRecounted: lateModules.length,
          topologyAfterStartSec: (topologyAt - spawnedAt) / 1000,
          allDiscoveredAfterTopologySec: allRetained ? (lastLive - topologyAt) / 1000 : Number.NaN,
          allDiscoveredUpperBoundSec: allRetained ? (lastDiscovery - topologyAt) / 1000 : Number.NaN,
          startupMessagesPerSec: startup.length / Math.max((startupEnd - spawnedAt) / 1000, 1e-3),
          startupPeakMessagesPerSec: Math.max(0, ...buckets.values()),
          startupMessages: startup.length,
          steadyRssMb: last.rssBytes / 2 ** 20,
          steadyMaxRssMb: Math.max(...samples.map((s) => s.rssBytes)) / 2 ** 20,
          steadyCpuPercent: (100 * (last.cpuSec - first.cpuSec)) / steadyWallSec,
        };
        return { ...result, exitCode: await bridge.stop() };
      } finally {
        await bridge.stop();
      }
    });
  } finally {
    stopListening();
    await watcher.unsubscribeAsync([`${base}/#`, `${prefix}/#`]);
    // Leave nothing retained on a shared broker.
    for (const t of retained) watcher.publish(t, '', { retain: true, qos: 0 });
    await watcher.publishAsync(`${base}/bridge/cleared`, '', { qos: 1 });
    await watcher.endAsync();
    await sim.close();
  }
}

/** Resolves with the time `done()` first held, or undefined on timeout or if the process exits. */
async function waitFor(
  done: () => boolean,
  timeoutMs: number,
  bridge: BridgeProcess,
): Promise<number | undefined> {
  const start = performance.now();
  let exited = false;
  void bridge.exited.then(() => {
    exited = true;
  });
  while (performance.now() - start < timeoutMs && !exited) {
    if (done()) return performance.now();
    await sleep(20);
  }
  if (exited) throw new Error(`the bridge process exited during start-up: ${bridge.stderr}`);
  return undefined;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
