/**
 * The VELUX ACTIVE indoor climate sensor (NXS): temperature, humidity, CO2 and light of its room.
 * Netatmo reports them on the room, not the module (`temperature` in tenths of °C, `lux`), so
 * they are read from the status of the sensor's room.
 */
import { co2, diagnostics, humidity, measure, temperature } from '../capability.js';
import { moduleFamily } from '../family.js';
import { num } from '../normalize.js';
import type { DeviceState } from '../types.js';

const illuminance = measure('illuminance', 'Illuminance', 'lx', 'illuminance');
const airQuality = measure('air_quality', 'Air quality index', undefined);

export const climateSensor = moduleFamily({
  id: 'climate_sensor',
  kind: 'sensor',
  // biome-ignore format: one line per type
  types: {
    NXS: { model: 'ACTIVE Indoor Climate Sensor', vendor: 'VELUX', battery: true, rf: true },
  },
  capabilities: ({ entry, reported }) => [
    temperature,
    humidity,
    co2,
    illuminance,
    airQuality,
    ...diagnostics(entry, reported),
  ],
  state: (_m, _device, room) => {
    if (!room) return {};
    const tenths = num(room.temperature);
    const state: DeviceState = {
      temperature: tenths === null ? null : Math.round(tenths) / 10,
      humidity: num(room.humidity),
      co2: num(room.co2),
      illuminance: num(room.lux),
      air_quality: num(room.air_quality),
    };
    return state;
  },
});
