/**
 * One security event as the bridge handles it, whether read with `getevents` or pushed by
 * Netatmo's webhook: both shapes become the same record, keyed so that the two copies of one
 * event meet (`<event id>` or, for an outdoor camera's detections, `<event id>/<sub-event id>`,
 * since Netatmo pushes each detection on its own).
 *
 * Shapes: pyatmo `fixtures/getevents.json` (polled), Home Assistant netatmo tests and the
 * simulator's push payloads (src/simulator/security/push-payloads.ts) for pushes.
 */
import { eventName, OUTDOOR_DETECTIONS } from '../devices/events.js';
import type { SecurityEvent } from '../netatmo/api-types.js';

export interface SecurityEventRecord {
  /** What deduplicates it: the event id, or `<event id>/<sub-event id>`. */
  key: string;
  eventId: string;
  subeventId?: string;
  homeId: string;
  /** Netatmo id of the device the event is about (a door tag or siren, not its camera). */
  moduleId: string;
  netatmoType: string;
  /** The bridge's name (src/devices/events.ts), Netatmo's type when the catalogue has none. */
  name: string;
  subType?: number;
  /** Epoch seconds. */
  time: number;
  message?: string;
  snapshotUrl?: string;
  vignetteUrl?: string;
  personIds: string[];
  isArrival?: boolean;
  via: 'poll' | 'push';
}

type Json = Record<string, unknown>;

const text = (value: unknown): string | undefined =>
  typeof value === 'string' && value.length > 0 ? value : undefined;
const int = (value: unknown): number | undefined =>
  typeof value === 'number' && Number.isFinite(value) ? Math.trunc(value) : undefined;
const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Netatmo messages carry `<b>` markup and sometimes entities; the bridge publishes plain text. */
function plain(message: unknown): string | undefined {
  const raw = text(message);
  if (raw === undefined) return undefined;
  return raw
    .replace(/<[^>]*>/g, '')
    .replace(/&amp;/g, '&')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .trim()
    .slice(0, 500);
}

/**
 * A picture reference: `{url}` (temporary, absolute) or `{filename}` (relative to the camera's
 * own URL, which `cameraUrl` gives when known). Only http(s) URLs are kept.
 */
function pictureUrl(picture: unknown, cameraUrl: string | undefined): string | undefined {
  if (!isObject(picture)) return undefined;
  const url = text(picture.url);
  if (url !== undefined) return /^https?:\/\//.test(url) ? url : undefined;
  const filename = text(picture.filename);
  if (filename === undefined || cameraUrl === undefined || filename.includes('..')) return undefined;
  return `${cameraUrl.replace(/\/+$/, '')}/${filename.replace(/^\/+/, '')}`;
}

function withOptional<T extends object>(record: T, extra: Record<string, unknown>): T {
  for (const [key, value] of Object.entries(extra))
    if (value !== undefined) Object.assign(record, { [key]: value });
  return record;
}

/**
 * A `getevents` entry → its records: one, or one per detection of an outdoor event.
 * `cameraUrlOf(moduleId)` gives the camera's URL for `{filename}` pictures.
 */
export function fromPolled(
  homeId: string,
  event: SecurityEvent,
  cameraUrlOf: (moduleId: string) => string | undefined,
): SecurityEventRecord[] {
  const moduleId = text(event.module_id) ?? text(event.device_id);
  if (moduleId === undefined || !text(event.id)) return [];
  const cameraUrl = cameraUrlOf(moduleId);
  const personId = text(event.person_id);
  const base = {
    eventId: event.id,
    homeId,
    moduleId,
    netatmoType: event.type,
    personIds: personId ? [personId] : [],
    via: 'poll' as const,
  };
  const subevents = (event.subevents ?? []).filter(isObject);
  if (event.type === 'outdoor' && subevents.length > 0) {
    return subevents.flatMap((sub) => {
      const subeventId = text(sub.id);
      const type = text(sub.type);
      if (subeventId === undefined || type === undefined) return [];
      return [
        withOptional(
          {
            ...base,
            key: `${event.id}/${subeventId}`,
            subeventId,
            name: eventName('outdoor', undefined, type) ?? type,
            time: int(sub.time) ?? event.time,
          },
          {
            message: plain(sub.message),
            snapshotUrl: pictureUrl(sub.snapshot, cameraUrl),
            vignetteUrl: pictureUrl(sub.vignette, cameraUrl),
          },
        ),
      ];
    });
  }
  const subType = int(event.sub_type);
  return [
    withOptional(
      { ...base, key: event.id, name: eventName(event.type, subType) ?? event.type, time: event.time },
      {
        subType,
        message: plain(event.message),
        snapshotUrl: pictureUrl(event.snapshot, cameraUrl),
        vignetteUrl: pictureUrl(event.vignette, cameraUrl),
        isArrival: typeof event.is_arrival === 'boolean' ? event.is_arrival : undefined,
      },
    ),
  ];
}

/** Push types that are not security events (the activation ping, heating and camera settings). */
const NOT_EVENTS = new Set(['webhook_activation', 'webhook_deactivation']);
const ENERGY_EVENT_TYPES = new Set(['set_point', 'cancel_set_point', 'therm_mode', 'schedule', 'light_mode']);

/**
 * A webhook payload → its security event record, or undefined for a push that is none (the
 * activation ping, thermostat and floodlight changes). `now` (epoch s) stands in for the time
 * pushes do not carry.
 */
export function fromPush(payload: Json, now: number): SecurityEventRecord | undefined {
  const pushType = text(payload.push_type) ?? '';
  const eventType = text(payload.event_type);
  if (NOT_EVENTS.has(pushType) || eventType === undefined || ENERGY_EVENT_TYPES.has(eventType))
    return undefined;
  const eventId = text(payload.event_id);
  const homeId = text(payload.home_id);
  // Door tags and sirens push through their camera: the module is the one the event is about.
  const moduleId = text(payload.module_id) ?? text(payload.device_id) ?? text(payload.camera_id);
  if (eventId === undefined || homeId === undefined || moduleId === undefined) return undefined;
  const subeventId = text(payload.subevent_id);
  const detection = (OUTDOOR_DETECTIONS as readonly string[]).includes(eventType);
  const netatmoType = detection ? 'outdoor' : eventType;
  const subType = int(payload.sub_type);
  const persons = Array.isArray(payload.persons) ? payload.persons.filter(isObject) : [];
  const personIds = persons.map((p) => text(p.id)).filter((id): id is string => id !== undefined);
  const singlePerson = text(payload.person_id);
  return withOptional(
    {
      key: subeventId ? `${eventId}/${subeventId}` : eventId,
      eventId,
      homeId,
      moduleId,
      netatmoType,
      name:
        (detection ? eventName('outdoor', undefined, eventType) : eventName(eventType, subType)) ?? eventType,
      time: int(payload.time) ?? now,
      personIds: personIds.length > 0 ? personIds : singlePerson ? [singlePerson] : [],
      via: 'push' as const,
    },
    {
      subeventId,
      subType: detection ? undefined : subType,
      message: plain(payload.message),
      snapshotUrl: pictureUrl({ url: payload.snapshot_url }, undefined),
      vignetteUrl: pictureUrl({ url: payload.vignette_url }, undefined),
      isArrival: typeof payload.is_arrival === 'boolean' ? payload.is_arrival : undefined,
    },
  );
}
