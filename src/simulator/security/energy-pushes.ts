/**
 * The pushes Netatmo sends when a home's heating or a camera's settings change, found by
 * comparing the home before and after a write (API call or simulated resident). Shapes from
 * home-assistant/core tests (test_climate.py, test_webhook.py, test_camera.py):
 * - room setpoint: `push_type` `display_change`, `event_type` `set_point` (or
 *   `cancel_set_point` when the room goes back to its schedule, `mode` `home`), `room_id`,
 *   `mode`, `temperature` (manual), and `home` `{id, name, country, rooms:[…], modules:[…]}`;
 * - home mode: `push_type` `home_event_changed`, `event_type` `therm_mode`, `mode`,
 *   `previous_mode`, `home` `{id, therm_mode}` (a home mode change pushes only this, not one
 *   push per room);
 * - schedule switch: `home_event_changed`, `event_type` `schedule`, `schedule_id`,
 *   `previous_schedule_id`;
 * - outdoor camera floodlight: `push_type` `NOC-light_mode`, `event_type` `light_mode`,
 *   `sub_type` on/off/auto. Camera monitoring changes become `on`/`off` events instead.
 */
import type { HomeState } from '../world/world.js';
import type { PushAccount, PushPayload } from './push-payloads.js';

interface RoomSetpoint {
  mode: unknown;
  temp: unknown;
  end: unknown;
}

export interface HomeSnapshot {
  thermMode: unknown;
  scheduleId: string | undefined;
  rooms: Map<string, RoomSetpoint>;
  cameras: Map<string, { monitoring: unknown; floodlight: unknown }>;
}

export interface HomeChanges {
  pushes: PushPayload[];
  /** Cameras whose monitoring was switched: they raise `on`/`off` events. */
  monitoring: Array<{ cameraId: string; on: boolean }>;
}

const CAMERA_TYPES = new Set(['NACamera', 'NPC', 'NOC', 'NDB']);
const SCHEDULE_MODES = new Set(['schedule', 'home']);

export function snapshotHome(home: HomeState): HomeSnapshot {
  const rooms = new Map<string, RoomSetpoint>();
  for (const room of home.rooms.values()) {
    rooms.set(room.id, {
      mode: room.get('therm_setpoint_mode'),
      temp: room.get('therm_setpoint_temperature'),
      end: room.get('therm_setpoint_end_time'),
    });
  }
  const cameras = new Map<string, { monitoring: unknown; floodlight: unknown }>();
  for (const module of home.modules.values()) {
    if (!CAMERA_TYPES.has(String(module.get('type')))) continue;
    cameras.set(module.id, { monitoring: module.get('monitoring'), floodlight: module.get('floodlight') });
  }
  return {
    thermMode: home.topology.therm_mode,
    scheduleId: home.topology.schedules?.find((s) => s.selected)?.id,
    rooms,
    cameras,
  };
}

export function diffHome(
  homeId: string,
  home: HomeState,
  before: HomeSnapshot,
  account: PushAccount,
  newEventId: () => string,
): HomeChanges {
  const after = snapshotHome(home);
  const pushes: PushPayload[] = [];
  const base = { user_id: account.userId, home_id: homeId };
  if (after.thermMode !== before.thermMode) {
    pushes.push({
      ...base,
      event_type: 'therm_mode',
      home: { id: homeId, therm_mode: after.thermMode },
      mode: after.thermMode,
      previous_mode: before.thermMode,
      push_type: 'home_event_changed',
    });
  } else {
    for (const [roomId, now] of after.rooms) {
      const was = before.rooms.get(roomId);
      if (!was) continue;
      // A room that follows its schedule before and after only moved with the schedule.
      const followsSchedule = SCHEDULE_MODES.has(String(now.mode));
      const changed =
        was.mode !== now.mode || (!followsSchedule && (was.temp !== now.temp || was.end !== now.end));
      if (changed) pushes.push(setpointPush(homeId, home, roomId, now, account));
    }
  }
  if (after.scheduleId !== before.scheduleId) {
    pushes.push({
      ...base,
      event_type: 'schedule',
      schedule_id: after.scheduleId,
      previous_schedule_id: before.scheduleId,
      push_type: 'home_event_changed',
    });
  }
  const monitoring: HomeChanges['monitoring'] = [];
  for (const [cameraId, now] of after.cameras) {
    const was = before.cameras.get(cameraId);
    if (!was) continue;
    if (now.monitoring !== was.monitoring) monitoring.push({ cameraId, on: now.monitoring === 'on' });
    if (now.floodlight !== was.floodlight) {
      pushes.push({
        ...base,
        event_type: 'light_mode',
        device_id: cameraId,
        camera_id: cameraId,
        event_id: newEventId(),
        sub_type: now.floodlight,
        push_type: 'NOC-light_mode',
      });
    }
  }
  return { pushes, monitoring };
}

function setpointPush(
  homeId: string,
  home: HomeState,
  roomId: string,
  now: RoomSetpoint,
  account: PushAccount,
): PushPayload {
  const topologyRoom = home.topology.rooms?.find((r) => r.id === roomId);
  const cancelled = SCHEDULE_MODES.has(String(now.mode));
  const mode = cancelled ? 'home' : now.mode;
  const room: PushPayload = {
    id: roomId,
    name: topologyRoom?.name,
    type: topologyRoom?.type,
    therm_setpoint_mode: mode,
  };
  if (!cancelled && typeof now.temp === 'number') room.therm_setpoint_temperature = now.temp;
  if (!cancelled && typeof now.end === 'number' && now.end > 0) room.therm_setpoint_end_time = now.end;
  const modules = (topologyRoom?.module_ids ?? []).map((id) => {
    const module = home.topology.modules?.find((m) => m.id === id);
    return { id, name: module?.name, type: module?.type };
  });
  return {
    user_id: account.userId,
    room_id: roomId,
    home: {
      id: homeId,
      name: home.topology.name,
      ...(home.topology.country ? { country: home.topology.country } : {}),
      rooms: [room],
      modules,
    },
    mode,
    event_type: cancelled ? 'cancel_set_point' : 'set_point',
    ...(mode === 'manual' && typeof now.temp === 'number' ? { temperature: now.temp } : {}),
    push_type: 'display_change',
  };
}
