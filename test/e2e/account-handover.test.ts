/**
 * An account moving between processes. Stopping for a handover leaves the bridge state alone:
 * no `offline` and no will (a clean disconnect), so the account never says `offline` under a
 * live new owner, whichever connected first and whatever client ids the processes use. And a
 * process that no longer holds an account's lease sends none of its commands.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { coordinationSettings } from '../../src/bridge/account-host.js';
import { Bridge } from '../../src/bridge/controller.js';
import { validateConfig } from '../../src/config/index.js';
import type { BridgeConfig } from '../../src/config/types.js';
import { createCoordination } from '../../src/coordination/index.js';
import { EventBus } from '../../src/events.js';
import { type RunningSimulator, startSimulator } from '../../src/simulator/index.js';
import { systemClock } from '../../src/util/clock.js';
import { type TestBroker, useTestBroker } from '../support/broker.js';
import { Recorder } from './bridge-harness.js';

let broker: TestBroker;
const cleanups: Array<() => Promise<unknown>> = [];

beforeAll(async () => {
  broker = await useTestBroker();
});
afterAll(async () => {
  await broker.close();
});
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => {});
});

interface Stage {
  sim: RunningSimulator;
  recorder: Recorder;
  base: string;
  /** One process's configuration of the account: its own data folder and token; `clientId` its own. */
  process(clientId?: string): Promise<BridgeConfig>;
  until(predicate: () => boolean, ms?: number, what?: string): Promise<void>;
}

async function stage(): Promise<Stage> {
  const sim = await startSimulator({ scenario: 'fixtures' });
  cleanups.push(() => sim.close());
  const base = `n2m_hand_${randomBytes(4).toString('hex')}/alice`;
  const recorder = await Recorder.start(broker.url, [`${base}/bridge/state`, `${base}/bridge/response/#`]);
  cleanups.push(() => recorder.close());
  return {
    sim,
    recorder,
    base,
    async process(clientId) {
      const dataDir = await mkdtemp(join(tmpdir(), 'n2m-handover-'));
      cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
      return validateConfig({
        netatmo: { base_url: sim.url, refresh_token: sim.mintTokens().refresh_token },
        mqtt: {
          url: broker.url,
          base_topic: base,
          device_topic: 'id',
          ...(clientId ? { client_id: `${clientId}_${randomBytes(3).toString('hex')}` } : {}),
        },
        homeassistant: { enabled: false },
        data_dir: dataDir,
        log_level: 'error',
        web: { enabled: false },
      });
    },
    async until(predicate, ms = 15_000, what = 'condition') {
      const deadline = Date.now() + ms;
      while (!predicate()) {
        if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
  };
}

function started(config: BridgeConfig): Promise<Bridge> {
  const bridge = new Bridge({ config, discoveryScanMs: 200 });
  cleanups.push(() => bridge.stop());
  return bridge.start().then(() => bridge);
}

const state = (s: Stage): string | undefined =>
  s.recorder.json<{ state: string }>(`${s.base}/bridge/state`)?.state;

describe('an account handed over to another process', () => {
  it('the new owner is online already (own client ids): the old one stops without an offline over it', async () => {
    const s = await stage();
    const old = await started(await s.process('process_a'));
    await s.until(() => state(s) === 'online', 10_000, 'the old owner online');
    const fresh = await started(await s.process('process_b'));
    await s.until(() => s.recorder.count(`${s.base}/bridge/state`) >= 2, 10_000, "the new owner's online");
    await old.stop({ handover: true });
    await s.until(
      () => fresh.mqtt.status().connected && state(s) === 'online',
      10_000,
      'the new owner online',
    );
    const seen = s.recorder.messages.length;
    await new Promise((r) => setTimeout(r, 1_500));
    expect(state(s)).toBe('online');
    expect(s.recorder.messages.slice(seen).filter((m) => m.payload.includes('offline'))).toEqual([]);
  }, 40_000);

  it("one client id for the account: the new owner takes the connection over, the old one's stop changes nothing", async () => {
    const s = await stage();
    const old = await started(await s.process());
    await s.until(() => state(s) === 'online', 10_000, 'the old owner online');
    const fresh = await started(await s.process());
    await s.until(() => fresh.mqtt.status().connected, 10_000, 'the new owner connected');
    await old.stop({ handover: true });
    const seen = s.recorder.messages.length;
    await new Promise((r) => setTimeout(r, 1_500));
    expect(s.recorder.messages.slice(seen).filter((m) => m.payload.includes('offline'))).toEqual([]);
    expect(state(s)).toBe('online');
  }, 40_000);

  it('stopped for a handover before the new owner comes: no offline, no will; the new owner says online', async () => {
    const s = await stage();
    const old = await started(await s.process());
    await s.until(() => state(s) === 'online', 10_000, 'the old owner online');
    await old.stop({ handover: true });
    await new Promise((r) => setTimeout(r, 1_000));
    await started(await s.process());
    await s.until(() => s.recorder.count(`${s.base}/bridge/state`) >= 2, 10_000, "the new owner's online");
    expect(s.recorder.messages.map((m) => JSON.parse(m.payload).state)).toEqual(['online', 'online']);
  }, 40_000);
});

describe('command fencing', () => {
  it('a command is sent only while this process holds the account', async () => {
    const s = await stage();
    const config = await s.process();
    const coordination = createCoordination(coordinationSettings(config), {
      clock: systemClock,
      events: new EventBus(),
    });
    // The process holds the account, then loses it while its Bridge still runs.
    await coordination.leases.start(['alice'], { acquired: async () => {}, lost: async () => {} });
    const bridge = new Bridge({
      config,
      discoveryScanMs: 200,
      coordination: coordination.account({ name: 'alice', dataDir: config.data_dir }),
      account: { name: 'alice', several: true, coordination },
    });
    cleanups.push(() => bridge.stop());
    await bridge.start();
    const room = 'room_2746182631';
    await s.until(() => bridge.store.device(room) !== undefined, 15_000, 'the room');
    const answer = async (transaction: string, temperature: number): Promise<Record<string, unknown>> => {
      await s.recorder.publish(
        `${s.base}/${room}/set`,
        JSON.stringify({ target_temperature: temperature, duration: 30, transaction }),
      );
      const topic = `${s.base}/bridge/response/device/set`;
      await s.until(
        () => s.recorder.json(topic)?.transaction === transaction,
        10_000,
        `answer ${transaction}`,
      );
      return s.recorder.json(topic) ?? {};
    };
    const setpoints = (): number => s.sim.stats().requests.setroomthermpoint ?? 0;
    expect(await answer('held', 20.5)).toMatchObject({ status: 'ok' });
    expect(setpoints()).toBe(1);
    // The lease is gone (another process took the account): nothing more reaches Netatmo.
    await coordination.leases.stop();
    const refused = await answer('not-held', 22);
    expect(refused).toMatchObject({ status: 'error' });
    expect(String(refused.error)).toContain('no longer serves account alice');
    expect(setpoints()).toBe(1);
  }, 40_000);
});
