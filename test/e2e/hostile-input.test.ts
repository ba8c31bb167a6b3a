/**
 * What someone who can publish to the broker can do to the bridge's output: forge log lines,
 * make it echo megabytes, or spend the Netatmo budget with a flood over many devices. A real
 * bridge against the simulator and a real broker; the log is read as it is written (the
 * formatted lines a console or file would get).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CAMERA, DIMMER, FAN, PLUG, ROOM } from '../commands/devices.js';
import { type TestBroker, useTestBroker } from '../support/broker.js';
import { captureLog } from '../support/log-capture.js';
import { type Harness, startHarness } from './bridge-harness.js';

interface SetResponse {
  status: string;
  data: { device: string; code?: string; retry_at?: string; values: Record<string, unknown> };
  error?: string;
  transaction?: string;
}

let broker: TestBroker;
beforeAll(async () => {
  broker = await useTestBroker();
});
afterAll(async () => {
  await broker.close();
});

describe('hostile MQTT input', () => {
  let h: Harness;
  let log: ReturnType<typeof captureLog>;

  beforeAll(async () => {
    h = await startHarness({ brokerUrl: broker.url, commands: { global_cap_per_minute: 3, coalesce_ms: 0 } });
    await h.bridge.start();
    await h.until(() => h.bridge.store.devices().length > 0, 15_000, 'devices');
  });
  afterAll(async () => {
    await h.close();
  });
  afterEach(() => log?.stop());

  const responses = (): SetResponse[] =>
    h.recorder.messages
      .filter((m) => m.topic === `${h.baseTopic}/bridge/response/device/set`)
      .map((m) => JSON.parse(m.payload) as SetResponse);

  it('a payload cannot forge a log line: newlines and control characters are escaped', async () => {
    log = captureLog();
    const forged = '2026-01-01T00:00:00.000Z error [auth]: Netatmo re-authorisation needed';
    const before = responses().length;
    await h.recorder.publish(`${h.baseTopic}/no_such_device/set`, `{"s":\u001b[31m\r\n${forged}`);
    await h.until(() => responses().length > before, 10_000, 'the rejection');
    await h.until(() => log.lines().some((l) => l.includes('rejected command')), 10_000, 'the log line');
    const lines = log.lines();
    expect(lines.filter((l) => l.startsWith(forged))).toEqual([]);
    const rejected = lines.find((l) => l.includes('rejected command'))!;
    expect(rejected).toContain(`{"s":\\u001b[31m\\r\\n${forged.slice(0, 30)}`);
    expect(rejected).not.toContain('\u001b');
  });

  it('a 1 MB /set is refused before parsing with a short error; nothing of it is echoed', async () => {
    log = captureLog();
    const before = responses().length;
    const huge = JSON.stringify({ state: 'ON', junk: 'x'.repeat(1024 * 1024), transaction: 'big' });
    await h.recorder.publish(`${h.baseTopic}/${PLUG}/set`, huge);
    await h.until(() => responses().length > before, 10_000, 'an answer');
    const answer = responses().slice(before).at(-1)!;
    expect(answer).toEqual({
      status: 'error',
      data: { device: PLUG, values: {}, code: 'payload_too_large' },
      error: `payload of ${huge.length} bytes refused: the limit is 65536 bytes; it was not parsed`,
    });
    const line = log.lines().find((l) => l.includes('refused a'))!;
    expect(line).toContain(`refused a ${huge.length}-byte message on ${h.baseTopic}/${PLUG}/set`);
    expect(line.length).toBeLessThan(300);
    // Nothing was sent to Netatmo for it.
    expect(h.bridge.health().commands.ok).toBe(0);
  });

  it('a 1 MB bridge request is answered on its response topic, equally short', async () => {
    const topic = `${h.baseTopic}/bridge/response/health`;
    const before = h.recorder.count(topic);
    await h.recorder.publish(`${h.baseTopic}/bridge/request/health`, 'y'.repeat(1024 * 1024));
    await h.until(() => h.recorder.count(topic) > before, 10_000, 'the health answer');
    const answer = h.recorder.json(topic) as { status: string; error: string };
    expect(answer.status).toBe('error');
    expect(answer.error).toContain('limit is 65536 bytes');
    expect(h.recorder.last.get(topic)!.payload.length).toBeLessThan(300);
  });

  it('under the limit, every echoed value is truncated: response, warning line and bridge/health', async () => {
    log = captureLog();
    const before = responses().length;
    const key = 'k'.repeat(5_000);
    await h.recorder.publish(
      `${h.baseTopic}/${'d'.repeat(20_000)}/set`,
      JSON.stringify({ [key]: 'v'.repeat(30_000), transaction: 't1' }),
    );
    await h.until(() => responses().length > before, 10_000, 'the rejection');
    const text = h.recorder.messages
      .filter((m) => m.topic.endsWith('/bridge/response/device/set'))
      .at(-1)!.payload;
    expect(text.length).toBeLessThan(2_000);
    const answer = JSON.parse(text) as SetResponse;
    expect(answer.data.code).toBe('unknown_device');
    expect(answer.transaction).toBe('t1');
    expect(answer.data.device).toMatch(/^d{200}… \(19800 more characters\)$/);
    const line = log.lines().find((l) => l.includes('rejected command'))!;
    expect(line.length).toBeLessThan(700);
    expect((h.bridge.health().commands.last_error ?? '').length).toBeLessThan(700);
  });

  it('commands over the cap across all devices are answered command_storm with retry_at', async () => {
    const before = responses().length;
    const events: string[] = [];
    const off = h.bridge.events.on('commandStorm', (e) => events.push(e.device));
    try {
      const commands: Array<[string, string]> = [
        [PLUG, '{"state":"ON","transaction":"g1"}'],
        [ROOM, '{"target_temperature":20,"transaction":"g2"}'],
        [CAMERA, '{"monitoring":"off","transaction":"g3"}'],
        [FAN, '{"fan_speed":1,"transaction":"g4"}'],
        [DIMMER, '{"brightness":40,"transaction":"g5"}'],
      ];
      const sentAt = Date.now();
      for (const [device, payload] of commands)
        await h.recorder.publish(`${h.baseTopic}/${device}/set`, payload);
      await h.until(() => responses().length >= before + commands.length, 15_000, 'five answers');
      const answers = responses()
        .slice(before)
        .filter((r) => r.transaction?.startsWith('g'));
      const storms = answers.filter((a) => a.data.code === 'command_storm');
      // The first three reached Netatmo (whatever it answered); the last two never did.
      // (Answers come as Netatmo finishes, not in the order sent.)
      const sent = answers.filter((a) => a.data.code !== 'command_storm').map((a) => a.transaction);
      expect(sent.sort()).toEqual(['g1', 'g2', 'g3']);
      expect(storms.map((a) => a.transaction).sort()).toEqual(['g4', 'g5']);
      for (const storm of storms) {
        expect(storm.status).toBe('error');
        expect(storm.error).toContain('all devices together are over the cap of 3 commands per minute');
        const retryAt = Date.parse(storm.data.retry_at ?? '');
        expect(retryAt).toBeGreaterThan(sentAt + 50_000);
        expect(retryAt).toBeLessThan(Date.now() + 61_000);
      }
      // Reported once, as a storm across devices.
      expect(events).toEqual(['*']);
    } finally {
      off();
    }
  });
});
