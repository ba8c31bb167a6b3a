/**
 * The weather station of a home, for getstationsdata, built from what its homestatus reports:
 * Netatmo lists a home's NAMain and its NAModule1-4 in both models, and the simulator drifts
 * their values in the station model (homestatus then shows the same values).
 */
import type {
  HomeStatus,
  HomeTopology,
  ModuleStatus,
  WeatherDevice,
  WeatherModule,
} from '../../netatmo/api-types.js';
import type { Fields } from '../world/values.js';
import { HOMES_MODEL_KEYS } from '../world/weather.js';

const BATTERY_PERCENT: Record<string, number> = { full: 100, high: 75, medium: 50, low: 25, very_low: 10 };
const DATA_TYPES: ReadonlyArray<readonly [string, string]> = [
  ['Temperature', 'Temperature'],
  ['CO2', 'CO2'],
  ['Humidity', 'Humidity'],
  ['Noise', 'Noise'],
  ['Pressure', 'Pressure'],
  ['Rain', 'Rain'],
  ['WindStrength', 'Wind'],
];

/** homestatus values → dashboard_data (`temperature` → `Temperature`, `ts` → `time_utc`, …). */
function dashboard(module: ModuleStatus): Fields {
  const out: Fields = {};
  for (const [dashboardKey, homesKey] of Object.entries(HOMES_MODEL_KEYS)) {
    const value = module[homesKey];
    if (value !== undefined) out[dashboardKey] = value;
  }
  if (typeof out.Temperature === 'number') {
    out.min_temp = out.Temperature;
    out.max_temp = out.Temperature;
    out.temp_trend = 'stable';
  }
  return out;
}

const dataTypes = (d: Fields): string[] => DATA_TYPES.filter(([key]) => key in d).map(([, name]) => name);

export function homeStations(home: HomeTopology, status: HomeStatus | undefined): WeatherDevice[] {
  const statusOf = new Map((status?.modules ?? []).map((m) => [m.id, m]));
  const stations: WeatherDevice[] = [];
  for (const main of (home.modules ?? []).filter((m) => m.type === 'NAMain')) {
    const live = statusOf.get(main.id);
    if (!live) continue;
    const data = dashboard(live);
    const modules: WeatherModule[] = (home.modules ?? [])
      .filter((m) => m.bridge === main.id && m.type.startsWith('NAModule'))
      .flatMap((m) => {
        const s = statusOf.get(m.id);
        if (!s) return [];
        const d = dashboard(s);
        const module: WeatherModule = {
          _id: m.id,
          type: m.type,
          module_name: m.name ?? m.type,
          reachable: s.reachable !== false,
          firmware: s.firmware_revision,
          last_seen: s.last_seen,
          last_message: s.last_seen,
          rf_status: s.rf_strength,
          battery_vp: s.battery_level,
          battery_percent: BATTERY_PERCENT[s.battery_state ?? ''] ?? 50,
          data_type: dataTypes(d),
          dashboard_data: d,
        };
        return [module];
      });
    stations.push({
      _id: main.id,
      type: 'NAMain',
      station_name: `${home.name ?? home.id} (${main.name ?? 'Indoor'})`,
      module_name: main.name ?? 'Indoor',
      home_id: home.id,
      home_name: home.name,
      reachable: live.reachable !== false,
      wifi_status: live.wifi_strength,
      firmware: live.firmware_revision,
      last_status_store: live.ts,
      co2_calibrating: false,
      data_type: dataTypes(data),
      place: {
        timezone: home.timezone ?? 'UTC',
        country: home.country,
        altitude: home.altitude,
        location: home.coordinates,
      },
      dashboard_data: data,
      modules,
    });
  }
  return stations;
}
