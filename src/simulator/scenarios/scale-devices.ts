/** Live state of generated devices, per kind, for the scale scenario. */
import type { ModuleStatus, WeatherDevice, WeatherModule } from '../../netatmo/api-types.js';
import type { SeededRandom } from '../random.js';

const int = (random: SeededRandom, min: number, max: number): number =>
  Math.floor(random.between(min, max + 1));

/** homestatus entry for a module of `type` (weather values are merged in from the station). */
export function moduleStatus(
  type: string,
  id: string,
  bridge: string | undefined,
  random: SeededRandom,
  nowSec: number,
): ModuleStatus {
  const radio = {
    reachable: true,
    rf_strength: int(random, 50, 90),
    last_seen: nowSec - int(random, 0, 300),
  };
  const battery = { battery_level: int(random, 2800, 4000), battery_state: 'full' };
  const wifi = { reachable: true, wifi_strength: int(random, 40, 80) };
  const base: ModuleStatus = { id, type, firmware_revision: int(random, 50, 250) };
  if (bridge) base.bridge = bridge;
  switch (type) {
    case 'NAPlug':
    case 'NLG':
    case 'NBG':
      return { ...base, ...wifi };
    case 'OTH':
      return { ...base, ...wifi, boiler_control: 'onoff', dhw_control: 'none' };
    case 'NATherm1':
    case 'OTM':
      return {
        ...base,
        ...radio,
        ...battery,
        boiler_status: false,
        boiler_valve_comfort_boost: false,
        anticipating: false,
      };
    case 'NRV':
      return { ...base, ...radio, ...battery };
    case 'BNS':
      return { ...base, ...wifi, boiler_status: false, cooler_status: false };
    case 'NLP':
    case 'NLPT':
      return { ...base, ...radio, on: false, power: 0 };
    // Dimmers report their brightness (the NLF of the pyatmo fixtures does).
    case 'NLF':
    case 'NLFN':
      return { ...base, ...radio, on: false, brightness: 60, power: 0 };
    case 'NLV':
    case 'NBR':
    case 'Z3V': {
      const position = random.next() < 0.5 ? 0 : 100;
      return {
        ...base,
        ...radio,
        current_position: position,
        target_position: position,
        target_position_step: 100,
      };
    }
    case 'NLLF':
      return { ...base, ...radio, fan_speed: 1, power: 12 };
    case 'NACamera':
      return {
        ...base,
        monitoring: 'on',
        sd_status: 4,
        alim_status: 2,
        is_local: true,
        vpn_url: `https://sim.invalid/vpn/${id}`,
      };
    case 'NOC':
      return {
        ...base,
        monitoring: 'on',
        floodlight: 'auto',
        sd_status: 4,
        alim_status: 2,
        is_local: true,
        vpn_url: `https://sim.invalid/vpn/${id}`,
        wifi_strength: int(random, 40, 80),
      };
    case 'NSD':
    case 'NCO':
      // Like the real ones (pyatmo homestatus_legrand_home_id.json): no alarm field at all.
      return { ...base, ...wifi, ...battery, last_seen: nowSec };
    case 'NACamDoorTag':
      return { ...base, ...radio, ...battery, status: 'closed' };
    case 'NIS':
      return { ...base, ...radio, ...battery, status: 'no_news', monitoring: 'off' };
    case 'NAMain':
    case 'NHC':
      return { ...base, ...wifi };
    default:
      return { ...base, ...radio, ...battery };
  }
}

/** getstationsdata device (NAMain, modules added later) or gethomecoachsdata device (NHC). */
export function stationDevice(
  type: 'NAMain' | 'NHC',
  id: string,
  homeId: string,
  homeIndex: number,
  random: SeededRandom,
  nowSec: number,
): WeatherDevice {
  const temperature = Math.round(random.between(19, 23) * 10) / 10;
  const pressure = Math.round(random.between(1005, 1025) * 10) / 10;
  return {
    _id: id,
    type,
    station_name: `Sim home ${homeIndex + 1} ${type === 'NHC' ? 'coach' : 'station'}`,
    module_name: type === 'NHC' ? 'Bedroom' : 'Indoor',
    home_id: homeId,
    home_name: `Sim home ${homeIndex + 1}`,
    reachable: true,
    wifi_status: int(random, 40, 70),
    firmware: 181,
    last_status_store: nowSec,
    co2_calibrating: false,
    data_type: ['Temperature', 'CO2', 'Humidity', 'Noise', 'Pressure'],
    place: { city: 'Paris', country: 'FR', timezone: 'Europe/Paris', altitude: 35, location: [2.35, 48.85] },
    dashboard_data: {
      time_utc: nowSec,
      Temperature: temperature,
      CO2: int(random, 450, 900),
      Humidity: int(random, 35, 60),
      Noise: int(random, 32, 45),
      Pressure: pressure,
      AbsolutePressure: Math.round((pressure - 4.2) * 10) / 10,
      min_temp: temperature - 1,
      max_temp: temperature + 1,
      temp_trend: 'stable',
      pressure_trend: 'stable',
      ...(type === 'NHC' ? { health_idx: int(random, 0, 2) } : {}),
    },
  };
}

export function weatherModule(type: string, id: string, random: SeededRandom, nowSec: number): WeatherModule {
  const common: WeatherModule = {
    _id: id,
    type,
    module_name:
      { NAModule1: 'Outdoor', NAModule2: 'Wind', NAModule3: 'Rain', NAModule4: 'Bedroom' }[type] ?? type,
    reachable: true,
    firmware: 50,
    last_message: nowSec,
    last_seen: nowSec,
    rf_status: int(random, 50, 80),
    battery_vp: int(random, 5000, 6000),
    battery_percent: int(random, 60, 100),
  };
  const t = Math.round(random.between(4, 14) * 10) / 10;
  switch (type) {
    case 'NAModule1':
      return {
        ...common,
        data_type: ['Temperature', 'Humidity'],
        dashboard_data: {
          time_utc: nowSec,
          Temperature: t,
          Humidity: int(random, 60, 90),
          min_temp: t - 2,
          max_temp: t + 3,
          temp_trend: 'stable',
        },
      };
    case 'NAModule2':
      return {
        ...common,
        data_type: ['Wind'],
        dashboard_data: {
          time_utc: nowSec,
          WindStrength: int(random, 2, 15),
          WindAngle: int(random, 0, 359),
          GustStrength: int(random, 10, 30),
          GustAngle: int(random, 0, 359),
          max_wind_str: 30,
          max_wind_angle: 200,
        },
      };
    case 'NAModule3':
      return {
        ...common,
        data_type: ['Rain'],
        dashboard_data: { time_utc: nowSec, Rain: 0, sum_rain_1: 0, sum_rain_24: 0.4 },
      };
    default: {
      const indoor = Math.round(random.between(18, 22) * 10) / 10;
      return {
        ...common,
        data_type: ['Temperature', 'CO2', 'Humidity'],
        dashboard_data: {
          time_utc: nowSec,
          Temperature: indoor,
          CO2: int(random, 450, 900),
          Humidity: int(random, 35, 55),
          min_temp: indoor - 1,
          max_temp: indoor + 1,
          temp_trend: 'stable',
        },
      };
    }
  }
}
