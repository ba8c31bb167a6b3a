/**
 * The device side of security: persons become devices with a presence that commands change,
 * the home gets an "Everybody away" button, the siren says whether it sounds, and smoke/CO
 * alarms take nothing from homestatus (their alarm comes from events: src/security/).
 */
import { describe, expect, it } from 'vitest';
import { encodeCommand } from '../../src/commands/encode.js';
import { validateCommand } from '../../src/commands/validate.js';
import { buildDevices, deviceStates, personDeviceId } from '../../src/devices/index.js';
import type { Device } from '../../src/devices/types.js';
import type { HomeStatusBody, HomesDataBody } from '../../src/netatmo/api-types.js';
import { effectsOf } from '../../src/security/event-effects.js';
import type { SecurityEventRecord } from '../../src/security/security-event.js';
import { fixture, homeStatus, homes } from './fixtures.js';

const HOME = '91763b24c43d3e344f424e8b';
const JOHN = '91827374-7e04-5298-83ad-a0cb8372dff1';
const devices = [
  ...buildDevices({ homes: homes() }),
  ...buildDevices({ homes: fixture<HomesDataBody>('homesdata_legrand.json') }),
];
const byId = (id: string): Device | undefined => devices.find((d) => d.id === id);
const set = (device: string, values: Record<string, unknown>) =>
  validateCommand({
    message: { device, raw: JSON.stringify(values) },
    device: byId(device),
    state: {},
    now: Date.now(),
  });

function record(over: Partial<SecurityEventRecord>): SecurityEventRecord {
  return {
    key: 'k',
    eventId: 'k',
    homeId: HOME,
    moduleId: '',
    netatmoType: '',
    name: '',
    time: 1_700_000_000,
    personIds: [],
    via: 'poll',
    ...over,
  };
}

describe('persons', () => {
  it('are devices for the known persons of a home, with presence from homestatus', () => {
    const persons = devices.filter((d) => d.family === 'person');
    expect(persons.map((p) => p.name).sort()).toEqual(['Jane Doe', 'John Doe', 'Richard Doe']);
    const states = deviceStates(devices, { homeStatus: homeStatus() });
    expect(states.get(personDeviceId(JOHN))).toEqual({
      presence: false,
      last_seen: '2019-05-05T15:45:56.000Z',
    });
  });

  it('take `home`/`away` as commands through setpersonshome / setpersonsaway', () => {
    const away = set(personDeviceId(JOHN), { presence: 'away' });
    expect(away.ok).toBe(true);
    if (!away.ok) return;
    expect(encodeCommand(away.command, {})).toEqual({
      actions: [{ kind: 'persons_away', homeId: HOME, personId: JOHN }],
      expected: { presence: false },
      confirmable: ['presence'],
    });
    const home = set(personDeviceId(JOHN), { presence: 'HOME' });
    expect(home.ok && encodeCommand(home.command, {})).toMatchObject({
      actions: [{ kind: 'persons_home', homeId: HOME, personId: JOHN }],
    });
    const bad = set(personDeviceId(JOHN), { presence: 'garden' });
    expect(bad.ok).toBe(false);
    expect(!bad.ok && bad.rejection.code).toBe('invalid_value');
  });

  it('the home takes "everybody away" (setpersonsaway without a person); a home without persons has no such button', () => {
    const press = set(`home_${HOME}`, { everybody_away: 'PRESS' });
    expect(press.ok && encodeCommand(press.command, {})).toMatchObject({
      actions: [{ kind: 'persons_away', homeId: HOME }],
    });
    expect(byId('home_legrand_home_id')?.capabilities.some((c) => c.key === 'everybody_away')).toBe(false);
  });
});

describe('siren and detectors', () => {
  it('the siren sounds when its status says so', () => {
    const body = structuredClone(homeStatus());
    const siren = body.home.modules?.find((m) => m.type === 'NIS');
    if (siren) siren.status = 'sound';
    const states = deviceStates(devices, { homeStatus: body });
    expect(states.get('12_34_56_00_e3_9b')).toMatchObject({ sounding: true, siren_status: 'sound' });
  });

  it('smoke and CO alarms read nothing from homestatus, even a stray status field', () => {
    const body = fixture<HomeStatusBody>('homestatus_legrand_home_id.json');
    const nsd = body.home.modules?.find((m) => m.type === 'NSD');
    if (nsd) nsd.status = 'alarm';
    const state = deviceStates(devices, { homeStatus: body }).get('12_34_56_aa_00_03');
    expect(state).not.toHaveProperty('alarm');
    expect(state).toMatchObject({ reachable: true });
  });
});

describe('what events change', () => {
  it('smoke and CO events set the alarm (sticky: no poll tells it), cleared by their 0 codes', () => {
    const smoke = (name: string) => effectsOf(record({ moduleId: '12:34:56:aa:00:03', name }), byId);
    expect(smoke('smoke_detected')).toEqual([
      { deviceId: '12_34_56_aa_00_03', state: { alarm: true }, sticky: true },
    ]);
    expect(smoke('smoke_cleared')[0]?.state).toEqual({ alarm: false });
    const co = (name: string) => effectsOf(record({ moduleId: '12:34:56:aa:00:04', name }), byId)[0]?.state;
    expect([co('co_pre_alarm'), co('co_alarm'), co('co_ok')]).toEqual([
      { alarm: true },
      { alarm: true },
      { alarm: false },
    ]);
  });

  it('doors, sirens, cameras and persons follow their events (not sticky: polls report them too)', () => {
    const one = (over: Partial<SecurityEventRecord>) => effectsOf(record(over), byId);
    expect(one({ moduleId: '12:34:56:00:86:99', name: 'tag_open' })).toEqual([
      { deviceId: '12_34_56_00_86_99', state: { open: true }, sticky: false },
    ]);
    expect(one({ moduleId: '12:34:56:00:e3:9b', name: 'siren_sounding' })[0]?.state).toEqual({
      sounding: true,
      siren_status: 'sound',
    });
    expect(one({ moduleId: '12:34:56:00:f1:62', name: 'monitoring_off' })[0]?.state).toEqual({
      monitoring: 'off',
    });
    // The doorbell cannot switch monitoring: nothing to change.
    expect(one({ moduleId: '12:34:56:10:f1:66', name: 'monitoring_off' })).toEqual([]);
    expect(one({ moduleId: '12:34:56:00:f1:62', name: 'sd_card', subType: 5 })[0]?.state).toEqual({
      sd_status: 'defective',
    });
    expect(one({ moduleId: '12:34:56:00:f1:62', name: 'person', personIds: [JOHN] })).toEqual([
      {
        deviceId: personDeviceId(JOHN),
        state: { presence: true, last_seen: '2023-11-14T22:13:20.000Z' },
        sticky: false,
      },
    ]);
    expect(one({ moduleId: '12:34:56:00:f1:62', name: 'person_away', personIds: [JOHN] })[0]?.state).toEqual({
      presence: false,
    });
    expect(one({ moduleId: '12:34:56:00:f1:62', name: 'movement' })).toEqual([]);
  });
});
