/** Door and window tags: open or closed, shown as what the user says the tag is on (homesdata `category`). */
import { binary, diagnostics } from '../capability.js';
import { moduleFamily } from '../family.js';

const CATEGORY_CLASS: Record<string, string> = { window: 'window', door: 'door', garage: 'garage_door' };

/** Door tag `status`: open/closed; `no_news`, `undefined`, ... are unknown. */
function openState(status: unknown): boolean | null {
  if (status === 'open') return true;
  if (status === 'closed') return false;
  return null;
}

export const doorTag = moduleFamily({
  id: 'door_tag',
  kind: 'door_tag',
  // biome-ignore format: one line per type
  types: {
    NACamDoorTag: { model: 'Smart Door and Window Sensor', vendor: 'Netatmo', battery: true, rf: true },
  },
  capabilities: ({ entry, reported, category }) => [
    binary('open', 'Opening', (category && CATEGORY_CLASS[category]) || 'opening'),
    ...diagnostics(entry, reported),
  ],
  state: (m) => ({ open: openState(m.status) }),
});
