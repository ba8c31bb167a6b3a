import type { HomeTopology, Schedule } from '../../netatmo/api-types.js';

const DAY_INDEX: Record<string, number> = { Mon: 0, Tue: 1, Wed: 2, Thu: 3, Fri: 4, Sat: 5, Sun: 6 };
/** What a room is heated to when no schedule names it. */
export const DEFAULT_SETPOINT = 19;

/** Minutes since Monday 00:00 in the home's time zone (Netatmo's `m_offset`). */
export function weekMinute(nowMs: number, timeZone: string | undefined): number {
  let parts: Intl.DateTimeFormatPart[];
  try {
    parts = new Intl.DateTimeFormat('en-GB', {
      timeZone: timeZone ?? 'UTC',
      weekday: 'short',
      hour: 'numeric',
      minute: 'numeric',
      hourCycle: 'h23',
    }).formatToParts(new Date(nowMs));
  } catch {
    return weekMinute(nowMs, 'UTC');
  }
  const get = (type: string): string => parts.find((p) => p.type === type)?.value ?? '0';
  return (DAY_INDEX[get('weekday')] ?? 0) * 1440 + Number(get('hour')) * 60 + Number(get('minute'));
}

export function isThermSchedule(s: Schedule): boolean {
  return s.type === undefined || s.type === 'therm';
}

/** The schedule that drives room setpoints: the selected one, else the first therm schedule. */
export function activeSchedule(home: HomeTopology): Schedule | undefined {
  const schedules = home.schedules ?? [];
  return schedules.find((s) => s.selected) ?? schedules.find(isThermSchedule);
}

/** The setpoint the active schedule asks for in `roomId` at `nowMs`. */
export function scheduledSetpoint(home: HomeTopology, roomId: string, nowMs: number): number {
  const schedule = activeSchedule(home);
  const timetable = schedule?.timetable ?? [];
  if (!schedule || timetable.length === 0) return DEFAULT_SETPOINT;
  const minute = weekMinute(nowMs, home.timezone);
  const sorted = [...timetable].sort((a, b) => a.m_offset - b.m_offset);
  // Before the first entry of the week, the last entry of the previous week still applies.
  const current = sorted.filter((t) => t.m_offset <= minute).at(-1) ?? sorted.at(-1);
  const zone = schedule.zones?.find((z) => z.id === current?.zone_id);
  const room = zone?.rooms?.find((r) => r.id === roomId);
  const temp = room?.therm_setpoint_temperature;
  return typeof temp === 'number' ? temp : DEFAULT_SETPOINT;
}
