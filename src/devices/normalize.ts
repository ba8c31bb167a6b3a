/**
 * Value normalisation rules shared by the homes and the stations models.
 *
 * Battery %: `battery_percent` when Netatmo gives it (weather modules); otherwise the
 * energy modules' `battery_state` word maps to full 100, high 75, medium 50, low 25,
 * very_low 10 (Netatmo's own thresholds are per type and in mV, so the word is the
 * portable signal); the raw mV (`battery_level` / `battery_vp`) is published as volts.
 *
 * Signal: the raw Netatmo number (lower is better, roughly −dBm) plus a quality word with
 * Home Assistant's Netatmo thresholds: RF ≥90 low, ≥76 medium, ≥60 high, else full;
 * Wi-Fi ≥86 low, ≥71 medium, ≥56 high, else full.
 */
import { ALIM_STATUSES, HEALTH_INDEX, SD_STATUSES } from './capability.js';
import type { DeviceState, StateValue } from './types.js';

const BATTERY_WORDS: Record<string, number> = { full: 100, high: 75, medium: 50, low: 25, very_low: 10 };
/** Netatmo reports 65535 mV for a module it has not heard from. */
const NO_VOLTAGE = 65535;

export function num(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

export function bool(value: unknown): boolean | null {
  return typeof value === 'boolean' ? value : null;
}

export function str(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

export function batteryPercent(src: { battery_percent?: unknown; battery_state?: unknown }): number | null {
  const percent = num(src.battery_percent);
  if (percent !== null) return Math.max(0, Math.min(100, percent));
  const word = str(src.battery_state);
  return word !== null && word in BATTERY_WORDS ? (BATTERY_WORDS[word] ?? null) : null;
}

export function batteryVolts(millivolts: unknown): number | null {
  const mv = num(millivolts);
  if (mv === null || mv <= 0 || mv >= NO_VOLTAGE) return null;
  return Math.round(mv) / 1000;
}

export type SignalQuality = 'low' | 'medium' | 'high' | 'full';

export function rfQuality(strength: number | null): SignalQuality | null {
  if (strength === null) return null;
  if (strength >= 90) return 'low';
  if (strength >= 76) return 'medium';
  if (strength >= 60) return 'high';
  return 'full';
}

export function wifiQuality(strength: number | null): SignalQuality | null {
  if (strength === null) return null;
  if (strength >= 86) return 'low';
  if (strength >= 71) return 'medium';
  if (strength >= 56) return 'high';
  return 'full';
}

/** Epoch seconds → ISO 8601; 0 and missing mean "never" (null). */
export function isoTime(epochSeconds: unknown): string | null {
  const s = num(epochSeconds);
  return s !== null && s > 0 ? new Date(s * 1000).toISOString() : null;
}

/** Room/home setpoint modes in the bridge's words: `hg` → frost_guard, `home` → schedule. */
export function normalizeMode(mode: unknown): string | null {
  const m = str(mode);
  if (m === null) return null;
  if (m === 'hg') return 'frost_guard';
  if (m === 'home') return 'schedule';
  return m;
}

/** SD card: Netatmo codes 1..7, or the legacy API's `on`/`off`. */
export function sdStatus(value: unknown): string | null {
  if (value === 'on') return 'ok';
  if (value === 'off') return 'missing';
  const code = num(value);
  return code !== null ? (SD_STATUSES[code - 1] ?? null) : null;
}

/** Power supply: 1 wrong adapter, 2 ok; the legacy API says `on`. */
export function alimStatus(value: unknown): string | null {
  if (value === 'on') return 'ok';
  const code = num(value);
  return code !== null ? (ALIM_STATUSES[code - 1] ?? null) : null;
}

/** Home Coach `health_idx` 0..4 → healthy, fine, fair, poor, unhealthy. */
export function healthIndex(value: unknown): string | null {
  const idx = num(value);
  return idx !== null ? (HEALTH_INDEX[idx] ?? null) : null;
}

/** The legacy model's capitalised `dashboard_data` keys → the bridge's state keys. */
const DASHBOARD_KEYS: Record<string, string> = {
  Temperature: 'temperature',
  Humidity: 'humidity',
  CO2: 'co2',
  Noise: 'noise',
  Pressure: 'pressure',
  AbsolutePressure: 'absolute_pressure',
  min_temp: 'min_temperature',
  max_temp: 'max_temperature',
  temp_trend: 'temperature_trend',
  pressure_trend: 'pressure_trend',
  WindStrength: 'wind_strength',
  WindAngle: 'wind_angle',
  GustStrength: 'gust_strength',
  GustAngle: 'gust_angle',
  max_wind_str: 'max_wind_strength',
  Rain: 'rain',
  sum_rain_1: 'sum_rain_1',
  sum_rain_24: 'sum_rain_24',
};

export function dashboardState(dashboard: Record<string, unknown>): DeviceState {
  const state: DeviceState = {};
  for (const [from, to] of Object.entries(DASHBOARD_KEYS)) {
    const v = dashboard[from];
    if (typeof v === 'number' || typeof v === 'string') state[to] = v;
  }
  if ('health_idx' in dashboard) state.health_index = healthIndex(dashboard.health_idx);
  return state;
}

/** Lowercase snake_case of any Netatmo key (`AbsolutePressure` → `absolute_pressure`). */
export function snakeKey(key: string): string {
  return key
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/[^a-zA-Z0-9]+/g, '_')
    .toLowerCase();
}

/** Unknown module state: every scalar field as-is under a snake_case key, objects as JSON text. */
export function rawState(fields: Record<string, unknown>): DeviceState {
  const state: DeviceState = {};
  for (const [key, value] of Object.entries(fields)) {
    if (key === 'id' || key === 'type' || key === 'bridge') continue;
    state[snakeKey(key)] = toStateValue(value);
  }
  return state;
}

function toStateValue(value: unknown): StateValue {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  return JSON.stringify(value);
}
