/**
 * The VELUX ACTIVE gateway (NXG): whether it rains (its rain sensor closes the windows), and the
 * state of the house's VELUX system as diagnostics — busy, locked, secure, calibrating
 * (pyatmo `velux.py`; nothing in the API writes them). Its openers are covers (cover.ts).
 */
import { binary, diagnostics } from '../capability.js';
import { moduleFamily } from '../family.js';
import { bool, num } from '../normalize.js';
import type { DeviceState } from '../types.js';

/** homestatus field → state key, entity name, device class and whether it is a diagnostic. */
const FIELDS = [
  ['is_raining', 'raining', 'Rain', 'moisture', false],
  ['busy', 'busy', 'Busy', 'running', true],
  ['locked', 'locked', 'Locked', undefined, true],
  ['secure', 'secure', 'Secure', undefined, true],
  ['calibrating', 'calibrating', 'Calibrating', undefined, true],
] as const;

export const veluxGateway = moduleFamily({
  id: 'velux_gateway',
  kind: 'gateway',
  // biome-ignore format: one line per type
  types: {
    NXG: { model: 'ACTIVE Gateway', vendor: 'VELUX', wifi: true },
  },
  capabilities: ({ entry, reported }) => [
    ...FIELDS.map(([, key, name, deviceClass, diagnostic]) => binary(key, name, deviceClass, diagnostic)),
    ...diagnostics(entry, reported),
  ],
  state: (m) => {
    const state: DeviceState = {};
    for (const [field, key] of FIELDS) state[key] = bool(m[field]);
    // The gateway numbers its own firmware and the VELUX side's apart.
    const firmware = num(m.firmware_revision_netatmo);
    if (firmware !== null) state.firmware = String(firmware);
    return state;
  },
});
