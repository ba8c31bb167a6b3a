/** The indoor siren: what it is doing (`status`) and whether monitoring is on. */
import { binary, diagnostics } from '../capability.js';
import { moduleFamily } from '../family.js';
import { str } from '../normalize.js';

export const siren = moduleFamily({
  id: 'siren',
  kind: 'siren',
  // biome-ignore format: one line per type
  types: {
    NIS: { model: 'Smart Indoor Siren', vendor: 'Netatmo', battery: true, rf: true },
  },
  capabilities: ({ entry, reported }) => [
    { key: 'siren_status', name: 'Siren', kind: 'text', component: 'sensor' },
    binary('monitoring', 'Monitoring'),
    ...diagnostics(entry, reported),
  ],
  state: (m) => ({
    siren_status: str(m.status),
    monitoring: m.monitoring === 'on' ? true : m.monitoring === 'off' ? false : null,
  }),
});
