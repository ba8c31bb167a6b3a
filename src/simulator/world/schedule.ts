import type { HomeTopology, Schedule } from '../../netatmo/api-types.js';
import { weekMinuteOf } from '../../util/local-time.js';

/** What a room is heated to when no schedule names it. */
export const DEFAULT_SETPOINT = 19;

export function isThermSchedule(s: Schedule): boolean {
  return s.type === undefined || s.type === 'therm';
}

/** The schedule that drives room setpoints: the selected one, else the first therm schedule. */
export function activeSchedule(home: HomeTopology): Schedule | undefined {
  const schedules = home.schedules ?? [];
  return schedules.find((s) => s.selected) ?? schedules.find(isThermSchedule);
}

/** The zone of `schedule` in force at `nowMs`, its timetable read in the home's time zone. */
export function currentZone(
  schedule: Schedule,
  timeZone: string | undefined,
  nowMs: number,
): NonNullable<Schedule['zones']>[number] | undefined {
  const timetable = schedule.timetable ?? [];
  if (timetable.length === 0) return undefined;
  const minute = weekMinuteOf(nowMs, timeZone);
  const sorted = [...timetable].sort((a, b) => a.m_offset - b.m_offset);
  // Before the first entry of the week, the last entry of the previous week still applies.
  const current = sorted.filter((t) => t.m_offset <= minute).at(-1) ?? sorted.at(-1);
  return schedule.zones?.find((z) => z.id === current?.zone_id);
}

/** The setpoint the active schedule asks for in `roomId` at `nowMs`. */
export function scheduledSetpoint(home: HomeTopology, roomId: string, nowMs: number): number {
  const schedule = activeSchedule(home);
  const zone = schedule && currentZone(schedule, home.timezone, nowMs);
  const room = zone?.rooms?.find((r) => r.id === roomId);
  const temp = room?.therm_setpoint_temperature;
  return typeof temp === 'number' ? temp : DEFAULT_SETPOINT;
}
