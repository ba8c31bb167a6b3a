/**
 * The Weather Station and its modules: what each module measures (indoor and outdoor climate,
 * wind, rain). Their values come from getstationsdata (see state.ts) and, where a station is
 * also in a home, from homestatus.
 */
import {
  co2,
  diagnostics,
  enumSensor,
  hasCapability,
  humidity,
  indoorClimate,
  measure,
  minMaxTemperature,
  TRENDS,
  temperature,
} from '../capability.js';
import { moduleFamily } from '../family.js';
import { num } from '../normalize.js';
import type { Capability, DeviceState } from '../types.js';

const NETATMO = 'Netatmo';

const temperatureTrend = enumSensor('temperature_trend', 'Temperature trend', TRENDS);
const pressureTrend = enumSensor('pressure_trend', 'Pressure trend', TRENDS);
const INDOOR = [...indoorClimate, temperatureTrend, pressureTrend];
const OUTDOOR = [temperature, humidity, ...minMaxTemperature, temperatureTrend];
const EXTRA_INDOOR = [temperature, humidity, co2, ...minMaxTemperature, temperatureTrend];
const WIND = [
  measure('wind_strength', 'Wind strength', 'km/h', 'wind_speed'),
  measure('wind_angle', 'Wind angle', '°'),
  measure('gust_strength', 'Gust strength', 'km/h', 'wind_speed'),
  measure('gust_angle', 'Gust angle', '°'),
  measure('max_wind_strength', 'Maximum wind strength today', 'km/h', 'wind_speed'),
];
const RAIN = [
  measure('rain', 'Rain', 'mm', 'precipitation'),
  measure('sum_rain_1', 'Rain last hour', 'mm', 'precipitation'),
  measure('sum_rain_24', 'Rain today', 'mm', 'precipitation'),
];
/** Measurements homestatus reports for weather modules in a home. */
const HOME_MODEL_KEYS = ['temperature', 'humidity', 'co2', 'noise', 'pressure', 'absolute_pressure'];

interface WeatherOptions {
  measures: readonly Capability[];
}

export const weather = moduleFamily<WeatherOptions>({
  id: 'weather',
  kind: 'weather_module',
  // biome-ignore format: one line per type
  types: {
    NAMain: { model: 'Smart Home Weather Station', vendor: NETATMO, kind: 'weather_station', wifi: true, measures: INDOOR },
    NAModule1: { model: 'Outdoor Module', vendor: NETATMO, battery: true, rf: true, measures: OUTDOOR },
    NAModule2: { model: 'Smart Anemometer', vendor: NETATMO, battery: true, rf: true, measures: WIND },
    NAModule3: { model: 'Smart Rain Gauge', vendor: NETATMO, battery: true, rf: true, measures: RAIN },
    NAModule4: { model: 'Indoor Module', vendor: NETATMO, battery: true, rf: true, measures: EXTRA_INDOOR },
  },
  capabilities: ({ entry, reported }) => [...entry.measures, ...diagnostics(entry, reported)],
  state: (m, device) => {
    const state: DeviceState = {};
    for (const key of HOME_MODEL_KEYS) if (key in m && hasCapability(device, key)) state[key] = num(m[key]);
    return state;
  },
});
