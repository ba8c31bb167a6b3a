import { describe, expect, it } from 'vitest';
import { api, HOME, sim } from './helpers.js';
import { CAMERA, events, homeStatus, type Json, OUTDOOR, raise } from './security-helpers.js';

async function jpeg(url: string): Promise<Buffer> {
  const res = await fetch(url);
  expect(res.status, url).toBe(200);
  expect(res.headers.get('content-type')).toBe('image/jpeg');
  const bytes = Buffer.from(await res.arrayBuffer());
  // A JPEG starts with SOI (FFD8) and ends with EOI (FFD9), with a JFIF or comment segment after SOI.
  expect(bytes.subarray(0, 2).toString('hex')).toBe('ffd8');
  expect(bytes.subarray(-2).toString('hex')).toBe('ffd9');
  expect(bytes.length).toBeGreaterThan(500);
  return bytes;
}

describe('simulator pictures and camera URLs', () => {
  it('serves the snapshots and vignettes of raised and seeded events as JPEGs, and 404 for unknown ones', async () => {
    const s = await sim();
    const { access_token: t } = s.mintTokens();
    const movement = await raise(s, { device_id: CAMERA, type: 'movement' });
    const snapshot = await jpeg(movement.snapshot.url);
    const vignette = await jpeg(movement.vignette.url);
    expect(snapshot.equals(vignette)).toBe(false);

    const url = new URL(movement.snapshot.url);
    const token = /\/__sim\/snapshots\/([0-9a-f]{88})\.jpg$/.exec(url.pathname)?.[1];
    expect(token?.slice(0, 24)).toMatch(/^[0-9a-f]{24}$/);
    const guessed = `${s.url}/__sim/snapshots/${token?.slice(0, 24)}${'0'.repeat(64)}.jpg`;
    expect((await fetch(guessed)).status).toBe(404);
    expect((await fetch(`${s.url}/__sim/snapshots/nothing.jpg`)).status).toBe(404);

    // The fixture's own pictures: URLs now point at the simulator; `filename` ones stay relative.
    const seeded = (await events(s, t, { size: '50' })).filter((e: Json) => e.id !== movement.id);
    const outdoor = seeded.find((e: Json) => e.type === 'outdoor' && e.subevents.length === 4);
    expect(outdoor.subevents[0].snapshot.url.startsWith(`${s.url}/__sim/snapshots/`)).toBe(true);
    await jpeg(outdoor.subevents[0].vignette.url);
    expect(outdoor.subevents[2].snapshot).toEqual({
      filename: 'vod/11111/events/22222/snapshot_129e72195968.jpg',
    });
    const person = seeded.find((e: Json) => e.type === 'person');
    await jpeg(person.snapshot.url);
    const json = JSON.stringify(seeded);
    expect(json).not.toContain('netatmocameraimage.blob.core.windows.net');
  });

  it('points camera vpn_url at itself: ping answers local_url, with a live snapshot and an HLS playlist', async () => {
    const s = await sim();
    const { access_token: t } = s.mintTokens();
    const modules: Json[] = (await homeStatus(s, t)).modules;
    const hall = modules.find((m) => m.id === CAMERA);
    const front = modules.find((m) => m.id === OUTDOOR);
    expect(hall.vpn_url).toMatch(new RegExp(`^${s.url}/__sim/cameras/[0-9a-f]{32}$`));
    expect(front.vpn_url).not.toBe(hall.vpn_url);

    const ping = await fetch(`${hall.vpn_url}/command/ping`, { method: 'POST' });
    expect(ping.status).toBe(200);
    const { local_url: local, product_name } = (await ping.json()) as Json;
    expect(product_name).toBe('Welcome Netatmo');
    expect(local).toMatch(new RegExp(`^${s.url}/__sim/cameras/[0-9a-f]{32}$`));
    expect(local).not.toBe(hall.vpn_url);
    // pyatmo pings the local URL too and keeps it when it answers.
    expect(((await (await fetch(`${local}/command/ping`)).json()) as Json).local_url).toBe(local);

    await jpeg(`${local}/live/snapshot_720.jpg`);
    await jpeg(`${front.vpn_url}/vod/11111/events/22222/snapshot_129e72195968.jpg`);
    for (const path of ['/live/files/high/index.m3u8', '/live/index.m3u8']) {
      const hls = await fetch(`${hall.vpn_url}${path}`);
      expect(hls.status).toBe(200);
      expect(hls.headers.get('content-type')).toBe('application/vnd.apple.mpegurl');
      expect(await hls.text()).toMatch(/^#EXTM3U\n/);
    }
    expect((await fetch(`${hall.vpn_url}/live/nothing`)).status).toBe(404);
    expect((await fetch(`${s.url}/__sim/cameras/${'a'.repeat(32)}/command/ping`)).status).toBe(404);
  });

  it('serves person faces from homesdata', async () => {
    const s = await sim();
    const { access_token: t } = s.mintTokens();
    const home = (await api(s, 'homesdata', { home_id: HOME }, t)).json.body.homes[0];
    expect(home.persons).toHaveLength(3);
    for (const person of home.persons) {
      expect(person.url.startsWith(`${s.url}/__sim/snapshots/`)).toBe(true);
      await jpeg(person.url);
    }
  });
});
