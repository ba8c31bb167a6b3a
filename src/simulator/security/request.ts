/**
 * Checks a request to raise an event (POST /__sim/events, `sim.raiseEvent`): the device must
 * exist and be able to send that type, `sub_type` must be one of the type's codes, persons must
 * be known. Errors name what would have been accepted.
 */
import type { World } from '../world/world.js';
import { findDevice } from './devices.js';
import type { EventSpec } from './event-builder.js';
import { EVENT_KINDS, eventTypesFor, OUTDOOR_SUBEVENTS, type OutdoorSubevent } from './event-types.js';
import { knownPersons } from './persons.js';

/** Body of POST /__sim/events. */
export interface RaiseEventRequest {
  /** The module that sends the event (camera, doorbell, door tag, siren, smoke or CO alarm). */
  device_id: string;
  type: string;
  sub_type?: number;
  /** For `outdoor`: the detections, `human`/`animal`/`vehicle` (default one `human`). */
  subevents?: string[];
  /** For `person` (required), `person_away`, `person_home`. */
  person_id?: string;
  person_ids?: string[];
  message?: string;
  /** For `tag_open`: the door closes again (homestatus `status` `closed`) after this many simulated seconds. */
  closes_after_s?: number;
}

export interface CheckedRaise {
  spec: EventSpec;
  closesAfterMs?: number;
}

const MAX_SUBEVENTS = 10;
const MAX_MESSAGE = 500;

export function checkRaiseRequest(world: World, input: Record<string, unknown>): CheckedRaise {
  const { device_id: deviceId, type } = input;
  if (typeof deviceId !== 'string' || deviceId === '') throw new Error('device_id is required: a module id');
  if (typeof type !== 'string' || type === '') throw new Error('type is required: an event type');
  const device = findDevice(world, deviceId);
  if (!device) throw new Error(`no module ${deviceId} in any home`);
  const kind = EVENT_KINDS[type];
  if (!kind?.devices.includes(device.type)) {
    const accepted = eventTypesFor(device.type);
    throw new Error(
      accepted.length > 0
        ? `a ${device.type} does not send '${type}'; it sends ${accepted.join(', ')}`
        : `a ${device.type} sends no security events`,
    );
  }
  const spec: EventSpec = { device, type };
  if (input.sub_type !== undefined) {
    const codes = Object.keys(kind.subTypes ?? {});
    if (codes.length === 0) throw new Error(`'${type}' has no sub_type`);
    if (!codes.includes(String(input.sub_type)) || !Number.isInteger(input.sub_type))
      throw new Error(`sub_type of '${type}' must be one of ${codes.join(', ')}`);
    spec.subType = input.sub_type as number;
  } else if (kind.defaultSubType !== undefined) {
    spec.subType = kind.defaultSubType;
  }
  if (input.subevents !== undefined) {
    if (type !== 'outdoor') throw new Error(`subevents belong to 'outdoor' events only`);
    const list = input.subevents;
    if (
      !Array.isArray(list) ||
      list.length === 0 ||
      list.length > MAX_SUBEVENTS ||
      !list.every((s) => (OUTDOOR_SUBEVENTS as readonly unknown[]).includes(s))
    )
      throw new Error(`subevents must be 1..${MAX_SUBEVENTS} of ${OUTDOOR_SUBEVENTS.join(', ')}`);
    spec.subevents = list as OutdoorSubevent[];
  }
  const personIds = checkPersons(input, device.home.topology.persons?.length ?? 0);
  if (personIds.length > 0 || kind.person) {
    if (!kind.person && type !== 'person_away' && type !== 'person_home')
      throw new Error(`'${type}' names no person`);
    const known = knownPersons(device.home);
    const unknown = personIds.find((id) => !known.some((p) => p.id === id));
    if (kind.person && personIds.length !== 1)
      throw new Error(`a '${type}' event needs one person_id; known: ${describe(known)}`);
    if (unknown !== undefined) throw new Error(`unknown person ${unknown}; known: ${describe(known)}`);
    spec.personIds = personIds;
  }
  if (input.message !== undefined) {
    if (typeof input.message !== 'string' || input.message.length > MAX_MESSAGE)
      throw new Error(`message must be a string of at most ${MAX_MESSAGE} characters`);
    spec.message = input.message;
  }
  if (input.closes_after_s !== undefined) {
    const s = input.closes_after_s;
    if (type !== 'tag_open') throw new Error(`closes_after_s belongs to 'tag_open' events only`);
    if (!(typeof s === 'number' && Number.isFinite(s) && s > 0))
      throw new Error('closes_after_s must be a number of seconds > 0');
    return { spec, closesAfterMs: s * 1000 };
  }
  return { spec };
}

function checkPersons(input: Record<string, unknown>, max: number): string[] {
  const { person_id: one, person_ids: many } = input;
  if (one !== undefined && typeof one !== 'string') throw new Error('person_id must be a string');
  if (
    many !== undefined &&
    !(Array.isArray(many) && many.length <= Math.max(1, max) && many.every((p) => typeof p === 'string'))
  )
    throw new Error('person_ids must be a list of known person ids');
  return [...(typeof one === 'string' ? [one] : []), ...((many as string[] | undefined) ?? [])];
}

function describe(persons: Array<{ id: string; pseudo?: string }>): string {
  return persons.length === 0 ? 'none' : persons.map((p) => `${p.id} (${p.pseudo ?? 'unnamed'})`).join(', ');
}
