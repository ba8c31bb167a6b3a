/**
 * Friendly names end to end (simulator → bridge → real broker → a subscriber playing Home
 * Assistant): topics by name, commands by name and by id, a rename over MQTT to a name with `/`
 * that clears the old retained topics and survives a restart, a Netatmo rename, and the first
 * start after id topics.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Bridge } from '../../src/bridge/controller.js';
import type { HomesDataBody } from '../../src/netatmo/api-types.js';
import { ScaledClock } from '../../src/util/clock.js';
import { type TestBroker, useTestBroker } from '../support/broker.js';
import { type Harness, Recorder, startFrozenHarness } from './bridge-harness.js';

const ROOM = 'room_2746182631';
const THERMOSTAT = '12_34_56_00_01_ae';
const VALVE = '12_34_56_03_a5_54';

type Discovery = {
  dev: { identifiers: string[]; name: string };
  availability: Array<{ topic: string }>;
  cmps: Record<string, Record<string, unknown>>;
};

describe('friendly names', () => {
  let broker: TestBroker;
  let h: Harness;
  let restarted: Bridge | undefined;
  let seq = 0;

  /** Waits for a message on `topic` (under the base topic) holding every text, after message number `from`. */
  async function arrival(topic: string, texts: string[], what: string, from = 0): Promise<string> {
    const full = `${h.baseTopic}/${topic}`;
    const find = () =>
      h.recorder.messages
        .slice(from)
        .find((m) => m.topic === full && texts.every((t) => m.payload.includes(t)));
    await h.until(() => find() !== undefined, 20_000, what);
    return find()!.payload;
  }

  /** Sends a bridge request and waits for its answer. */
  async function request(command: string, body: Record<string, unknown>): Promise<Record<string, unknown>> {
    const transaction = `t${++seq}`;
    await h.recorder.publish(
      `${h.baseTopic}/bridge/request/${command}`,
      JSON.stringify({ ...body, transaction }),
    );
    const answer = await arrival(
      `bridge/response/${command}`,
      [`"${transaction}"`],
      `the answer to ${command}`,
    );
    return JSON.parse(answer) as Record<string, unknown>;
  }

  /** Sends a command and waits for its answer on bridge/response/device/set. */
  async function command(topic: string, payload: Record<string, unknown>): Promise<Record<string, unknown>> {
    const transaction = `c${++seq}`;
    await h.recorder.publish(`${h.baseTopic}/${topic}`, JSON.stringify({ ...payload, transaction }));
    const answer = await arrival(
      'bridge/response/device/set',
      [`"${transaction}"`],
      `the answer to ${topic}`,
    );
    return JSON.parse(answer) as Record<string, unknown>;
  }

  /** What a subscriber arriving now finds retained under `topic` (undefined: nothing). */
  async function retained(topic: string): Promise<string | undefined> {
    const late = await Recorder.start(broker.url, [topic]);
    try {
      await new Promise((r) => setTimeout(r, 300));
      const text = late.last.get(topic)?.payload;
      return text === '' ? undefined : text;
    } finally {
      await late.close();
    }
  }

  beforeAll(async () => {
    broker = await useTestBroker();
    h = await startFrozenHarness(broker.url);
    // Left by a bridge from before names: its state cache, and retained state under the id.
    await writeFile(join(h.dataDir, 'state.json'), JSON.stringify({ version: 1, states: {} }));
    await h.recorder.publish(`${h.baseTopic}/${VALVE}`, '{"reachable":true}', true);
    await h.recorder.publish(`${h.baseTopic}/${VALVE}/availability`, '{"state":"online"}', true);
    await h.bridge.start();
    await h.firstRound();
  });

  afterAll(async () => {
    await restarted?.stop();
    await h?.close();
    await broker?.close();
  });

  it('publishes state, availability and discovery under the Netatmo name, and lists both in bridge/devices', async () => {
    const state = h.recorder.json(`${h.baseTopic}/Livingroom`);
    expect(state?.current_temperature).toBeTypeOf('number');
    expect(h.recorder.json(`${h.baseTopic}/Livingroom/availability`)).toEqual({ state: 'online' });
    // Duplicates get their kind: the thermostat shares its room's name.
    expect(h.recorder.json(`${h.baseTopic}/Livingroom thermostat/availability`)).toEqual({ state: 'online' });
    const config = h.recorder.json<Discovery>(`${h.prefix}/device/${h.baseTopic}/${ROOM}/config`)!;
    expect(config.dev.name).toBe('Livingroom');
    expect(config.availability.map((a) => a.topic)).toContain(`${h.baseTopic}/Livingroom/availability`);
    expect(config.cmps.climate).toMatchObject({
      current_temperature_topic: `${h.baseTopic}/Livingroom`,
      temperature_command_topic: `${h.baseTopic}/Livingroom/set/target_temperature`,
      unique_id: `${ROOM}_climate_${h.baseTopic}`,
    });
    const devices = h.recorder.json<Array<{ id: string; friendly_name: string }>>(
      `${h.baseTopic}/bridge/devices`,
    )!;
    expect(devices.find((d) => d.id === ROOM)?.friendly_name).toBe('Livingroom');
    expect(devices.find((d) => d.id === THERMOSTAT)?.friendly_name).toBe('Livingroom thermostat');
  });

  it('moved the state a bridge before names left under the id, and cleared the id topics', async () => {
    expect(h.recorder.json(`${h.baseTopic}/Valve1/availability`)).toEqual({ state: 'online' });
    expect(await retained(`${h.baseTopic}/${VALVE}`)).toBeUndefined();
    expect(await retained(`${h.baseTopic}/${VALVE}/availability`)).toBeUndefined();
  });

  it('takes commands by friendly name and by id, and answers with the name it was sent to', async () => {
    const before = h.sim.stats().requests.setroomthermpoint ?? 0;
    expect(await command('Livingroom/set', { target_temperature: 19.5 })).toMatchObject({
      status: 'ok',
      data: { device: 'Livingroom', values: { target_temperature: 19.5 } },
    });
    expect(await command(`${ROOM}/set`, { target_temperature: 20 })).toMatchObject({
      status: 'ok',
      data: { device: ROOM },
    });
    expect(h.sim.stats().requests.setroomthermpoint ?? 0).toBe(before + 2);
  });

  it('renames over MQTT to a name with /: old topics cleared, new ones published, entities kept', async () => {
    const oldConfig = h.recorder.json<Discovery>(`${h.prefix}/device/${h.baseTopic}/${ROOM}/config`)!;
    const answer = await request('device/rename', { from: 'Livingroom', to: 'Ground floor/Living room' });
    expect(answer).toMatchObject({
      status: 'ok',
      data: { from: 'Livingroom', to: 'Ground floor/Living room' },
    });
    const name = `${h.baseTopic}/Ground floor/Living room`;
    await h.until(() => h.recorder.json(name) !== undefined, 5_000, 'the state under the new name');
    expect(h.recorder.json(name)).toEqual(h.bridge.store.state(ROOM));
    expect(h.recorder.json(`${name}/availability`)).toEqual({ state: 'online' });
    expect(await retained(`${h.baseTopic}/Livingroom`)).toBeUndefined();
    expect(await retained(`${h.baseTopic}/Livingroom/availability`)).toBeUndefined();

    const config = h.recorder.json<Discovery>(`${h.prefix}/device/${h.baseTopic}/${ROOM}/config`)!;
    expect(config.dev.name).toBe('Ground floor/Living room');
    expect(config.dev.identifiers).toEqual(oldConfig.dev.identifiers);
    expect(config.cmps.climate).toMatchObject({
      current_temperature_topic: name,
      temperature_command_topic: `${name}/set/target_temperature`,
      unique_id: oldConfig.cmps.climate!.unique_id,
    });
    const uniqueIds = (c: Discovery) => Object.values(c.cmps).map((cmp) => cmp.unique_id);
    expect(uniqueIds(config)).toEqual(uniqueIds(oldConfig));
    const devices = h.recorder.json<Array<{ id: string; friendly_name: string }>>(
      `${h.baseTopic}/bridge/devices`,
    )!;
    expect(devices.find((d) => d.id === ROOM)?.friendly_name).toBe('Ground floor/Living room');

    // Commands reach it under its two-level name (JSON and raw attribute); the old name is unknown now.
    expect(await command('Ground floor/Living room/set', { target_temperature: 21 })).toMatchObject({
      status: 'ok',
      data: { device: 'Ground floor/Living room' },
    });
    const before = h.recorder.messages.length;
    await h.recorder.publish(`${name}/set/target_temperature`, '21.5');
    await arrival(
      'bridge/response/device/set',
      ['"status":"ok"', '"target_temperature":21.5'],
      'the answer to the raw attribute command',
      before,
    );
    expect(await command('Livingroom/set', { target_temperature: 21 })).toMatchObject({
      status: 'error',
      data: { code: 'unknown_device' },
    });
  });

  it('refuses a rename to a taken name or a name with a wildcard, and changes nothing', async () => {
    expect(await request('device/rename', { from: 'Valve1', to: 'Valve2' })).toMatchObject({
      status: 'error',
      error: expect.stringContaining('already the name or id of device 12_34_56_03_a0_ac'),
    });
    expect(await request('device/rename', { from: 'Valve1', to: 'x/#' })).toMatchObject({
      status: 'error',
      error: expect.stringContaining('+, # or control characters'),
    });
    expect(h.bridge.names.topicOf(h.bridge.store.device(VALVE)!)).toBe('Valve1');
  });

  it('follows a Netatmo rename of a device the user never renamed, and keeps the user’s name', async () => {
    const token = h.sim.mintTokens().access_token;
    const response = await fetch(`${h.sim.url}/api/homesdata`, {
      headers: { authorization: `Bearer ${token}` },
    });
    const homes = ((await response.json()) as { body: HomesDataBody }).body;
    const renamed = structuredClone(homes);
    const home = renamed.homes[0]!;
    home.modules!.find((m) => m.id === '12:34:56:00:01:ae')!.name = 'Salon thermostat';
    home.rooms!.find((r) => r.id === '2746182631')!.name = 'Salon';
    h.bridge.sync.onTopology(renamed);
    await h.bridge.sync.idle();
    await h.until(
      () => h.recorder.json(`${h.baseTopic}/Salon thermostat/availability`) !== undefined,
      5_000,
      'the thermostat under its new Netatmo name',
    );
    expect(await retained(`${h.baseTopic}/Livingroom thermostat/availability`)).toBeUndefined();
    expect(h.bridge.names.topicOf(h.bridge.store.device(ROOM)!)).toBe('Ground floor/Living room');
    h.bridge.sync.onTopology(homes);
    await h.bridge.sync.idle();
  });

  it('keeps the rename across a restart', async () => {
    await h.bridge.stop();
    restarted = new Bridge({ config: h.bridge.config, clock: new ScaledClock(10), discoveryScanMs: 300 });
    const before = h.recorder.messages.length;
    await restarted.start();
    await arrival('bridge/devices', ['Ground floor/Living room'], 'bridge/devices after the restart', before);
    expect(restarted.names.topicOf(restarted.store.device(ROOM)!)).toBe('Ground floor/Living room');
    expect(await command('Ground floor/Living room/set', { target_temperature: 18 })).toMatchObject({
      status: 'ok',
      data: { device: 'Ground floor/Living room' },
    });
    expect(await command(`${ROOM}/set`, { target_temperature: 18.5 })).toMatchObject({ status: 'ok' });
    // The room's old name was free again: the thermostat, back to its Netatmo name, took it.
    expect(restarted.names.resolve('Livingroom')?.id).toBe(THERMOSTAT);
  });
});
