/**
 * A module type no family knows yet is still a device: its fields are published as they come
 * (snake_case keys, objects as JSON text) and each gets a plain sensor in Home Assistant, so a
 * new Netatmo product is usable, and reportable, before the bridge learns it.
 */
import type { ComponentConfig } from '../../mqtt/topics.js';
import { diagnostics } from '../capability.js';
import type { ModuleFamily, TypeEntry } from '../family.js';
import { rawState } from '../normalize.js';
import type { Capability } from '../types.js';

/** pyatmo's name for a Legrand module it cannot identify: its fields are all there is to show. */
const TYPES: Readonly<Record<string, TypeEntry>> = {
  NLunknown: { model: 'Unidentified Legrand module', vendor: 'Legrand' },
};

export const unknown: ModuleFamily = {
  id: 'unknown',
  kind: 'unknown',
  types: TYPES,
  capabilities: ({ type, reported }) =>
    diagnostics(TYPES[type] ?? { model: type, vendor: 'Netatmo' }, reported),
  state: (m) => rawState(m),
  // Its fields are only known once its state arrives: one plain entity each.
  components(kit, _caps, _device, state) {
    const cmps: Record<string, ComponentConfig> = {};
    for (const [key, value] of Object.entries(state ?? {})) {
      if (value === null) continue;
      const cap: Capability = {
        key,
        name: key.replace(/_/g, ' '),
        kind: typeof value === 'boolean' ? 'boolean' : typeof value === 'number' ? 'number' : 'text',
        component: typeof value === 'boolean' ? 'binary_sensor' : 'sensor',
      };
      const config = kit.single(cap);
      if (config) cmps[key] = config;
    }
    return cmps;
  },
  discoveryKey: (state) =>
    Object.keys(state)
      .filter((key) => state[key] !== null)
      .sort()
      .join(','),
};
