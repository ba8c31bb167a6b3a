/**
 * Decoders for the "homes" model: homesdata, homestatus, setstate and getevents bodies.
 * Field lists follow api-types.ts; fields not listed there pass through as raw JSON.
 */
import type {
  EventsBody,
  HomeStatus,
  HomeStatusBody,
  HomesDataBody,
  HomeTopology,
  ModuleError,
  ModuleStatus,
  ModuleTopology,
  NetatmoUser,
  Person,
  RoomStatus,
  RoomTopology,
  Schedule,
  SecurityEvent,
  SetStateBody,
} from '../api-types.js';
import { arrayOf, bool, type Decoder, id, int, isPlainObject, num, shape, str } from './decode.js';

const numbers = arrayOf(num);
const rawObjects = arrayOf(shape<Record<string, unknown>>({}));

export const userDecoder = shape<NetatmoUser>({
  optional: {
    email: str,
    language: str,
    locale: str,
    unit_system: num,
    unit_pressure: num,
    unit_wind: num,
    id: str,
  },
});

export const moduleErrorDecoder = shape<ModuleError>({
  required: { code: int, id },
  optional: { message: str, command: str },
});

const moduleErrors = arrayOf(moduleErrorDecoder);

// ---- homesdata -------------------------------------------------------------------------

const roomTopology = shape<RoomTopology>({
  required: { id },
  optional: {
    name: str,
    type: str,
    module_ids: arrayOf(id),
    therm_relay: str,
    true_temperature_available: bool,
  },
});

const moduleTopology = shape<ModuleTopology>({
  required: { id, type: str },
  optional: {
    name: str,
    setup_date: num,
    room_id: str,
    bridge: str,
    modules_bridged: arrayOf(id),
    category: str,
    appliance_type: str,
  },
});

const schedule = shape<Schedule>({
  required: { id },
  optional: {
    name: str,
    type: str,
    selected: bool,
    away_temp: num,
    hg_temp: num,
    zones: arrayOf(
      shape({
        required: { id: num },
        optional: { name: str, type: num, rooms: rawObjects },
      }),
    ),
    timetable: arrayOf(shape({ required: { zone_id: num, m_offset: num } })),
  },
});

const person = shape<Person>({ required: { id }, optional: { pseudo: str } });

const homeTopology = shape<HomeTopology>({
  required: { id },
  optional: {
    name: str,
    timezone: str,
    altitude: num,
    coordinates: numbers,
    country: str,
    temperature_control_mode: str,
    cooling_mode: str,
    therm_mode: str,
    therm_setpoint_default_duration: num,
    rooms: arrayOf(roomTopology),
    modules: arrayOf(moduleTopology),
    schedules: arrayOf(schedule),
    persons: arrayOf(person),
  },
});

/** `body: {}` is how Netatmo answers an account without homes. */
export const homesDataDecoder = shape<HomesDataBody>({
  optional: { homes: arrayOf(homeTopology), user: userDecoder },
  defaults: { homes: () => [] },
});

// ---- homestatus ------------------------------------------------------------------------

const roomStatus = shape<RoomStatus>({
  required: { id },
  optional: {
    reachable: bool,
    therm_measured_temperature: num,
    therm_setpoint_temperature: num,
    therm_setpoint_mode: str,
    therm_setpoint_start_time: num,
    therm_setpoint_end_time: num,
    heating_power_request: num,
    anticipating: bool,
    open_window: bool,
    humidity: num,
  },
});

const moduleStatus = shape<ModuleStatus>({
  required: { id, type: str },
  optional: {
    reachable: bool,
    bridge: str,
    firmware_revision: num,
    battery_level: num,
    battery_state: str,
    rf_strength: num,
    wifi_strength: num,
    last_seen: num,
    ts: num,
    boiler_status: bool,
    boiler_valve_comfort_boost: bool,
    anticipating: bool,
    monitoring: str,
    floodlight: str,
    sd_status: num,
    alim_status: num,
    on: bool,
    brightness: num,
    power: num,
    current_position: num,
    target_position: num,
    // The grid of positions a cover accepts, in the spelling pyatmo reads (and Netatmo honours);
    // some fixtures also carry `target_position_step`, which is kept as an unknown field.
    'target_position:step': num,
    fan_speed: num,
    contactor_mode: str,
    temperature: num,
    co2: num,
    humidity: num,
    noise: num,
    pressure: num,
    absolute_pressure: num,
    status: str,
  },
});

const homeStatus = shape<HomeStatus>({
  required: { id },
  optional: { rooms: arrayOf(roomStatus), modules: arrayOf(moduleStatus), persons: rawObjects },
});

/**
 * `homeId` is the requested home. Netatmo answers `body: {}` (or no body) for a home with
 * nothing to report, and may leave out `home.id` (a home with only persons): both are read as
 * that home rather than as an error.
 */
export function homeStatusDecoder(homeId?: string): Decoder<HomeStatusBody> {
  const body = shape<HomeStatusBody>({
    required: { home: homeStatus },
    optional: { errors: moduleErrors },
  });
  return (value, path) => {
    if (homeId === undefined) return body(value, path);
    if (value === undefined) return body({ home: { id: homeId } }, path);
    if (!isPlainObject(value)) return body(value, path);
    const home = value.home;
    if (home === undefined || home === null) return body({ ...value, home: { id: homeId } }, path);
    if (isPlainObject(home) && !Object.hasOwn(home, 'id'))
      return body({ ...value, home: { ...home, id: homeId } }, path);
    return body(value, path);
  };
}

// ---- setstate --------------------------------------------------------------------------

/** A bare `{"status":"ok"}` (no body) is a complete success. */
export const setStateDecoder: Decoder<SetStateBody> = (value, path) =>
  value === undefined
    ? {}
    : shape<SetStateBody>({
        optional: { home: shape({ required: { id } }), errors: moduleErrors },
      })(value, path);

// ---- getevents -------------------------------------------------------------------------

const securityEvent = shape<SecurityEvent>({
  required: { id, type: str, time: num },
  optional: { module_id: str, message: str, subevents: rawObjects },
});

export const eventsDecoder = shape<EventsBody>({
  required: {
    home: shape({
      required: { id },
      optional: { events: arrayOf(securityEvent) },
      defaults: { events: () => [] },
    }),
  },
});
