/**
 * NetatmoClient over real HTTP against the simulator, through a minimal ApiCaller that sends
 * each request with sendApiRequest (the full session with gate and auth is tested elsewhere).
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { moduleErrors, NetatmoClient } from '../../src/netatmo/client.js';
import { NetatmoError } from '../../src/netatmo/errors.js';
import { sendApiRequest } from '../../src/netatmo/http.js';
import type { ApiCaller, ApiRequest, CallOptions } from '../../src/netatmo/types.js';
import { type RunningSimulator, startSimulator } from '../../src/simulator/index.js';

const HOME = '91763b24c43d3e344f424e8b';
const LIVING_ROOM = '2746182631';
const STATION = '12:34:56:37:11:ca';

/** Sends straight to the simulator and remembers the options each call was made with. */
class RecordingCaller implements ApiCaller {
  readonly calls: Array<{ request: ApiRequest; options: CallOptions }> = [];
  constructor(
    private readonly sim: RunningSimulator,
    private readonly token: string,
  ) {}

  async call(request: ApiRequest, options: CallOptions): Promise<unknown> {
    this.calls.push({ request, options });
    const answer = await sendApiRequest(this.sim.url, request, this.token, {
      timeoutMs: 5_000,
      now: () => this.sim.clock.now(),
      ...(options.signal ? { signal: options.signal } : {}),
    });
    return answer.body;
  }

  get last(): { request: ApiRequest; options: CallOptions } {
    const entry = this.calls.at(-1);
    if (!entry) throw new Error('no call was made');
    return entry;
  }
}

let sim: RunningSimulator;
let caller: RecordingCaller;
let client: NetatmoClient;

beforeAll(async () => {
  sim = await startSimulator();
});
afterAll(async () => {
  await sim.close();
});
beforeEach(() => {
  sim.setFaults({ clear: true });
  sim.resetStats();
  caller = new RecordingCaller(sim, sim.mintTokens().access_token);
  client = new NetatmoClient(caller);
});

/** Params the simulator actually received for the last request to `endpoint`. */
function receivedParams(endpoint: string): Record<string, unknown> | undefined {
  return sim
    .log()
    .filter((e) => e.endpoint === endpoint)
    .at(-1)?.params;
}

describe('reads', () => {
  it('homesData returns validated homes, scoped to a home when asked', async () => {
    const all = await client.homesData();
    expect(all.homes.map((h) => h.id)).toContain(HOME);
    const one = await client.homesData({ homeId: HOME });
    expect(receivedParams('homesdata')).toMatchObject({ home_id: HOME });
    expect(one.homes.every((h) => h.id === HOME)).toBe(true);
    expect(caller.last.options).toEqual({ priority: 'state', idempotent: true, homeId: HOME });
  });

  it('homeStatus sends home_id and device_types as a comma list', async () => {
    const status = await client.homeStatus(HOME, { deviceTypes: ['NATherm1', 'NRV'] });
    expect(status.home.id).toBe(HOME);
    expect(receivedParams('homestatus')).toMatchObject({ home_id: HOME, device_types: 'NATherm1,NRV' });
    expect(caller.last.options).toMatchObject({ priority: 'state', idempotent: true, homeId: HOME });
  });

  it('stationsData normalises the ids Netatmo sends with spaces', async () => {
    const stations = await client.stationsData();
    const ids = stations.devices.flatMap((d) => [d._id, ...(d.modules ?? []).map((m) => m._id)]);
    expect(ids).toContain('12:34:56:36:fd:3c');
    expect(ids.some((i) => i.includes(' '))).toBe(false);
  });

  it('homeCoachsData returns the Home Coach devices', async () => {
    const coaches = await client.homeCoachsData();
    expect(coaches.devices.length).toBeGreaterThan(0);
    expect(coaches.devices.every((d) => d.type === 'NHC')).toBe(true);
  });

  it('call options can be overridden per call', async () => {
    await client.homeStatus(HOME, {}, { priority: 'background', deadline: 123 });
    expect(caller.last.options).toEqual({
      priority: 'background',
      idempotent: true,
      homeId: HOME,
      deadline: 123,
    });
  });
});

/**
 * getevents (the events feed, src/security) and getmeasure (the energy feed, src/energy) over
 * HTTP: the parameters Netatmo takes and the answers' shapes.
 */
describe('reads for camera events and energy meters', () => {
  it('getEvents sends size and returns the home events', async () => {
    const events = await client.getEvents({ homeId: HOME, size: 3 });
    expect(receivedParams('getevents')).toMatchObject({ home_id: HOME, size: '3' });
    expect(events.home.id).toBe(HOME);
    expect(events.home.events.length).toBeGreaterThan(0);
  });

  it('getMeasure returns series or a timestamp map depending on optimize', async () => {
    const series = await client.getMeasure({
      deviceId: STATION,
      scale: '1hour',
      type: ['temperature', 'humidity'],
      optimize: true,
    });
    expect(receivedParams('getmeasure')).toMatchObject({ type: 'temperature,humidity', optimize: 'true' });
    expect(Array.isArray(series)).toBe(true);
    const first = (series as Array<{ value: Array<Array<number | null>> }>)[0];
    expect(first?.value[0]).toHaveLength(2);
    const map = await client.getMeasure({
      deviceId: STATION,
      scale: '1hour',
      type: ['temperature'],
      optimize: false,
    });
    expect(Array.isArray(map)).toBe(false);
    expect(Object.keys(map).every((k) => /^\d+$/.test(k))).toBe(true);
  });
});

describe('writes', () => {
  it('setRoomThermPoint changes the room setpoint, sent as a non-idempotent command', async () => {
    await client.setRoomThermPoint({ homeId: HOME, roomId: LIVING_ROOM, mode: 'manual', temp: 23.5 });
    expect(caller.last.options).toEqual({ priority: 'command', idempotent: false, homeId: HOME });
    const room = (await client.homeStatus(HOME)).home.rooms?.find((r) => r.id === LIVING_ROOM);
    expect(room).toMatchObject({ therm_setpoint_mode: 'manual', therm_setpoint_temperature: 23.5 });
  });

  it('setThermMode switches the home to away', async () => {
    await client.setThermMode({ homeId: HOME, mode: 'away' });
    expect(receivedParams('setthermmode')).toEqual({ home_id: HOME, mode: 'away' });
    const rooms = (await client.homeStatus(HOME)).home.rooms ?? [];
    expect(rooms.some((r) => r.therm_setpoint_mode === 'away')).toBe(true);
  });

  it('switchHomeSchedule to a schedule that is not a heating schedule is an API error, not a crash', async () => {
    const error = await client
      .switchHomeSchedule({ homeId: HOME, scheduleId: 'nope' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NetatmoError);
    expect(error).toMatchObject({ kind: 'api', code: 21, endpoint: 'switchhomeschedule' });
  });

  it('switchHomeSchedule selects the schedule', async () => {
    const home = (await client.homesData({ homeId: HOME })).homes[0];
    const target = home?.schedules?.find((s) => s.type === 'therm' && !s.selected);
    expect(target).toBeDefined();
    await client.switchHomeSchedule({ homeId: HOME, scheduleId: target?.id ?? '' });
    const after = (await client.homesData({ homeId: HOME })).homes[0]?.schedules?.find(
      (s) => s.id === target?.id,
    );
    expect(after?.selected).toBe(true);
  });

  it('setState sends JSON; unreachable modules come back as per-module errors, not exceptions', async () => {
    const plug = '12:34:56:80:00:12:ac:f2';
    sim.setFaults({ unreachable_modules: [plug] });
    const result = await client.setState({
      home: { id: HOME, modules: [{ id: plug, bridge: '12:34:56:80:60:40', on: true }] },
    });
    expect(caller.last.request.json).toBeDefined();
    expect(caller.last.options).toMatchObject({ priority: 'command', idempotent: false, homeId: HOME });
    expect(moduleErrors(result)).toEqual([expect.objectContaining({ id: plug, code: 6 })]);
    const status = await client.homeStatus(HOME);
    expect(moduleErrors(status).map((e) => e.id)).toContain(plug);
  });

  it('setState that succeeds reports no module errors and the state changes', async () => {
    const plug = '12:34:56:80:00:12:ac:f2';
    const before = (await client.homeStatus(HOME)).home.modules?.find((m) => m.id === plug)?.on;
    const result = await client.setState({
      home: { id: HOME, modules: [{ id: plug, bridge: '12:34:56:80:60:40', on: !before }] },
    });
    expect(moduleErrors(result)).toEqual([]);
    const after = (await client.homeStatus(HOME)).home.modules?.find((m) => m.id === plug)?.on;
    expect(after).toBe(!before);
  });
});

describe('bad input and bad answers', () => {
  it.each([
    [
      'an unknown scale',
      () => client.getMeasure({ deviceId: STATION, scale: 'hourly' as '1hour', type: ['temperature'] }),
    ],
    ['no measure types', () => client.getMeasure({ deviceId: STATION, scale: '1hour', type: [] })],
    [
      'a limit above 1024',
      () => client.getMeasure({ deviceId: STATION, scale: '1hour', type: ['co2'], limit: 5000 }),
    ],
    ['an empty home id', () => client.homeStatus('')],
    [
      'a NaN temperature',
      () => client.setRoomThermPoint({ homeId: HOME, roomId: LIVING_ROOM, mode: 'manual', temp: Number.NaN }),
    ],
    ['a missing schedule id', () => client.switchHomeSchedule({ homeId: HOME, scheduleId: ' ' })],
  ])('%s is refused before any request is sent', async (_name, run) => {
    await expect(run()).rejects.toThrow(/must|unknown|needs/);
    expect(caller.calls).toHaveLength(0);
    expect(sim.stats().requests).toEqual({});
  });

  it('a malformed answer surfaces as invalid_response naming the endpoint', async () => {
    sim.setFaults({ rules: [{ kind: 'malformed_json', count: 1, endpoints: ['getevents'] }] });
    const error = await client.getEvents({ homeId: HOME }).catch((e: unknown) => e);
    expect(error).toMatchObject({ kind: 'invalid_response', endpoint: 'getevents' });
  });

  it('an answer of the wrong shape is rejected with its JSON path', async () => {
    const lying: ApiCaller = { call: async () => ({ homes: [{ id: HOME, modules: [{ id: 'm1' }] }] }) };
    const error = await new NetatmoClient(lying).homesData().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NetatmoError);
    expect((error as NetatmoError).message).toContain('body.homes[0].modules[0].type');
  });

  it('moduleErrors of a body without errors is an empty list', () => {
    expect(moduleErrors({})).toEqual([]);
    expect(moduleErrors(undefined)).toEqual([]);
  });
});
