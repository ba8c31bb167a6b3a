import { describe, expect, it } from 'vitest';
import type { RunningSimulator } from '../../src/simulator/index.js';
import { api, HOME, setstate, sim } from './helpers.js';
import { frozenAt, WINTER_MORNING } from './meter-helpers.js';

// biome-ignore lint/suspicious/noExplicitAny: reading arbitrary homestatus JSON
type Json = any;

const PLUG = '12:34:56:80:00:12:ac:f2'; // NLP: no brightness
const DIMMER = '00:11:22:33:00:11:45:fe'; // NLF: reports brightness
const NLV = '12:34:56:00:01:01:01:b3'; // target_position:step 100
const NLLV = '12:34:56:00:01:01:01:b4'; // target_position:step 1
const NBR = '0009999992'; // spells it target_position_step (not read)
const UNCALIBRATED = 'bticino_shutter_uncalibrated'; // BNAS, step 100, current 101
const CALIBRATED = 'bticino_shutter_calibrated'; // BNAS, step 5, at 42
const BLIND = 'bticino_blind_calibrated'; // BNAB, step 5, at 30
const SHADE = 'bticino_shade_uncalibrated'; // BNMS, step 100

async function modules(s: RunningSimulator, token: string, homeId: string): Promise<Map<string, Json>> {
  const answer = await api(s, 'homestatus', { home_id: homeId }, token);
  expect(answer.status).toBe(200);
  return new Map(answer.json.body.home.modules.map((m: Json) => [m.id, m]));
}

const write = (s: RunningSimulator, token: string, homeId: string, mods: Json[]) =>
  setstate(s, { home: { id: homeId, modules: mods } }, token);

describe('simulator setstate refusals', () => {
  it('refuses the whole call for brightness on a module that reports none, an unknown id or a missing field', async () => {
    const s = await sim({ clock: frozenAt(WINTER_MORNING) });
    const { access_token: t } = s.mintTokens();
    const before = await modules(s, t, HOME);
    const cases: Array<[Json[], string]> = [
      [
        [
          { id: DIMMER, on: true },
          { id: PLUG, brightness: 50 },
        ],
        `cannot set property brightness for module ${PLUG}`,
      ],
      [[{ id: DIMMER, on: true }, { id: 'nope' }], 'Invalid device_id, nope'],
      [
        [
          { id: DIMMER, on: true },
          { id: NLV, on: true },
        ],
        `cannot set property on for module ${NLV}`,
      ],
    ];
    for (const [mods, message] of cases) {
      const answer = await write(s, t, HOME, mods);
      expect(answer.status).toBe(400);
      expect(answer.json).toEqual({ error: { code: 21, message } });
    }
    expect(await modules(s, t, HOME)).toEqual(before);
    // A module reporting brightness is dimmable.
    expect((await write(s, t, HOME, [{ id: DIMMER, on: true, brightness: 30 }])).json).toMatchObject({
      status: 'ok',
    });
    expect((await modules(s, t, HOME)).get(DIMMER)).toMatchObject({ on: true, brightness: 30 });
  });

  it('refuses an off-step position per module (code 5) and applies the rest of the call', async () => {
    const s = await sim({ clock: frozenAt(WINTER_MORNING) });
    const { access_token: t } = s.mintTokens();
    const answer = await write(s, t, HOME, [
      { id: NLV, target_position: 42 },
      { id: DIMMER, on: true },
      { id: NLLV, target_position: 42 },
      { id: NBR, target_position: 42 },
    ]);
    expect(answer.status).toBe(200);
    expect(answer.json.status).toBe('ok');
    expect(answer.json.body.home).toEqual({ id: HOME });
    expect(answer.json.body.errors).toHaveLength(1);
    expect(answer.json.body.errors[0]).toMatchObject({ code: 5, id: NLV });
    const after = await modules(s, t, HOME);
    expect(after.get(NLV).target_position).toBe(0);
    expect(after.get(DIMMER).on).toBe(true);
    expect(after.get(NLLV).target_position).toBe(42);
    expect(after.get(NBR).target_position).toBe(42);
    // Open, close, stop and the preferred position are fine on a step-100 Legrand cover.
    for (const target of [100, -1, 0, -2]) {
      const ok = await write(s, t, HOME, [{ id: NLV, target_position: target }]);
      expect(ok.json.body, String(target)).toBeUndefined();
    }
  });

  it('keeps MyHome shutters to their step, without a preferred position, mirroring the last command when uncalibrated', async () => {
    const s = await sim({ scenario: 'bticino', clock: frozenAt(WINTER_MORNING) });
    const { access_token: t } = s.mintTokens();
    const home = 'bticino_home_id';
    s.advanceClock(60_000);
    // Never instructed: 101, and it does not drift on its own.
    expect((await modules(s, t, home)).get(UNCALIBRATED).current_position).toBe(101);

    const refused = await write(s, t, home, [
      { id: UNCALIBRATED, target_position: 50 },
      { id: SHADE, target_position: -2 },
      { id: CALIBRATED, target_position: 42 },
      { id: BLIND, target_position: -2 },
      { id: CALIBRATED, target_position: 99 },
    ]);
    expect(refused.status).toBe(200);
    expect(refused.json.body.errors.map((e: Json) => [e.code, e.id])).toEqual([
      [5, UNCALIBRATED],
      [5, SHADE],
      [5, CALIBRATED],
      [5, BLIND],
      [5, CALIBRATED],
    ]);
    let state = await modules(s, t, home);
    expect(state.get(CALIBRATED)).toMatchObject({ current_position: 42, target_position: 42 });
    expect(state.get(BLIND)).toMatchObject({ current_position: 30, target_position: 30 });

    const accepted = await write(s, t, home, [
      { id: UNCALIBRATED, target_position: 100 },
      { id: SHADE, target_position: 0 },
      { id: CALIBRATED, target_position: 40 },
      { id: BLIND, target_position: 95 },
    ]);
    expect(accepted.json.body).toBeUndefined();
    state = await modules(s, t, home);
    // No position sensor: the uncalibrated actors report the command at once.
    expect(state.get(UNCALIBRATED)).toMatchObject({ current_position: 100, target_position: 100 });
    expect(state.get(SHADE)).toMatchObject({ current_position: 0, target_position: 0 });
    expect(state.get(BLIND).current_position).toBe(30);
    s.advanceClock(30_000);
    state = await modules(s, t, home);
    expect(state.get(BLIND)).toMatchObject({ current_position: 95, target_position: 95 });
    expect(state.get(CALIBRATED)).toMatchObject({ current_position: 40, target_position: 40 });
    expect(state.get(UNCALIBRATED).current_position).toBe(100);
    expect((await write(s, t, home, [{ id: UNCALIBRATED, target_position: -1 }])).json.body).toBeUndefined();
  });

  it('takes the setpoint family a room reports and refuses the others', async () => {
    const s = await sim({ scenario: 'ac', clock: frozenAt(WINTER_MORNING) });
    const { access_token: t } = s.mintTokens();
    const home = 'ac_home_id';
    const rooms = async (): Promise<Map<string, Json>> =>
      new Map(
        (await api(s, 'homestatus', { home_id: home }, t)).json.body.home.rooms.map((r: Json) => [r.id, r]),
      );
    const before = await rooms();
    const refusals: Array<[Json, string]> = [
      [
        { id: 'ac_room_living', therm_setpoint_mode: 'manual', therm_setpoint_temperature: 20 },
        'therm_setpoint_mode',
      ],
      [{ id: 'ac_room_living', cooling_setpoint_mode: 'home' }, 'cooling_setpoint_mode'],
      [{ id: 'ac_room_bedroom_1', auto_setpoint_mode: 'home' }, 'auto_setpoint_mode'],
    ];
    for (const [room, key] of refusals) {
      const answer = await setstate(s, { home: { id: home, rooms: [room] } }, t);
      expect(answer.json).toEqual({
        error: { code: 21, message: `cannot set property ${key} for room ${room.id}` },
      });
    }
    const bad = await setstate(
      s,
      { home: { id: home, rooms: [{ id: 'ac_room_living', auto_setpoint_mode: 'max' }] } },
      t,
    );
    expect(bad.json.error).toEqual({ code: 21, message: 'mode not authorized' });
    expect(
      (await api(s, 'setroomthermpoint', { home_id: home, room_id: 'ac_room_living', mode: 'max' }, t)).json
        .error.code,
    ).toBe(21);
    expect(await rooms()).toEqual(before);
  });
});
