/**
 * Electricity tariffs of a home, from its selected `electricity` schedule (homesdata): each
 * timetable zone has a `price_type` of `basic`, `peak` or `off_peak`. Energy is booked to the
 * tariff in force when it is drawn; getmeasure reports it as `…$0` (basic), `…$1` (peak) and
 * `…$2` (off_peak). A home without such a schedule books everything as basic, as the pyatmo
 * fixture of a home without one shows (`[null, 197, null, null]`).
 */
import type { HomeTopology, Schedule } from '../../netatmo/api-types.js';
import { weekMinuteOf } from '../../util/local-time.js';

export const TARIFFS = ['basic', 'peak', 'off_peak'] as const;
export type TariffIndex = 0 | 1 | 2;

const WEEK_MINUTES = 7 * 1440;
const MINUTE_MS = 60_000;

/** How long each tariff was in force within an interval: `[tariff, ms]` pairs in time order. */
export type TariffSplit = Array<[TariffIndex, number]>;

export class TariffTimeline {
  readonly #timeZone: string | undefined;
  /** Sorted week minutes at which a tariff starts, and that tariff. */
  readonly #changes: Array<{ minute: number; tariff: TariffIndex }>;

  constructor(home: Pick<HomeTopology, 'schedules' | 'timezone'>) {
    this.#timeZone = home.timezone;
    const schedule = electricitySchedule(home.schedules ?? []);
    const tariffOf = (zoneId: number): TariffIndex => {
      const type = schedule?.zones?.find((z) => z.id === zoneId)?.price_type;
      return type === 'peak' ? 1 : type === 'off_peak' ? 2 : 0;
    };
    this.#changes = (schedule?.timetable ?? [])
      .map((t) => ({ minute: t.m_offset % WEEK_MINUTES, tariff: tariffOf(t.zone_id) }))
      .sort((a, b) => a.minute - b.minute);
  }

  /** True when the home has peak/off-peak (or basic) zones, false when all is basic by default. */
  get scheduled(): boolean {
    return this.#changes.length > 0;
  }

  at(ms: number): TariffIndex {
    return this.#entryAt(weekMinuteOf(ms, this.#timeZone)).tariff;
  }

  /** The tariffs in force over [fromMs, toMs), split at every change of the timetable. */
  split(fromMs: number, toMs: number): TariffSplit {
    if (toMs <= fromMs) return [];
    if (this.#changes.length === 0) return [[0, toMs - fromMs]];
    const out: TariffSplit = [];
    let at = fromMs;
    while (at < toMs) {
      const minute = weekMinuteOf(at, this.#timeZone);
      const current = this.#entryAt(minute);
      const next = this.#changes.find((c) => c.minute > minute) ?? this.#changes[0]!;
      const minutesAhead = (next.minute - minute + WEEK_MINUTES) % WEEK_MINUTES || WEEK_MINUTES;
      // Timetables change on whole local minutes; a DST shift only moves the change by an hour.
      const end = Math.min(toMs, at - (at % MINUTE_MS) + minutesAhead * MINUTE_MS);
      const last = out.at(-1);
      if (last && last[0] === current.tariff) last[1] += end - at;
      else out.push([current.tariff, end - at]);
      at = end;
    }
    return out;
  }

  #entryAt(minute: number): { minute: number; tariff: TariffIndex } {
    // Before the first change of the week, the last change of the previous week applies.
    return this.#changes.filter((c) => c.minute <= minute).at(-1) ?? this.#changes.at(-1)!;
  }
}

/** The selected electricity schedule, else the first one. */
function electricitySchedule(schedules: Schedule[]): Schedule | undefined {
  const electricity = schedules.filter((s) => s.type === 'electricity');
  return electricity.find((s) => s.selected) ?? electricity[0];
}
