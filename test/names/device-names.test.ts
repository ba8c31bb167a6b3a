/**
 * Friendly names on the real device set of the fixtures, a real StateStore and real files in a
 * temp data_dir: what names devices get, that they stay put, how renames and Netatmo renames
 * move topics, and what a restart keeps.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { buildDevices } from '../../src/devices/index.js';
import type { Device } from '../../src/devices/types.js';
import { type DeviceMove, DeviceNames, RenameError } from '../../src/names/device-names.js';
import { friendlyNameProblem, topicSafeName } from '../../src/names/friendly-name.js';
import { renameFromRequest } from '../../src/names/rename-request.js';
import { StateStore } from '../../src/state/state-store.js';
import { useTempDir } from '../config/temp-dir.js';
import { coaches, homes, stations } from '../devices/fixtures.js';

const temp = useTempDir();
const fixtureDevices = (): Device[] =>
  buildDevices({ homes: homes(), stations: stations(), coaches: coaches() });

interface Running {
  names: DeviceNames;
  store: StateStore;
  moves: DeviceMove[];
  depths: number[];
}

async function start(
  dataDir: string,
  mode: 'friendly_name' | 'id' = 'friendly_name',
  ranBefore = true,
): Promise<Running> {
  const store = new StateStore();
  const depths: number[] = [];
  const names = new DeviceNames({ store, dataDir, mode, onDepth: (d) => void depths.push(d) });
  await names.load(ranBefore);
  store.subscribe(names);
  const moves: DeviceMove[] = [];
  names.onMoved((batch) => void moves.push(...batch));
  return { names, store, moves, depths };
}

async function withDevices(r: Running, devices: Device[]): Promise<void> {
  r.store.replaceDevices(devices);
  await r.store.settled();
}

/** The first topology without names.json moves every device from its id (the topics before names). */
async function named(r: Running, devices: Device[]): Promise<void> {
  await withDevices(r, devices);
  r.moves.length = 0;
}

const byId = (devices: Device[], id: string): Device => devices.find((d) => d.id === id)!;

describe('friendly names', () => {
  it('are Netatmo names, unique, rooms before modules, duplicates qualified by kind', async () => {
    const r = await start(await temp.dir());
    const devices = fixtureDevices();
    await withDevices(r, devices);
    const name = (id: string) => r.names.topicOf(byId(devices, id));
    expect(name('room_2746182631')).toBe('Livingroom');
    expect(name('12_34_56_00_01_ae')).toBe('Livingroom thermostat');
    expect(name('home_91763b24c43d3e344f424e8b')).toBe('MYHOME');
    // Two cameras share the name Hall: the one first by id keeps it.
    expect(name('12_34_56_00_f1_62')).toBe('Hall');
    expect(name('12_34_56_00_f1_63')).toBe('Hall camera');
    expect(name('0009999992')).toBe('Entrance Blinds');
    const all = devices.map((d) => r.names.topicOf(d));
    expect(new Set(all).size).toBe(devices.length);
    for (const n of all) expect(friendlyNameProblem(n), n).toBeUndefined();
    // Every device resolves by its name and by its id.
    for (const d of devices) {
      expect(r.names.resolve(r.names.topicOf(d))?.id).toBe(d.id);
      expect(r.names.resolve(d.id)?.id).toBe(d.id);
    }
  });

  it('makes Netatmo names topic-safe', () => {
    expect(topicSafeName('Salon + #1')).toBe('Salon _ _1');
    expect(topicSafeName(' Ground floor // Living\u0000 ')).toBe('Ground floor/Living_');
    expect(topicSafeName('bridge/set')).toBe('bridge_/set_');
    expect(topicSafeName('')).toBe('');
    expect(topicSafeName('x'.repeat(300)).length).toBeLessThanOrEqual(100);
    for (const bad of [
      '',
      'a//b',
      '/a',
      'a/',
      'a+b',
      'a#',
      'bridge',
      'bridge/x',
      'a/set',
      'a/availability/b',
      'a\u0007',
    ])
      expect(friendlyNameProblem(bad), bad).toBeDefined();
    expect(friendlyNameProblem('Ground floor/Living room')).toBeUndefined();
  });

  it('keep a given name when a new device with the same Netatmo name arrives first in order', async () => {
    const dir = await temp.dir();
    const r = await start(dir);
    const devices = fixtureDevices();
    const laterCamera = byId(devices, '12_34_56_00_f1_63');
    await named(
      r,
      devices.filter((d) => d.id !== '12_34_56_00_f1_62'),
    );
    expect(r.names.topicOf(laterCamera)).toBe('Hall');
    // The camera that sorts first appears later: it gets the qualified name, the first keeps Hall.
    await withDevices(r, devices);
    expect(r.names.topicOf(laterCamera)).toBe('Hall');
    expect(r.names.topicOf(byId(devices, '12_34_56_00_f1_62'))).toBe('Hall camera');
    expect(r.moves).toEqual([]);
  });

  it('rename: stored, moves the topics, survives a restart and a Netatmo rename', async () => {
    const dir = await temp.dir();
    const r = await start(dir);
    const devices = fixtureDevices();
    await named(r, devices);
    const valve = byId(devices, '12_34_56_03_a5_54');
    expect(r.names.topicOf(valve)).toBe('Valve1');

    await expect(r.names.rename('Valve1', 'Ground floor/Entrance valve')).resolves.toEqual({
      from: 'Valve1',
      to: 'Ground floor/Entrance valve',
    });
    expect(r.moves).toEqual([{ device: valve, from: 'Valve1', to: 'Ground floor/Entrance valve' }]);
    expect(r.names.resolve('Ground floor/Entrance valve')?.id).toBe(valve.id);
    expect(r.names.resolve('Valve1')).toBeUndefined();
    expect(r.depths).toEqual([2]);
    const stored = JSON.parse(await readFile(r.names.path, 'utf8'));
    expect(stored.devices[valve.id]).toMatchObject({ name: 'Ground floor/Entrance valve', source: 'user' });

    // Restart: the name is there before any topology (deep subscriptions from the first connect).
    const again = await start(dir);
    expect(again.depths).toEqual([2]);
    const renamedInNetatmo = devices.map((d) => (d.id === valve.id ? { ...d, name: 'Vanne entrée' } : d));
    await withDevices(again, renamedInNetatmo);
    expect(again.names.topicOf(valve)).toBe('Ground floor/Entrance valve');
    expect(again.moves).toEqual([]);

    // A device the user never renamed follows Netatmo's rename, and its topics move.
    const thermostat = byId(devices, '12_34_56_00_01_ae');
    const moved = renamedInNetatmo.map((d) => (d.id === thermostat.id ? { ...d, name: 'Salon' } : d));
    await withDevices(again, moved);
    expect(again.names.topicOf(thermostat)).toBe('Salon');
    expect(again.moves).toEqual([
      { device: byId(moved, thermostat.id), from: 'Livingroom thermostat', to: 'Salon' },
    ]);
  });

  it('rename refuses unknown devices, bad names, taken names and ids, and keeps the old name', async () => {
    const r = await start(await temp.dir());
    const devices = fixtureDevices();
    await named(r, devices);
    const refused = async (from: unknown, to: unknown, why: RegExp) => {
      const attempt = renameFromRequest(r.names, from, to);
      await expect(attempt).rejects.toBeInstanceOf(RenameError);
      await expect(renameFromRequest(r.names, from, to)).rejects.toThrow(why);
    };
    await refused('nobody', 'x', /no device is named or has the id 'nobody'/);
    await refused(undefined, 'x', /from must be/);
    await refused('Valve1', 42, /to must be/);
    await refused('Valve1', 'a/set', /level 'set'/);
    await refused('Valve1', 'kitchen/#', /\+, # or control/);
    await refused('Valve1', 'Valve2', /already the name or id of device 12_34_56_03_a0_ac/);
    await refused('Valve1', '12_34_56_03_a0_ac', /already the name or id/);
    expect(r.names.topicOf(byId(devices, '12_34_56_03_a5_54'))).toBe('Valve1');
    expect(r.moves).toEqual([]);
    // By id works, and naming a device after its own id is allowed.
    await expect(r.names.rename('12_34_56_03_a5_54', '12_34_56_03_a5_54')).resolves.toEqual({
      from: 'Valve1',
      to: '12_34_56_03_a5_54',
    });
  });

  it('first start after id topics: every device moves from its id; with device_topic id nothing moves', async () => {
    const devices = fixtureDevices();
    const r = await start(await temp.dir());
    await withDevices(r, devices);
    expect(r.moves).toHaveLength(devices.length);
    // A fresh install (no state cache either) has no id topics to move.
    const fresh = await start(`${await temp.dir()}/fresh`, 'friendly_name', false);
    await withDevices(fresh, devices);
    expect(fresh.moves).toEqual([]);
    expect(r.moves[0]).toMatchObject({
      from: r.moves[0]!.device.id,
      to: r.names.topicOf(r.moves[0]!.device),
    });

    const byIds = await start(`${await temp.dir()}/other`, 'id');
    await withDevices(byIds, devices);
    expect(byIds.moves).toEqual([]);
    for (const d of devices) expect(byIds.names.topicOf(d)).toBe(d.id);
    // A rename changes the name (discovery, bridge/devices) but not the topic.
    await byIds.names.rename('Valve1', 'Entrance valve');
    const valve = byId(devices, '12_34_56_03_a5_54');
    expect(byIds.moves).toEqual([{ device: valve, from: valve.id, to: valve.id }]);
    expect(byIds.names.nameOf(valve)).toBe('Entrance valve');
    expect(byIds.names.resolve('Entrance valve')?.id).toBe(valve.id);
  });

  it('a failed write refuses the rename and keeps the old name', async () => {
    const dir = await temp.dir();
    const r = await start(dir);
    const devices = fixtureDevices();
    await withDevices(r, devices);
    // A directory where the file would go makes the atomic rename fail.
    const { rm, mkdir } = await import('node:fs/promises');
    await rm(r.names.path);
    await mkdir(r.names.path);
    await expect(r.names.rename('Valve1', 'Lounge valve')).rejects.toThrow(/could not be stored/);
    expect(r.names.topicOf(byId(devices, '12_34_56_03_a5_54'))).toBe('Valve1');
    expect(r.names.resolve('Lounge valve')).toBeUndefined();
  });

  it('ignores a corrupt names.json and starts afresh', async () => {
    const dir = await temp.dir();
    await writeFile(`${dir}/names.json`, '{not json');
    const r = await start(dir);
    await withDevices(r, fixtureDevices());
    expect(JSON.parse(await readFile(r.names.path, 'utf8')).version).toBe(1);
  });
});
