/**
 * Building blocks for family definitions: capability constructors, the value sets they share
 * (signal qualities, trends, SD card states...) and the diagnostics every module may have.
 */
import type { Reported, TypeEntry } from './family.js';
import type { Capability } from './types.js';

export const SIGNAL_QUALITIES = ['low', 'medium', 'high', 'full'] as const;
export const HEALTH_INDEX = ['healthy', 'fine', 'fair', 'poor', 'unhealthy'] as const;
export const TRENDS = ['up', 'down', 'stable'] as const;
/** SD card states by Netatmo code (1..7); the legacy API sends `on`/`off` instead. */
export const SD_STATUSES = [
  'missing',
  'inserted',
  'formatted',
  'ok',
  'defective',
  'incompatible',
  'too_small',
] as const;
export const ALIM_STATUSES = ['wrong_adapter', 'ok'] as const;

const diag = { category: 'diagnostic' } as const;

export function measure(
  key: string,
  name: string,
  unit: string | undefined,
  deviceClass?: string,
): Capability {
  return {
    key,
    name,
    kind: 'number',
    component: 'sensor',
    ...(unit ? { unit } : {}),
    stateClass: 'measurement',
    ...(deviceClass ? { deviceClass } : {}),
  };
}

export function enumSensor(
  key: string,
  name: string,
  options: readonly string[],
  diagnostic = false,
): Capability {
  return {
    key,
    name,
    kind: 'enum',
    component: 'sensor',
    deviceClass: 'enum',
    options: [...options],
    ...(diagnostic ? diag : {}),
  };
}

export function binary(key: string, name: string, deviceClass?: string, diagnostic = false): Capability {
  return {
    key,
    name,
    kind: 'boolean',
    component: 'binary_sensor',
    ...(deviceClass ? { deviceClass } : {}),
    ...(diagnostic ? diag : {}),
  };
}

/** An on/off enum as a switch entity; the first option is "on". */
export function toggle(key: string, name: string, options: readonly [string, string]): Capability {
  return {
    key,
    name,
    kind: 'enum',
    component: 'switch',
    options: [...options],
    writable: { options: [...options] },
  };
}

/** A writable enum shown as a select. */
export function choice(key: string, name: string, options: readonly string[]): Capability {
  return {
    key,
    name,
    kind: 'enum',
    component: 'select',
    options: [...options],
    writable: { options: [...options] },
  };
}

export const power = measure('power', 'Power', 'W', 'power');
export const temperature = measure('temperature', 'Temperature', '°C', 'temperature');
export const humidity = measure('humidity', 'Humidity', '%', 'humidity');
export const co2 = measure('co2', 'CO2', 'ppm', 'carbon_dioxide');
export const noise = measure('noise', 'Noise', 'dB', 'sound_pressure');
export const pressure = measure('pressure', 'Pressure', 'hPa', 'atmospheric_pressure');
export const absolutePressure = measure(
  'absolute_pressure',
  'Absolute pressure',
  'hPa',
  'atmospheric_pressure',
);
export const minMaxTemperature: Capability[] = [
  measure('min_temperature', 'Minimum temperature today', '°C', 'temperature'),
  measure('max_temperature', 'Maximum temperature today', '°C', 'temperature'),
];

/** What an indoor climate monitor measures (the weather station's base, the Home Coach). */
export const indoorClimate: Capability[] = [
  temperature,
  humidity,
  co2,
  noise,
  pressure,
  absolutePressure,
  ...minMaxTemperature,
];

export const reachable = binary('reachable', 'Reachable', 'connectivity', true);
const lastSeen: Capability = {
  key: 'last_seen',
  name: 'Last seen',
  kind: 'timestamp',
  component: 'sensor',
  deviceClass: 'timestamp',
  ...diag,
};
const battery: Capability[] = [
  { ...measure('battery', 'Battery', '%', 'battery'), ...diag },
  { ...measure('battery_voltage', 'Battery voltage', 'V', 'voltage'), ...diag },
];
const rf: Capability[] = [
  { ...measure('rf_strength', 'RF strength', undefined), ...diag },
  enumSensor('rf_quality', 'RF quality', SIGNAL_QUALITIES, true),
];
const wifi: Capability[] = [
  { ...measure('wifi_strength', 'Wi-Fi strength', undefined), ...diag },
  enumSensor('wifi_quality', 'Wi-Fi quality', SIGNAL_QUALITIES, true),
];

/**
 * State keys whose presence in a module's state adds diagnostics, whatever the catalogue says:
 * a module that reports a battery has a battery.
 */
export const DIAGNOSTIC_DATA_KEYS = ['battery', 'rf_strength', 'wifi_strength'] as const;

/** Connectivity, then battery, radio and Wi-Fi where the catalogue or the module's data says so. */
export function diagnostics(entry: TypeEntry, reported: Reported): Capability[] {
  const out: Capability[] = [reachable, lastSeen];
  if (entry.battery || reported.has('battery')) out.push(...battery);
  if (entry.rf || reported.has('rf_strength')) out.push(...rf);
  if (entry.wifi || reported.has('wifi_strength')) out.push(...wifi);
  return out;
}

export function hasCapability(device: { capabilities: readonly Capability[] }, key: string): boolean {
  return device.capabilities.some((c) => c.key === key);
}
