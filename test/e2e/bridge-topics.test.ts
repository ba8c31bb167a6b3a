/**
 * The bridge's smaller topics end to end (real broker, simulator over HTTP): `<device>/get`
 * republishes a device's state and reads its home soon, and `bridge/logging` carries the log.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { roomDeviceId } from '../../src/devices/index.js';
import { type TestBroker, useTestBroker } from '../support/broker.js';
import { type Harness, startFrozenHarness } from './bridge-harness.js';

const ROOM = roomDeviceId('2746182631');

describe('bridge topics beyond state and commands', () => {
  let broker: TestBroker;
  let h: Harness;

  beforeAll(async () => {
    broker = await useTestBroker();
    h = await startFrozenHarness(broker.url);
    await h.bridge.start();
    await h.firstRound();
  });

  afterAll(async () => {
    await h?.close();
    await broker?.close();
  });

  it('<device>/get publishes the state again at once and reads the home soon', async () => {
    const topic = h.deviceTopic(ROOM);
    const states = h.recorder.count(topic);
    const reads = h.sim.stats().requests.homestatus ?? 0;
    await h.recorder.publish(`${topic}/get`, '');
    await h.until(() => h.recorder.count(topic) === states + 1, 5_000, 'the state published again');
    expect(h.recorder.json(topic)).toEqual(h.bridge.store.state(ROOM));
    await h.until(() => (h.sim.stats().requests.homestatus ?? 0) > reads, 10_000, 'a homestatus read');
  });

  it('<device>/get for a device the bridge does not know publishes nothing (only the get itself is seen)', async () => {
    const before = h.recorder.messages.length;
    await h.recorder.publish(`${h.baseTopic}/no_such_device/get`, '');
    // A command sent after it is answered: the get was handled (and ignored) before.
    await h.recorder.publish(`${h.baseTopic}/${ROOM}/set`, 'not json {');
    await h.until(
      () =>
        h.recorder.messages
          .slice(before)
          .some((m) => m.topic === `${h.baseTopic}/bridge/response/device/set`),
      5_000,
      'the answer to the command sent after it',
    );
    expect(
      h.recorder.messages
        .slice(before)
        .filter((m) => m.topic.startsWith(`${h.baseTopic}/no_such_device`))
        .map((m) => m.topic),
    ).toEqual([`${h.baseTopic}/no_such_device/get`]);
  });

  it('bridge/logging carries log lines (warnings here) as JSON, never retained', async () => {
    const topic = `${h.baseTopic}/bridge/logging`;
    const before = h.recorder.messages.length;
    await h.recorder.publish(`${h.baseTopic}/${ROOM}/set`, '{"target_temperature": "warm"}');
    await h.until(
      () => h.recorder.messages.slice(before).some((m) => m.topic === topic),
      5_000,
      'a log line on bridge/logging',
    );
    const line = h.recorder.messages.slice(before).find((m) => m.topic === topic)!;
    expect(line.retain).toBe(false);
    expect(JSON.parse(line.payload)).toMatchObject({
      level: 'warning',
      namespace: 'commands',
      message: expect.stringContaining('target_temperature'),
    });
  });
});
