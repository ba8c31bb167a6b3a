import { describe, expect, it } from 'vitest';
import type { RunningSimulator } from '../../src/simulator/index.js';
import { api, HOME, sim } from './helpers.js';
import {
  apiJson,
  CAMERA,
  events,
  homeStatus,
  JANE,
  JOHN,
  type Json,
  RICHARD,
  raise,
} from './security-helpers.js';

async function persons(s: RunningSimulator, t: string): Promise<Record<string, Json>> {
  const list: Json[] = (await homeStatus(s, t)).persons;
  return Object.fromEntries(list.map((p) => [p.id, p]));
}

/** POST a form whose person_ids[] repeats, as pyatmo (aiohttp) sends a list. */
async function setPersonsHomeForm(s: RunningSimulator, t: string, ids: string[]): Promise<Json> {
  const form = new URLSearchParams({ home_id: HOME });
  for (const id of ids) form.append('person_ids[]', id);
  const res = await fetch(`${s.url}/api/setpersonshome`, {
    method: 'POST',
    headers: { authorization: `Bearer ${t}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: form,
  });
  return { status: res.status, json: await res.json() };
}

describe('simulator persons', () => {
  it('setpersonsaway marks one person or the whole home away; setpersonshome brings persons home', async () => {
    const s = await sim();
    const { access_token: t } = s.mintTokens();
    expect((await persons(s, t))[JANE].out_of_sight).toBe(false);

    const away = await api(s, 'setpersonsaway', { home_id: HOME, person_id: JANE }, t);
    expect(away.status).toBe(200);
    expect(away.json).toMatchObject({ status: 'ok' });
    expect(away.json.body).toBeUndefined();
    let now = await persons(s, t);
    expect(now[JANE].out_of_sight).toBe(true);
    expect(now[RICHARD].out_of_sight).toBe(true);
    const [leaving] = await events(s, t, { size: '1' });
    expect(leaving).toMatchObject({ type: 'person_away', module_id: CAMERA, person_id: JANE });
    expect(leaving.message).toContain('Jane Doe');

    const home = await setPersonsHomeForm(s, t, [JOHN, RICHARD]);
    expect(home.status).toBe(200);
    now = await persons(s, t);
    expect([now[JOHN].out_of_sight, now[RICHARD].out_of_sight, now[JANE].out_of_sight]).toEqual([
      false,
      false,
      true,
    ]);
    const [arriving] = await events(s, t, { size: '1' });
    // Like the fixture's person_home event: one event naming everybody, no single person_id.
    expect(arriving).toMatchObject({ type: 'person_home', module_id: CAMERA });
    expect(arriving).not.toHaveProperty('person_id');
    expect(arriving.message).toMatch(/John Doe, Richard Doe/);

    expect((await api(s, 'setpersonsaway', { home_id: HOME }, t)).status).toBe(200);
    now = await persons(s, t);
    expect(Object.values(now).every((p: Json) => p.out_of_sight === true)).toBe(true);
  });

  it('takes a JSON body too, as openHAB sends it', async () => {
    const s = await sim();
    const { access_token: t } = s.mintTokens();
    expect((await apiJson(s, 'setpersonsaway', { home_id: HOME, person_id: JANE }, t)).status).toBe(200);
    expect((await persons(s, t))[JANE].out_of_sight).toBe(true);
    expect((await apiJson(s, 'setpersonshome', { home_id: HOME, person_ids: [JANE] }, t)).status).toBe(200);
    expect((await persons(s, t))[JANE].out_of_sight).toBe(false);
  });

  it('answers Netatmo errors for a missing home, an unknown home or person, and changes nothing', async () => {
    const s = await sim();
    const { access_token: t } = s.mintTokens();
    const before = await persons(s, t);
    const cases: Array<[string, Record<string, string>, number, number, string]> = [
      ['setpersonsaway', {}, 400, 10, 'Missing home_id'],
      ['setpersonsaway', { home_id: 'nope' }, 400, 21, 'Invalid home_id'],
      ['setpersonsaway', { home_id: HOME, person_id: 'ghost' }, 400, 21, 'Invalid person'],
      ['setpersonshome', { home_id: HOME }, 400, 10, 'Missing person_ids'],
      ['setpersonshome', { home_id: HOME, person_ids: `${RICHARD},ghost` }, 400, 21, 'Invalid person'],
    ];
    for (const [name, params, status, code, message] of cases) {
      const answer = await api(s, name, params, t);
      expect({ name, status: answer.status, error: answer.json.error }).toEqual({
        name,
        status,
        error: { code, message },
      });
    }
    expect(await persons(s, t)).toEqual(before);
    expect(await events(s, t)).toHaveLength(8); // the fixture's events only: no person event was raised
  });

  it('a person seen by a camera is home, last seen then; their first sighting is an arrival', async () => {
    const s = await sim();
    const { access_token: t } = s.mintTokens();
    expect((await persons(s, t))[RICHARD].out_of_sight).toBe(true);
    const seen = await raise(s, { device_id: CAMERA, type: 'person', person_id: RICHARD });
    expect(seen).toMatchObject({
      person_id: RICHARD,
      out_of_sight: false,
      is_arrival: true,
      message: '<b>Richard Doe</b> seen',
    });
    expect((await persons(s, t))[RICHARD]).toEqual({
      id: RICHARD,
      out_of_sight: false,
      last_seen: seen.time,
    });
    s.advanceClock(60_000);
    const again = await raise(s, { device_id: CAMERA, type: 'person', person_id: RICHARD });
    expect(again.is_arrival).toBe(false);
    expect((await persons(s, t))[RICHARD].last_seen).toBe(again.time);
    expect(again.time - seen.time).toBe(60);
  });
});
