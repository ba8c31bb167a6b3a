/** Shapes of the meter and VELUX control endpoints (/__sim/meters*, /__sim/velux). */

/** What a meter counts: `energy` (Wh, `sum_energy_*`), `legacy_energy` (NLE, `sum_energy_elec*`), `boiler` (s, `sum_boiler_*`). */
export type MeterKindName = 'energy' | 'legacy_energy' | 'boiler';

/** GET /__sim/meters/reading and the answer of every POST /__sim/meters/*. */
export interface MeterReading {
  module_id: string;
  home_id: string;
  type: string;
  kind: MeterKindName;
  unit: 'Wh' | 's';
  /** Epoch s of the first data: the start of history or the last reset. */
  data_start: number;
  reset_at?: number;
  /** Current draw: W for energy, 1/0 (on/off) for a boiler. */
  rate: number;
  gaps: Array<{ from: number; to: number; heal_at?: number }>;
  pending_duplicates: number;
  /** Epoch s the registers are read at. */
  at: number;
  /** Whole units since `data_start`: what a sum of getmeasure buckets over that span gives. */
  total: number;
  registers: { basic: number; peak: number; off_peak: number };
}

/** POST /__sim/meters/gap: buckets overlapping [from, to) are missing until `heal_at` (epoch s). */
export interface MeterGapRequest {
  module_id: string;
  from: number;
  to: number;
  heal_at?: number;
}
