/** BTicino Classe 300 EOS door entry units: connectivity only (Netatmo's API does not control them). */
import { diagnostics } from '../capability.js';
import { moduleFamily } from '../family.js';

const BTICINO = 'BTicino';

export const intercom = moduleFamily({
  id: 'intercom',
  kind: 'intercom',
  // biome-ignore format: one line per type
  types: {
    BNCX: { model: 'Classe 300 EOS Internal Unit', vendor: BTICINO, wifi: true },
    BNEU: { model: 'Classe 300 EOS External Unit', vendor: BTICINO },
    BNDL: { model: 'Classe 300 EOS Door Lock', vendor: BTICINO },
    BNSL: { model: 'Classe 300 EOS Staircase Light', vendor: BTICINO, history: 'energy' },
  },
  capabilities: ({ entry, reported }) => diagnostics(entry, reported),
});
