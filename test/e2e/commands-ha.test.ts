/**
 * Commands the way Home Assistant sends them, end to end (real broker, the simulator over HTTP,
 * the real Bridge, every fixture home in one account): a dimmer the catalogue calls a switch but
 * whose data reports a brightness, a scene's `transition`, an automation's 20.9 °C, covers whose
 * `target_position:step` allows open/close only or a step of 5, and an OFF sent right after an
 * ON with a brightness. Each of these failed before the bridge took capabilities from data.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeviceDiscoveryPayload } from '../../src/mqtt/topics.js';
import { type CommandBridge, HOME_ID, startCommandBridge } from '../commands/bridge-fixture.js';
import { type TestBroker, useTestBroker } from '../support/broker.js';

type Fields = Record<string, unknown>;

const NLF = '00_11_22_33_00_11_45_fe'; // Legrand NLF: "Light Switch" in the catalogue, reports brightness
const ROOM = 'room_2746182631'; // NATherm1 room, setpoints on a 0.5 step
const NBO = '0009999993'; // target_position:step 100
const CALIBRATED = 'bticino_shutter_calibrated'; // BNAS, target_position:step 5
const UNCALIBRATED = 'bticino_shutter_uncalibrated'; // BNAS, step 100, no position sensor

let broker: TestBroker;
let f: CommandBridge;

beforeAll(async () => {
  broker = await useTestBroker();
  f = await startCommandBridge({ brokerUrl: broker.url, sim: { scenario: 'catalogue' } });
  await f.until(
    () => [NLF, ROOM, NBO, CALIBRATED, UNCALIBRATED].every((d) => f.state(d)?.reachable != null),
    30_000,
    'first states',
  );
  await f.bridge.sync.idle();
}, 45_000);
afterAll(async () => {
  await f?.close();
  await broker.close();
});

function discovery(device: string): Record<string, Fields> {
  const text = f.last.get(`homeassistant/device/${f.base}/${device}/config`);
  if (!text) throw new Error(`no discovery config for ${device}`);
  return (JSON.parse(text) as DeviceDiscoveryPayload).cmps as Record<string, Fields>;
}

async function module(device: string): Promise<Fields> {
  const d = f.bridge.store.device(device);
  if (!d?.homeId) throw new Error(`no device ${device}`);
  const { body } = await f.api('homestatus', { home_id: d.homeId });
  const modules = (body as { body: { home: { modules: Fields[] } } }).body.home.modules;
  return modules.find((m) => m.id === d.netatmoId) as Fields;
}

describe('commands the way Home Assistant sends them', () => {
  it('a light that reports a brightness is announced and driven as a dimmer (the Legrand NLF)', async () => {
    await f.until(() => discovery(NLF).light?.brightness === true, 10_000, 'a dimmable NLF in discovery');
    expect(discovery(NLF).light).toMatchObject({
      supported_color_modes: ['brightness'],
      brightness_scale: 100,
    });
    const answer = await f.command(NLF, 'set', JSON.stringify({ state: 'ON', brightness: 35 }));
    expect(answer).toMatchObject({ status: 'ok', data: { values: { state: 'ON', brightness: 35 } } });
    expect(await module(NLF)).toMatchObject({ on: true, brightness: 35 });
  });

  it("takes a scene's transition (Netatmo switches at once), refuses flash, and tells Home Assistant neither exists", async () => {
    expect(discovery(NLF).light).toMatchObject({ transition: false, flash: false });
    const off = await f.command(NLF, 'set', JSON.stringify({ state: 'OFF', transition: 3 }));
    expect(off).toMatchObject({ status: 'ok', data: { values: { state: 'OFF' } } });
    expect((await module(NLF)).on).toBe(false);
    const writes = f.writes();
    const flash = await f.command(NLF, 'set', JSON.stringify({ state: 'ON', flash: 2 }));
    expect(flash).toMatchObject({ status: 'error', data: { code: 'unsupported_attribute' } });
    expect(flash.status === 'error' && flash.error).toMatch(/cannot flash/);
    expect(f.writes()).toBe(writes);
    expect((await module(NLF)).on).toBe(false);
  });

  it("rounds an automation's 20.9 °C to the 0.5 step, says so, and still refuses what is out of range", async () => {
    const answer = await f.command(ROOM, 'set/target_temperature', '20.9');
    expect(answer).toMatchObject({
      status: 'ok',
      data: {
        values: { target_temperature: 21 },
        adjusted: { target_temperature: { requested: 20.9, applied: 21, step: 0.5 } },
      },
    });
    const { body } = await f.api('homestatus', { home_id: HOME_ID });
    const rooms = (body as { body: { home: { rooms: Fields[] } } }).body.home.rooms;
    expect(rooms.find((r) => r.id === '2746182631')).toMatchObject({
      therm_setpoint_temperature: 21,
      therm_setpoint_mode: 'manual',
    });
    const writes = f.writes();
    expect(await f.command(ROOM, 'set/target_temperature', '30.6')).toMatchObject({
      status: 'error',
      data: { code: 'out_of_range' },
    });
    expect(f.writes()).toBe(writes);
  });

  it('lets target_position:step decide the controls: 100 opens and closes only, 5 snaps positions', async () => {
    // Step 100: a position sensor but no slider; a position sent anyway goes to the nearest end.
    expect(discovery(NBO).cover).toHaveProperty('position_topic');
    expect(discovery(NBO).cover).not.toHaveProperty('set_position_topic');
    expect(f.state(NBO)).toMatchObject({ position_step: 100 });
    expect(await f.command(NBO, 'set/position', '50')).toMatchObject({
      status: 'ok',
      data: { values: { position: 100 }, adjusted: { position: { requested: 50, applied: 100, step: 100 } } },
    });
    expect((await module(NBO)).target_position).toBe(100);

    // Step 5 (a calibrated MyHome actor): a slider, positions snapped to the step.
    expect(discovery(CALIBRATED).cover).toHaveProperty('set_position_topic');
    expect(discovery(CALIBRATED)).not.toHaveProperty('preferred_position');
    expect(await f.command(CALIBRATED, 'set/position', '42')).toMatchObject({
      status: 'ok',
      data: { values: { position: 40 }, adjusted: { position: { requested: 42, applied: 40, step: 5 } } },
    });
    expect((await module(CALIBRATED)).target_position).toBe(40);

    // Step 100 on a MyHome actor without a position sensor: open, close and stop only.
    expect(discovery(UNCALIBRATED).cover).not.toHaveProperty('position_topic');
    expect(discovery(UNCALIBRATED).cover).not.toHaveProperty('set_position_topic');
    expect(await f.command(UNCALIBRATED, 'set/position', '50')).toMatchObject({
      status: 'error',
      data: { code: 'unsupported_attribute' },
    });
    expect(await f.command(UNCALIBRATED, 'set/state', 'OPEN')).toMatchObject({ status: 'ok' });
    expect(await module(UNCALIBRATED)).toMatchObject({ target_position: 100, current_position: 100 });
    await f.until(() => f.state(UNCALIBRATED)?.state === 'open', 10_000, 'the MyHome shutter open on MQTT');
  });

  it('an OFF right after an ON with a brightness leaves the light off: the last intent wins', async () => {
    await f.command(NLF, 'set', JSON.stringify({ state: 'OFF' }));
    await new Promise((r) => setTimeout(r, 600)); // a quiet coalescing window
    const before = f.responses().length;
    // Within one coalescing window (500 ms): ON 30 % goes at once, ON 60 % waits, OFF replaces it.
    await f.send(`${NLF}/set`, JSON.stringify({ state: 'ON', brightness: 30 }));
    await f.send(`${NLF}/set`, JSON.stringify({ state: 'ON', brightness: 60 }));
    await f.send(`${NLF}/set`, JSON.stringify({ state: 'OFF' }));
    await f.until(() => f.responses().length - before >= 2, 10_000, 'the answers');
    await new Promise((r) => setTimeout(r, 800));
    expect((await module(NLF)).on).toBe(false);
    await f.until(() => f.state(NLF)?.state === 'OFF', 10_000, 'OFF on MQTT');
    const answers = f.responses().slice(before);
    expect(answers.map((a) => a.data.values)).toEqual([{ state: 'ON', brightness: 30 }, { state: 'OFF' }]);
  });
});
