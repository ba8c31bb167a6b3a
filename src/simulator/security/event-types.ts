/**
 * Which security events each device type sends, what their `sub_type` codes mean, and the
 * messages the simulator writes for them. Sources (see README.md): pyatmo `event.py`
 * `EventTypes`, Home Assistant netatmo `const.py` triggers, openHAB netatmo `EventType` and
 * `EventSubType` (sub_type codes), the pyatmo fixtures `getevents.json` and
 * `camera_home_data.json`.
 */

/** Sub-events an outdoor camera (NOC) or doorbell (NDB) attaches to an `outdoor` event. */
export const OUTDOOR_SUBEVENTS = ['human', 'animal', 'vehicle'] as const;
export type OutdoorSubevent = (typeof OUTDOOR_SUBEVENTS)[number];

export interface EventKind {
  /** Device types that send it. */
  devices: readonly string[];
  /** `sub_type` codes and what each means (also the default message's wording). */
  subTypes?: Readonly<Record<number, string>>;
  /** The code used when a request names none. */
  defaultSubType?: number;
  /** The event carries a snapshot (and, when true, also a vignette). */
  snapshot?: 'snapshot' | 'snapshot+vignette';
  /** The event has a recorded clip (`video_id`, `video_status`). */
  video?: boolean;
  /** Message written into the event; `{name}` is the device's name, `{what}` the sub_type's meaning. */
  message?: string;
  /** The event needs a known person (`person_id`). */
  person?: boolean;
}

/** A kind whose `sub_type` says what happened; its message is "<device>: <meaning>". */
function coded(
  devices: readonly string[],
  defaultSubType: number,
  subTypes: Record<number, string>,
): EventKind {
  return { devices, subTypes, defaultSubType, message: '{name}: {what}' };
}

const INDOOR = ['NACamera', 'NPC'] as const;
const CAMERAS = ['NACamera', 'NPC', 'NOC', 'NDB'] as const;
const DETECTORS = ['NSD', 'NCO'] as const;

export const EVENT_KINDS: Readonly<Record<string, EventKind>> = {
  // Cameras
  movement: {
    devices: INDOOR,
    snapshot: 'snapshot+vignette',
    video: true,
    message: '<b>Motion</b> detected',
  },
  person: {
    devices: INDOOR,
    snapshot: 'snapshot',
    video: true,
    person: true,
    message: '<b>{person}</b> seen',
  },
  person_away: { devices: INDOOR, message: '<b>{person}</b> left home' },
  person_home: { devices: INDOOR, message: '<b>{person}</b> is home' },
  alarm_started: { devices: INDOOR, snapshot: 'snapshot', video: true, message: 'Alarm detected by {name}' },
  outdoor: { devices: ['NOC', 'NDB'], video: true },
  connection: { devices: CAMERAS, message: '{name} connected' },
  disconnection: { devices: CAMERAS, message: '{name} disconnected' },
  boot: { devices: CAMERAS, message: '{name} started' },
  on: { devices: CAMERAS, message: 'Monitoring resumed on {name}' },
  off: { devices: CAMERAS, message: 'Monitoring disabled on {name}' },
  sd: coded(CAMERAS, 4, {
    1: 'SD card missing',
    2: 'SD card inserted',
    3: 'SD card formatted',
    4: 'SD card working',
    5: 'SD card defective',
    6: 'SD card too slow',
    7: 'SD card full',
  }),
  alim: coded(CAMERAS, 2, { 1: 'incorrect power supply', 2: 'power supply correct' }),
  // Doorbell
  incoming_call: {
    devices: ['NDB'],
    snapshot: 'snapshot+vignette',
    video: true,
    message: 'Someone rang at {name}',
  },
  accepted_call: { devices: ['NDB'], snapshot: 'snapshot', video: true, message: 'Call at {name} answered' },
  missed_call: { devices: ['NDB'], snapshot: 'snapshot', video: true, message: 'Missed call at {name}' },
  // Door tags (bridged by an indoor camera)
  tag_open: { devices: ['NACamDoorTag'], message: '{name}: open' },
  tag_big_move: { devices: ['NACamDoorTag'], message: 'Movement detected by {name}' },
  tag_small_move: { devices: ['NACamDoorTag'], message: 'Small movement detected by {name}' },
  tag_uninstalled: { devices: ['NACamDoorTag'], message: '{name} uninstalled' },
  // Indoor siren (bridged by an indoor camera)
  siren_sounding: coded(['NIS'], 1, { 0: 'siren stopped', 1: 'siren sounding' }),
  siren_tampered: { devices: ['NIS'], message: '{name}: siren tampered' },
  // Smoke and CO alarms
  smoke: coded(['NSD'], 1, { 0: 'smoke cleared', 1: 'smoke detected' }),
  co_detected: coded(['NCO'], 2, { 0: 'CO level back to normal', 1: 'CO pre-alarm', 2: 'CO alarm' }),
  hush: coded(['NSD'], 0, { 0: 'alarm hushed for 15 minutes', 1: 'hush ended' }),
  tampered: coded(DETECTORS, 1, { 0: 'ready', 1: 'tampered' }),
  sound_test: coded(DETECTORS, 0, { 0: 'sound test successful', 1: 'sound test failed' }),
  wifi_status: coded(DETECTORS, 1, { 0: 'Wi-Fi error', 1: 'Wi-Fi connected' }),
  battery_status: coded(DETECTORS, 0, { 0: 'battery low', 1: 'battery very low' }),
  detection_chamber_status: coded(['NSD'], 1, { 0: 'detection chamber clean', 1: 'detection chamber dusty' }),
};

export const OUTDOOR_MESSAGES: Readonly<Record<OutdoorSubevent, string>> = {
  human: 'Person detected',
  animal: 'Animal detected',
  vehicle: 'Vehicle detected',
};

/** Event types a device of `deviceType` can send, in catalogue order. */
export function eventTypesFor(deviceType: string): string[] {
  return Object.entries(EVENT_KINDS)
    .filter(([, kind]) => kind.devices.includes(deviceType))
    .map(([type]) => type);
}

/** Device types that send security events at all. */
export const SECURITY_DEVICE_TYPES: ReadonlySet<string> = new Set(
  Object.values(EVENT_KINDS).flatMap((kind) => kind.devices),
);
