/**
 * What each getmeasure type means for a meter, and the value it takes over one bucket, in the
 * shape of the recorded answers (pyatmo `getmeasure_*` fixtures):
 * - `sum_energy_buy_from_grid$N` / legacy `sum_energy_elec$N`: Wh drawn while tariff N
 *   (0 basic, 1 peak, 2 off-peak) was in force. When several types are asked, a tariff not in
 *   force at any time of the bucket is `null` (`[null, 498, 212, null]` across a tariff change);
 *   asked alone it is `0`.
 * - `sum_energy_buy_from_grid` / `sum_energy_elec` without `$N`: all Wh, but `null` when the
 *   same request also asks for tariffs (both recorded four-type answers), so a client adding up
 *   every non-null value of a row (pyatmo does) counts each Wh once.
 * - `sum_boiler_on` / `sum_boiler_off` (and `boileron` / `boileroff`, Netatmo's names at scale
 *   `max`): seconds the boiler was on / off in the bucket, as Netatmo documents them.
 * Legacy NLE ecometers answer only the `sum_energy_elec` family (pyatmo's legacy filters).
 */
import type { Meter } from './meters.js';

interface Parsed {
  family: 'buy' | 'elec' | 'boiler_on' | 'boiler_off';
  /** `$0`..`$2` of an energy type; absent for the all-tariff series. */
  tariff?: 0 | 1 | 2;
}

const ENERGY_TYPE = /^sum_energy_(buy_from_grid|elec)(?:\$([012]))?$/;

function parse(type: string): Parsed | undefined {
  if (type === 'sum_boiler_on' || type === 'boileron') return { family: 'boiler_on' };
  if (type === 'sum_boiler_off' || type === 'boileroff') return { family: 'boiler_off' };
  const match = ENERGY_TYPE.exec(type);
  if (!match) return undefined;
  const family = match[1] === 'elec' ? 'elec' : 'buy';
  return match[2] === undefined ? { family } : { family, tariff: Number(match[2]) as 0 | 1 | 2 };
}

function knows(meter: Meter, parsed: Parsed | undefined): boolean {
  if (!parsed) return false;
  if (meter.kind === 'boiler') return parsed.family === 'boiler_on' || parsed.family === 'boiler_off';
  if (meter.kind === 'legacy_energy') return parsed.family === 'elec';
  return parsed.family === 'buy' || parsed.family === 'elec';
}

/** True when the meter measures at least one of `types` (otherwise the answer has no data). */
export function measuresAny(meter: Meter, types: string[]): boolean {
  return types.some((t) => knows(meter, parse(t)));
}

/** One bucket [startMs, endMs) of `types`, or undefined when the meter has no data for it. */
export function meterRow(
  meter: Meter,
  types: string[],
  startMs: number,
  endMs: number,
  nowMs: number,
): Array<number | null> | undefined {
  if (endMs <= meter.dataStart || meter.hidden(startMs, endMs, nowMs)) return undefined;
  const from = Math.max(startMs, meter.dataStart);
  const parsed = types.map(parse);
  const inForce = new Set(meter.tariffs.split(from, endMs).map(([tariff]) => tariff));
  const several = types.length > 1;
  const before = meter.registers(from);
  const after = meter.registers(endMs);
  const total = meter.total(endMs) - meter.total(from);
  return parsed.map((p) => {
    if (!p || !knows(meter, p)) return null;
    if (p.family === 'boiler_on') return total;
    if (p.family === 'boiler_off') return Math.max(0, Math.floor((endMs - from) / 1000) - total);
    if (p.tariff === undefined) {
      const withTariffs = parsed.some((o) => o?.family === p.family && o.tariff !== undefined);
      return withTariffs ? null : total;
    }
    if (several && !inForce.has(p.tariff)) return null;
    return after[p.tariff] - before[p.tariff];
  });
}
