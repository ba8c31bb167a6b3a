/**
 * Wireless switches, remotes and the sensors Netatmo reports nothing but connectivity for
 * (no presses, no motion): battery, radio and connectivity.
 */
import { diagnostics } from '../capability.js';
import { moduleFamily } from '../family.js';

const LEGRAND = 'Legrand';

export const remote = moduleFamily({
  id: 'remote',
  kind: 'remote',
  // biome-ignore format: one line per type
  types: {
    NLT: { model: 'Wireless Remote Switch', vendor: LEGRAND, battery: true },
    NLD: { model: 'Double Wireless Remote Switch', vendor: LEGRAND, battery: true },
    NLAS: { model: 'Wireless Scene Switch', vendor: LEGRAND, battery: true },
    NLDP: { model: 'Pocket Remote', vendor: LEGRAND, battery: true },
    NLAO: { model: 'Battery-free Wireless Switch', vendor: LEGRAND },
    NLDD: { model: 'Wireless Dimmer Remote', vendor: LEGRAND },
    NLTS: { model: 'Motion Sensor', vendor: LEGRAND, kind: 'sensor' },
    NXD: { model: 'Departure Switch', vendor: 'VELUX', battery: true, rf: true },
  },
  capabilities: ({ entry, reported }) => diagnostics(entry, reported),
});
