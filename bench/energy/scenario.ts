/**
 * Scenario 6: energy meters for one simulated day. The home of `scale:1,28` alone and with 20
 * NLPC meters (`meters:20`), side by side on one clock, each against its own simulator on the
 * per-user quota of its profile.
 *
 * Figures: calls per hour against the quota (and getmeasure's share), throttles (target 0), the
 * mean age of the home's homestatus data over the day (target: within 10 % of the run without
 * meters), and for each meter whether the energy the bridge shows equals what the simulator
 * counted since the first read (target: all).
 */
import { Bridge } from '../../src/bridge/controller.js';
import { cleanNetatmoId } from '../../src/devices/index.js';
import type { MeterReading, RunningSimulator } from '../../src/simulator/index.js';
import type { Clock } from '../../src/util/clock.js';
import { benchConfig, type Profile, quotaPerHour, startBenchSimulator, withTempDir } from '../lib/setup.js';
import { ratio } from '../lib/stats.js';

export interface EnergyTiming {
  /** Simulated ms the run lasts (one day in the full bench). */
  durationMs: number;
  /** Simulated ms at the start left out of the freshness figure (the first round). */
  warmupMs: number;
}

export interface EnergyRun {
  scenario: string;
  callsPerHour: number;
  getmeasurePerHour: number;
  homestatusPerHour: number;
  throttled: number;
  /** Mean age of the home's homestatus data over the window (s): half the interval when regular. */
  meanHomestatusAgeSec: number;
  /** NLPC meters the scenario adds, those with an energy value, and those equal to the simulator's count. */
  meters: number;
  metersShown: number;
  metersExact: number;
  plan: string;
}

export interface EnergyResult {
  profile: Profile;
  quotaPerHour: number;
  simulatedHours: number;
  without: EnergyRun;
  with: EnergyRun;
  /** Mean homestatus age with meters ÷ without (target ≤ 1.1). */
  freshnessRatio: number;
}

export interface EnergyInput {
  profile: Profile;
  clock: Clock;
  mqttUrl: string;
  timing: EnergyTiming;
  tag: string;
  meters?: number;
}

export async function runEnergyScenario(input: EnergyInput): Promise<EnergyResult> {
  const meters = input.meters ?? 20;
  const [without, withMeters] = await Promise.all([
    runOne(input, 'scale:1,28', `${input.tag}_base`),
    runOne(input, `meters:${meters}`, `${input.tag}_meters`),
  ]);
  return {
    profile: input.profile,
    quotaPerHour: quotaPerHour(input.profile),
    simulatedHours: input.timing.durationMs / 3_600_000,
    without,
    with: withMeters,
    freshnessRatio: ratio(withMeters.meanHomestatusAgeSec, without.meanHomestatusAgeSec),
  };
}

async function runOne(input: EnergyInput, scenario: string, tag: string): Promise<EnergyRun> {
  const { clock, timing } = input;
  const sim = await startBenchSimulator(scenario, clock, input.profile);
  const homestatus: number[] = [];
  const calls = new Map<string, number>();
  let measuring = false;
  const stopListening = sim.onApiRequest((endpoint) => {
    if (endpoint === 'homestatus') homestatus.push(clock.now());
    if (measuring) calls.set(endpoint, (calls.get(endpoint) ?? 0) + 1);
  });
  try {
    return await withTempDir('netatmo2mqtt-bench-energy-', async (dataDir) => {
      const config = benchConfig({
        simUrl: sim.url,
        refreshToken: sim.mintTokens().refresh_token,
        mqttUrl: input.mqttUrl,
        baseTopic: tag,
        dataDir,
        profile: input.profile,
        discovery: false,
      });
      const bridge = new Bridge({ config, clock });
      const startedAt = clock.now();
      await bridge.start();
      const from = startedAt + timing.warmupMs;
      const to = startedAt + timing.durationMs;
      await clock.sleep(from - clock.now());
      measuring = true;
      await clock.sleep(to - clock.now());
      measuring = false;
      const plan = bridge.poller.plan?.explanation ?? '';
      await bridge.stop();
      const hours = (to - from) / 3_600_000;
      const total = [...calls.values()].reduce((a, b) => a + b, 0);
      const check = await checkMeters(sim, bridge);
      return {
        scenario,
        callsPerHour: total / hours,
        getmeasurePerHour: (calls.get('getmeasure') ?? 0) / hours,
        homestatusPerHour: (calls.get('homestatus') ?? 0) / hours,
        throttled: sim.stats().throttled,
        meanHomestatusAgeSec: meanAgeSec(homestatus, from, to),
        ...check,
        plan,
      };
    });
  } finally {
    stopListening();
    await sim.close();
  }
}

/** Mean over [from, to) of the time since the last homestatus read (ms → s). */
export function meanAgeSec(reads: readonly number[], from: number, to: number): number {
  let last = reads.filter((t) => t <= from).at(-1);
  if (last === undefined) return Number.NaN;
  let area = 0;
  let cursor = from;
  for (const t of [...reads.filter((r) => r > from && r < to), to]) {
    // Age grows linearly from (cursor - last) to (t - last) over [cursor, t).
    area += ((cursor - last + (t - last)) / 2) * (t - cursor);
    cursor = t;
    last = t;
  }
  return area / (to - from) / 1000;
}

/** The added NLPC meters: shown at all, and equal to what the simulator counted since the bridge's first bucket. */
async function checkMeters(
  sim: RunningSimulator,
  bridge: Bridge,
): Promise<Pick<EnergyRun, 'meters' | 'metersShown' | 'metersExact'>> {
  const list = ((await (await fetch(`${sim.url}/__sim/meters`)).json()) as { meters: MeterReading[] }).meters;
  const added = list.filter((m) => m.type === 'NLPC');
  const records = bridge.energy.snapshot().meters;
  let shown = 0;
  let exact = 0;
  for (const meter of added) {
    const rec = records[cleanNetatmoId(meter.module_id)];
    if (rec?.through === undefined || rec.since === undefined) continue;
    shown += 1;
    const [a, b] = await Promise.all([
      reading(sim, meter.module_id, rec.since),
      reading(sim, meter.module_id, rec.through),
    ]);
    if (rec.total === wh(b) - wh(a)) exact += 1;
  }
  return { meters: added.length, metersShown: shown, metersExact: exact };
}

const wh = (r: MeterReading): number => r.registers.basic + r.registers.peak + r.registers.off_peak;

async function reading(sim: RunningSimulator, moduleId: string, at: number): Promise<MeterReading> {
  const query = new URLSearchParams({ module_id: moduleId, at: String(at) });
  const response = await fetch(`${sim.url}/__sim/meters/reading?${query}`);
  if (!response.ok) throw new Error(`meter reading: HTTP ${response.status} ${await response.text()}`);
  return (await response.json()) as MeterReading;
}
