/**
 * Energy meters, load shedders and the gas meter: the power drawn through them, where they
 * report one (the legacy Ecometer and the gas meter do not in homestatus; a module that reports
 * `power` gets the entity all the same).
 */
import { diagnostics, power } from '../capability.js';
import { moduleFamily } from '../family.js';
import { num } from '../normalize.js';
import type { DeviceState } from '../types.js';

const LEGRAND = 'Legrand';

interface MeterOptions {
  /** Reports the power it measures (`power`, W). */
  power?: true;
}

export const energyMeter = moduleFamily<MeterOptions>({
  id: 'energy_meter',
  kind: 'meter',
  dataKeys: ['power'],
  // biome-ignore format: one line per type
  types: {
    NLPC: { model: 'Connected Energy Meter', vendor: LEGRAND, power: true, history: 'energy' },
    NLE: { model: 'Ecometer', vendor: LEGRAND, wifi: true, history: 'legacy_energy' },
    NLPS: { model: 'Load Shedder', vendor: LEGRAND, power: true, history: 'energy' },
    NLY: { model: 'Three-Phase Energy Meter', vendor: LEGRAND, power: true, history: 'energy' },
    BNXM: { model: 'X Meter', vendor: 'BTicino' },
    EBU: { model: 'Gas Meter', vendor: 'EBU' },
  },
  capabilities: ({ entry, reported }) => [
    ...(entry.power || reported.has('power') ? [power] : []),
    ...diagnostics(entry, reported),
  ],
  state: (m): DeviceState => ('power' in m ? { power: num(m.power) } : {}),
});
