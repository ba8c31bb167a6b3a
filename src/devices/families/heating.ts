/**
 * Heating and cooling modules: thermostats, radiator valves, relays, boiler modules and the
 * Smart AC Control. They report whether the boiler fires (and the Smarther whether it cools),
 * and the boiler's running time today (`history: 'boiler'`, read with getmeasure); the rooms
 * they heat or air-condition become climate devices (room.ts).
 */
import { binary, diagnostics, hasCapability, measure } from '../capability.js';
import { moduleFamily } from '../family.js';
import { bool, num } from '../normalize.js';
import type { DeviceState } from '../types.js';

const NETATMO = 'Netatmo';

interface HeatingOptions {
  /** Reports `boiler_status`. */
  boiler?: true;
  /** Reports the outdoor temperature it regulates on (OpenTherm relay). */
  outdoorTemperature?: true;
}

export const heating = moduleFamily<HeatingOptions>({
  id: 'heating',
  kind: 'boiler',
  // The Smarther reports `cooler_status` when it drives a cooling system too.
  dataKeys: ['cooler_status'],
  types: {
    NAPlug: { model: 'Smart Thermostat Relay', vendor: NETATMO, rf: true, wifi: true },
    NATherm1: {
      model: 'Smart Thermostat',
      vendor: NETATMO,
      kind: 'thermostat',
      battery: true,
      rf: true,
      heats: true,
      boiler: true,
      history: 'boiler',
    },
    NRV: {
      model: 'Smart Radiator Valve',
      vendor: NETATMO,
      kind: 'valve',
      battery: true,
      rf: true,
      heats: true,
    },
    NAC: {
      model: 'Smart AC Control',
      vendor: NETATMO,
      kind: 'thermostat',
      wifi: true,
      heats: true,
      cools: true,
      // pyatmo writes an AC room's setpoints with setstate whatever the home's mode.
      setstateRoom: true,
      roomHumidity: true,
    },
    OTH: { model: 'OpenTherm Modulating Relay', vendor: NETATMO, wifi: true, outdoorTemperature: true },
    OTM: {
      model: 'OpenTherm Modulating Thermostat',
      vendor: NETATMO,
      battery: true,
      rf: true,
      heats: true,
      setstateRoom: true,
      boiler: true,
      history: 'boiler',
    },
    BNS: {
      model: 'Smarther with Netatmo',
      vendor: 'BTicino',
      wifi: true,
      heats: true,
      setstateRoom: true,
      roomHumidity: true,
      boiler: true,
      history: 'boiler',
    },
    // BTicino MyHome Server 1 climate actors: their rooms take setpoints through setstate.
    BNTH: { model: 'Thermostat', vendor: 'BTicino', kind: 'thermostat', heats: true, setstateRoom: true },
    BNFC: { model: 'Fan Coil', vendor: 'BTicino', heats: true, setstateRoom: true },
    BNTR: { model: 'Towel Rail', vendor: 'BTicino', heats: true, setstateRoom: true },
  },
  capabilities: ({ entry, reported }) => [
    ...(entry.boiler ? [binary('boiler_status', 'Boiler', 'heat')] : []),
    ...(reported.has('cooler_status') ? [binary('cooler_status', 'Cooling', 'cold')] : []),
    ...(entry.outdoorTemperature
      ? [measure('outdoor_temperature', 'Outdoor temperature', '°C', 'temperature')]
      : []),
    ...diagnostics(entry, reported),
  ],
  state: (m, device) => {
    const state: DeviceState = {};
    if (hasCapability(device, 'boiler_status')) state.boiler_status = bool(m.boiler_status);
    if ('cooler_status' in m) state.cooler_status = bool(m.cooler_status);
    if (hasCapability(device, 'outdoor_temperature')) state.outdoor_temperature = num(m.outdoor_temperature);
    return state;
  },
});
