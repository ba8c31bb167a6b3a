/**
 * Shapes of Netatmo API bodies (the `body` of the `{status, time_server, body}` envelope),
 * written from Netatmo's API documentation and the pyatmo fixtures. Every field Netatmo may
 * omit is optional; objects keep unknown fields (`[key: string]: unknown`) because new
 * device types add fields and an unknown module is published raw, never dropped.
 *
 * The runtime validators in validate.ts check that what comes back has these shapes.
 */

export interface Envelope<B> {
  status: 'ok';
  time_server?: number;
  time_exec?: number;
  body?: B;
}

/** An entry of `body.errors[]` inside an HTTP 200 answer (homestatus, setstate). */
export interface ModuleError {
  code: number;
  id: string;
  message?: string;
  command?: string;
}

// ---- homesdata -------------------------------------------------------------------------

export interface HomesDataBody {
  homes: HomeTopology[];
  user?: NetatmoUser;
}

export interface NetatmoUser {
  email?: string;
  language?: string;
  locale?: string;
  unit_system?: number;
  unit_pressure?: number;
  unit_wind?: number;
  id?: string;
  [key: string]: unknown;
}

export interface HomeTopology {
  id: string;
  name?: string;
  timezone?: string;
  altitude?: number;
  coordinates?: number[];
  country?: string;
  temperature_control_mode?: 'heating' | 'cooling' | string;
  cooling_mode?: string;
  therm_mode?: string;
  therm_setpoint_default_duration?: number;
  rooms?: RoomTopology[];
  modules?: ModuleTopology[];
  schedules?: Schedule[];
  persons?: Person[];
  [key: string]: unknown;
}

export interface RoomTopology {
  id: string;
  name?: string;
  type?: string;
  module_ids?: string[];
  therm_relay?: string;
  true_temperature_available?: boolean;
  [key: string]: unknown;
}

export interface ModuleTopology {
  id: string;
  type: string;
  name?: string;
  setup_date?: number;
  room_id?: string;
  bridge?: string;
  modules_bridged?: string[];
  category?: string;
  appliance_type?: string;
  [key: string]: unknown;
}

export interface Schedule {
  id: string;
  name?: string;
  type?: string;
  selected?: boolean;
  away_temp?: number;
  hg_temp?: number;
  zones?: Array<{
    id: number;
    name?: string;
    type?: number;
    rooms?: Array<Record<string, unknown>>;
    /** Electricity schedules: tariff of the zone (`basic`, `peak`, `off_peak`) and its price. */
    price_type?: string;
    price?: number;
  }>;
  timetable?: Array<{ zone_id: number; m_offset: number }>;
  [key: string]: unknown;
}

export interface Person {
  id: string;
  pseudo?: string;
  [key: string]: unknown;
}

// ---- homestatus ------------------------------------------------------------------------

export interface HomeStatusBody {
  home: HomeStatus;
  errors?: ModuleError[];
}

export interface HomeStatus {
  id: string;
  rooms?: RoomStatus[];
  modules?: ModuleStatus[];
  persons?: Array<Record<string, unknown>>;
  [key: string]: unknown;
}

export type SetpointMode = 'schedule' | 'manual' | 'away' | 'hg' | 'off' | 'max' | 'home';

export interface RoomStatus {
  id: string;
  reachable?: boolean;
  therm_measured_temperature?: number;
  therm_setpoint_temperature?: number;
  therm_setpoint_mode?: SetpointMode | string;
  therm_setpoint_start_time?: number;
  therm_setpoint_end_time?: number;
  heating_power_request?: number;
  anticipating?: boolean;
  open_window?: boolean;
  humidity?: number;
  [key: string]: unknown;
}

/**
 * Live module state; which fields appear depends on the module type (a thermostat sends
 * `boiler_status`, a shutter `current_position`, a light `on` and `brightness`, ...).
 */
export interface ModuleStatus {
  id: string;
  type: string;
  reachable?: boolean;
  bridge?: string;
  firmware_revision?: number;
  battery_level?: number;
  battery_state?: string;
  rf_strength?: number;
  wifi_strength?: number;
  last_seen?: number;
  ts?: number;
  // thermostat
  boiler_status?: boolean;
  boiler_valve_comfort_boost?: boolean;
  anticipating?: boolean;
  // cameras
  monitoring?: 'on' | 'off' | string;
  floodlight?: 'on' | 'off' | 'auto' | string;
  sd_status?: number;
  alim_status?: number;
  // lights, plugs
  on?: boolean;
  brightness?: number;
  power?: number;
  // shutters
  current_position?: number;
  target_position?: number;
  /** The grid of positions the cover accepts (100: open, close and stop only); pyatmo reads this spelling. */
  'target_position:step'?: number;
  // ventilation, contactor
  fan_speed?: number;
  contactor_mode?: string;
  // weather in the homes model
  temperature?: number;
  co2?: number;
  humidity?: number;
  noise?: number;
  pressure?: number;
  absolute_pressure?: number;
  // door tag, alarms
  status?: string;
  [key: string]: unknown;
}

// ---- setstate and friends ----------------------------------------------------------------

export interface SetStateModule {
  id: string;
  bridge?: string;
  on?: boolean;
  brightness?: number;
  target_position?: number;
  fan_speed?: number;
  monitoring?: 'on' | 'off';
  floodlight?: 'on' | 'off' | 'auto';
  [key: string]: unknown;
}

export interface SetStateRoom {
  id: string;
  therm_setpoint_mode?: string;
  therm_setpoint_temperature?: number;
  therm_setpoint_end_time?: number;
  therm_setpoint_fp?: 'comfort' | 'away' | 'frost_guard' | 'stand_by';
  [key: string]: unknown;
}

export interface SetStateRequest {
  home: { id: string; modules?: SetStateModule[]; rooms?: SetStateRoom[] };
}

export interface SetStateBody {
  home?: { id: string };
  errors?: ModuleError[];
}

// ---- legacy "devices" model: weather stations and Home Coach --------------------------------

export interface StationsDataBody {
  devices: WeatherDevice[];
  user?: NetatmoUser;
}

export interface WeatherDevice {
  _id: string;
  type: string;
  station_name?: string;
  module_name?: string;
  home_id?: string;
  home_name?: string;
  reachable?: boolean;
  wifi_status?: number;
  firmware?: number;
  last_status_store?: number;
  place?: Record<string, unknown>;
  data_type?: string[];
  /** Absent when the device is unreachable. Keys are capitalised (`Temperature`, `CO2`, ...). */
  dashboard_data?: DashboardData;
  modules?: WeatherModule[];
  [key: string]: unknown;
}

export interface WeatherModule {
  _id: string;
  type: string;
  module_name?: string;
  reachable?: boolean;
  battery_percent?: number;
  battery_vp?: number;
  rf_status?: number;
  last_seen?: number;
  last_message?: number;
  firmware?: number;
  data_type?: string[];
  dashboard_data?: DashboardData;
  [key: string]: unknown;
}

export interface DashboardData {
  time_utc?: number;
  Temperature?: number;
  CO2?: number;
  Humidity?: number;
  Noise?: number;
  Pressure?: number;
  AbsolutePressure?: number;
  min_temp?: number;
  max_temp?: number;
  temp_trend?: string;
  pressure_trend?: string;
  WindStrength?: number;
  WindAngle?: number;
  GustStrength?: number;
  GustAngle?: number;
  Rain?: number;
  sum_rain_1?: number;
  sum_rain_24?: number;
  health_idx?: number;
  [key: string]: unknown;
}

export interface HomeCoachsDataBody {
  devices: WeatherDevice[];
  user?: NetatmoUser;
}

// ---- events, measures ----------------------------------------------------------------------

export interface EventsBody {
  home: { id: string; events: SecurityEvent[] };
}

export interface SecurityEvent {
  id: string;
  type: string;
  time: number;
  module_id?: string;
  message?: string;
  subevents?: Array<Record<string, unknown>>;
  [key: string]: unknown;
}

/** getmeasure answers either a list of series (optimize=true) or a map ts → values. */
export type MeasureBody =
  | Array<{ beg_time: number; step_time?: number; value: Array<Array<number | null>> }>
  | Record<string, Array<number | null>>;

// ---- OAuth ------------------------------------------------------------------------------

/** Netatmo's token answer: `scope` is an array and there is no `token_type`. */
export interface TokenResponse {
  access_token: string;
  refresh_token?: string;
  expires_in?: number;
  expire_in?: number;
  scope?: string[] | string;
}
