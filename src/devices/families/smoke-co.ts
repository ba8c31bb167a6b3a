/** Smoke and carbon monoxide alarms: whether the alarm sounds. */
import { binary, diagnostics } from '../capability.js';
import { moduleFamily } from '../family.js';

const NETATMO = 'Netatmo';

interface AlarmOptions {
  alarm: { name: string; deviceClass: 'smoke' | 'carbon_monoxide' };
}

/** Smoke/CO `status` words that mean an alarm is (not) sounding; anything else is unknown. */
function alarmState(status: unknown): boolean | null {
  if (status === 'alarm' || status === 'smoke' || status === 'co') return true;
  if (status === 'ok' || status === 'no_alarm' || status === 'idle') return false;
  return null;
}

export const smokeCo = moduleFamily<AlarmOptions>({
  id: 'smoke_co',
  kind: 'smoke_alarm',
  // biome-ignore format: one line per type
  types: {
    NSD: { model: 'Smart Smoke Alarm', vendor: NETATMO, battery: true, wifi: true, alarm: { name: 'Smoke', deviceClass: 'smoke' } },
    NCO: { model: 'Smart Carbon Monoxide Alarm', vendor: NETATMO, kind: 'co_alarm', battery: true, wifi: true, alarm: { name: 'Carbon monoxide', deviceClass: 'carbon_monoxide' } },
  },
  capabilities: ({ entry, reported }) => [
    binary('alarm', entry.alarm.name, entry.alarm.deviceClass),
    ...diagnostics(entry, reported),
  ],
  state: (m) => ({ alarm: alarmState(m.status) }),
});
