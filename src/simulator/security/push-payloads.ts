/**
 * The JSON bodies Netatmo POSTs to a registered webhook for a security event. Shapes from real
 * payloads quoted in home-assistant/core (tests/components/netatmo: test_camera.py,
 * test_doortag.py, test_webhook.py; issue #61688) and a captured NOC payload
 * (gist andersonshatch/dec84cb8…): `push_type` is `<device type>-<event type>`, cameras give
 * `camera_id` and `device_id`, pictures come as `snapshot_id`/`_key`/`_url` and
 * `vignette_id`/`_key`/`_url`, door tags and sirens as `module_id` with the camera as
 * `device_id`, an outdoor camera pushes one payload per sub-event (`NOC-human`, …) with
 * `subevent_id`, and a person event lists `persons[]` with their faces.
 */
import type { RaisedEvent } from './event-builder.js';
import type { PictureRef } from './media.js';

export type PushPayload = Record<string, unknown>;

/** Who the pushes are for: Netatmo adds the account's user id to every payload. */
export interface PushAccount {
  userId: string;
  email?: string;
}

function pictures(prefix: 'snapshot' | 'vignette', ref: PictureRef | undefined): PushPayload {
  return ref ? { [`${prefix}_id`]: ref.id, [`${prefix}_key`]: ref.key, [`${prefix}_url`]: ref.url } : {};
}

export function activationPayload(account: PushAccount): PushPayload {
  return {
    user_id: account.userId,
    user: { id: account.userId, ...(account.email ? { email: account.email } : {}) },
    push_type: 'webhook_activation',
  };
}

export function eventPayloads(
  raised: RaisedEvent,
  account: PushAccount,
  faceOf: (personId: string) => PictureRef | undefined,
): PushPayload[] {
  const { device, event } = raised;
  // Door tags and sirens report through their camera, which is the payload's device.
  const sender = device.bridge ?? device;
  const base: PushPayload = {
    user_id: account.userId,
    home_id: raised.homeId,
    home_name: device.home.topology.name ?? '',
    event_id: event.id,
    device_id: sender.id,
  };
  if (sender.type !== 'NSD' && sender.type !== 'NCO') base.camera_id = sender.id;
  if (device.bridge) base.module_id = device.id;
  if (typeof event.sub_type === 'number') base.sub_type = event.sub_type;
  const message = (text: string | undefined): PushPayload =>
    text ? { message: `${device.home.topology.name ?? 'Home'}: ${text.replace(/<\/?b>/g, '')}` } : {};
  if (event.type === 'outdoor') {
    return raised.subevents.map((sub) => ({
      ...base,
      event_type: sub.type,
      subevent_id: sub.id,
      ...pictures('snapshot', sub.snapshot),
      ...pictures('vignette', sub.vignette),
      ...message(`${sub.message} by ${device.name}`),
      push_type: `${sender.type}-${sub.type}`,
    }));
  }
  const payload: PushPayload = {
    ...base,
    event_type: event.type,
    ...pictures('snapshot', raised.snapshot),
    ...pictures('vignette', raised.vignette),
    ...message(typeof event.message === 'string' ? event.message : undefined),
    push_type: `${sender.type}-${event.type}`,
  };
  if (raised.personIds.length > 0) {
    payload.persons = raised.personIds.map((id) => {
      const face = faceOf(id);
      const known = device.home.topology.persons?.some((p) => p.id === id && p.pseudo !== undefined);
      return {
        id,
        ...(face ? { face_id: face.id, face_key: face.key, face_url: face.url } : {}),
        is_known: known === true,
      };
    });
  }
  return [payload];
}
