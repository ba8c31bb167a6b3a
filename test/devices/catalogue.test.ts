/**
 * The whole Netatmo catalogue: every device type pyatmo knows has a family, and the newer
 * fixture homes (VELUX ACTIVE, BTicino MyHome, Legrand, air conditioning) become devices with
 * the entities their data supports — read from pyatmo's own type list and real answers.
 */
import { describe, expect, it } from 'vitest';
import { DeviceSync } from '../../src/bridge/device-sync.js';
import { encodeCommand } from '../../src/commands/encode.js';
import { buildDevices, deviceStates, familyOfType, KNOWN_TYPES } from '../../src/devices/index.js';
import type { Device, DeviceState } from '../../src/devices/types.js';
import { buildDiscovery } from '../../src/homeassistant/discovery/device.js';
import type { HomeStatusBody, HomesDataBody } from '../../src/netatmo/api-types.js';
import { StateStore } from '../../src/state/state-store.js';
import { fixture } from './fixtures.js';

/**
 * pyatmo's `DeviceType` enum (`pyatmo/modules/device_types.py` at b44fa84, the newest list:
 * ../shared/fixtures/pyatmo-next/source), in its order.
 */
const PYATMO_TYPES =
  'NAPlug NATherm1 NRV NAC OTH OTM NACamDoorTag NACamera NCO NDB NIS NOC NPC NSD NAMain NAModule1 NAModule2 NAModule3 NAModule4 public NHC NLC NLD NLDD NLE NLF NLFE NLFN NLG NLGS NLIS NLL NLLM NLLV NLM NLP NLPBS NLPC NLPD NLPM NLPO NLPS NLPT NLT NLV NLAO NLUO NLUI NLunknown NLUF NLAS NLUP NLLF NLTS NLJ NLY BNCX BNDL BNEU BNSL BNCS BNXM BNMS BNAS BNAB BNMH BNTH BNFC BNTR BNIL BNLD NBG NBO NBR NBS NXD NXG NXO NXS TPSRS BNS EBU Z3L Z3V NLDP'.split(
    ' ',
  );

/** A home of the newer fixtures after its first status, through DeviceSync (capabilities from data). */
async function liveHome(name: string): Promise<{ store: StateStore; devices: Device[] }> {
  const homes = fixture<HomesDataBody>(`homesdata_${name}.json`);
  const status = fixture<HomeStatusBody>(`homestatus_${name}_home_id.json`);
  const store = new StateStore();
  const sync = new DeviceSync({ store });
  sync.onTopology(homes);
  const homeId = homes.homes[0]!.id;
  sync.onHomeStatus(homeId, { ...status, home: { ...status.home, id: homeId } });
  await sync.idle();
  return { store, devices: store.devices() };
}

const CTX = {
  baseTopic: 'n2m',
  discoveryPrefix: 'homeassistant',
  bridgeDeviceId: 'n2m_bridge',
  origin: { name: 'netatmo2mqtt', sw: '0', url: 'x' },
};

function components(device: Device, state: DeviceState | undefined): Record<string, Record<string, unknown>> {
  return buildDiscovery(device, state, CTX).payload.cmps as Record<string, Record<string, unknown>>;
}

describe('the catalogue', () => {
  it("knows every device type of pyatmo's list (public weather stations are not home modules)", () => {
    const types = PYATMO_TYPES;
    expect(types.filter((t) => t !== 'public' && !KNOWN_TYPES.includes(t))).toEqual([]);
    // NLunknown is pyatmo's name for a module it cannot identify: its raw fields are all there is.
    expect(familyOfType('NLunknown').id).toBe('unknown');
    expect(types.filter((t) => familyOfType(t).id === 'unknown')).toEqual(['public', 'NLunknown']);
  });

  it.each(['velux', 'bticino', 'legrand', 'ac', 'bridged', 'realshape'])(
    '%s: every module belongs to a family and has entities of it',
    (name) => {
      const homes = fixture<HomesDataBody>(`homesdata_${name}.json`);
      for (const device of buildDevices({ homes })) {
        expect(device.family, `${device.type} ${device.id}`).not.toBe('unknown');
        expect(device.capabilities.length).toBeGreaterThan(0);
      }
    },
  );
});

describe('VELUX ACTIVE', () => {
  it('openers are covers whose class follows velux_type; the gateway reports rain; the sensor its room', async () => {
    const { store } = await liveHome('velux');
    const awning = store.device('velux_opener_awning')!;
    expect(awning.family).toBe('cover');
    expect(components(awning, store.state(awning.id)).cover).toMatchObject({
      device_class: 'awning',
      set_position_topic: 'n2m/velux_opener_awning/set/position',
    });
    expect(components(store.device('velux_opener_blind')!, undefined).cover?.device_class).toBe('blind');
    expect(store.state('velux_opener_awning')).toMatchObject({ position: 100, state: 'open' });
    expect(store.state('velux_opener_blind')).toMatchObject({ position: 0, state: 'closed' });

    const gateway = store.device('velux_gateway_id')!;
    expect(gateway.family).toBe('velux_gateway');
    expect(store.state(gateway.id)).toMatchObject({
      raining: false,
      busy: false,
      locked: true,
      secure: true,
      calibrating: false,
      firmware: '10',
    });
    const cmps = components(gateway, store.state(gateway.id));
    expect(cmps.raining).toMatchObject({ p: 'binary_sensor', device_class: 'moisture' });
    expect(cmps.raining).not.toHaveProperty('entity_category');
    for (const key of ['busy', 'locked', 'secure', 'calibrating'])
      expect(cmps[key], key).toMatchObject({ p: 'binary_sensor', entity_category: 'diagnostic' });

    // Netatmo reports the sensor's measurements on its room, temperature in tenths of °C.
    expect(store.state('velux_climate_sensor')).toMatchObject({
      temperature: 24.9,
      humidity: 56,
      co2: 812,
      illuminance: 6,
      battery: 38,
    });
    expect(store.device('velux_departure_switch')).toMatchObject({
      family: 'remote',
      model: 'Departure Switch',
    });
    expect(store.state('velux_departure_switch')).toMatchObject({ battery: 18, rf_strength: 76 });
  });

  it('moves an opener with target_position', async () => {
    const { store } = await liveHome('velux');
    const awning = store.device('velux_opener_awning')!;
    const encoded = encodeCommand({ device: awning, values: { position: 40 } }, store.state(awning.id));
    expect(encoded).toMatchObject({
      actions: [
        {
          kind: 'setstate_module',
          homeId: 'velux_home_id',
          module: { id: 'velux_opener_awning', bridge: 'velux_gateway_id', target_position: 40 },
        },
      ],
    });
  });
});

describe('BTicino MyHome shutters: target_position:step decides', () => {
  it('step 5: positions on a 5 step; step 100: open/close/stop only, no position; never a preferred position', async () => {
    const { store } = await liveHome('bticino');
    const calibrated = store.device('bticino_shutter_calibrated')!;
    expect(calibrated.capabilities.find((c) => c.key === 'position')?.writable).toEqual({
      min: 0,
      max: 100,
      step: 5,
    });
    expect(store.state(calibrated.id)).toMatchObject({ position: 42, position_step: 5, state: 'open' });

    const uncalibrated = store.device('bticino_shutter_uncalibrated')!;
    expect(uncalibrated.capabilities.map((c) => c.key)).not.toContain('position');
    // current_position 101: never instructed, so the state is unknown.
    expect(store.state(uncalibrated.id)).toMatchObject({ state: null, position_step: 100 });
    expect(store.state(uncalibrated.id)).not.toHaveProperty('position');
    const cmps = components(uncalibrated, store.state(uncalibrated.id));
    expect(cmps.cover).not.toHaveProperty('position_topic');
    expect(cmps).not.toHaveProperty('preferred_position');
    expect(cmps.position_step).toMatchObject({ p: 'sensor', entity_category: 'diagnostic' });
    expect(store.device('bticino_gateway_id')).toMatchObject({ family: 'gateway', model: 'MyHome Server 1' });
  });
});

describe('air conditioning: cooling where the home says so', () => {
  it("an AC room of an auto home reads and writes auto_ setpoints; HA's modes are auto, heat_cool, off", async () => {
    const { store } = await liveHome('ac');
    const living = store.device('room_ac_room_living')!;
    expect(living).toMatchObject({ climateMode: 'auto', setpointApi: 'setstate' });
    expect(store.state(living.id)).toMatchObject({
      current_temperature: 23.7,
      target_temperature: 25,
      mode: 'schedule',
      humidity: 38,
    });
    const climate = components(living, store.state(living.id)).climate!;
    expect(climate).toMatchObject({
      modes: ['auto', 'heat_cool', 'off'],
      preset_modes: ['away', 'frost_guard'],
      min_temp: 16,
    });
    expect(climate).not.toHaveProperty('action_topic');
    expect(living.capabilities.find((c) => c.key === 'mode')?.writable?.options).not.toContain('max');
    const encoded = encodeCommand(
      { device: living, values: { target_temperature: 22 } },
      store.state(living.id),
    );
    expect(encoded).toMatchObject({
      actions: [
        {
          kind: 'setstate_room',
          room: { id: 'ac_room_living', auto_setpoint_mode: 'manual', auto_setpoint_temperature: 22 },
        },
      ],
    });
    // The radiator rooms of the same home stay heating rooms.
    expect(store.device('room_ac_room_bedroom_1')).toMatchObject({ setpointApi: 'setroomthermpoint' });
    expect(store.device('room_ac_room_bedroom_1')).not.toHaveProperty('climateMode');
  });

  it("an AC room of a cooling home offers HA's cool mode and writes cooling_ setpoints", () => {
    const homes = fixture<HomesDataBody>('homesdata_ac.json');
    const cooling: HomesDataBody = { homes: [{ ...homes.homes[0]!, temperature_control_mode: 'cooling' }] };
    const living = buildDevices({ homes: cooling }).find((d) => d.id === 'room_ac_room_living')!;
    expect(living.climateMode).toBe('cooling');
    expect(components(living, undefined).climate).toMatchObject({ modes: ['auto', 'cool', 'off'] });
    const status: HomeStatusBody = {
      home: {
        id: 'ac_home_id',
        rooms: [
          {
            id: 'ac_room_living',
            therm_measured_temperature: 26,
            cooling_setpoint_temperature: 23,
            cooling_setpoint_mode: 'hg',
          },
        ],
      },
    };
    expect(deviceStates([living], { homeStatus: status }).get(living.id)).toMatchObject({
      target_temperature: 23,
      mode: 'frost_guard',
    });
    expect(encodeCommand({ device: living, values: { mode: 'away' } }, undefined)).toMatchObject({
      actions: [{ kind: 'setstate_room', room: { id: 'ac_room_living', cooling_setpoint_mode: 'away' } }],
    });
  });
});

describe('Legrand and capabilities from data', () => {
  it('the NLY three-phase meter and its phases report power; the Smarther that reports cooling gets an entity', async () => {
    const { store } = await liveHome('legrand');
    expect(store.device('12_34_56_aa_00_02')).toMatchObject({ family: 'gateway' }); // phases carry the values
    expect(store.device('12_34_56_aa_00_02-1')).toMatchObject({
      family: 'energy_meter',
      model: 'Three-Phase Energy Meter',
    });
    expect(store.state('12_34_56_aa_00_02-1')?.power).toEqual(expect.any(Number));
    const topology = fixture<HomesDataBody>('homesdata.json');
    const bns = buildDevices({ homes: topology }, () => new Map([['cooler_status', false]])).find(
      (d) => d.type === 'BNS',
    )!;
    expect(bns.capabilities.find((c) => c.key === 'cooler_status')).toMatchObject({ deviceClass: 'cold' });
  });
});
