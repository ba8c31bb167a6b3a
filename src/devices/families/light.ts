/**
 * Lights and dimmers: on/off, brightness 0..100 % where the light dims, and the power they draw.
 * One `setstate` entry carries `on` and `brightness`; a brightness alone switches the light on
 * (or off at 0). A light dims when the catalogue says so or when it reports a `brightness`
 * (the Legrand NLF is sold as a switch but dims).
 *
 * Netatmo has no transitions and no flashing: a `transition` (which Home Assistant scenes send)
 * is accepted and ignored, `flash` is refused, and discovery tells Home Assistant neither
 * exists (`transition: false`, `flash: false`).
 */
import { diagnostics, hasCapability, power } from '../capability.js';
import { moduleFamily } from '../family.js';
import { num } from '../normalize.js';
import type { Capability, DeviceState } from '../types.js';
import { encodeOnOff, onOffState } from './on-off.js';

const LEGRAND = 'Legrand';
const BTICINO = 'BTicino';

interface LightOptions {
  /** Takes a brightness. */
  dimmable?: true;
}

export const light = moduleFamily<LightOptions>({
  id: 'light',
  kind: 'light',
  commandKeys: ['state', 'brightness'],
  dataKeys: ['brightness'],
  ignoredKeys: ['transition'],
  unsupportedKeys: { flash: 'Netatmo lights cannot flash' },
  // biome-ignore format: one line per type
  types: {
    NLF: { model: 'Light Switch', vendor: LEGRAND, history: 'energy' },
    NLFN: { model: 'Dimmer with Neutral', vendor: LEGRAND, dimmable: true, history: 'energy' },
    NLFE: { model: 'Dimmer without Neutral (Evolution)', vendor: LEGRAND, dimmable: true, history: 'energy' },
    NLM: { model: 'Light Micro Module', vendor: LEGRAND, history: 'energy' },
    NLUF: { model: 'In-Wall Dimmer', vendor: LEGRAND, dimmable: true, history: 'energy' },
    NLUO: { model: 'Plug-In Dimmer', vendor: LEGRAND, dimmable: true, history: 'energy' },
    Z3L: { model: 'Zigbee 3 Light', vendor: LEGRAND, dimmable: true, history: 'energy' },
    BNIL: { model: 'Intelligent Light', vendor: BTICINO },
    BNLD: { model: 'Dimmer Light', vendor: BTICINO, dimmable: true },
  },
  capabilities: ({ entry, reported }) => {
    const caps: Capability[] = [
      {
        key: 'state',
        kind: 'enum',
        component: 'light',
        options: ['ON', 'OFF'],
        writable: { options: ['ON', 'OFF', 'TOGGLE'] },
      },
    ];
    if (entry.dimmable || reported.has('brightness')) {
      caps.push({
        key: 'brightness',
        kind: 'number',
        component: 'light',
        unit: '%',
        writable: { min: 0, max: 100, step: 1 },
      });
    }
    return [...caps, power, ...diagnostics(entry, reported)];
  },
  state: (m, device) => {
    const state: DeviceState = {};
    if ('on' in m) state.state = onOffState(m.on);
    if ('brightness' in m || hasCapability(device, 'brightness')) state.brightness = num(m.brightness);
    if ('power' in m) state.power = num(m.power);
    return state;
  },
  encode: encodeOnOff,
  components(kit, caps) {
    const dimmable = caps.has('brightness');
    return {
      light: {
        p: 'light',
        ...kit.common('light'),
        schema: 'json',
        state_topic: kit.stateTopic,
        command_topic: kit.commandTopic(),
        brightness: dimmable,
        ...(dimmable ? { brightness_scale: 100 } : {}),
        supported_color_modes: [dimmable ? 'brightness' : 'onoff'],
        flash: false,
        transition: false,
      },
    };
  },
});
