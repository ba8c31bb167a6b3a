/**
 * The indoor siren: whether it sounds (`status` `sound`; also its `siren_sounding` events, see
 * src/security/), its raw status word, and whether monitoring is on.
 */
import { binary, diagnostics } from '../capability.js';
import { moduleFamily } from '../family.js';
import { str } from '../normalize.js';

/** Siren `status` → sounding; `no_news` and unknown words are unknown. */
function sounding(status: unknown): boolean | null {
  if (status === 'sound') return true;
  if (status === 'no_sound') return false;
  return null;
}

export const siren = moduleFamily({
  id: 'siren',
  kind: 'siren',
  // biome-ignore format: one line per type
  types: {
    NIS: { model: 'Smart Indoor Siren', vendor: 'Netatmo', battery: true, rf: true },
  },
  capabilities: ({ entry, reported }) => [
    binary('sounding', 'Sounding', 'sound'),
    { key: 'siren_status', name: 'Siren', kind: 'text', component: 'sensor' },
    binary('monitoring', 'Monitoring'),
    ...diagnostics(entry, reported),
  ],
  state: (m) => ({
    sounding: sounding(m.status),
    siren_status: str(m.status),
    monitoring: m.monitoring === 'on' ? true : m.monitoring === 'off' ? false : null,
  }),
});
