/**
 * Issue 15 end to end: simulator (getmeasure over HTTP) → energy feed → ledger → MQTT. Every
 * meter of the fixtures gets an energy sensor (every boiler its heating time today) whose value
 * is the sum of the buckets the simulator produced since the day's midnight; the recorded
 * pyatmo answer gives pyatmo's total; the value never goes down across a gap, duplicated
 * buckets, a Netatmo reset and a restart, and late data is counted once it arrives.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Bridge } from '../../src/bridge/controller.js';
import { cleanNetatmoId, moduleDeviceId } from '../../src/devices/index.js';
import type { MeterRecord } from '../../src/energy/meter-ledger.js';
import type { BridgeHealthPayload, DeviceDiscoveryPayload } from '../../src/mqtt/topics.js';
import type { MeterReading } from '../../src/simulator/index.js';
import { ScaledClock } from '../../src/util/clock.js';
import { localDayStart } from '../../src/util/local-time.js';
import { counted, reading, WINTER_MORNING } from '../simulator/meter-helpers.js';
import { type TestBroker, useTestBroker } from '../support/broker.js';
import { type Harness, startHarness } from './bridge-harness.js';

/** 30 simulated minutes (one bucket, one read) in 6 s. */
const SPEED = 300;
const ZONE = 'Europe/Berlin';
/** Where every meter's first read starts: the home's midnight before the run. */
const MIDNIGHT_S = localDayStart(WINTER_MORNING, ZONE) / 1000;
const CANNED = '12:34:56:00:00:a1:4c:da';

type State = Record<string, unknown>;

async function control(h: Harness, path: string, body: unknown): Promise<void> {
  const response = await fetch(`${h.sim.url}/__sim/${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${path}: ${response.status} ${await response.text()}`);
}

const deviceOf = (moduleId: string): string => moduleDeviceId(cleanNetatmoId(moduleId));

function record(bridge: Bridge, moduleId: string): MeterRecord | undefined {
  const meters = bridge.energy.snapshot().meters;
  return meters[moduleId] ? structuredClone(meters[moduleId]) : undefined;
}

/** What the simulator counted between two instants (epoch s): Wh over every tariff, or boiler seconds. */
async function simCounted(h: Harness, moduleId: string, from: number, to: number): Promise<number> {
  const value = (r: MeterReading): number => (r.unit === 's' ? r.total : counted(r));
  return value(await reading(h.sim, moduleId, to)) - value(await reading(h.sim, moduleId, from));
}

/** Every value of `key` the bridge published for a device, in order. */
function published(h: Harness, deviceId: string, key: string): number[] {
  return h.recorder.messages
    .filter((m) => m.topic === h.deviceTopic(deviceId) && m.payload !== '')
    .map((m) => (JSON.parse(m.payload) as State)[key])
    .filter((v): v is number => typeof v === 'number');
}

const nonDecreasing = (values: number[]): boolean =>
  values.every((v, i) => i === 0 || v >= (values[i - 1] ?? v));

/** Waits until the meter's record has counted past `through` (epoch s) and MQTT shows it. */
async function readPast(h: Harness, bridge: Bridge, moduleId: string, through: number): Promise<MeterRecord> {
  let rec: MeterRecord | undefined;
  await h.until(
    () => {
      rec = record(bridge, moduleId);
      const shown = h.recorder.json<State>(h.deviceTopic(deviceOf(moduleId)))?.energy;
      return rec?.through !== undefined && rec.through >= through && shown === rec.total / 1000;
    },
    60_000,
    `${moduleId} read past ${new Date(through * 1000).toISOString()}`,
  );
  return rec as MeterRecord;
}

describe('energy meters (fixtures scenario)', () => {
  let broker: TestBroker;
  let h: Harness;
  let clock: ScaledClock;
  let second: Bridge | undefined;
  let meters: MeterReading[];

  beforeAll(async () => {
    broker = await useTestBroker();
    clock = new ScaledClock(SPEED, WINTER_MORNING);
    h = await startHarness({ brokerUrl: broker.url, clock });
    await h.bridge.start();
    await h.firstRound();
    // A read the gate dropped at start is tried again an interval (6 s) later.
    await h.energyRound(60_000);
    meters = ((await (await fetch(`${h.sim.url}/__sim/meters`)).json()) as { meters: MeterReading[] }).meters;
  }, 120_000);

  afterAll(async () => {
    await second?.stop();
    await h?.close();
    await broker?.close();
  });

  it('gives every meter its sensor, equal to the buckets the simulator produced since midnight', async () => {
    expect(meters.length).toBeGreaterThanOrEqual(20);
    const problems: string[] = [];
    for (const meter of meters) {
      const id = deviceOf(meter.module_id);
      const key = meter.kind === 'boiler' ? 'heating_time_today' : 'energy';
      const config = h.recorder.json<DeviceDiscoveryPayload>(
        `${h.prefix}/device/${h.baseTopic}/${id}/config`,
      );
      const sensor = config?.cmps[key] as Record<string, unknown> | undefined;
      expect(sensor, `${id} ${key}`).toMatchObject(
        meter.kind === 'boiler'
          ? {
              p: 'sensor',
              device_class: 'duration',
              unit_of_measurement: 'min',
              state_class: 'total_increasing',
            }
          : {
              p: 'sensor',
              device_class: 'energy',
              unit_of_measurement: 'kWh',
              state_class: 'total_increasing',
            },
      );
      let rec: MeterRecord | undefined;
      await h.until(() => {
        rec = record(h.bridge, meter.module_id);
        const shown = h.recorder.json<State>(h.deviceTopic(id))?.[key];
        return (
          rec !== undefined &&
          shown === (meter.kind === 'boiler' ? Math.round(rec.today / 6) / 10 : rec.total / 1000)
        );
      });
      if (meter.module_id === CANNED) continue; // the recorded pyatmo answer: below
      const through = rec?.through ?? 0;
      const expected = await simCounted(h, meter.module_id, MIDNIGHT_S, through);
      const got = meter.kind === 'boiler' ? rec?.today : rec?.total;
      if (got !== expected)
        problems.push(`${meter.module_id}: ${got} counted, the simulator produced ${expected}`);
    }
    expect(problems).toEqual([]);
    // The recorded answer (pyatmo's fixture for this meter) gives pyatmo's total: 45318 Wh.
    expect(record(h.bridge, CANNED)?.total).toBe(45_318);
    expect(h.recorder.json<State>(h.deviceTopic(deviceOf(CANNED)))?.energy).toBe(45.318);
    // Modules Netatmo has no history for (a dimmer, a double switch's base) get no sensor.
    for (const silent of ['12:34:56:00:01:01:01:a1', '12:34:56:00:01:01:01:b6'])
      expect(h.bridge.store.state(deviceOf(silent))?.energy).toBeUndefined();
    // Netatmo answers getmeasure for the dimmer with 404 "Device not found" (code 9), as it does
    // for modules it does not meter: an answer without data, not a failing poll (no warning every
    // half hour, nothing unavailable), so the dimmer goes quiet after two such answers.
    const dimmer = '12:34:56:00:01:01:01:a1';
    const asked = await fetch(
      `${h.sim.url}/api/getmeasure?device_id=12:34:56:80:60:40&module_id=${dimmer}&scale=30min&type=sum_energy_elec`,
      { headers: { authorization: `Bearer ${await h.bridge.netatmo.auth.accessToken()}` } },
    );
    expect(asked.status).toBe(404);
    expect(((await asked.json()) as { error: { code: number } }).error.code).toBe(9);
    expect(record(h.bridge, dimmer)?.reads).toBeGreaterThanOrEqual(1);
    const dimmerFeed = h.bridge.health().polling.publishers.find((p) => p.id === `feed:energy:${dimmer}`);
    expect(dimmerFeed?.failures).toBe(0);
    expect(dimmerFeed?.last_error).toBeUndefined();
    expect(dimmerFeed?.last_success).toBeDefined();
    expect(h.bridge.health().energy).toMatchObject({ meters: 25, reporting: meters.length, refused: 0 });
    // Visible in the plan line and in bridge/health on MQTT.
    expect(h.bridge.poller.plan?.explanation).toMatch(/energy for 25 target\(s\) every \d+ min/);
    await h.flush();
    const health = h.recorder.json<{ data: BridgeHealthPayload }>(`${h.baseTopic}/bridge/response/health`);
    expect(health?.data.energy).toMatchObject({ meters: 25, reporting: meters.length });
    expect(health?.data.polling.publishers.filter((p) => p.id.startsWith('feed:energy:'))).toHaveLength(25);
  }, 120_000);

  it('counts a gap’s buckets once they arrive, and never goes down meanwhile', async () => {
    const line = '12:34:56:00:16:0e#0';
    const start = record(h.bridge, line)?.through ?? 0;
    const gap = { from: start + 1_800, to: start + 3_600 };
    await control(h, 'meters/gap', { module_id: line, ...gap, heal_at: start + 3 * 3_600 });
    const missing = await readPast(h, h.bridge, line, gap.to + 1_800);
    expect(missing.holes).toContainEqual([gap.from, gap.to]);
    const lost = await simCounted(h, line, gap.from, gap.to);
    expect(lost).toBeGreaterThan(0);
    expect(missing.total).toBe((await simCounted(h, line, MIDNIGHT_S, missing.through ?? 0)) - lost);
    expect(h.bridge.health().energy.gaps).toBeGreaterThan(0);
    // Healed: the late buckets are counted, once.
    const healed = await readPast(h, h.bridge, line, start + 3 * 3_600 + 1_800);
    expect(healed.holes).toEqual([]);
    expect(healed.total).toBe(await simCounted(h, line, MIDNIGHT_S, healed.through ?? 0));
    expect(nonDecreasing(published(h, deviceOf(line), 'energy'))).toBe(true);
  }, 120_000);

  it('skips duplicated buckets', async () => {
    const line = '12:34:56:00:16:0e#2';
    const before = h.bridge.health().energy.duplicates;
    const start = record(h.bridge, line)?.through ?? 0;
    await control(h, 'meters/duplicate', { module_id: line, count: 2 });
    const rec = await readPast(h, h.bridge, line, start + 3 * 1_800);
    expect(h.bridge.health().energy.duplicates - before).toBeGreaterThanOrEqual(2);
    expect(rec.total).toBe(await simCounted(h, line, MIDNIGHT_S, rec.through ?? 0));
  }, 120_000);

  it('carries on from its total when Netatmo resets a meter', async () => {
    const line = '12:34:56:00:16:0e#1';
    const before = record(h.bridge, line);
    await control(h, 'meters/reset', { module_id: line });
    const after = await readPast(h, h.bridge, line, (before?.through ?? 0) + 3 * 1_800);
    // What the simulator counted since the reset comes on top; nothing went down.
    expect(after.total).toBe((before?.total ?? 0) + counted(await reading(h.sim, line, after.through)));
    expect(after.total).toBeGreaterThan(before?.total ?? 0);
    expect(nonDecreasing(published(h, deviceOf(line), 'energy'))).toBe(true);
  }, 120_000);

  it('keeps its totals across a restart: nothing goes down, nothing is counted twice', async () => {
    const line = '12:34:56:00:16:0e#5';
    const before = record(h.bridge, line);
    await h.bridge.stop();
    second = new Bridge({ config: h.config, clock, discoveryScanMs: 300 });
    await second.start();
    expect(record(second, line)).toEqual(before);
    const after = await readPast(h, second, line, (before?.through ?? 0) + 2 * 1_800);
    expect(after.total).toBe(await simCounted(h, line, MIDNIGHT_S, after.through ?? 0));
    const problems = meters
      .filter((m) => m.kind !== 'boiler')
      .map((m) => deviceOf(m.module_id))
      .filter((id) => !nonDecreasing(published(h, id, 'energy')));
    expect(problems).toEqual([]);
  }, 120_000);
});

describe('energy per tariff (legrand scenario: peak and off-peak)', () => {
  let broker: TestBroker;
  let h: Harness;

  beforeAll(async () => {
    broker = await useTestBroker();
    const clock = new ScaledClock(SPEED, WINTER_MORNING);
    h = await startHarness({ brokerUrl: broker.url, scenario: 'legrand', clock });
    await h.bridge.start();
    await h.firstRound();
    await h.energyRound(60_000);
  }, 120_000);

  afterAll(async () => {
    await h?.close();
    await broker?.close();
  });

  it('gives a meter one sensor per tariff it counted, each equal to the simulator’s register', async () => {
    const nly = '12:34:56:aa:00:02';
    const id = deviceOf(nly);
    const rec = record(h.bridge, nly);
    const [from, to] = await Promise.all([
      reading(h.sim, nly, MIDNIGHT_S),
      reading(h.sim, nly, rec?.through),
    ]);
    expect(rec?.tariffs).toEqual([
      0,
      to.registers.peak - from.registers.peak,
      to.registers.off_peak - from.registers.off_peak,
    ]);
    await h.until(() => h.recorder.json<State>(h.deviceTopic(id))?.energy_peak !== undefined);
    const state = h.recorder.json<State>(h.deviceTopic(id));
    expect(state).toMatchObject({
      energy: (rec?.total ?? 0) / 1000,
      energy_peak: (rec?.tariffs[1] ?? 0) / 1000,
      energy_off_peak: (rec?.tariffs[2] ?? 0) / 1000,
    });
    expect(state).not.toHaveProperty('energy_basic');
    const config = h.recorder.json<DeviceDiscoveryPayload>(`${h.prefix}/device/${h.baseTopic}/${id}/config`);
    expect(config?.cmps.energy_peak).toMatchObject({ name: 'Energy peak', device_class: 'energy' });
    expect(config?.cmps.energy_off_peak).toMatchObject({ name: 'Energy off-peak', device_class: 'energy' });
  }, 60_000);
});
