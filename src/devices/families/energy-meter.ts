/** Energy meters and load shedders: the power drawn through them. */
import { diagnostics, power } from '../capability.js';
import { moduleFamily } from '../family.js';
import { num } from '../normalize.js';
import type { DeviceState } from '../types.js';

const LEGRAND = 'Legrand';

export const energyMeter = moduleFamily({
  id: 'energy_meter',
  kind: 'meter',
  // biome-ignore format: one line per type
  types: {
    NLPC: { model: 'Connected Energy Meter', vendor: LEGRAND },
    NLE: { model: 'Ecometer', vendor: LEGRAND, wifi: true },
    NLPS: { model: 'Load Shedder', vendor: LEGRAND },
  },
  capabilities: ({ entry, reported }) => [power, ...diagnostics(entry, reported)],
  state: (m): DeviceState => ('power' in m ? { power: num(m.power) } : {}),
});
