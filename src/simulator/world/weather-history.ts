/**
 * Past values of weather units for getmeasure: a smooth wave around the unit's current value,
 * deterministic in the timestamp (stations keep no history in the simulator).
 */
import type { WeatherUnit } from './weather.js';

/** Lower-case measure type → dashboard key. */
const MEASURE_KEYS: Record<string, string> = {
  temperature: 'Temperature',
  humidity: 'Humidity',
  co2: 'CO2',
  pressure: 'Pressure',
  noise: 'Noise',
  rain: 'Rain',
  sum_rain: 'sum_rain_1',
  windstrength: 'WindStrength',
  windangle: 'WindAngle',
  guststrength: 'GustStrength',
  gustangle: 'GustAngle',
  min_temp: 'min_temp',
  max_temp: 'max_temp',
  health_idx: 'health_idx',
};

/** The value of `type` around `tsSec`, or null when the unit does not measure it. */
export function weatherValue(unit: WeatherUnit | undefined, type: string, tsSec: number): number | null {
  const key = MEASURE_KEYS[type.toLowerCase()];
  const current = key === undefined ? undefined : unit?.dashboard?.num(key);
  if (current === undefined) return null;
  const wave = Math.sin(tsSec / 7200) + 0.5 * Math.sin(tsSec / 51_000);
  return Math.round((current + wave * Math.max(0.5, Math.abs(current) * 0.03)) * 10) / 10;
}
