/** getmeasure and meter-control calls over real HTTP, and sums over their answers. */
import type { MeterReading, RunningSimulator } from '../../src/simulator/index.js';
import { type Clock, systemClock } from '../../src/util/clock.js';
import { api, control, sim } from './helpers.js';

export const ENERGY_TYPES = [
  'sum_energy_buy_from_grid',
  'sum_energy_buy_from_grid$0',
  'sum_energy_buy_from_grid$1',
  'sum_energy_buy_from_grid$2',
].join(',');

export interface Lot {
  beg_time: number;
  step_time: number;
  value: Array<Array<number | null>>;
}

export async function measure(
  s: RunningSimulator,
  token: string,
  params: Record<string, string>,
  // biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary JSON answers
): Promise<any> {
  const answer = await api(s, 'getmeasure', { device_id: 'bridge', ...params }, token);
  if (answer.status !== 200) throw new Error(`getmeasure ${answer.status}: ${JSON.stringify(answer.json)}`);
  return answer.json.body;
}

export async function reading(s: RunningSimulator, moduleId: string, at?: number): Promise<MeterReading> {
  const query = new URLSearchParams({ module_id: moduleId, ...(at === undefined ? {} : { at: String(at) }) });
  const answer = await control(s, `meters/reading?${query}`);
  if (answer.status !== 200) throw new Error(`reading ${answer.status}: ${JSON.stringify(answer.json)}`);
  return answer.json;
}

/** Every non-null value of every row, the way pyatmo adds up an energy answer. */
export function sumLots(lots: Lot[]): number {
  return lots.flatMap((l) => l.value.flat()).reduce<number>((a, v) => a + (v ?? 0), 0);
}

/** [timestamp, row] pairs of an optimize=true answer. */
export function rowsOf(lots: Lot[]): Array<[number, Array<number | null>]> {
  return lots.flatMap((l) =>
    l.value.map((row, i): [number, Array<number | null>] => [l.beg_time + i * l.step_time, row]),
  );
}

export const nowSec = (s: RunningSimulator): number => Math.floor(s.clock.now() / 1000);

/** A simulator clock standing at `at` (ms) until the test advances it: runs repeat exactly. */
export function frozenAt(at: number): Clock {
  return {
    now: () => at,
    sleep: (ms, signal) => systemClock.sleep(ms, signal),
    schedule: (ms, fn) => systemClock.schedule(ms, fn),
  };
}

/** Wednesday 14 January 2026, 10:00 UTC: far from any DST change in Europe. */
export const WINTER_MORNING = Date.UTC(2026, 0, 14, 10, 0, 0);

/** The Legrand 3-phase meter of the `legrand` scenario, whose home has peak/off-peak tariffs. */
export const NLY = '12:34:56:aa:00:02';

/** The `legrand` scenario on a frozen winter clock, with a token that outlives the test. */
export async function legrandSim(): Promise<{ s: RunningSimulator; t: string }> {
  const s = await sim({
    scenario: 'legrand',
    tokenLifetimeSec: 30 * 86_400,
    clock: frozenAt(WINTER_MORNING),
  });
  return { s, t: s.mintTokens().access_token };
}

/** Wh over every tariff register of a reading. */
export const counted = (r: MeterReading): number =>
  r.registers.basic + r.registers.peak + r.registers.off_peak;
