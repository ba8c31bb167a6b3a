import { Writable } from 'node:stream';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import winston from 'winston';
import { buildDevices, deviceStates, isTopicSafeId, KNOWN_TYPES } from '../../src/devices/index.js';
import type { Device } from '../../src/devices/types.js';
import { logger } from '../../src/log.js';
import type { HomesDataBody, StationsDataBody } from '../../src/netatmo/api-types.js';
import { coaches, fixture, homes, homesMulti, stations } from './fixtures.js';

const cleanId = (id: string): string => id.replace(/\s+/g, '');

function moduleIdsOf(h: HomesDataBody): string[] {
  return h.homes.flatMap((home) => (home.modules ?? []).map((m) => cleanId(m.id)));
}

function stationIdsOf(s: StationsDataBody): string[] {
  return s.devices.flatMap((d) => [cleanId(d._id), ...(d.modules ?? []).map((m) => cleanId(m._id))]);
}

function byNetatmoId(devices: Device[], id: string): Device {
  const found = devices.find((d) => d.netatmoId === id && d.kind !== 'room' && d.kind !== 'home');
  if (!found) throw new Error(`no device for ${id}`);
  return found;
}

describe('buildDevices over the fixtures', () => {
  const topology = [
    ['homesdata.json', { homes: homes() }],
    ['homesdata_multi.json', { homes: homesMulti() }],
    ['archive/home_data_simple.json', { homes: fixture<HomesDataBody>('archive/home_data_simple.json') }],
    ['getstationsdata.json', { stations: stations() }],
    [
      'archive/weatherstation_data_simple.json',
      { stations: fixture<StationsDataBody>('archive/weatherstation_data_simple.json') },
    ],
    ['gethomecoachsdata.json', { coaches: coaches() }],
  ] as const;

  it.each(topology)('%s: every module becomes exactly one device of a known kind', (_name, input) => {
    const devices = buildDevices(input);
    const expected = new Set([
      ...('homes' in input ? moduleIdsOf(input.homes) : []),
      ...('stations' in input ? stationIdsOf(input.stations) : []),
      ...('coaches' in input ? stationIdsOf(input.coaches) : []),
    ]);
    const modules = devices.filter((d) => d.kind !== 'room' && d.kind !== 'home' && d.kind !== 'person');
    expect(new Set(modules.map((d) => d.netatmoId))).toEqual(expected);
    expect(modules).toHaveLength(expected.size);
    for (const d of modules) expect(d.kind, `${d.type} ${d.netatmoId}`).not.toBe('unknown');
  });

  it('maps every type code in pyatmo device_types.py and the legacy security fixture to a known kind', () => {
    const reference =
      'NAPlug NATherm1 NRV NAC OTH OTM BNS NAMain NAModule1 NAModule2 NAModule3 NAModule4 NHC '
        .concat(
          'NACamera NPC NOC NDB NACamDoorTag NIS NSD NCO NLG NLGS NLP NLPM NLPBS NLF NLFN NLFE NLM NLL NLIS ',
        )
        .concat(
          'NLV NLLV NLLM NLPC NLE NLPS NLPT NLPO NLPD NLLF NLC NLT NLD NLAS NLDP NLJ NBG NBR NBO NBS TPSRS ',
        )
        .concat('Z3L Z3V BNCX BNEU BNDL')
        .split(' ');
    expect(KNOWN_TYPES).toEqual(expect.arrayContaining(reference));
    // The legacy gethomedata answer lists smoke detectors and cameras: fed as homesdata modules.
    const legacy = fixture<{
      homes: Array<Record<string, Array<{ id: string; type: string; name?: string }>>>;
    }>('archive/camera_home_data.json');
    const modules = legacy.homes.flatMap((h) => [...(h.cameras ?? []), ...(h.smokedetectors ?? [])]);
    const devices = buildDevices({
      homes: {
        homes: [{ id: 'legacy', modules: modules.map((m) => ({ id: m.id, type: m.type, name: m.name })) }],
      },
    });
    const kinds = new Map(devices.map((d) => [d.type, d.kind]));
    expect(kinds.get('NSD')).toBe('smoke_alarm');
    expect(kinds.get('NOC')).toBe('camera');
    expect(
      buildDevices({
        homes: { homes: [{ id: 'h', modules: [{ id: 'aa:bb:cc:dd:ee:01', type: 'NCO' }] }] },
      })[0]?.kind,
    ).toBe('co_alarm');
  });

  it('gives topic-safe ids that are stable across builds', () => {
    const input = { homes: homes(), stations: stations(), coaches: coaches() };
    const first = buildDevices(input);
    const second = buildDevices({ homes: homes(), stations: stations(), coaches: coaches() });
    expect(second.map((d) => d.id)).toEqual(first.map((d) => d.id));
    expect(new Set(first.map((d) => d.id)).size).toBe(first.length);
    for (const d of first) expect(isTopicSafeId(d.id), d.id).toBe(true);
    expect(byNetatmoId(first, '12:34:56:00:01:ae').id).toBe('12_34_56_00_01_ae');
    expect(byNetatmoId(first, '12:34:56:00:16:0e#3').id).toBe('12_34_56_00_16_0e-3');
    // Netatmo's stray spaces are dropped from both the API id and the topic id.
    expect(byNetatmoId(first, '12:34:56:36:fd:3c').id).toBe('12_34_56_36_fd_3c');
    expect(first.find((d) => d.kind === 'room' && d.name === 'Livingroom')?.id).toBe('room_2746182631');
    expect(first.find((d) => d.kind === 'home')?.id).toBe('home_91763b24c43d3e344f424e8b');
  });

  it('keeps one device when a station appears in homesdata and getstationsdata', () => {
    const devices = buildDevices({ homes: homes(), stations: stations() });
    expect(devices.filter((d) => d.netatmoId === '12:34:56:80:bb:26')).toHaveLength(1);
    expect(devices.filter((d) => d.netatmoId === '12:34:56:32:db:06')).toHaveLength(1);
  });

  it('creates heated rooms and the home with its therm schedules only', () => {
    const devices = buildDevices({ homes: homesMulti() });
    const home = devices.find((d) => d.kind === 'home' && d.name === 'A BIG HOME');
    const schedule = home?.capabilities.find((c) => c.key === 'schedule');
    const therm = homesMulti()
      .homes[0]!.schedules!.filter((s) => s.type === 'therm')
      .map((s) => s.name);
    expect(schedule?.writable?.options).toEqual(therm);
    expect(therm.length).toBeGreaterThan(0);
    // MYHOME: Livingroom (NATherm1), Entrada/Cocina (NRV), Bureau (OTM), Corridor (BNS) are heated.
    const rooms = buildDevices({ homes: homes() }).filter((d) => d.kind === 'room');
    expect(rooms.map((r) => r.name).sort()).toEqual([
      'Bureau',
      'Cocina',
      'Corridor',
      'Entrada',
      'Livingroom',
    ]);
    expect(new Set(rooms.map((r) => r.homeName))).toEqual(new Set(['MYHOME']));
  });

  it('declares the writable ranges the command layer validates against', () => {
    const devices = buildDevices({ homes: homes() });
    const cap = (id: string, key: string) => byIdOrRoom(devices, id).capabilities.find((c) => c.key === key);
    expect(cap('room_2746182631', 'target_temperature')?.writable).toEqual({ min: 7, max: 30, step: 0.5 });
    expect(cap('room_2746182631', 'mode')?.writable?.options).toEqual(
      expect.arrayContaining(['schedule', 'manual', 'off', 'away', 'frost_guard']),
    );
    expect(cap('home_91763b24c43d3e344f424e8b', 'thermostat_mode')?.writable?.options).toEqual([
      'schedule',
      'away',
      'frost_guard',
      'off',
    ]);
    expect(cap('0009999992', 'position')?.writable).toEqual({ min: 0, max: 100, step: 1 });
    expect(cap('12_34_56_00_01_01_01_a1', 'brightness')?.writable).toEqual({ min: 0, max: 100, step: 1 });
    expect(cap('00_11_22_33_00_11_45_fe', 'brightness')).toBeUndefined(); // NLF is on/off only
    expect(cap('12_34_56_00_01_01_01_b1', 'fan_speed')?.writable).toEqual({ min: 1, max: 2, step: 1 });
    expect(cap('12_34_56_10_b9_0e', 'floodlight')?.writable?.options).toEqual(['on', 'off', 'auto']);
    expect(cap('12_34_56_00_f1_62', 'monitoring')?.writable?.options).toEqual(['on', 'off']);
    expect(cap('12_34_56_00_f1_62', 'floodlight')).toBeUndefined(); // indoor camera has none
  });
});

function byIdOrRoom(devices: Device[], id: string): Device {
  const d = devices.find((x) => x.id === id);
  if (!d) throw new Error(`no device ${id}`);
  return d;
}

describe('unknown module types', () => {
  const lines: string[] = [];
  const transport = new winston.transports.Stream({
    stream: new Writable({
      write(chunk, _enc, done) {
        lines.push(String(chunk));
        done();
      },
    }),
  });
  logger.add(transport);
  afterEach(() => {
    lines.length = 0;
  });
  afterAll(() => {
    logger.remove(transport);
  });

  it('keeps the module as a raw device, warns once, and never throws', () => {
    const input: { homes: HomesDataBody } = {
      homes: {
        homes: [
          {
            id: 'h1',
            modules: [
              { id: '70:ee:50:aa:bb:01', type: 'NXFuture', name: 'Gadget' },
              { id: '70:ee:50:aa:bb:02', type: 'NXFuture', name: 'Gadget 2' },
            ],
          },
        ],
      },
    };
    const devices = buildDevices(input);
    expect(devices.map((d) => [d.id, d.kind, d.type])).toEqual([
      ['70_ee_50_aa_bb_01', 'unknown', 'NXFuture'],
      ['70_ee_50_aa_bb_02', 'unknown', 'NXFuture'],
    ]);
    buildDevices(input);
    expect(lines.filter((l) => l.includes('NXFuture'))).toHaveLength(1);
    expect(lines[0]).toMatch(/warning/);

    const states = deviceStates(devices, {
      homeStatus: {
        home: {
          id: 'h1',
          modules: [
            {
              id: '70:ee:50:aa:bb:01',
              type: 'NXFuture',
              reachable: true,
              FancyLevel: 3,
              mode: 'eco',
              nested: { a: 1 },
            },
          ],
        },
      },
    });
    expect(states.get('70_ee_50_aa_bb_01')).toMatchObject({
      fancy_level: 3,
      mode: 'eco',
      nested: '{"a":1}',
      reachable: true,
    });
  });
});
