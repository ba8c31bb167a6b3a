import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { NetatmoError } from '../../src/netatmo/errors.js';
import {
  validateEvents,
  validateHomeCoachsData,
  validateHomeStatus,
  validateHomesData,
  validateMeasure,
  validateSetState,
  validateStationsData,
} from '../../src/netatmo/validate/index.js';

const FIXTURES = fileURLToPath(new URL('../../src/simulator/fixtures/', import.meta.url));

type Validator = (body: unknown) => unknown;

/** Every answer body in the fixtures, by the validator of the endpoint that returns it. */
const ANSWERS: Record<string, Validator> = {
  'getevents.json': validateEvents,
  'gethomecoachsdata.json': validateHomeCoachsData,
  'archive/home_coach_simple.json': validateHomeCoachsData,
  'archive/home_coach_no_devices.json': validateHomeCoachsData,
  'getmeasure_energy_12_34_56_00_00_a1_4c_da.json': validateMeasure,
  'getmeasure_energy_98_76_54_32_10_00_00_69.json': validateMeasure,
  'archive/weatherstation_measure.json': validateMeasure,
  'getstationsdata.json': validateStationsData,
  'archive/weatherstation_data_simple.json': validateStationsData,
  'archive/weatherstation_data_unreachable_station.json': validateStationsData,
  'homesdata.json': validateHomesData,
  'homesdata_multi.json': validateHomesData,
  'homesdata_empty.json': validateHomesData,
  'homesdata_emtpy_home.json': validateHomesData,
  'archive/home_data_empty.json': validateHomesData,
  'archive/home_data_no_devices.json': validateHomesData,
  'archive/home_data_no_homes.json': validateHomesData,
  'archive/home_data_nohomename.json': validateHomesData,
  'archive/home_data_simple.json': validateHomesData,
  'homestatus_91763b24c43d3e344f424e8b.json': (b) => validateHomeStatus(b, '91763b24c43d3e344f424e8b'),
  'homestatus_91763b24c43d3e344f424e8c.json': (b) => validateHomeStatus(b, '91763b24c43d3e344f424e8c'),
  'home_status_simple.json': validateHomeStatus,
  'home_status_error_disconnected.json': validateHomeStatus,
  'home_multi_status_error_disconnected.json': validateHomeStatus,
  'archive/home_status_error_and_data.json': validateHomeStatus,
  'archive/home_status_empty.json': (b) => validateHomeStatus(b, '91763b24c43d3e344f424e8b'),
  'homesdata_ac.json': validateHomesData,
  'homesdata_bridged.json': validateHomesData,
  'homesdata_bticino.json': validateHomesData,
  'homesdata_legrand.json': validateHomesData,
  'homesdata_realshape.json': validateHomesData,
  'homesdata_velux.json': validateHomesData,
  'homestatus_ac_home_id.json': validateHomeStatus,
  'homestatus_bridged_home_id.json': validateHomeStatus,
  'homestatus_bticino_home_id.json': (b) => validateHomeStatus(b, 'bticino_home_id'),
  'homestatus_legrand_home_id.json': validateHomeStatus,
  'homestatus_realshape_home_id.json': validateHomeStatus,
  'homestatus_velux_home_id.json': (b) => validateHomeStatus(b, 'velux_home_id'),
  'getmeasure_sum_energy_buy_from_grid-1_98_76_54_32_10_00_00_73.json': validateMeasure,
  'getmeasure_sum_energy_buy_from_grid-2_98_76_54_32_10_00_00_49.json': validateMeasure,
  'getmeasure_sum_energy_elec-0_12_34_56_00_00_a1_4c_da.json': validateMeasure,
  'getmeasure_sum_energy_elec-1_98_76_54_32_10_00_00_49.json': validateMeasure,
  'getmeasure_sum_energy_elec-2_98_76_54_32_10_00_00_73.json': validateMeasure,
  'status_ok.json': validateSetState,
  'archive/camera_set_state_ok.json': validateSetState,
  'archive/camera_set_state_error_already_on.json': validateSetState,
};

/**
 * Fixtures that are not success bodies of an endpoint the client validates: error bodies (the
 * HTTP layer turns them into NetatmoErrors), request bodies, OAuth answers, the camera ping,
 * and legacy or unused endpoints (gethomedata, getthermostatsdata, geteventsuntil, getpublicdata).
 */
const NOT_VALIDATED = new Set([
  'home_status_error_invalid_schedule_id.json',
  'home_status_error_mode_is_missing.json',
  'archive/camera_set_state_error.json',
  'archive/camera_set_state_error_wrong_parameter.json',
  'archive/error_scope.json',
  'archive/home_status_error_invalid_id.json',
  'archive/home_status_error_missing_home_id.json',
  'archive/home_status_error_missing_parameters.json',
  'archive/home_status_error_mode_not_authorized.json',
  'archive/public_data_error_mongo.json',
  'archive/too_many_connections.json',
  'archive/invalid_grant.json',
  'archive/oauth2_token.json',
  'sync_schedule_591b54a2764ff4d50d8b5795.json',
  'sync_schedule_b1b54a2f45795764f59d50d8.json',
  'ping.json',
  'archive/camera_ping.json',
  'getpublicdata.json',
  'archive/public_data_simple.json',
  'archive/camera_data_empty.json',
  'archive/camera_data_events_until.json',
  'archive/camera_home_data.json',
  'archive/camera_home_data_disconnected.json',
  'archive/camera_home_data_no_homes.json',
  'archive/thermostat_data_simple.json',
]);

function listJson(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) return listJson(full);
    return entry.name.endsWith('.json') ? [relative(FIXTURES, full)] : [];
  });
}

function fixtureBody(name: string): unknown {
  return (JSON.parse(readFileSync(join(FIXTURES, name), 'utf8')) as { body?: unknown }).body;
}

function invalid(run: () => unknown): NetatmoError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(NetatmoError);
    expect((error as NetatmoError).kind).toBe('invalid_response');
    return error as NetatmoError;
  }
  throw new Error('expected the body to be rejected');
}

describe('fixtures', () => {
  it('every fixture file is either validated or deliberately not an answer body', () => {
    const unclassified = listJson(FIXTURES).filter((name) => !(name in ANSWERS) && !NOT_VALIDATED.has(name));
    expect(unclassified).toEqual([]);
  });

  it.each(Object.entries(ANSWERS))('%s validates', (name, validate) => {
    const body = fixtureBody(name);
    const result = validate(body);
    // A copy, not the input: later mutation of the input cannot reach the validated value.
    if (body !== undefined) expect(result).not.toBe(body);
    expect(result).toBeTypeOf('object');
  });

  it('keeps everything it does not know about, and drops nothing it knows', () => {
    const body = fixtureBody('homesdata.json');
    const result = validateHomesData(body);
    const input = body as { homes: Array<{ modules: unknown[] }> };
    expect(result.homes[0]?.modules).toHaveLength(input.homes[0]?.modules.length ?? -1);
    expect(JSON.parse(JSON.stringify(result))).toEqual(input);
  });

  it('normalises stray spaces in station ids', () => {
    const result = validateStationsData(fixtureBody('getstationsdata.json'));
    const ids = result.devices.flatMap((d) => [d._id, ...(d.modules ?? []).map((m) => m._id)]);
    expect(ids).toContain('12:34:56:36:fd:3c');
    expect(ids.filter((i) => /\s/.test(i))).toEqual([]);
  });

  it('reads target_position:step as pyatmo does, and keeps the other spelling apart', () => {
    const result = validateHomeStatus(fixtureBody('homestatus_91763b24c43d3e344f424e8b.json'));
    const nlv = result.home.modules?.find((m) => m.id === '12:34:56:00:01:01:01:b3');
    expect(nlv?.['target_position:step']).toBe(100);
    const nlj = result.home.modules?.filter((m) => m.type === 'NLJ');
    expect(nlj?.[0]?.['target_position:step']).toBe(1);
    // NBR spells it target_position_step: not the step pyatmo (and Netatmo) go by.
    const nbr = result.home.modules?.find((m) => m.id === '0009999992');
    expect(nbr).not.toHaveProperty(['target_position:step']);
    expect(nbr?.target_position_step).toBe(100);
    expect(() =>
      validateHomeStatus({
        home: { id: 'h', modules: [{ id: 'm', type: 'NLV', 'target_position:step': 'x' }] },
      }),
    ).toThrow(/target_position:step/);
  });

  it('returns per-module errors of an HTTP 200 as part of the body', () => {
    const status = validateHomeStatus(fixtureBody('home_status_error_disconnected.json'));
    expect(status.errors).toEqual([{ code: 6, id: '12:34:56:00:fa:d0' }]);
    const set = validateSetState(fixtureBody('archive/camera_set_state_error_already_on.json'));
    expect(set.errors?.[0]).toMatchObject({
      code: 23,
      message: 'Already on',
      command: 'command/changestatus',
    });
  });

  it('turns empty answers into empty collections', () => {
    expect(validateHomesData(fixtureBody('archive/home_data_empty.json')).homes).toEqual([]);
    expect(validateHomeStatus({}, 'h1')).toEqual({ home: { id: 'h1' } });
    expect(validateSetState(undefined)).toEqual({});
    expect(validateEvents({ home: { id: 'h1' } }).home.events).toEqual([]);
  });

  it('keeps modules of unknown types raw', () => {
    const weird = { id: 'zz:01', type: 'NXFuture', laser: { power: 9000, modes: ['a', 'b'] } };
    const result = validateHomeStatus({ home: { id: 'h', modules: [weird] } });
    expect(result.home.modules?.[0]).toEqual(weird);
  });
});

const home = (modules: unknown[]) => ({ homes: [{ id: 'h1', name: 'Home', modules }] });
const hugeModules = Array.from({ length: 10_001 }, (_, i) => ({ id: `m${i}`, type: 'NRV' }));

const hostile: Array<[string, () => unknown, string]> = [
  ['homesdata that is a string', () => validateHomesData('<html>'), 'body'],
  ['homes that is an object', () => validateHomesData({ homes: { id: 'h1' } }), 'body.homes'],
  ['a home without id', () => validateHomesData({ homes: [{ name: 'x' }] }), 'body.homes[0].id'],
  ['a home with an empty id', () => validateHomesData({ homes: [{ id: '  ' }] }), 'body.homes[0].id'],
  [
    'a module id that is a number',
    () => validateHomesData(home([{ id: 42, type: 'NRV' }])),
    'body.homes[0].modules[0].id',
  ],
  ['a module without type', () => validateHomesData(home([{ id: 'm1' }])), 'body.homes[0].modules[0].type'],
  ['more than 10 000 modules', () => validateHomesData(home(hugeModules)), 'body.homes[0].modules'],
  [
    'a __proto__ key in a module',
    () =>
      validateHomesData(
        JSON.parse('{"homes":[{"id":"h","modules":[{"id":"m","type":"NRV","__proto__":{"admin":true}}]}]}'),
      ),
    'body.homes[0].modules[0].__proto__',
  ],
  [
    'a __proto__ key deep inside raw data',
    () => validateHomeStatus(JSON.parse('{"home":{"id":"h","extra":{"a":[{"__proto__":{"x":1}}]}}}')),
    'body.home.extra.a[0].__proto__',
  ],
  [
    'a constructor key',
    () => validateEvents({ home: { id: 'h', events: [], constructor: 1 } }),
    'body.home.constructor',
  ],
  ['homestatus without home', () => validateHomeStatus({ errors: [] }), 'body.home'],
  [
    'a temperature that is a string',
    () => validateHomeStatus({ home: { id: 'h', rooms: [{ id: 'r', therm_measured_temperature: '19.5' }] } }),
    'body.home.rooms[0].therm_measured_temperature',
  ],
  [
    'reachable that is a string',
    () => validateHomeStatus({ home: { id: 'h', modules: [{ id: 'm', type: 'NRV', reachable: 'yes' }] } }),
    'body.home.modules[0].reachable',
  ],
  [
    'a module error without id',
    () => validateHomeStatus({ home: { id: 'h' }, errors: [{ code: 6 }] }),
    'body.errors[0].id',
  ],
  ['setstate errors that is not a list', () => validateSetState({ errors: 'boom' }), 'body.errors'],
  [
    'a station with a null _id',
    () => validateStationsData({ devices: [{ _id: null, type: 'NAMain' }] }),
    'body.devices[0]._id',
  ],
  [
    'dashboard_data with NaN-like text',
    () =>
      validateStationsData({
        devices: [{ _id: 'a', type: 'NAMain', dashboard_data: { Temperature: 'NaN' } }],
      }),
    'body.devices[0].dashboard_data.Temperature',
  ],
  ['homecoach devices not a list', () => validateHomeCoachsData({ devices: 5 }), 'body.devices'],
  [
    'an event without time',
    () => validateEvents({ home: { id: 'h', events: [{ id: 'e', type: 'person' }] } }),
    'body.home.events[0].time',
  ],
  [
    'measure values with text',
    () => validateMeasure([{ beg_time: 1, value: [[1, 'x']] }]),
    'body[0].value[0][1]',
  ],
  [
    'measure map with a non-timestamp key',
    () => validateMeasure({ '1544558433': [1], toString: [2] }),
    'body.toString',
  ],
  ['measure that is a number', () => validateMeasure(12), 'body'],
  [
    'nesting deeper than anything real',
    () => {
      let deep: unknown = 1;
      for (let i = 0; i < 100; i++) deep = { d: deep };
      return validateHomeStatus({ home: { id: 'h', deep } });
    },
    'body.home.deep.d',
  ],
];

describe('hostile bodies', () => {
  it.each(hostile)('%s is rejected at %s', (_name, run, path) => {
    const error = invalid(run);
    expect(error.message).toContain(path);
    expect(error.endpoint).toMatch(
      /^(homesdata|homestatus|setstate|getstationsdata|gethomecoachsdata|getevents|getmeasure)$/,
    );
    expect(error.message.startsWith(`${error.endpoint}: `)).toBe(true);
  });

  it('a __proto__ key never reaches any prototype', () => {
    invalid(() => validateHomesData(JSON.parse('{"__proto__":{"polluted":true},"homes":[]}')));
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('a key named like an Object.prototype method is data, not a decoder', () => {
    const result = validateHomeStatus({
      home: { id: 'h', modules: [{ id: 'm', type: 'NRV', hasOwnProperty: 1 }] },
    });
    expect(result.home.modules?.[0]?.hasOwnProperty).toBe(1);
  });
});
