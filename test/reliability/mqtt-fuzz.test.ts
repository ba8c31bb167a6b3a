/**
 * MQTT fuzz against the real bridge process: thousands of random topics under the base topic
 * with hostile payloads (binary, huge, deeply nested JSON, wrong types, unicode, `__proto__` /
 * `constructor` keys). The bridge must not crash, must make no Netatmo write call for any of
 * them, must answer every command-shaped one with an error response, and its memory must stay
 * flat: the heap after a full GC (the child runs with --expose-gc) is measured once the bridge
 * has warmed up and again after every later window of inputs; it must not keep growing. RSS is
 * sampled too, for the peak-memory figure.
 */
import { expect, it } from 'vitest';
import { useBridgeSuite } from './support/harness.js';
import { firstHomeStatus, MqttWatcher, recordFigures, size, waitUntil } from './support/suite.js';

const INPUTS = size(2_000, 20_000);
/** Inputs before the first heap measurement (caches, JIT and buffers reach their working size). */
const WARM_UP = Math.floor(INPUTS / 5);
/** Heap growth allowed after warm-up: a leak of one small object per input is 1-2 MiB here. */
const MAX_HEAP_GROWTH = 4 * 2 ** 20;
const WRITE_ENDPOINTS = ['setstate', 'setroomthermpoint', 'setthermmode', 'switchhomeschedule'];

const suite = useBridgeSuite({ name: 'fuzz' });
const baseTopic = suite.baseTopic();

/** Deterministic PRNG so a failure can be replayed. */
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const random = prng(7);
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
const SEGMENT_CHARS = 'abcXYZ019_-. é€😀\u200b';
const segment = (): string =>
  Array.from({ length: 1 + Math.floor(random() * 12) }, () => pick([...SEGMENT_CHARS])).join('');

function payload(): Buffer | string {
  switch (Math.floor(random() * 10)) {
    case 0:
      return Buffer.from(
        Array.from({ length: 1 + Math.floor(random() * 64) }, () => Math.floor(random() * 256)),
      );
    case 1:
      return 'x'.repeat(64 * 1024 + Math.floor(random() * 192 * 1024));
    case 2: {
      const depth = 1_000 + Math.floor(random() * 20_000);
      return `${'['.repeat(depth)}${']'.repeat(depth)}`;
    }
    case 3:
      return JSON.stringify({
        __proto__: { polluted: true },
        constructor: { prototype: { polluted: true } },
      }).replace('{}', '{"__proto__":{"polluted":true}}');
    case 4:
      return pick([
        '{"target_temperature":"hot"}',
        '{"state":42}',
        '{"position":[1,2]}',
        '{"brightness":{}}',
        'null',
      ]);
    case 5:
      return pick([
        '{"target_temperature":1e309}',
        '{"position":-1e21}',
        '{"mode":"\u0000"}',
        '{"state":"ON","state":5}',
      ]);
    case 6:
      return `{"${segment()}":"${segment()}"}`;
    case 7:
      return '{"constructor":{"prototype":{"isAdmin":true}},"__proto__":{"toString":1}}';
    case 8:
      return pick(['', ' ', '{', '{"a":', '\uFEFF{}', '🙂🙂🙂']);
    default:
      return JSON.stringify({
        [segment()]: random() < 0.5 ? random() * 1e6 : segment(),
        transaction: segment(),
      });
  }
}

it(
  `survives ${INPUTS} hostile MQTT messages: no crash, no write call, an error for each command, flat memory`,
  async () => {
    // bridge-child.ts without a test clock is `start` on the system clock, plus a heap report.
    const bridge = suite.startChild(
      suite.env({ refreshToken: suite.sim.mintTokens().refresh_token, baseTopic }),
      undefined,
      ['--expose-gc'],
    );
    const watcher = await MqttWatcher.start(suite.broker.url, [`${baseTopic}/bridge/#`, `${baseTopic}/+`]);
    await waitUntil(
      'devices published',
      () => watcher.json(`${baseTopic}/bridge/devices`) !== undefined,
      30_000,
    );
    await firstHomeStatus(suite.sim, 30_000);
    const devices = (
      watcher.json(`${baseTopic}/bridge/devices`) as Array<{ id?: string; friendly_name?: string }>
    )
      .map((d) => d.id ?? d.friendly_name)
      .filter((id): id is string => typeof id === 'string');
    expect(devices.length).toBeGreaterThan(5);
    // Until the bridge has worked off what is queued, so a measurement sees no in-flight payloads.
    const settle = (): Promise<void> => watcher.bridgeAnswers(baseTopic);
    await settle();
    const rssBefore = (await bridge.rss()) ?? 0;
    let peak = rssBefore;
    const writesBefore = WRITE_ENDPOINTS.reduce((n, e) => n + (suite.sim.stats().requests[e] ?? 0), 0);
    const responses = () =>
      watcher.messages.filter((m) => m.topic === `${baseTopic}/bridge/response/device/set`).length;
    const responsesBefore = responses();

    let commandShaped = 0;
    let rssMid = 0;
    /** Heap after GC at warm-up and after each later window of inputs. */
    const heaps: number[] = [];
    const HEAP_EVERY = Math.floor((INPUTS - WARM_UP) / 4);
    for (let i = 0; i < INPUTS; i++) {
      const known = random() < 0.7;
      const device = known ? pick(devices) : segment();
      const kind = Math.floor(random() * 5);
      const topic =
        kind === 0
          ? `${baseTopic}/${device}/set`
          : kind === 1
            ? `${baseTopic}/${device}/set/${pick(['target_temperature', 'state', 'position', 'mode', '__proto__', 'constructor', segment()])}`
            : kind === 2
              ? `${baseTopic}/bridge/request/${pick(['health', 'info', '__proto__', 'constructor', segment()])}`
              : kind === 3
                ? `${baseTopic}/${segment()}/${segment()}`
                : `${baseTopic}/${device}/get`;
      // Command-shaped: every /set (a random name is one topic level, never `bridge`).
      if (kind <= 1) commandShaped++;
      await watcher.client.publishAsync(topic, payload(), { qos: i % 2 === 0 ? 0 : 1 });
      if (i % 200 === 0) peak = Math.max(peak, (await bridge.rss()) ?? 0);
      if (i === Math.floor(INPUTS / 2)) rssMid = (await bridge.rss()) ?? 0;
      if (i + 1 >= WARM_UP && (i + 1 - WARM_UP) % HEAP_EVERY === 0) {
        await settle();
        heaps.push(await bridge.heapAfterGc());
      }
    }
    // The bridge still answers, and has answered every command-shaped message.
    await waitUntil(
      'an error response per command',
      () => responses() - responsesBefore >= commandShaped,
      20_000,
    ).catch((error: unknown) => {
      process.stderr.write(
        `[fuzz] ${responses() - responsesBefore} responses for ${commandShaped} commands; the bridge said:\n${bridge
          .output()
          .split('\n')
          .filter((l) => /cannot answer|failed|error/i.test(l) && !/rejected command/.test(l))
          .slice(0, 20)
          .map((l) => l.slice(0, 400))
          .join('\n')}\n`,
      );
      throw error;
    });
    const health = await new Promise<unknown>((resolve) => {
      watcher.client.on('message', (topic, body) => {
        if (topic === `${baseTopic}/bridge/response/health`) resolve(JSON.parse(body.toString()));
      });
      void watcher.client.publishAsync(`${baseTopic}/bridge/request/health`, '{"transaction":"after-fuzz"}');
    });
    expect(health).toMatchObject({ status: 'ok' });
    const errors = watcher.messages
      .filter((m) => m.topic === `${baseTopic}/bridge/response/device/set`)
      .slice(responsesBefore)
      .map((m) => JSON.parse(m.payload.toString()) as { status?: string });
    const rssAfter = (await bridge.rss()) ?? 0;
    peak = Math.max(peak, rssAfter);
    const writes =
      WRITE_ENDPOINTS.reduce((n, e) => n + (suite.sim.stats().requests[e] ?? 0), 0) - writesBefore;
    bridge.kill('SIGTERM');
    const code = await bridge.exited;
    await watcher.close();
    const crashed = code !== 0 || /uncaught|unhandled|FATAL/i.test(bridge.output());
    recordFigures('MQTT fuzz', {
      fuzz_inputs: INPUTS,
      crashes: crashed ? 1 : 0,
      peak_rss_bytes: peak,
      heap_growth_bytes: Math.max(0, (heaps.at(-1) ?? 0) - (heaps[0] ?? 0)),
      notes: [
        `${commandShaped} command-shaped inputs, ${errors.filter((e) => e.status === 'error').length} error responses, ${writes} Netatmo write calls; RSS ${(rssBefore / 2 ** 20).toFixed(0)} → ${(rssMid / 2 ** 20).toFixed(0)} (half way) → ${(rssAfter / 2 ** 20).toFixed(0)} MiB (peak ${(peak / 2 ** 20).toFixed(0)} MiB)`,
        `heap after GC from warm-up (${WARM_UP} inputs) on, every ${HEAP_EVERY} inputs: ${heaps.map((h) => (h / 2 ** 20).toFixed(1)).join(' → ')} MiB (growth allowed ${MAX_HEAP_GROWTH / 2 ** 20} MiB)`,
      ],
    });
    expect(crashed).toBe(false);
    expect(writes).toBe(0);
    expect(errors.length).toBeGreaterThanOrEqual(commandShaped);
    expect(errors.every((e) => e.status === 'error')).toBe(true);
    // Flat: after warm-up the collected heap stays where it was (a leak climbs window after
    // window). RSS is not judged: V8 keeps freed pages for a while.
    expect(heaps.length).toBeGreaterThanOrEqual(4);
    const warm = heaps[0] ?? 0;
    expect(Math.max(...heaps) - warm).toBeLessThan(MAX_HEAP_GROWTH);
  },
  size(120_000, 900_000),
);
