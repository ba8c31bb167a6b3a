/**
 * Weather stations and Home Coaches (the legacy "devices" model). Their values change only
 * at simulated upload times, every 5-10 minutes, like real stations, and drift plausibly
 * around where they started.
 */
import type { WeatherDevice, WeatherModule } from '../../netatmo/api-types.js';
import type { SeededRandom } from '../random.js';
import { round1 } from './physics.js';
import { type Fields, TrackedEntity } from './values.js';

const MIN_UPLOAD_MS = 5 * 60_000;
const MAX_UPLOAD_MS = 10 * 60_000;
/** Bound on catch-up work after a long clock jump; later uploads are skipped, not replayed. */
const MAX_CATCH_UP = 2000;

/** One device or module with a dashboard. */
export class WeatherUnit {
  readonly info: TrackedEntity;
  readonly dashboard: TrackedEntity | undefined;
  readonly #baseline: Fields;
  nextUploadAt: number;

  constructor(
    raw: WeatherDevice | WeatherModule,
    readonly parentId: string | undefined,
    now: number,
    random: SeededRandom,
  ) {
    const { dashboard_data, modules: _modules, ...info } = raw as WeatherDevice;
    this.info = new TrackedEntity(raw._id, info, now);
    this.dashboard = dashboard_data ? new TrackedEntity(raw._id, dashboard_data, now) : undefined;
    this.#baseline = structuredClone(dashboard_data ?? {});
    this.nextUploadAt = now + random.between(0, MAX_UPLOAD_MS);
  }

  get id(): string {
    return this.info.id;
  }

  get type(): string {
    return String(this.info.get('type'));
  }

  /** Runs every upload due up to `now`. */
  catchUp(now: number, random: SeededRandom): void {
    let uploads = 0;
    while (this.nextUploadAt <= now && uploads < MAX_CATCH_UP) {
      this.#upload(this.nextUploadAt, random);
      this.nextUploadAt += random.between(MIN_UPLOAD_MS, MAX_UPLOAD_MS);
      uploads++;
    }
    if (this.nextUploadAt <= now) this.nextUploadAt = now + random.between(MIN_UPLOAD_MS, MAX_UPLOAD_MS);
  }

  #upload(at: number, random: SeededRandom): void {
    const seconds = Math.floor(at / 1000);
    if (this.parentId === undefined) this.info.set('last_status_store', seconds, at);
    else {
      this.info.set('last_message', seconds, at);
      this.info.set('last_seen', seconds, at);
    }
    const d = this.dashboard;
    if (!d || this.info.get('reachable') === false) return;
    d.set('time_utc', seconds, at);
    const walk = (key: string, step: number, min: number, max: number, digits: 0 | 1): number | undefined => {
      const value = d.num(key);
      if (value === undefined) return undefined;
      const base = typeof this.#baseline[key] === 'number' ? (this.#baseline[key] as number) : value;
      // A random walk pulled back towards the starting value keeps long runs plausible.
      let next = value + (base - value) * 0.05 + random.between(-step, step);
      next = Math.min(max, Math.max(min, next));
      next = digits === 0 ? Math.round(next) : round1(next);
      d.set(key, next, at);
      return next - value;
    };
    const before = d.num('Temperature');
    walk('Temperature', 0.2, -30, 45, 1);
    walk('Humidity', 1.5, 5, 100, 0);
    walk('CO2', 40, 300, 5000, 0);
    walk('Noise', 3, 25, 90, 0);
    const dp = walk('Pressure', 0.3, 950, 1060, 1);
    const abs = d.num('AbsolutePressure');
    if (dp !== undefined && abs !== undefined) d.set('AbsolutePressure', round1(abs + dp), at);
    walk('WindStrength', 2, 0, 120, 0);
    walk('GustStrength', 3, 0, 150, 0);
    walk('WindAngle', 20, 0, 359, 0);
    walk('GustAngle', 20, 0, 359, 0);
    walk('health_idx', 0.6, 0, 4, 0);
    if (d.num('Rain') !== undefined) {
      const rain = random.next() < 0.1 ? round1(random.between(0, 1.2)) : 0;
      d.set('Rain', rain, at);
      d.set('sum_rain_1', round1((d.num('sum_rain_1') ?? 0) * 0.8 + rain), at);
      d.set('sum_rain_24', round1((d.num('sum_rain_24') ?? 0) + rain), at);
    }
    const t = d.num('Temperature');
    if (t !== undefined && before !== undefined) {
      if (d.num('min_temp') !== undefined && t < (d.num('min_temp') ?? t)) d.set('min_temp', t, at);
      if (d.num('max_temp') !== undefined && t > (d.num('max_temp') ?? t)) d.set('max_temp', t, at);
      if (d.get('temp_trend') !== undefined) {
        d.set('temp_trend', t > before + 0.1 ? 'up' : t < before - 0.1 ? 'down' : 'stable', at);
      }
    }
  }

  /** The unit as Netatmo shows it; no dashboard_data when unreachable. */
  render(unreachable: boolean): Fields {
    const out = this.info.snapshot();
    if (unreachable) out.reachable = false;
    if (this.dashboard && out.reachable !== false) out.dashboard_data = this.dashboard.snapshot();
    return out;
  }
}

/** homestatus field names for dashboard keys (the homes model uses snake case). */
export const HOMES_MODEL_KEYS: Record<string, string> = {
  time_utc: 'ts',
  Temperature: 'temperature',
  CO2: 'co2',
  Humidity: 'humidity',
  Noise: 'noise',
  Pressure: 'pressure',
  AbsolutePressure: 'absolute_pressure',
  WindStrength: 'wind_strength',
  WindAngle: 'wind_angle',
  GustStrength: 'gust_strength',
  GustAngle: 'gust_angle',
  Rain: 'rain',
  sum_rain_1: 'sum_rain_1',
  sum_rain_24: 'sum_rain_24',
  health_idx: 'health_idx',
};

/** The unit's current values under homestatus names, so both models agree. */
export function homesModelValues(unit: WeatherUnit): Fields {
  const out: Fields = {};
  if (!unit.dashboard) return out;
  for (const [from, to] of Object.entries(HOMES_MODEL_KEYS)) {
    const v = unit.dashboard.get(from);
    if (v !== undefined) out[to] = v;
  }
  return out;
}
