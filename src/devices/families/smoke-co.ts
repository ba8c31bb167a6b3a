/**
 * Smoke and carbon monoxide alarms: whether the alarm sounds. Their homestatus carries no alarm
 * field at all (only firmware, last_seen and Wi-Fi: pyatmo `homestatus_legrand_home_id.json`),
 * so `alarm` comes from their events alone (smoke 1/0, co_detected 2/1/0: src/security/) and is
 * kept in state.json across restarts.
 */
import { binary, diagnostics } from '../capability.js';
import { moduleFamily } from '../family.js';

const NETATMO = 'Netatmo';

interface AlarmOptions {
  alarm: { name: string; deviceClass: 'smoke' | 'carbon_monoxide' };
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
});
