/**
 * What a security event changes in device state, beyond being published: the smoke or CO
 * alarm (which only events tell: their homestatus has no alarm field), a door tag opening, the
 * siren, camera monitoring and SD card/power supply, and the presence of persons.
 *
 * `sticky` changes are state no poll reports (the alarms): they are applied for history too, so
 * a first start or a long outage still ends with the right alarm state. The others are applied
 * for fresh events only; homestatus corrects them at its next read anyway.
 */
import { hasCapability } from '../devices/capability.js';
import { moduleDeviceId, personDeviceId } from '../devices/ids.js';
import { alimStatus, isoTime, sdStatus } from '../devices/normalize.js';
import type { Device, DeviceState } from '../devices/types.js';
import type { SecurityEventRecord } from './security-event.js';

export interface EventEffect {
  deviceId: string;
  state: DeviceState;
  sticky: boolean;
}

const ALARM: Readonly<Record<string, boolean>> = {
  smoke_detected: true,
  smoke_cleared: false,
  co_alarm: true,
  co_pre_alarm: true,
  co_ok: false,
};

/** The state changes one event makes; `device(id)` looks a bridge device up by its id. */
export function effectsOf(
  record: SecurityEventRecord,
  device: (id: string) => Device | undefined,
): EventEffect[] {
  const moduleDevice = device(moduleDeviceId(record.moduleId));
  const effects: EventEffect[] = [];
  const on = (target: Device | undefined, state: DeviceState, sticky = false): void => {
    const keys = Object.keys(state);
    if (target && keys.every((key) => hasCapability(target, key)))
      effects.push({ deviceId: target.id, state, sticky });
  };
  const alarm = ALARM[record.name];
  if (alarm !== undefined) on(moduleDevice, { alarm }, true);
  switch (record.name) {
    case 'tag_open':
      on(moduleDevice, { open: true });
      break;
    case 'siren_sounding':
    case 'siren_stopped': {
      const sounding = record.name === 'siren_sounding';
      on(moduleDevice, { sounding, siren_status: sounding ? 'sound' : 'no_sound' });
      break;
    }
    case 'monitoring_on':
    case 'monitoring_off':
      on(moduleDevice, { monitoring: record.name === 'monitoring_on' ? 'on' : 'off' });
      break;
    case 'sd_card':
      on(moduleDevice, { sd_status: sdStatus(record.subType) });
      break;
    case 'power_supply':
      on(moduleDevice, { alim_status: alimStatus(record.subType) });
      break;
    case 'person':
      for (const id of record.personIds)
        on(device(personDeviceId(id)), { presence: true, last_seen: isoTime(record.time) });
      break;
    case 'person_away':
    case 'person_home':
      for (const id of record.personIds)
        on(device(personDeviceId(id)), { presence: record.name === 'person_home' });
      break;
  }
  return effects;
}

/** Merges effects per device, later ones winning (events are handled oldest first). */
export function mergeEffects(effects: readonly EventEffect[]): Map<string, DeviceState> {
  const out = new Map<string, DeviceState>();
  for (const effect of effects)
    out.set(effect.deviceId, { ...(out.get(effect.deviceId) ?? {}), ...effect.state });
  return out;
}
