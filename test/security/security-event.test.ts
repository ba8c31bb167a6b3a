/**
 * Polled and pushed copies of one event meet: for every event the simulator raises, its
 * `getevents` entry and its webhook push (both over real HTTP) become records with the same
 * key, name and module; and every event a device sends has a name its HA entity lists.
 */
import { describe, expect, it } from 'vitest';
import { EVENT_DEVICE_TYPES, eventName, eventTypesOf } from '../../src/devices/events.js';
import type { EventsBody } from '../../src/netatmo/api-types.js';
import { fromPolled, fromPush } from '../../src/security/security-event.js';
import { EVENT_KINDS, OUTDOOR_SUBEVENTS } from '../../src/simulator/security/event-types.js';
import { fixture } from '../devices/fixtures.js';
import { api, HOME, sim } from '../simulator/helpers.js';
import {
  CAMERA,
  DOOR_TAG,
  DOORBELL,
  events,
  JOHN,
  type Json,
  OUTDOOR,
  raise,
  SIREN,
} from '../simulator/security-helpers.js';
import { receiver } from '../simulator/webhook-receiver.js';

describe('event names', () => {
  it('name every event (and sub_type code) each device type sends, in that device’s event types', () => {
    for (const [type, kind] of Object.entries(EVENT_KINDS)) {
      for (const device of kind.devices) {
        expect(EVENT_DEVICE_TYPES.has(device)).toBe(true);
        const names = eventTypesOf(device);
        const codes = Object.keys(kind.subTypes ?? {}).map(Number);
        for (const code of codes.length > 0 ? codes : [undefined]) {
          const name = eventName(type, code);
          expect(name, `${device} ${type} ${code}`).toBeDefined();
          expect(names, `${device} ${type} ${code}`).toContain(name);
        }
        if (type === 'outdoor')
          for (const sub of OUTDOOR_SUBEVENTS) expect(names).toContain(eventName(type, undefined, sub));
      }
    }
  });

  it('reads the smoke and CO codes the way Netatmo means them', () => {
    expect([eventName('smoke', 1), eventName('smoke', 0)]).toEqual(['smoke_detected', 'smoke_cleared']);
    expect([0, 1, 2].map((c) => eventName('co_detected', c))).toEqual(['co_ok', 'co_pre_alarm', 'co_alarm']);
    expect(eventName('co')).toBeUndefined();
  });
});

describe('fromPolled on a real getevents answer (pyatmo fixture)', () => {
  const body = fixture<EventsBody>('getevents.json');
  const cameraUrl = 'https://vpn.example/restricted/secret';
  const records = body.home.events.flatMap((e) => fromPolled(body.home.id, e, () => cameraUrl));

  it('splits an outdoor event into one record per detection, keyed by event and sub-event', () => {
    const outdoor = records.filter((r) => r.eventId === '11111111111111111f7763a6d');
    expect(outdoor.every((r) => r.netatmoType === 'outdoor')).toBe(true);
    expect(outdoor.map((r) => r.name)).toEqual(['human', 'vehicle', 'human', 'human']);
    expect(new Set(outdoor.map((r) => r.key)).size).toBe(4);
    for (const r of outdoor) expect(r.key).toBe(`${r.eventId}/${r.subeventId}`);
    expect(outdoor[0]?.snapshotUrl).toMatch(/^https:\/\/netatmocameraimage\.blob\.core\.windows\.net\//);
    // `{filename}` pictures live under the camera's own URL.
    expect(outdoor[2]?.snapshotUrl).toBe(`${cameraUrl}/vod/11111/events/22222/snapshot_129e72195968.jpg`);
  });

  it('gives every other event a name and plain-text message', () => {
    for (const r of records) {
      expect(r.name).toMatch(/^[a-z_]+$/);
      expect(r.message ?? '').not.toMatch(/<b>/);
      expect(r.via).toBe('poll');
    }
  });
});

describe('polled and pushed copies of the same events (simulator over HTTP)', () => {
  it('meet: same key, name, module and persons', async () => {
    const s = await sim({ clientId: 'app', clientSecret: 'secret-for-pushes' });
    const { access_token: t } = s.mintTokens();
    const r = await receiver();
    expect((await api(s, 'addwebhook', { url: `${r.url}/hook` }, t)).status).toBe(200);
    await r.waitFor(1);
    const raised: Json[] = [
      await raise(s, { device_id: CAMERA, type: 'movement' }),
      await raise(s, { device_id: CAMERA, type: 'person', person_id: JOHN }),
      await raise(s, { device_id: OUTDOOR, type: 'outdoor', subevents: ['animal', 'vehicle'] }),
      await raise(s, { device_id: DOORBELL, type: 'incoming_call' }),
      await raise(s, { device_id: DOOR_TAG, type: 'tag_open' }),
      await raise(s, { device_id: SIREN, type: 'siren_sounding', sub_type: 1 }),
    ];
    const pushes = await r.waitFor(1 + 7);
    const pushed = pushes.slice(1).map((p) => fromPush(p.json, 0));
    const polled = (await events(s, t, { size: '20' }))
      .filter((e: Json) => raised.some((x) => x.id === e.id))
      .flatMap((e: Json) => fromPolled(HOME, e, () => undefined));
    const shape = (x: {
      key: string;
      name: string;
      moduleId: string;
      personIds: string[];
      homeId: string;
    }) => ({
      key: x.key,
      name: x.name,
      moduleId: x.moduleId,
      homeId: x.homeId,
      personIds: x.personIds,
    });
    expect(
      pushed.map((p) => (p ? shape(p) : p)).sort((a, b) => (a?.key ?? '').localeCompare(b?.key ?? '')),
    ).toEqual(polled.map(shape).sort((a, b) => a.key.localeCompare(b.key)));
    expect(pushed.find((p) => p?.moduleId === DOOR_TAG)?.name).toBe('tag_open');
    expect(pushed.find((p) => p?.moduleId === SIREN)?.name).toBe('siren_sounding');
    expect(pushed.find((p) => p?.name === 'person')?.personIds).toEqual([JOHN]);
  });

  it('pushes that are no security event (activation, thermostat) are not read as one', () => {
    expect(fromPush({ push_type: 'webhook_activation', user_id: 'u' }, 0)).toBeUndefined();
    expect(
      fromPush({ push_type: 'display_change', event_type: 'set_point', room_id: 'r', home: { id: 'h' } }, 0),
    ).toBeUndefined();
    expect(
      fromPush(
        {
          push_type: 'NOC-light_mode',
          event_type: 'light_mode',
          event_id: 'e',
          home_id: 'h',
          device_id: 'd',
        },
        0,
      ),
    ).toBeUndefined();
    // Hostile shapes are dropped, not thrown on.
    expect(
      fromPush({ push_type: 'NACamera-movement', event_type: 'movement', event_id: 7 }, 0),
    ).toBeUndefined();
  });
});
