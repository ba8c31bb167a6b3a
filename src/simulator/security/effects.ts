/**
 * What an event changes in homestatus, where Netatmo shows it there:
 * - door tag `tag_open` → `status` `open` (Netatmo sends no event when it closes again);
 * - siren `siren_sounding` → `status` `sound` / `no_sound` (sub_type 1 / 0);
 * - camera `on`/`off` → `monitoring`; `sd`/`alim` → `sd_status`/`alim_status` = sub_type;
 * - `person` → that person `out_of_sight: false`, `last_seen` = event time; `person_away` /
 *   `person_home` → `out_of_sight` true / false;
 * - any module that reports `last_seen` (door tags, sirens, smoke and CO alarms) was just heard from.
 *
 * Smoke and CO alarms have no alarm field in homestatus (pyatmo fixture
 * `homestatus_legrand_home_id.json`: NSD/NCO show only firmware, `last_seen`, `wifi_strength`),
 * so `smoke`/`co_detected` change nothing there: their state lives in the events' `sub_type`.
 */
import type { RaisedEvent } from './event-builder.js';
import { markAway, markHome, markSeen } from './persons.js';

export function applyEffects(raised: RaisedEvent, nowMs: number): void {
  const { device, event, personIds } = raised;
  const module = device.home.modules.get(device.id);
  const timeSec = event.time;
  const subType = typeof event.sub_type === 'number' ? event.sub_type : undefined;
  switch (event.type) {
    case 'tag_open':
      module?.set('status', 'open', nowMs);
      break;
    case 'siren_sounding':
      module?.set('status', subType === 0 ? 'no_sound' : 'sound', nowMs);
      break;
    case 'on':
    case 'off':
      if (module?.get('monitoring') !== undefined) module.set('monitoring', event.type, nowMs);
      break;
    case 'sd':
      if (module?.get('sd_status') !== undefined) module.set('sd_status', subType, nowMs);
      break;
    case 'alim':
      if (module?.get('alim_status') !== undefined) module.set('alim_status', subType, nowMs);
      break;
    case 'person':
      for (const id of personIds) markSeen(device.home, id, timeSec);
      break;
    case 'person_away':
      for (const id of personIds) markAway(device.home, id);
      break;
    case 'person_home':
      for (const id of personIds) markHome(device.home, id);
      break;
  }
  if (typeof module?.get('last_seen') === 'number') module.set('last_seen', timeSec, nowMs);
}
