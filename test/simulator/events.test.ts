import { describe, expect, it } from 'vitest';
import { ScaledClock } from '../../src/util/clock.js';
import { api, control, HOME, sim } from './helpers.js';
import {
  CAMERA,
  DOOR_TAG,
  DOORBELL,
  events,
  firstOfType,
  INDOOR_ADVANCE,
  JOHN,
  type Json,
  moduleStatus,
  OUTDOOR,
  raise,
  SIREN,
} from './security-helpers.js';

const OBJECT_ID = /^[0-9a-f]{24}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('simulator security events', () => {
  it('raises events that getevents lists newest first, in Netatmo’s shape, ahead of the seeded ones', async () => {
    const s = await sim();
    const { access_token: t } = s.mintTokens();
    const seeded = await events(s, t);
    expect(seeded).toHaveLength(8);
    expect(seeded.map((e: Json) => e.time)).toEqual(
      [...seeded.map((e: Json) => e.time)].sort((a, b) => b - a),
    );

    const movement = await raise(s, { device_id: CAMERA, type: 'movement' });
    const outdoor = await raise(s, { device_id: OUTDOOR, type: 'outdoor', subevents: ['human', 'animal'] });
    const ring = await raise(s, { device_id: DOORBELL, type: 'incoming_call' });

    const listed = await events(s, t, { size: '3' });
    expect(listed.map((e: Json) => e.id)).toEqual([ring.id, outdoor.id, movement.id]);
    expect(listed[2]).toEqual(movement);
    const nowSec = Math.floor(s.clock.now() / 1000);
    expect(movement).toMatchObject({
      type: 'movement',
      module_id: CAMERA,
      message: '<b>Motion</b> detected',
      video_status: 'available',
      snapshot: { url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/__sim\/snapshots\//) },
      vignette: { url: expect.any(String) },
    });
    expect(movement.id).toMatch(OBJECT_ID);
    expect(movement.video_id).toMatch(UUID);
    expect(Math.abs(movement.time - nowSec)).toBeLessThanOrEqual(1);
    expect(outdoor).not.toHaveProperty('snapshot');
    expect(outdoor.subevents.map((x: Json) => x.type)).toEqual(['human', 'animal']);
    for (const sub of outdoor.subevents) {
      expect(sub.id).toMatch(UUID);
      expect(sub).toMatchObject({ verified: true, message: expect.any(String) });
      expect(sub.snapshot.url).not.toBe(sub.vignette.url);
      expect(sub.time - outdoor.time).toBe(sub.offset);
    }
    expect(ring).toMatchObject({
      type: 'incoming_call',
      module_id: DOORBELL,
      snapshot: { url: expect.any(String) },
    });

    // The seeded fixture events follow, still whole.
    const all = await events(s, t, { size: '50' });
    expect(all).toHaveLength(11);
    expect(all.slice(3).map((e: Json) => e.id)).toEqual(seeded.map((e: Json) => e.id));
    expect(new Set(all.map((e: Json) => e.id)).size).toBe(11);
  });

  it('pages like Netatmo: size and offset, event_id for older events, person_id, device_types, device_id', async () => {
    const s = await sim();
    const { access_token: t } = s.mintTokens();
    for (let i = 0; i < 4; i++) await raise(s, { device_id: CAMERA, type: 'movement' });
    await raise(s, { device_id: CAMERA, type: 'person', person_id: JOHN });
    await raise(s, { device_id: DOOR_TAG, type: 'tag_big_move' });
    const all = await events(s, t, { size: '300' });
    expect(all).toHaveLength(14);

    expect(await events(s, t)).toHaveLength(14); // default size 30
    expect((await events(s, t, { size: '2', offset: '3' })).map((e: Json) => e.id)).toEqual(
      all.slice(3, 5).map((e: Json) => e.id),
    );
    // Walking back with event_id = the oldest id of the previous page visits every event once.
    const walked: string[] = [];
    let page = await events(s, t, { size: '5' });
    while (page.length > 0) {
      walked.push(...page.map((e: Json) => e.id));
      page = await events(s, t, { size: '5', event_id: page.at(-1).id });
    }
    expect(walked).toEqual(all.map((e: Json) => e.id));

    const johns = await events(s, t, { person_id: JOHN });
    expect(johns.length).toBeGreaterThanOrEqual(2); // the raised one and the fixture's
    expect(johns.every((e: Json) => e.person_id === JOHN)).toBe(true);
    const outdoor = await events(s, t, { device_types: 'NOC' });
    const repeated = new URLSearchParams({ home_id: HOME });
    for (const type of ['NOC', 'NACamDoorTag']) repeated.append('device_types[]', type);
    const both = await fetch(`${s.url}/api/getevents?${repeated}`, {
      headers: { authorization: `Bearer ${t}` },
    });
    const bothTypes = ((await both.json()) as Json).body.home.events.map((e: Json) => e.module_id);
    expect(new Set(bothTypes)).toEqual(new Set([OUTDOOR, DOOR_TAG]));
    expect(outdoor.length).toBeGreaterThan(0);
    expect(outdoor.every((e: Json) => e.module_id === OUTDOOR)).toBe(true);
    // A door tag's events belong to its camera too.
    const hall = await events(s, t, { device_id: CAMERA, size: '300' });
    expect(hall.some((e: Json) => e.module_id === DOOR_TAG)).toBe(true);
    expect(
      hall.every((e: Json) => e.module_id === CAMERA || e.module_id === DOOR_TAG || e.module_id === SIREN),
    ).toBe(true);
    expect((await events(s, t, { device_types: 'NACamDoorTag' })).map((e: Json) => e.type)).toEqual([
      'tag_big_move',
      'tag_open',
    ]);

    const errors: Array<[Record<string, string>, number, number, string]> = [
      [{}, 400, 10, 'Missing home_id'],
      [{ home_id: 'nope' }, 400, 21, 'Invalid id'],
      [{ home_id: HOME, event_id: 'ffffffffffffffffffffffff' }, 400, 21, 'Invalid event_id'],
      [{ home_id: HOME, size: '0' }, 400, 21, 'Invalid size'],
    ];
    for (const [params, status, code, message] of errors) {
      const answer = await api(s, 'getevents', params, t);
      expect({ status: answer.status, error: answer.json.error }).toEqual({
        status,
        error: { code, message },
      });
    }
  });

  it('counts getevents against the quota', async () => {
    const s = await sim({ limits: { userPer10s: 2 } });
    const { access_token: t } = s.mintTokens();
    expect((await api(s, 'getevents', { home_id: HOME }, t)).status).toBe(200);
    expect((await api(s, 'getevents', { home_id: HOME }, t)).status).toBe(200);
    const third = await api(s, 'getevents', { home_id: HOME }, t);
    expect(third.status).toBe(429);
    expect(third.json.error.code).toBe(26);
    expect(s.stats().requests.getevents).toBe(3);
  });

  it('changes homestatus where Netatmo shows an event: door tag, siren, monitoring, SD card, persons', async () => {
    const s = await sim({ clock: new ScaledClock(100) });
    const { access_token: t } = s.mintTokens();
    expect((await moduleStatus(s, t, DOOR_TAG)).status).toBe('no_news');
    const opened = await raise(s, { device_id: DOOR_TAG, type: 'tag_open', closes_after_s: 5 });
    const tag = await moduleStatus(s, t, DOOR_TAG);
    expect(tag.status).toBe('open');
    expect(tag.last_seen).toBe(opened.time);
    // 5 simulated seconds = 50 ms here; Netatmo sends no event when it closes.
    await expect
      .poll(async () => (await moduleStatus(s, t, DOOR_TAG)).status, { timeout: 2_000 })
      .toBe('closed');
    expect((await events(s, t, { size: '1' }))[0].id).toBe(opened.id);

    await raise(s, { device_id: SIREN, type: 'siren_sounding' });
    expect((await moduleStatus(s, t, SIREN)).status).toBe('sound');
    await raise(s, { device_id: SIREN, type: 'siren_sounding', sub_type: 0 });
    expect((await moduleStatus(s, t, SIREN)).status).toBe('no_sound');

    await raise(s, { device_id: CAMERA, type: 'off' });
    expect((await moduleStatus(s, t, CAMERA)).monitoring).toBe('off');
    await raise(s, { device_id: CAMERA, type: 'on' });
    expect((await moduleStatus(s, t, CAMERA)).monitoring).toBe('on');
    const sd = await raise(s, { device_id: OUTDOOR, type: 'sd', sub_type: 5 });
    expect(sd).toMatchObject({ sub_type: 5, message: 'Front: SD card defective' });
    expect((await moduleStatus(s, t, OUTDOOR)).sd_status).toBe(5);
  });

  it('encodes smoke and CO alarm start and end in sub_type, as Netatmo does', async () => {
    const s = await sim({ scenario: 'scale:1,28' });
    const { access_token: t } = s.mintTokens();
    const smoke = await firstOfType(s, t, 'NSD');
    const co = await firstOfType(s, t, 'NCO');
    const started = await raise(s, { device_id: smoke.id, type: 'smoke' });
    expect(started).toMatchObject({ type: 'smoke', sub_type: 1, module_id: smoke.id });
    expect(started.message).toMatch(/smoke detected$/);
    const cleared = await raise(s, { device_id: smoke.id, type: 'smoke', sub_type: 0 });
    expect(cleared.message).toMatch(/smoke cleared$/);
    expect((await raise(s, { device_id: smoke.id, type: 'hush' })).sub_type).toBe(0);
    expect((await raise(s, { device_id: co.id, type: 'co_detected' })).sub_type).toBe(2);
    expect((await raise(s, { device_id: co.id, type: 'co_detected', sub_type: 1 })).message).toMatch(
      /pre-alarm/,
    );
    const listed = await events(s, t, { device_types: 'NSD' }, smoke.home_id);
    expect(listed.map((e: Json) => [e.type, e.sub_type])).toEqual([
      ['hush', 0],
      ['smoke', 0],
      ['smoke', 1],
    ]);
    expect((await moduleStatus(s, t, smoke.id, smoke.home_id)).last_seen).toBe(cleared.time);
  });

  it('refuses a bad event request with a message naming what is accepted', async () => {
    const s = await sim();
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [{ type: 'movement' }, /device_id is required/],
      [{ device_id: 'aa:bb', type: 'movement' }, /no module aa:bb/],
      [{ device_id: CAMERA, type: 'smoke' }, /does not send 'smoke'; it sends movement, person/],
      [{ device_id: CAMERA, type: 'person' }, /needs one person_id; known: 91827374/],
      [{ device_id: CAMERA, type: 'person', person_id: 'ghost' }, /unknown person ghost/],
      [{ device_id: CAMERA, type: 'movement', subevents: ['human'] }, /subevents belong to 'outdoor'/],
      [
        { device_id: OUTDOOR, type: 'outdoor', subevents: ['cat'] },
        /subevents must be .* human, animal, vehicle/,
      ],
      [
        { device_id: SIREN, type: 'siren_sounding', sub_type: 7 },
        /sub_type of 'siren_sounding' must be one of 0, 1/,
      ],
      [{ device_id: CAMERA, type: 'movement', sub_type: 1 }, /'movement' has no sub_type/],
      [{ device_id: CAMERA, type: 'movement', closes_after_s: 3 }, /closes_after_s belongs to 'tag_open'/],
      [{ device_id: '12:34:56:00:01:ae', type: 'movement' }, /a NATherm1 sends no security events/],
    ];
    for (const [request, message] of cases) {
      const answer = await control(s, 'events', request);
      expect(answer.status, JSON.stringify(request)).toBe(400);
      expect(answer.json.error).toMatch(message);
    }
    expect(s.stats().events_raised).toBe(0);
  });

  it('generates a seeded stream of events from a configurable mix, and stops', async () => {
    const run = async (): Promise<Json[]> => {
      // 1 simulated minute between events = 10 ms of wall time.
      const s = await sim({ clock: new ScaledClock(6_000) });
      const { access_token: t } = s.mintTokens();
      const started = await control(s, 'events/generator', {
        every_ms: 60_000,
        seed: 7,
        mix: { movement: 2, outdoor: 1, tag_open: 1, siren_sounding: 1, smoke: 5 },
      });
      expect(started.json).toMatchObject({ running: true, every_ms: 60_000 });
      await expect
        .poll(async () => (await control(s, 'events/generator')).json.raised, { timeout: 5_000 })
        .toBeGreaterThanOrEqual(12);
      expect((await control(s, 'events/generator', { stop: true })).json.running).toBe(false);
      const raised = (await control(s, 'events/generator')).json.raised;
      const list = await events(s, t, { size: '300' });
      expect(list).toHaveLength(8 + raised);
      return list.slice(0, list.length - 8).reverse();
    };
    const first = await run();
    const types = new Set(first.map((e: Json) => e.type));
    // smoke is in the mix but no fixture device sends it; the others all appear in 12+ draws.
    expect([...types].sort()).toEqual(['movement', 'outdoor', 'siren_sounding', 'tag_open']);
    const senders: Record<string, string[]> = {
      movement: [CAMERA, INDOOR_ADVANCE],
      outdoor: [OUTDOOR, DOORBELL],
      tag_open: [DOOR_TAG],
      siren_sounding: [SIREN],
    };
    for (const e of first) expect(senders[e.type]).toContain(e.module_id);
    const second = await run();
    // Arrivals come in seeded order; a clear (sub_type 0) lands between them as timers allow.
    const shape = (list: Json[]): string[] =>
      list
        .filter((e) => e.sub_type !== 0)
        .slice(0, 10)
        .map((e) => `${e.type}:${(e.subevents ?? []).map((x: Json) => x.type)}`);
    expect(shape(second)).toEqual(shape(first));
  });

  it('starts the generator from the simulator options, and raises events programmatically', async () => {
    const s = await sim({
      clock: new ScaledClock(6_000),
      eventGenerator: { everyMs: 60_000, mix: { movement: 1 } },
    });
    const { access_token: t } = s.mintTokens();
    await expect.poll(async () => (await events(s, t)).length, { timeout: 5_000 }).toBeGreaterThan(10);
    expect((await events(s, t, { size: '2' })).map((e: Json) => e.type)).toEqual(['movement', 'movement']);
    const raised = s.raiseEvent({ device_id: DOOR_TAG, type: 'tag_small_move' });
    expect(raised).toMatchObject({
      type: 'tag_small_move',
      module_id: DOOR_TAG,
      message: 'Small movement detected by Window Hall',
    });
    expect(() => s.raiseEvent({ device_id: DOOR_TAG, type: 'movement' })).toThrow(/does not send 'movement'/);
  });
});
