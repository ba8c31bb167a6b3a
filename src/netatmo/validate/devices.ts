/**
 * Decoders for the legacy "devices" model (getstationsdata, gethomecoachsdata) and getmeasure.
 * The devices model is where Netatmo puts spaces inside ids, so `_id` is normalised here.
 */
import type {
  DashboardData,
  HomeCoachsDataBody,
  MeasureBody,
  StationsDataBody,
  WeatherDevice,
  WeatherModule,
} from '../api-types.js';
import {
  arrayOf,
  bool,
  type Decoder,
  fail,
  isPlainObject,
  nullable,
  num,
  recordOf,
  shape,
  spacedId,
  str,
} from './decode.js';
import { userDecoder } from './homes.js';

const dashboardData = shape<DashboardData>({
  optional: {
    time_utc: num,
    Temperature: num,
    CO2: num,
    Humidity: num,
    Noise: num,
    Pressure: num,
    AbsolutePressure: num,
    min_temp: num,
    max_temp: num,
    temp_trend: str,
    pressure_trend: str,
    WindStrength: num,
    WindAngle: num,
    GustStrength: num,
    GustAngle: num,
    Rain: num,
    sum_rain_1: num,
    sum_rain_24: num,
    health_idx: num,
  },
});

const weatherModule = shape<WeatherModule>({
  required: { _id: spacedId, type: str },
  optional: {
    module_name: str,
    reachable: bool,
    battery_percent: num,
    battery_vp: num,
    rf_status: num,
    last_seen: num,
    last_message: num,
    firmware: num,
    data_type: arrayOf(str),
    dashboard_data: dashboardData,
  },
});

const weatherDevice = shape<WeatherDevice>({
  required: { _id: spacedId, type: str },
  optional: {
    station_name: str,
    module_name: str,
    home_id: str,
    home_name: str,
    reachable: bool,
    wifi_status: num,
    firmware: num,
    last_status_store: num,
    place: shape({}),
    data_type: arrayOf(str),
    dashboard_data: dashboardData,
    modules: arrayOf(weatherModule),
  },
});

export const stationsDataDecoder = shape<StationsDataBody>({
  optional: { devices: arrayOf(weatherDevice), user: userDecoder },
  defaults: { devices: () => [] },
});

export const homeCoachsDataDecoder = shape<HomeCoachsDataBody>({
  optional: { devices: arrayOf(weatherDevice), user: userDecoder },
  defaults: { devices: () => [] },
});

const measureValues = arrayOf(nullable(num));

const measureSeries = shape<{ beg_time: number; step_time?: number; value: Array<Array<number | null>> }>({
  required: { beg_time: num, value: arrayOf(measureValues) },
  optional: { step_time: num },
});

/** `optimize=true` answers a list of series; `optimize=false` a map of epoch seconds → values. */
export const measureDecoder: Decoder<MeasureBody> = (value, path) => {
  if (Array.isArray(value)) return arrayOf(measureSeries)(value, path);
  if (isPlainObject(value)) return recordOf(measureValues, /^\d{1,12}$/)(value, path);
  return fail(path, 'expected a list of series or a map of timestamps');
};
