import { describe, expect, it } from 'vitest';
import { startSimulator } from '../../src/simulator/index.js';
import { SCALE_KINDS } from '../../src/simulator/scenarios/scale.js';
import { api, sim } from './helpers.js';

// biome-ignore lint/suspicious/noExplicitAny: reading arbitrary JSON
type Json = any;

describe('simulator scale scenario', () => {
  it('generates the requested homes and modules, covering every device kind, deterministically', async () => {
    const s = await sim({ scenario: 'scale:3,40' });
    const { access_token: t } = s.mintTokens();
    const homes: Json[] = (await api(s, 'homesdata', {}, t)).json.body.homes;
    expect(homes).toHaveLength(3);
    for (const home of homes) {
      expect(home.modules).toHaveLength(40);
      const kinds = new Set(home.modules.map((m: Json) => m.type));
      for (const kind of SCALE_KINDS) expect(kinds, kind).toContain(kind);
      expect(new Set(home.modules.map((m: Json) => m.id)).size).toBe(40);
      const status = (await api(s, 'homestatus', { home_id: home.id }, t)).json.body.home;
      expect(status.modules).toHaveLength(40);
      const thermal = home.modules.filter((m: Json) => ['NATherm1', 'NRV', 'OTM', 'BNS'].includes(m.type));
      expect(status.rooms.length).toBe(thermal.length);
      expect(status.rooms.every((r: Json) => typeof r.therm_measured_temperature === 'number')).toBe(true);
    }
    const stations: Json[] = (await api(s, 'getstationsdata', {}, t)).json.body.devices;
    expect(stations).toHaveLength(3);
    expect(stations.map((d) => d.home_id).sort()).toEqual(homes.map((h) => h.id).sort());
    expect(stations[0].modules.map((m: Json) => m.type).sort()).toEqual([
      'NAModule1',
      'NAModule2',
      'NAModule3',
      'NAModule4',
    ]);
    expect((await api(s, 'gethomecoachsdata', {}, t)).json.body.devices).toHaveLength(3);

    const again = await sim({ scenario: 'scale:3,40' });
    const ids = (await api(again, 'homesdata', {}, again.mintTokens().access_token)).json.body.homes.map(
      (h: Json) => h.modules.map((m: Json) => m.id),
    );
    expect(ids).toEqual(homes.map((h) => h.modules.map((m: Json) => m.id)));
  });

  it('accepts writes to generated devices', async () => {
    const s = await sim({ scenario: 'scale:1,30' });
    const { access_token: t } = s.mintTokens();
    const home = (await api(s, 'homesdata', {}, t)).json.body.homes[0];
    const plug = home.modules.find((m: Json) => m.type === 'NLP');
    const res = await fetch(`${s.url}/api/setstate`, {
      method: 'POST',
      headers: { authorization: `Bearer ${t}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        home: { id: home.id, modules: [{ id: plug.id, bridge: plug.bridge, on: true }] },
      }),
    });
    expect(res.status).toBe(200);
    const status = (await api(s, 'homestatus', { home_id: home.id }, t)).json.body.home;
    expect(status.modules.find((m: Json) => m.id === plug.id).on).toBe(true);
  });

  it.each(['scale:0,40', 'scale:2,5', 'scale:2', 'moon'])(
    'rejects the scenario %s with a clear error',
    async (scenario) => {
      await expect(startSimulator({ port: 0, scenario })).rejects.toThrow(/scenario/);
    },
  );
});
