/**
 * Gateways that bridge other modules: connectivity and signal only. A module whose channels are
 * modules of their own (`<id>#0`, `<id>#1`, ...: Ecometer lines, double-switch halves) is shown
 * as a gateway too, with its own type's diagnostics; its channels carry the function.
 */
import { diagnostics } from '../capability.js';
import { moduleFamily } from '../family.js';

export const gateway = moduleFamily({
  id: 'gateway',
  kind: 'gateway',
  // biome-ignore format: one line per type
  types: {
    NLG: { model: 'Gateway', vendor: 'Legrand', wifi: true },
    NLGS: { model: 'Gateway (standard)', vendor: 'Legrand', wifi: true },
    NBG: { model: 'iDiamant Gateway', vendor: 'Bubendorff', wifi: true },
    BNMH: { model: 'MyHome Server 1', vendor: 'BTicino' },
  },
  capabilities: ({ entry, reported }) => diagnostics(entry, reported),
});
