/**
 * Builds one security event as Netatmo shows it in `getevents` (`id`, `type`, `time`,
 * `module_id`, `message`, `snapshot`/`vignette` `{url}`, `video_id`/`video_status`,
 * `person_id`, `sub_type`, `subevents[]` with their own pictures), plus what its webhook
 * pushes need (picture ids and keys). Shapes: pyatmo `fixtures/getevents.json`.
 */
import type { SecurityEvent } from '../../netatmo/api-types.js';
import type { SeededRandom } from '../random.js';
import type { SecurityDevice } from './devices.js';
import { EVENT_KINDS, OUTDOOR_MESSAGES, type OutdoorSubevent } from './event-types.js';
import type { MediaStore, PictureRef } from './media.js';
import { personName } from './persons.js';

/** A checked request to raise an event (POST /__sim/events, the generator, API side effects). */
export interface EventSpec {
  device: SecurityDevice;
  type: string;
  subType?: number;
  subevents?: OutdoorSubevent[];
  /** Persons concerned (person: exactly one; person_away/person_home: any). */
  personIds?: string[];
  message?: string;
}

export interface RaisedSubevent {
  id: string;
  type: OutdoorSubevent;
  time: number;
  message: string;
  snapshot: PictureRef;
  vignette: PictureRef;
}

export interface RaisedEvent {
  homeId: string;
  device: SecurityDevice;
  event: SecurityEvent;
  snapshot?: PictureRef;
  vignette?: PictureRef;
  subevents: RaisedSubevent[];
  personIds: string[];
}

/** Ids shaped like Netatmo's: events are MongoDB ObjectIds, sub-events and videos UUIDs. */
export class EventIds {
  #counter = 0;

  constructor(private readonly random: SeededRandom) {}

  /** 8 hex of seconds, 10 hex of (seeded) randomness, 6 hex of counter: unique and time-ordered. */
  objectId(timeSec: number): string {
    this.#counter = (this.#counter + 1) % 0x1000000;
    return (
      (timeSec >>> 0).toString(16).padStart(8, '0') +
      this.#hex(10) +
      this.#counter.toString(16).padStart(6, '0')
    );
  }

  uuid(): string {
    const h = this.#hex(32);
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20)}`;
  }

  #hex(length: number): string {
    let out = '';
    while (out.length < length)
      out += Math.floor(this.random.next() * 0x10000)
        .toString(16)
        .padStart(4, '0');
    return out.slice(0, length);
  }
}

export function buildEvent(spec: EventSpec, timeSec: number, ids: EventIds, media: MediaStore): RaisedEvent {
  const kind = EVENT_KINDS[spec.type];
  if (!kind) throw new Error(`unknown event type ${spec.type}`);
  const { device } = spec;
  const personIds = spec.personIds ?? [];
  const id = ids.objectId(timeSec);
  const event: SecurityEvent = { id, type: spec.type, time: timeSec, module_id: device.id };
  if (spec.subType !== undefined) event.sub_type = spec.subType;
  const message = spec.message ?? defaultMessage(spec, personIds);
  if (message !== undefined) event.message = message;
  const raised: RaisedEvent = { homeId: device.homeId, device, event, subevents: [], personIds };
  if (kind.snapshot) {
    raised.snapshot = media.newPicture(ids.objectId(timeSec));
    event.snapshot = { url: raised.snapshot.url };
    if (kind.snapshot === 'snapshot+vignette') {
      raised.vignette = media.newPicture(ids.objectId(timeSec));
      event.vignette = { url: raised.vignette.url };
    }
  }
  if (kind.video) {
    event.video_id = ids.uuid();
    event.video_status = 'available';
  }
  if (spec.type === 'person' && personIds[0] !== undefined) {
    event.person_id = personIds[0];
    event.out_of_sight = false;
    const status = device.home.persons.find((p) => p.id === personIds[0]);
    event.is_arrival = status?.out_of_sight !== false;
  } else if (personIds.length === 1) {
    event.person_id = personIds[0];
  }
  if (spec.type === 'outdoor') {
    raised.subevents = (spec.subevents ?? ['human']).map((type, i) => ({
      id: ids.uuid(),
      type,
      time: timeSec + i * 2,
      message: OUTDOOR_MESSAGES[type],
      snapshot: media.newPicture(ids.objectId(timeSec)),
      vignette: media.newPicture(ids.objectId(timeSec)),
    }));
    event.subevents = raised.subevents.map((sub) => ({
      id: sub.id,
      type: sub.type,
      time: sub.time,
      verified: true,
      offset: sub.time - timeSec,
      snapshot: { url: sub.snapshot.url },
      vignette: { url: sub.vignette.url },
      message: sub.message,
    }));
  }
  return raised;
}

function defaultMessage(spec: EventSpec, personIds: string[]): string | undefined {
  const kind = EVENT_KINDS[spec.type];
  if (!kind?.message) return undefined;
  const names = personIds.map((p) => personName(spec.device.home, p));
  const what = spec.subType === undefined ? '' : (kind.subTypes?.[spec.subType] ?? '');
  return kind.message
    .replace('{name}', spec.device.name)
    .replace('{what}', what)
    .replace('{person}', names.length > 0 ? names.join(', ') : 'Everybody');
}
