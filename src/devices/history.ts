/**
 * What a module's measure history (Netatmo `getmeasure`, read by src/energy/) gives it: the
 * energy it counted (Legrand and BTicino meters, plugs, switches, dimmers, the ventilation), in
 * total and per tariff, and how long its boiler ran today (thermostats, OpenTherm, Smarther).
 *
 * A type says which history it has in its family's `types` line (`history`, as pyatmo gives its
 * class an `EnergyHistoryMixin`). The entities come from the data: a module gets them once a
 * read brought values, so one whose history stays empty (a dimmer Netatmo does not meter) shows
 * no sensor that never has a value; a tariff sensor appears once the meter counted energy under
 * two tariffs (a single-tariff meter's total is its only tariff).
 */
import type { Reported, TypeEntry } from './family.js';
import type { Capability } from './types.js';

/**
 * `energy`: `sum_energy_buy_from_grid` and its tariffs `$0..$2`; `legacy_energy`: the same as
 * `sum_energy_elec` (the Ecometer, pyatmo's `EnergyHistoryLegacyMixin`); `boiler`: `sum_boiler_on`.
 */
export type MeasureHistory = 'energy' | 'legacy_energy' | 'boiler';

/** Netatmo's tariffs in the order of their `$N` suffix (pyatmo `ENERGY_FILTERS_MODES`). */
export const TARIFFS = ['basic', 'peak', 'off_peak'] as const;
export type Tariff = (typeof TARIFFS)[number];

export const ENERGY_KEY = 'energy';
export const HEATING_TIME_KEY = 'heating_time_today';

export function tariffKey(tariff: Tariff): string {
  return `${ENERGY_KEY}_${tariff}`;
}

/** State keys whose first value adds an entity (capabilities from data), for every family. */
export const HISTORY_DATA_KEYS: readonly string[] = [ENERGY_KEY, ...TARIFFS.map(tariffKey), HEATING_TIME_KEY];

const TARIFF_NAMES: Record<Tariff, string> = { basic: 'basic', peak: 'peak', off_peak: 'off-peak' };

/** A running total Home Assistant's Energy dashboard takes (it never decreases). */
function energy(key: string, name: string): Capability {
  return {
    key,
    name,
    kind: 'number',
    component: 'sensor',
    unit: 'kWh',
    deviceClass: 'energy',
    stateClass: 'total_increasing',
  };
}

/** The entities a module's history has given it so far (nothing for a type without one). */
export function historyCapabilities(entry: TypeEntry, reported: Reported): Capability[] {
  if (entry.history === 'boiler') {
    return reported.has(HEATING_TIME_KEY)
      ? [
          {
            key: HEATING_TIME_KEY,
            name: 'Heating time today',
            kind: 'number',
            component: 'sensor',
            unit: 'min',
            deviceClass: 'duration',
            // Back to 0 at local midnight: Home Assistant counts a drop as a new cycle.
            stateClass: 'total_increasing',
          },
        ]
      : [];
  }
  if (entry.history === undefined || !reported.has(ENERGY_KEY)) return [];
  return [
    energy(ENERGY_KEY, 'Energy'),
    ...TARIFFS.filter((t) => reported.has(tariffKey(t))).map((t) =>
      energy(tariffKey(t), `Energy ${TARIFF_NAMES[t]}`),
    ),
  ];
}
