/**
 * Plugs, relays, contactors, in-wall switches and the pilot-wire outlet: on/off (`setstate` `on`)
 * and the power they draw. A pilot-wire outlet also heats the room it is in (its room becomes a climate device).
 */
import { diagnostics, power } from '../capability.js';
import { moduleFamily } from '../family.js';
import { num } from '../normalize.js';
import type { DeviceState } from '../types.js';
import { encodeOnOff, onOffState } from './on-off.js';

const LEGRAND = 'Legrand';

interface SwitchOptions {
  /** A socket outlet (HA device class `outlet`); default `switch`. */
  outlet?: true;
}

export const switchFamily = moduleFamily<SwitchOptions>({
  id: 'switch',
  kind: 'switch',
  commandKeys: ['state'],
  // biome-ignore format: one line per type
  types: {
    NLP: { model: 'Smart Plug', vendor: LEGRAND, outlet: true, history: 'energy' },
    NLPM: { model: 'Mobile Plug', vendor: LEGRAND, outlet: true, history: 'energy' },
    NLPBS: { model: 'British Standard Plug', vendor: LEGRAND, outlet: true, history: 'energy' },
    NLL: { model: 'Switch with Neutral', vendor: LEGRAND, history: 'energy' },
    NLIS: { model: 'Double Switch', vendor: LEGRAND, history: 'energy' },
    NLPT: { model: 'Latching Relay', vendor: LEGRAND, history: 'energy' },
    NLPO: { model: 'Contactor', vendor: LEGRAND, history: 'energy' },
    NLPD: { model: 'Dry Contact', vendor: LEGRAND, history: 'energy' },
    NLC: { model: 'Pilot Wire Cable Outlet', vendor: LEGRAND, heats: true, setstateRoom: true, history: 'energy' },
    NLUI: { model: 'In-Wall Switch', vendor: LEGRAND },
    NLUP: { model: 'Power Outlet', vendor: LEGRAND, outlet: true, history: 'energy' },
    BNCS: { model: 'Controlled Socket', vendor: 'BTicino', outlet: true, history: 'energy' },
  },
  capabilities: ({ entry, reported }) => [
    {
      key: 'state',
      kind: 'enum',
      component: 'switch',
      deviceClass: entry.outlet ? 'outlet' : 'switch',
      options: ['ON', 'OFF'],
      writable: { options: ['ON', 'OFF', 'TOGGLE'] },
    },
    power,
    ...diagnostics(entry, reported),
  ],
  state: (m) => {
    const state: DeviceState = {};
    if ('on' in m) state.state = onOffState(m.on);
    if ('power' in m) state.power = num(m.power);
    return state;
  },
  encode: encodeOnOff,
});
