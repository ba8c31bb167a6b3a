import { describe, expect, it } from 'vitest';
import { buildDevices, deviceStates, familyById, initialState } from '../../src/devices/index.js';
import type { Device, DeviceState } from '../../src/devices/types.js';
import type { HomeStatusBody } from '../../src/netatmo/api-types.js';
import { coaches, fixture, homeStatus, homes, homesMulti, stations } from './fixtures.js';

function statesFor(
  devices: Device[],
  input: Parameters<typeof deviceStates>[1],
): (id: string) => DeviceState {
  const states = deviceStates(devices, input);
  return (id) => {
    const s = states.get(id);
    if (!s) throw new Error(`no state for ${id}`);
    return s;
  };
}

describe('deviceStates from homestatus (MYHOME fixture)', () => {
  const devices = buildDevices({ homes: homes() });
  const state = statesFor(devices, { homes: homes(), homeStatus: homeStatus() });

  it('normalizes rooms: temperatures, modes and heating action', () => {
    expect(state('room_2746182631')).toMatchObject({
      current_temperature: 19.8,
      target_temperature: 12,
      mode: 'away',
      heating_action: 'idle',
      reachable: true,
    });
    // Netatmo `hg` is frost guard; a 0 % power request with the boiler off is idle.
    expect(state('room_2940411577')).toMatchObject({
      mode: 'frost_guard',
      target_temperature: 7,
      open_window: false,
    });
    // Corridor is heated by the Smarther (BNS) whose boiler is on; it also reports humidity.
    expect(state('room_1002003001')).toMatchObject({
      heating_action: 'heating',
      humidity: 67,
      mode: 'schedule',
    });
  });

  it('normalizes energy modules: battery %, voltage and signal quality', () => {
    expect(state('12_34_56_00_01_ae')).toMatchObject({
      battery: 75, // battery_state "high"
      battery_voltage: 3.793,
      rf_strength: 58,
      rf_quality: 'full',
      boiler_status: false,
      reachable: true,
    });
    expect(state('12_34_56_00_fa_d0')).toMatchObject({
      rf_quality: 'low',
      wifi_strength: 42,
      wifi_quality: 'full',
    });
    expect(state('12_34_56_20_f5_8c').last_seen).toBe('2021-11-23T16:18:17.000Z');
    expect(state('12_34_56_20_f5_44')).toMatchObject({ outdoor_temperature: 8.2 });
  });

  it('normalizes shutters, lights, plugs, fans, meters and cameras', () => {
    expect(state('0009999992')).toMatchObject({ position: 0, state: 'closed' });
    expect(state('12_34_56_00_01_01_01_b4')).toMatchObject({ position: 0, state: 'opening' }); // target 10
    expect(state('12_34_56_00_01_01_01_b5')).toMatchObject({ position: 100, state: 'open' }); // NLJ: target only
    expect(state('12_34_56_80_00_12_ac_f2')).toMatchObject({ state: 'ON', power: 0 });
    expect(state('00_11_22_33_00_11_45_fe')).toMatchObject({ state: 'OFF' });
    expect(state('12_34_56_00_01_01_01_b1')).toMatchObject({ fan_speed: 1, power: 11 });
    expect(state('12_34_56_00_00_a1_4c_da')).toMatchObject({ power: 476 });
    expect(state('12_34_56_00_f1_62')).toMatchObject({
      monitoring: 'on',
      sd_status: 'ok',
      alim_status: 'ok',
    });
    expect(state('12_34_56_10_b9_0e')).toMatchObject({
      monitoring: 'on',
      floodlight: 'auto',
      wifi_quality: 'high',
    });
    expect(state('12_34_56_00_e3_9b')).toMatchObject({
      siren_status: 'no_sound',
      monitoring: false,
      battery: 25,
    });
    expect(state('12_34_56_00_86_99')).toMatchObject({ reachable: false, open: null });
    expect(state('12_34_56_80_bb_26')).toMatchObject({ temperature: 18.9, co2: 498, pressure: 1034.8 });
  });

  it('gives the home its thermostat mode and active therm schedule from homesdata', () => {
    expect(state('home_91763b24c43d3e344f424e8b')).toEqual({ thermostat_mode: 'schedule', schedule: null });
    const multi = homesMulti();
    const multiDevices = buildDevices({ homes: multi });
    const home = multi.homes[1]!;
    const selected = home.schedules!.find((s) => s.type === 'therm' && s.selected)?.name ?? null;
    const s = statesFor(multiDevices, { homes: multi })(`home_${home.id}`);
    expect(s).toEqual({ thermostat_mode: 'frost_guard', schedule: selected }); // therm_mode "hg"
  });

  it('uses only keys the capabilities declare, in lowercase snake_case, for known kinds', () => {
    const all = deviceStates(devices, { homes: homes(), homeStatus: homeStatus() });
    for (const d of devices) {
      if (d.kind === 'unknown') continue;
      const s = all.get(d.id) ?? {};
      // A family's data keys arrive before the capability they add (capabilities from data).
      const dataKeys = familyById(d.family).dataKeys ?? [];
      const declared = new Set([...d.capabilities.map((c) => c.key), ...dataKeys, 'firmware']);
      for (const key of Object.keys(s)) {
        expect(key).toMatch(/^[a-z0-9_]+$/);
        expect(declared.has(key), `${d.type} ${key}`).toBe(true);
      }
    }
    expect(initialState(devices.find((d) => d.kind === 'room')!)).toMatchObject({
      current_temperature: null,
    });
  });
});

describe('deviceStates scoping and errors', () => {
  it('marks modules listed with code 6 unreachable and touches only that home', () => {
    const devices = buildDevices({ homes: homes(), stations: stations() });
    const disconnected = fixture<HomeStatusBody>('home_status_error_disconnected.json');
    const states = deviceStates(devices, { homeStatus: disconnected });
    expect(states.get('12_34_56_00_fa_d0')).toEqual({ reachable: false });
    expect([...states.keys()]).toEqual(['12_34_56_00_fa_d0']);

    const other = deviceStates(devices, {
      homeStatus: fixture<HomeStatusBody>('homestatus_91763b24c43d3e344f424e8c.json'),
    });
    expect(other.size).toBe(0);
  });

  it('keeps module data and the unreachable flag when both are present', () => {
    const data = fixture<HomeStatusBody>('archive/home_status_error_and_data.json');
    const devices = buildDevices({ homes: fixture('archive/home_data_simple.json') });
    const states = deviceStates(devices, { homeStatus: data });
    const failing = data.errors![0]!.id.replace(/:/g, '_');
    expect(states.get(failing)?.reachable).toBe(false);
    expect(states.get('12_34_56_00_01_ae')).toMatchObject({ reachable: true, battery: 75 });
  });
});

describe('deviceStates from the weather and air-quality models', () => {
  const devices = buildDevices({ stations: stations(), coaches: coaches() });
  const state = statesFor(devices, { stations: stations(), coaches: coaches() });

  it('maps dashboard_data to snake_case keys with Netatmo units', () => {
    expect(state('12_34_56_37_11_ca')).toMatchObject({
      temperature: 24.6,
      co2: 749,
      humidity: 36,
      noise: 37,
      pressure: 1017.3,
      absolute_pressure: 939.7,
      min_temperature: 23.4,
      pressure_trend: 'down',
      wifi_quality: 'full',
      last_seen: '2019-06-01T18:19:31.000Z',
    });
    expect(state('12_34_56_03_1b_e5')).toMatchObject({ wind_strength: 4, wind_angle: 217, gust_strength: 9 });
    expect(state('12_34_56_80_c1_ea')).toMatchObject({
      rain: 3.7,
      sum_rain_1: 0,
      sum_rain_24: 6.9,
      battery: 21,
    });
    expect(state('12_34_56_36_fc_de')).toMatchObject({
      battery: 87,
      battery_voltage: 5.738,
      rf_quality: 'high',
    });
  });

  it('keeps an unreachable module without inventing values, and takes the freshest duplicate', () => {
    expect(state('12_34_56_80_1c_42')).toMatchObject({ reachable: false, battery: 27 });
    expect(state('12_34_56_80_1c_42')).not.toHaveProperty('temperature');
    // 12:34:56:32:db:06 is listed under two stations: the reachable, recent copy wins.
    expect(state('12_34_56_32_db_06')).toMatchObject({ reachable: true, temperature: 6.4 });
  });

  it('gives the home coach a health index word', () => {
    expect(state('12_34_56_3e_c5_46')).toMatchObject({ health_index: 'fine', temperature: 20.3, co2: 494 });
    expect(state('12_34_56_26_69_0c')).toMatchObject({ reachable: false });
  });
});
