/**
 * Security events: which events each Netatmo device type sends, and the name the bridge gives
 * each one. Netatmo says what happened with a `type` and, for detectors and sirens, a
 * `sub_type` code (smoke 1 detected / 0 cleared); the bridge turns the pair into one word a
 * Home Assistant automation can trigger on (`smoke_detected`, `smoke_cleared`), and an outdoor
 * detection into its sub-event's type (`human`, `animal`, `vehicle`).
 *
 * Sources (src/simulator/README.md "Security"): pyatmo `event.py` EventTypes, Home Assistant
 * netatmo `const.py`, openHAB netatmo `EventType`/`EventSubType` (sub_type codes).
 */

const INDOOR = ['NACamera', 'NPC'] as const;
const CAMERAS = ['NACamera', 'NPC', 'NOC', 'NDB'] as const;
const DETECTORS = ['NSD', 'NCO'] as const;

interface NetatmoEventKind {
  /** Device types that send it (door tags and sirens: the module itself, not its camera). */
  devices: readonly string[];
  /** The bridge's name: one for the type, or one per `sub_type` code. */
  names: string | Readonly<Record<number, string>>;
}

/** Netatmo event type → who sends it and what the bridge calls it. */
const KINDS: Readonly<Record<string, NetatmoEventKind>> = {
  movement: { devices: INDOOR, names: 'movement' },
  person: { devices: INDOOR, names: 'person' },
  person_away: { devices: INDOOR, names: 'person_away' },
  person_home: { devices: INDOOR, names: 'person_home' },
  alarm_started: { devices: INDOOR, names: 'alarm_started' },
  // An outdoor event is published once per detection (sub-event), named after it.
  outdoor: { devices: ['NOC', 'NDB'], names: 'outdoor' },
  connection: { devices: CAMERAS, names: 'connection' },
  disconnection: { devices: CAMERAS, names: 'disconnection' },
  boot: { devices: CAMERAS, names: 'boot' },
  on: { devices: CAMERAS, names: 'monitoring_on' },
  off: { devices: CAMERAS, names: 'monitoring_off' },
  sd: { devices: CAMERAS, names: 'sd_card' },
  alim: { devices: CAMERAS, names: 'power_supply' },
  incoming_call: { devices: ['NDB'], names: 'incoming_call' },
  accepted_call: { devices: ['NDB'], names: 'accepted_call' },
  missed_call: { devices: ['NDB'], names: 'missed_call' },
  tag_open: { devices: ['NACamDoorTag'], names: 'tag_open' },
  tag_big_move: { devices: ['NACamDoorTag'], names: 'tag_big_move' },
  tag_small_move: { devices: ['NACamDoorTag'], names: 'tag_small_move' },
  tag_uninstalled: { devices: ['NACamDoorTag'], names: 'tag_uninstalled' },
  siren_sounding: { devices: ['NIS'], names: { 0: 'siren_stopped', 1: 'siren_sounding' } },
  siren_tampered: { devices: ['NIS'], names: 'siren_tampered' },
  smoke: { devices: ['NSD'], names: { 0: 'smoke_cleared', 1: 'smoke_detected' } },
  co_detected: { devices: ['NCO'], names: { 0: 'co_ok', 1: 'co_pre_alarm', 2: 'co_alarm' } },
  hush: { devices: ['NSD'], names: { 0: 'hush_started', 1: 'hush_ended' } },
  tampered: { devices: DETECTORS, names: { 0: 'tamper_cleared', 1: 'tampered' } },
  sound_test: { devices: DETECTORS, names: { 0: 'sound_test_ok', 1: 'sound_test_failed' } },
  wifi_status: { devices: DETECTORS, names: { 0: 'wifi_error', 1: 'wifi_ok' } },
  battery_status: { devices: DETECTORS, names: { 0: 'battery_low', 1: 'battery_very_low' } },
  detection_chamber_status: { devices: ['NSD'], names: { 0: 'chamber_clean', 1: 'chamber_dusty' } },
};

/** What an outdoor camera (or the doorbell) detected: each is an event of its own. */
export const OUTDOOR_DETECTIONS = ['human', 'animal', 'vehicle'] as const;

/**
 * The bridge's name for a Netatmo event: `type` + `sub_type`, or the outdoor sub-event's type.
 * Undefined for an event the catalogue does not know (or a code it does not know), which the
 * bridge then publishes under Netatmo's own type.
 */
export function eventName(type: string, subType?: unknown, subeventType?: unknown): string | undefined {
  if (type === 'outdoor' && typeof subeventType === 'string') {
    return (OUTDOOR_DETECTIONS as readonly string[]).includes(subeventType) ? subeventType : undefined;
  }
  const kind = KINDS[type];
  if (!kind) return undefined;
  if (typeof kind.names === 'string') return kind.names;
  return typeof subType === 'number' ? kind.names[subType] : undefined;
}

/** Every event name a device of `deviceType` can send (empty: it sends none), in catalogue order. */
export function eventTypesOf(deviceType: string): string[] {
  const names: string[] = [];
  for (const [type, kind] of Object.entries(KINDS)) {
    if (!kind.devices.includes(deviceType)) continue;
    if (type === 'outdoor') names.push(...OUTDOOR_DETECTIONS, 'outdoor');
    else if (typeof kind.names === 'string') names.push(kind.names);
    else names.push(...Object.values(kind.names));
  }
  return names;
}

/** Device types that send security events. */
export const EVENT_DEVICE_TYPES: ReadonlySet<string> = new Set(
  Object.values(KINDS).flatMap((k) => k.devices),
);

/** Cameras (and the doorbell): they have snapshots and a live stream. */
export const CAMERA_TYPES: ReadonlySet<string> = new Set(CAMERAS);

/** Cameras and detectors: what makes a home's events worth reading often (door tags and sirens talk through a camera). */
export const EVENT_SOURCE_TYPES: ReadonlySet<string> = new Set([...CAMERAS, ...DETECTORS]);
