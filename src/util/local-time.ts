/**
 * Wall-clock time in a home's time zone: the simulator's schedules, tariffs, load profiles and
 * day-sized getmeasure buckets, and the bridge's counters of the day (heating time today), all
 * follow local time, not UTC. Formatters are cached per zone because the simulator's energy
 * integration asks for local time thousands of times per simulated day.
 */

export interface ZonedParts {
  year: number;
  /** 1..12 */
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  /** 0 = Monday … 6 = Sunday (Netatmo's week starts on Monday). */
  weekday: number;
}

const WEEKDAYS: Record<string, number> = { Mon: 0, Tue: 1, Wed: 2, Thu: 3, Fri: 4, Sat: 5, Sun: 6 };
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string | undefined): Intl.DateTimeFormat {
  const zone = timeZone ?? 'UTC';
  let f = formatters.get(zone);
  if (!f) {
    try {
      f = new Intl.DateTimeFormat('en-GB', {
        timeZone: zone,
        hourCycle: 'h23',
        weekday: 'short',
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
        hour: 'numeric',
        minute: 'numeric',
        second: 'numeric',
      });
    } catch {
      // An unknown zone in a fixture behaves as UTC rather than failing every request.
      f = formatter('UTC');
    }
    formatters.set(zone, f);
  }
  return f;
}

export function zonedParts(ms: number, timeZone: string | undefined): ZonedParts {
  const parts = formatter(timeZone).formatToParts(new Date(ms));
  const get = (type: string): string => parts.find((p) => p.type === type)?.value ?? '0';
  return {
    year: Number(get('year')),
    month: Number(get('month')),
    day: Number(get('day')),
    hour: Number(get('hour')),
    minute: Number(get('minute')),
    second: Number(get('second')),
    weekday: WEEKDAYS[get('weekday')] ?? 0,
  };
}

/** Minutes since Monday 00:00 local time (Netatmo's `m_offset`). */
export function weekMinuteOf(ms: number, timeZone: string | undefined): number {
  const p = zonedParts(ms, timeZone);
  return p.weekday * 1440 + p.hour * 60 + p.minute;
}

/** Local hour of day with fractions (e.g. 18.5 for 18:30). */
export function localHour(ms: number, timeZone: string | undefined): number {
  const p = zonedParts(ms, timeZone);
  return p.hour + p.minute / 60 + p.second / 3600;
}

/** UTC ms of a local wall-clock time (the earlier instant when the clock repeats, DST). */
function fromLocal(year: number, month: number, day: number, timeZone: string | undefined): number {
  const asUtc = Date.UTC(year, month - 1, day);
  let guess = asUtc;
  // Two rounds settle the zone offset, including days that change it.
  for (let i = 0; i < 2; i++) {
    const p = zonedParts(guess, timeZone);
    const offset = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second) - guess;
    guess = asUtc - offset;
  }
  return guess;
}

/** UTC ms of local midnight starting the day that contains `ms`. */
export function localDayStart(ms: number, timeZone: string | undefined): number {
  const p = zonedParts(ms, timeZone);
  return fromLocal(p.year, p.month, p.day, timeZone);
}

/** UTC ms of local midnight starting the Monday of the week that contains `ms`. */
export function localWeekStart(ms: number, timeZone: string | undefined): number {
  const p = zonedParts(ms, timeZone);
  return fromLocal(p.year, p.month, p.day - p.weekday, timeZone);
}

/** UTC ms of local midnight on the 1st of the month containing `ms`, `add` months later. */
export function localMonthStart(ms: number, timeZone: string | undefined, add = 0): number {
  const p = zonedParts(ms, timeZone);
  return fromLocal(p.year, p.month + add, 1, timeZone);
}

/** UTC ms of the local midnight that follows `ms` (days last 23 to 25 h around DST changes). */
export function nextLocalDayStart(ms: number, timeZone: string | undefined): number {
  return localDayStart(localDayStart(ms, timeZone) + 26 * 3_600_000, timeZone);
}
