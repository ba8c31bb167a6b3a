/**
 * The family catalogue holds together: type codes are unique, every writable capability is a
 * command key its family encodes, the README table is the code's, and capabilities follow the
 * data (a module reporting a battery gets one, through DeviceSync, within the poll).
 */
import { describe, expect, it } from 'vitest';
import { familiesTable, readFamiliesReadme, withTable } from '../../scripts/families-table.js';
import { DeviceSync } from '../../src/bridge/device-sync.js';
import { unknown } from '../../src/devices/families/index.js';
import {
  buildDevices,
  COMMAND_KEYS,
  familyOfType,
  KNOWN_TYPES,
  MODULE_FAMILIES,
  moduleDeviceId,
} from '../../src/devices/index.js';
import type { HomeStatusBody, HomesDataBody } from '../../src/netatmo/api-types.js';
import { StateStore, type TopologyChange } from '../../src/state/state-store.js';

describe('device families', () => {
  it('list every type code once', () => {
    const all = [...MODULE_FAMILIES, unknown].flatMap((f) => Object.keys(f.types));
    expect(new Set(all).size).toBe(all.length);
    expect([...KNOWN_TYPES].sort()).toEqual([...all].sort());
    expect(familyOfType('NOT_A_TYPE').id).toBe('unknown');
  });

  it('accept as commands exactly the keys their capabilities make writable, and encode them', () => {
    for (const family of MODULE_FAMILIES) {
      const writable = new Set<string>();
      for (const type of Object.keys(family.types))
        for (const cap of family.capabilities({ type, reported: new Map() }))
          if (cap.writable) writable.add(cap.key);
      expect([...writable].sort(), family.id).toEqual([...(family.commandKeys ?? [])].sort());
      if (writable.size > 0) expect(family.encode, `${family.id} encodes its commands`).toBeDefined();
      for (const key of writable) expect(COMMAND_KEYS.has(key)).toBe(true);
    }
  });

  it('are described by the README table the code generates', async () => {
    const readme = await readFamiliesReadme();
    expect(readme, 'run `npx tsx scripts/families-table.ts --write`').toBe(withTable(readme));
    for (const type of KNOWN_TYPES) expect(familiesTable()).toContain(`| ${type} |`);
  });

  it('take capabilities from the data: what a module reports, it has', () => {
    const topology: HomesDataBody = {
      homes: [{ id: 'h1', modules: [{ id: '70:ee:50:00:00:0a', type: 'NLF', name: 'Hall' }] }],
    };
    const id = moduleDeviceId('70:ee:50:00:00:0a');
    const keys = (reported: string[]): string[] =>
      buildDevices({ homes: topology }, () => new Map(reported.map((k) => [k, 1])))[0]!.capabilities.map(
        (c) => c.key,
      );
    expect(keys([])).not.toContain('battery');
    expect(keys(['battery'])).toEqual(expect.arrayContaining(['battery', 'battery_voltage']));
    expect(keys(['wifi_strength'])).toEqual(expect.arrayContaining(['wifi_strength', 'wifi_quality']));
    expect(buildDevices({ homes: topology })[0]!.id).toBe(id);
  });
});

describe('DeviceSync: capabilities from data', () => {
  it('rebuilds a device whose poll brings a value it has no capability for, once', async () => {
    const store = new StateStore();
    const topologies: TopologyChange[] = [];
    store.subscribe({ topologyChanged: (change) => void topologies.push(change) });
    const sync = new DeviceSync({ store });
    const module = { id: '70:ee:50:00:00:0a', type: 'NLF', name: 'Hall' };
    sync.onTopology({ homes: [{ id: 'h1', modules: [module] }] });
    await sync.idle();
    const id = moduleDeviceId(module.id);
    expect(store.device(id)!.capabilities.map((c) => c.key)).not.toContain('rf_strength');

    const status: HomeStatusBody = {
      home: { id: 'h1', modules: [{ ...module, on: true, rf_strength: 70, some_new_field: 1 }] },
    };
    sync.onHomeStatus('h1', status);
    await sync.idle();
    expect(store.device(id)!.capabilities.map((c) => c.key)).toEqual(
      expect.arrayContaining(['rf_strength', 'rf_quality']),
    );
    expect(topologies.at(-1)?.updated.map((d) => d.id)).toEqual([id]);

    // The same data again changes no topology.
    const before = topologies.length;
    sync.onHomeStatus('h1', status);
    await sync.idle();
    expect(topologies.length).toBe(before);
  });
});
