/**
 * Stable, topic-safe device ids.
 *
 * Netatmo ids are MAC-like (`12:34:56:00:01:ae`), sometimes with a channel suffix
 * (`12:34:56:00:16:0e#3`), sometimes with stray spaces (`12 :34: 56:36:fd:3c`), or plain
 * digits (Bubendorff `0009999992`). MQTT topics must not carry `#`/`+`/`/`, and HA ids
 * must match `[a-zA-Z0-9_-]`, so: spaces are dropped, letters lowercased, `:` becomes
 * `_`, `#` becomes `-`, anything else outside `[a-z0-9_-]` becomes `_`. MAC octets are
 * two hex digits, so `_` and `-` keep ids unique. Rooms, homes and persons get a prefix because
 * their ids are bare numbers or hex that could meet a module id.
 */

/** Removes the stray spaces Netatmo sometimes puts in ids (as pyatmo's `fix_id` does). */
export function cleanNetatmoId(id: string): string {
  return id.replace(/\s+/g, '');
}

export function moduleDeviceId(netatmoId: string): string {
  return cleanNetatmoId(netatmoId)
    .toLowerCase()
    .replace(/:/g, '_')
    .replace(/#/g, '-')
    .replace(/[^a-z0-9_-]/g, '_');
}

export function roomDeviceId(roomId: string): string {
  return `room_${moduleDeviceId(roomId)}`;
}

export function homeDeviceId(homeId: string): string {
  return `home_${moduleDeviceId(homeId)}`;
}

/** A person the home's cameras know (a UUID): `person_<id>`. */
export function personDeviceId(personId: string): string {
  return `person_${moduleDeviceId(personId)}`;
}

/** True when `id` can be used as one MQTT topic level and as an HA object id. */
export function isTopicSafeId(id: string): boolean {
  return /^[a-zA-Z0-9_-]+$/.test(id);
}
