/**
 * What the bridge asks getmeasure for each kind of history, and the buckets an answer holds.
 *
 * The request is pyatmo's (`EnergyHistoryMixin`, what Home Assistant's integration uses): the
 * all-tariff series and its three tariffs in one call, `sum_energy_buy_from_grid[$N]` (or the
 * legacy `sum_energy_elec[$N]` for the Ecometer); a boiler's `sum_boiler_on`. The answer is a
 * list of lots `{beg_time, step_time, value: [[…], …]}`, one row per bucket, `beg_time` the
 * middle of the first bucket (Netatmo's default without `real_time`), a new lot after missing
 * data. In a four-type answer the all-tariff value is null and only the tariff in force has a
 * value (both tariffs when a bucket straddles a change), so a bucket's energy is the sum of its
 * tariffs, or the all-tariff value when no tariff has one (src/simulator/DEVICES.md).
 */
import type { MeasureHistory } from '../devices/index.js';
import type { MeasureBody } from '../netatmo/api-types.js';
import type { MeasureScale } from '../netatmo/client.js';

/** The bucket size the bridge asks for: the finest Netatmo keeps for energy and boiler time. */
export const MEASURE_SCALE: MeasureScale = '30min';
export const MEASURE_STEP_S = 1_800;

const ENERGY_TYPES: Record<'energy' | 'legacy_energy', string[]> = {
  energy: ['sum_energy_buy_from_grid', ...[0, 1, 2].map((n) => `sum_energy_buy_from_grid$${n}`)],
  legacy_energy: ['sum_energy_elec', ...[0, 1, 2].map((n) => `sum_energy_elec$${n}`)],
};

/** Above this a bucket is not believed (1 MW for a home; a boiler cannot run longer than the bucket). */
const MAX_WH_PER_HOUR = 1_000_000;

export function measureTypes(history: MeasureHistory): string[] {
  return history === 'boiler' ? ['sum_boiler_on'] : ENERGY_TYPES[history];
}

/** One bucket of an answer: [start, end) in epoch seconds and what it counted. */
export interface MeasuredBucket {
  start: number;
  end: number;
  /** Wh (energy) or seconds (boiler). */
  value: number;
  /** Energy per tariff (basic, peak, off-peak), 0 where the tariff was not in force. */
  tariffs: [number, number, number];
}

export interface ParsedAnswer {
  buckets: MeasuredBucket[];
  /** Rows refused as impossible (negative, larger than the bucket allows, not numbers). */
  refused: number;
}

/**
 * The buckets of an answer, oldest first, rows without any value left out (missing data).
 * `stepS` is the bucket size asked for, used where a lot does not say its own.
 */
export function parseMeasureAnswer(
  body: MeasureBody,
  history: MeasureHistory,
  stepS = MEASURE_STEP_S,
): ParsedAnswer {
  const out: ParsedAnswer = { buckets: [], refused: 0 };
  const take = (start: number, step: number, row: ReadonlyArray<number | null>): void => {
    const parsed = history === 'boiler' ? boilerRow(row, step) : energyRow(row, step);
    if (parsed === 'refused') out.refused += 1;
    else if (parsed) out.buckets.push({ start, end: start + step, ...parsed });
  };
  if (Array.isArray(body)) {
    for (const lot of body) {
      const step = lot.step_time !== undefined && lot.step_time > 0 ? lot.step_time : stepS;
      // beg_time is the middle of the lot's first bucket.
      let start = lot.beg_time - Math.floor(step / 2);
      for (const row of lot.value) {
        take(start, step, row);
        start += step;
      }
    }
  } else {
    // optimize=false: `{"<middle of the bucket>": [values]}`.
    for (const [stamp, row] of Object.entries(body)) take(Number(stamp) - Math.floor(stepS / 2), stepS, row);
  }
  out.buckets.sort((a, b) => a.start - b.start);
  return out;
}

type Row = Pick<MeasuredBucket, 'value' | 'tariffs'> | undefined | 'refused';

function energyRow(row: ReadonlyArray<number | null>, step: number): Row {
  const [all, ...perTariff] = [0, 1, 2, 3].map((i) => row[i] ?? null);
  const values = [all, ...perTariff].filter((v): v is number => v !== null);
  if (values.length === 0) return undefined;
  const max = (MAX_WH_PER_HOUR * step) / 3600;
  if (values.some((v) => !Number.isFinite(v) || v < 0 || v > max)) return 'refused';
  const tariffs = perTariff.map((v) => v ?? 0) as [number, number, number];
  const inForce = perTariff.some((v) => v !== null);
  return { value: inForce ? tariffs[0] + tariffs[1] + tariffs[2] : (all ?? 0), tariffs };
}

function boilerRow(row: ReadonlyArray<number | null>, step: number): Row {
  const on = row[0] ?? null;
  if (on === null) return undefined;
  if (!Number.isFinite(on) || on < 0 || on > step) return 'refused';
  return { value: on, tariffs: [0, 0, 0] };
}
