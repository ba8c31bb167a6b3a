/**
 * Which capabilities each device kind has. The writable specs here are the contract the
 * command layer validates against (room setpoint 7..30 step 0.5, positions 0..100, ...).
 */
import { DIMMABLE_TYPES, FLOODLIGHT_TYPES } from './catalog.js';
import type { Capability, DeviceKind } from './types.js';

/** Room and home modes as the bridge names them (Netatmo `hg` → `frost_guard`, `home` → `schedule`). */
export const ROOM_MODES = ['schedule', 'manual', 'max', 'away', 'frost_guard', 'off'] as const;
export const HOME_THERM_MODES = ['schedule', 'away', 'frost_guard', 'off'] as const;
export const HEATING_ACTIONS = ['off', 'heating', 'idle'] as const;
export const SIGNAL_QUALITIES = ['low', 'medium', 'high', 'full'] as const;
export const HEALTH_INDEX = ['healthy', 'fine', 'fair', 'poor', 'unhealthy'] as const;
export const TRENDS = ['up', 'down', 'stable'] as const;
export const COVER_STATES = ['open', 'opening', 'closed', 'closing', 'stopped'] as const;
export const SETPOINT_RANGE = { min: 7, max: 30, step: 0.5 } as const;

// ---- building blocks -----------------------------------------------------------------------

const diag = { category: 'diagnostic' } as const;

function measure(key: string, name: string, unit: string | undefined, deviceClass?: string): Capability {
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

function enumSensor(key: string, name: string, options: readonly string[], diagnostic = false): Capability {
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

function binary(key: string, name: string, deviceClass?: string, diagnostic = false): Capability {
  return {
    key,
    name,
    kind: 'boolean',
    component: 'binary_sensor',
    ...(deviceClass ? { deviceClass } : {}),
    ...(diagnostic ? diag : {}),
  };
}

const reachable = binary('reachable', 'Reachable', 'connectivity', true);
const lastSeen: Capability = {
  key: 'last_seen',
  name: 'Last seen',
  kind: 'timestamp',
  component: 'sensor',
  deviceClass: 'timestamp',
  ...diag,
};
const battery: Capability = { ...measure('battery', 'Battery', '%', 'battery'), ...diag };
const batteryVoltage: Capability = {
  ...measure('battery_voltage', 'Battery voltage', 'V', 'voltage'),
  ...diag,
};
const rf: Capability[] = [
  { ...measure('rf_strength', 'RF strength', undefined), ...diag },
  enumSensor('rf_quality', 'RF quality', SIGNAL_QUALITIES, true),
];
const wifi: Capability[] = [
  { ...measure('wifi_strength', 'Wi-Fi strength', undefined), ...diag },
  enumSensor('wifi_quality', 'Wi-Fi quality', SIGNAL_QUALITIES, true),
];
const power = measure('power', 'Power', 'W', 'power');

const temperature = measure('temperature', 'Temperature', '°C', 'temperature');
const humidity = measure('humidity', 'Humidity', '%', 'humidity');
const co2 = measure('co2', 'CO2', 'ppm', 'carbon_dioxide');
const noise = measure('noise', 'Noise', 'dB', 'sound_pressure');
const pressure = measure('pressure', 'Pressure', 'hPa', 'atmospheric_pressure');
const absolutePressure = measure('absolute_pressure', 'Absolute pressure', 'hPa', 'atmospheric_pressure');
const minMaxTemperature = [
  measure('min_temperature', 'Minimum temperature today', '°C', 'temperature'),
  measure('max_temperature', 'Maximum temperature today', '°C', 'temperature'),
];
const temperatureTrend = enumSensor('temperature_trend', 'Temperature trend', TRENDS);
const pressureTrend = enumSensor('pressure_trend', 'Pressure trend', TRENDS);

/** Energy and weather modules that run on batteries (battery_state / battery_level / battery_percent). */
const BATTERY_TYPES = new Set([
  'NATherm1',
  'NRV',
  'OTM',
  'NAModule1',
  'NAModule2',
  'NAModule3',
  'NAModule4',
  'NACamDoorTag',
  'NIS',
  'NSD',
  'NCO',
  'NLT',
  'NLD',
  'NLAS',
  'NLDP',
]);
/** Modules that report a radio (868 MHz) signal as rf_strength / rf_status. */
const RF_TYPES = new Set([
  'NATherm1',
  'NRV',
  'OTM',
  'NAPlug',
  'NAModule1',
  'NAModule2',
  'NAModule3',
  'NAModule4',
  'NACamDoorTag',
  'NIS',
  'NBR',
  'NBO',
  'NBS',
]);
/** Modules that report Wi-Fi signal as wifi_strength / wifi_status. */
const WIFI_TYPES = new Set([
  'NAPlug',
  'OTH',
  'BNS',
  'NAC',
  'NAMain',
  'NHC',
  'NACamera',
  'NPC',
  'NOC',
  'NDB',
  'NSD',
  'NCO',
  'NBG',
  'NLG',
  'NLGS',
  'NLE',
  'BNCX',
]);

/**
 * Shutters that take setstate `target_position: -2`, their preferred ("my") position (beside
 * 0..100, and -1 for stop; pyatmo's ShutterMixin and HA's preferred-position button offer it
 * for every shutter).
 * Not the garage door opener NLJ: a door has open and closed, no preset in between.
 */
const PREFERRED_POSITION_TYPES = new Set(['NBR', 'NBO', 'NBS', 'NLV', 'NLLV', 'NLLM', 'TPSRS', 'Z3V']);

function diagnosticsFor(type: string): Capability[] {
  const out: Capability[] = [reachable, lastSeen];
  if (BATTERY_TYPES.has(type)) out.push(battery, batteryVoltage);
  if (RF_TYPES.has(type)) out.push(...rf);
  if (WIFI_TYPES.has(type)) out.push(...wifi);
  return out;
}

// ---- per kind ------------------------------------------------------------------------------

export function roomCapabilities(opts: { humidity: boolean }): Capability[] {
  const caps: Capability[] = [
    {
      key: 'current_temperature',
      name: 'Temperature',
      kind: 'number',
      component: 'climate',
      unit: '°C',
      deviceClass: 'temperature',
      stateClass: 'measurement',
    },
    {
      key: 'target_temperature',
      kind: 'number',
      component: 'climate',
      unit: '°C',
      writable: { ...SETPOINT_RANGE },
    },
    {
      key: 'mode',
      kind: 'enum',
      component: 'climate',
      options: [...ROOM_MODES],
      writable: { options: [...ROOM_MODES] },
    },
    { key: 'heating_action', kind: 'enum', component: 'climate', options: [...HEATING_ACTIONS] },
    measure('heating_power_request', 'Heating power request', '%'),
    binary('open_window', 'Open window', 'window'),
    binary('anticipating', 'Anticipating', 'heat', true),
    reachable,
  ];
  if (opts.humidity) caps.push(humidity);
  return caps;
}

export function homeCapabilities(scheduleNames: string[]): Capability[] {
  return [
    {
      key: 'thermostat_mode',
      name: 'Thermostat mode',
      kind: 'enum',
      component: 'select',
      options: [...HOME_THERM_MODES],
      writable: { options: [...HOME_THERM_MODES] },
    },
    {
      key: 'schedule',
      name: 'Schedule',
      kind: 'enum',
      component: 'select',
      options: [...scheduleNames],
      writable: { options: [...scheduleNames] },
    },
  ];
}

function weatherCapabilities(type: string): Capability[] {
  switch (type) {
    case 'NAMain':
      return [
        temperature,
        humidity,
        co2,
        noise,
        pressure,
        absolutePressure,
        ...minMaxTemperature,
        temperatureTrend,
        pressureTrend,
      ];
    case 'NAModule1':
      return [temperature, humidity, ...minMaxTemperature, temperatureTrend];
    case 'NAModule2':
      return [
        measure('wind_strength', 'Wind strength', 'km/h', 'wind_speed'),
        measure('wind_angle', 'Wind angle', '°'),
        measure('gust_strength', 'Gust strength', 'km/h', 'wind_speed'),
        measure('gust_angle', 'Gust angle', '°'),
        measure('max_wind_strength', 'Maximum wind strength today', 'km/h', 'wind_speed'),
      ];
    case 'NAModule3':
      return [
        measure('rain', 'Rain', 'mm', 'precipitation'),
        measure('sum_rain_1', 'Rain last hour', 'mm', 'precipitation'),
        measure('sum_rain_24', 'Rain today', 'mm', 'precipitation'),
      ];
    default: // NAModule4, extra indoor module
      return [temperature, humidity, co2, ...minMaxTemperature, temperatureTrend];
  }
}

function kindCapabilities(kind: DeviceKind, type: string, category?: string): Capability[] {
  switch (kind) {
    case 'thermostat':
      return [binary('boiler_status', 'Boiler', 'heat')];
    case 'boiler':
      if (type === 'OTH') return [measure('outdoor_temperature', 'Outdoor temperature', '°C', 'temperature')];
      if (type === 'NAPlug') return [];
      return [binary('boiler_status', 'Boiler', 'heat')];
    case 'weather_station':
    case 'weather_module':
      return weatherCapabilities(type);
    case 'home_coach':
      return [
        enumSensor('health_index', 'Health index', HEALTH_INDEX),
        temperature,
        humidity,
        co2,
        noise,
        pressure,
        absolutePressure,
        ...minMaxTemperature,
      ];
    case 'shutter':
      return [
        {
          key: 'state',
          kind: 'enum',
          component: 'cover',
          deviceClass: type === 'NLJ' ? 'garage' : type === 'NBO' ? 'blind' : 'shutter',
          options: [...COVER_STATES],
          writable: {
            options: PREFERRED_POSITION_TYPES.has(type)
              ? ['OPEN', 'CLOSE', 'STOP', 'PREFERRED']
              : ['OPEN', 'CLOSE', 'STOP'],
          },
        },
        {
          key: 'position',
          kind: 'number',
          component: 'cover',
          unit: '%',
          writable: { min: 0, max: 100, step: 1 },
        },
      ];
    case 'light': {
      const caps: Capability[] = [
        {
          key: 'state',
          kind: 'enum',
          component: 'light',
          options: ['ON', 'OFF'],
          writable: { options: ['ON', 'OFF', 'TOGGLE'] },
        },
      ];
      if (DIMMABLE_TYPES.has(type)) {
        caps.push({
          key: 'brightness',
          kind: 'number',
          component: 'light',
          unit: '%',
          writable: { min: 0, max: 100, step: 1 },
        });
      }
      return [...caps, power];
    }
    case 'switch':
      return [
        {
          key: 'state',
          kind: 'enum',
          component: 'switch',
          deviceClass: type === 'NLP' || type === 'NLPM' || type === 'NLPBS' ? 'outlet' : 'switch',
          options: ['ON', 'OFF'],
          writable: { options: ['ON', 'OFF', 'TOGGLE'] },
        },
        power,
      ];
    case 'fan':
      return [
        { key: 'fan_speed', kind: 'number', component: 'fan', writable: { min: 1, max: 2, step: 1 } },
        power,
      ];
    case 'camera': {
      const caps: Capability[] = [];
      if (type !== 'NDB') {
        caps.push({
          key: 'monitoring',
          name: 'Monitoring',
          kind: 'enum',
          component: 'switch',
          options: ['on', 'off'],
          writable: { options: ['on', 'off'] },
        });
      }
      if (FLOODLIGHT_TYPES.has(type)) {
        caps.push({
          key: 'floodlight',
          name: 'Floodlight',
          kind: 'enum',
          component: 'select',
          options: ['on', 'off', 'auto'],
          writable: { options: ['on', 'off', 'auto'] },
        });
      }
      caps.push(
        enumSensor('sd_status', 'SD card', SD_STATUSES, true),
        enumSensor('alim_status', 'Power supply', ALIM_STATUSES, true),
      );
      return caps;
    }
    case 'smoke_alarm':
      return [binary('alarm', 'Smoke', 'smoke')];
    case 'co_alarm':
      return [binary('alarm', 'Carbon monoxide', 'carbon_monoxide')];
    case 'door_tag':
      return [binary('open', 'Opening', doorTagClass(category))];
    case 'siren':
      return [
        { key: 'siren_status', name: 'Siren', kind: 'text', component: 'sensor' },
        binary('monitoring', 'Monitoring'),
      ];
    case 'meter':
      return [power];
    default: // room, home, gateway, remote, intercom, unknown: diagnostics only
      return [];
  }
}

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

function doorTagClass(category: string | undefined): string {
  if (category === 'window') return 'window';
  if (category === 'door') return 'door';
  if (category === 'garage') return 'garage_door';
  return 'opening';
}

/** Capabilities of a physical module: what it does, then its diagnostics. */
export function moduleCapabilities(kind: DeviceKind, type: string, category?: string): Capability[] {
  return [...kindCapabilities(kind, type, category), ...diagnosticsFor(type)];
}
