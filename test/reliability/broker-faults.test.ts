/**
 * Broker faults, end to end: the real CLI bridge process, a private Mosquitto that is stopped
 * and started again (losing every retained message, as a broker without persistence does), and
 * the simulator. After each outage a fresh subscriber must find everything again: bridge state
 * online, info, device states, availability and discovery. Ends with SIGTERM: `offline` is
 * published and the process exits 0 within the add-on's stop timeout.
 */
import { expect, it } from 'vitest';
import { startPrivateBroker } from '../support/private-broker.js';
import { useBridgeSuite } from './support/harness.js';
import type { BridgeProcess } from './support/processes.js';
import { firstHomeStatus, MqttWatcher, recordFigures, size, sleep, waitUntil } from './support/suite.js';

const LONG_OUTAGE_MS = size(3_000, 30_000);
const QUICK_RESTARTS = size(3, 10);
/** Reconnect backoff doubles up to 30 s, so after a 30 s outage the bridge may need 30 s more. */
const RECOVERY_MS = LONG_OUTAGE_MS + 35_000;

const suite = useBridgeSuite({ name: 'broker', broker: () => startPrivateBroker() });
let bridge: BridgeProcess;
const baseTopic = suite.baseTopic();
const prefix = `ha_${baseTopic}`;
const filters = [`${baseTopic}/#`, `${prefix}/#`];

interface Picture {
  state: string[];
  availability: string[];
  discovery: string[];
  all: string[];
}

/** What a fresh subscriber sees once the bridge's retained topics stop changing. */
async function freshPicture(minTopics = 1, ms = RECOVERY_MS): Promise<Picture> {
  const watcher = await MqttWatcher.start(suite.broker.url, filters);
  try {
    let count = -1;
    let stableSince = Date.now();
    await waitUntil(
      'retained topics to settle',
      () => {
        const n = watcher.topics().length;
        if (n !== count) {
          count = n;
          stableSince = Date.now();
        }
        return n >= minTopics && Date.now() - stableSince > 1_000 && complete(watcher);
      },
      ms,
    );
    // Only what the broker keeps: live-only topics (log lines, events, answers) are not part of it.
    const live = ['bridge/logging', 'bridge/event', 'bridge/response/'].map((t) => `${baseTopic}/${t}`);
    const all = watcher
      .topics()
      .filter((t) => !live.some((prefix) => t.startsWith(prefix)))
      .sort();
    return {
      state: all.filter(
        (t) => t.startsWith(`${baseTopic}/`) && !t.includes('/bridge/') && !t.endsWith('/availability'),
      ),
      availability: all.filter((t) => t.endsWith('/availability')),
      discovery: all.filter((t) => t.startsWith(`${prefix}/`)),
      all,
    };
  } finally {
    await watcher.close();
  }
}

/**
 * Every device in bridge/devices has its availability and its discovery config (a few devices,
 * e.g. rooms without measurements, have no state payload, so states are compared with the first
 * picture). Availability is under the friendly name, discovery under the id.
 */
function complete(watcher: MqttWatcher): boolean {
  const set = new Set(watcher.topics());
  const devices = (watcher.json(`${baseTopic}/bridge/devices`) ?? []) as Array<{
    id: string;
    friendly_name: string;
  }>;
  return (
    devices.length > 0 &&
    set.has(`${baseTopic}/bridge/info`) &&
    devices.every(
      (d) =>
        set.has(`${baseTopic}/${d.friendly_name}/availability`) &&
        set.has(`${prefix}/device/${baseTopic}/${d.id}/config`),
    )
  );
}

async function expectOnline(): Promise<void> {
  const watcher = await MqttWatcher.start(suite.broker.url, [`${baseTopic}/bridge/state`]);
  try {
    await waitUntil(
      'bridge/state online',
      () => watcher.text(`${baseTopic}/bridge/state`) === '{"state":"online"}',
      RECOVERY_MS,
    );
  } finally {
    await watcher.close();
  }
}

it(
  'reconnects after outages and restarts, republishing state, availability and discovery',
  async () => {
    bridge = suite.startCli(suite.env({ refreshToken: suite.sim.mintTokens().refresh_token, baseTopic }));
    await expectOnline();
    // Devices, their availability and discovery: wait until a homestatus poll has filled states in.
    await firstHomeStatus(suite.sim);
    const before = await freshPicture(50);
    expect(before.state.length).toBeGreaterThan(10);
    expect(before.availability.length).toBeGreaterThan(10);
    expect(before.discovery.length).toBeGreaterThan(10);
    expect(before.all).toContain(`${baseTopic}/bridge/info`);

    let outages = 0;
    const compare = async (): Promise<void> => {
      await expectOnline();
      const after = await freshPicture(before.all.length);
      expect(after.all).toEqual(expect.arrayContaining(before.all));
    };

    await suite.broker.stop();
    outages++;
    await sleep(LONG_OUTAGE_MS);
    await suite.broker.start();
    await compare();

    for (let i = 0; i < QUICK_RESTARTS; i++) {
      await suite.broker.stop();
      outages++;
      await sleep(200 + Math.random() * 800);
      await suite.broker.start();
    }
    await compare();

    // SIGTERM: offline is published (a clean disconnect suppresses the will) and exit is 0 in time.
    const watcher = await MqttWatcher.start(suite.broker.url, [`${baseTopic}/bridge/state`]);
    await waitUntil('online seen', () => watcher.text(`${baseTopic}/bridge/state`) === '{"state":"online"}');
    const stopAt = Date.now();
    bridge.kill('SIGTERM');
    const code = await bridge.exited;
    const stopMs = Date.now() - stopAt;
    await waitUntil(
      'offline seen',
      () => watcher.text(`${baseTopic}/bridge/state`) === '{"state":"offline"}',
      2_000,
    );
    await watcher.close();
    expect(code).toBe(0);
    expect(stopMs).toBeLessThan(10_000);
    expect(bridge.output()).not.toMatch(/unhandled|uncaught/i);
    recordFigures('broker faults', {
      faults_injected: outages,
      faults_survived: outages,
      restarts: 1,
      crashes: 0,
      notes: [`longest broker outage ${LONG_OUTAGE_MS / 1000} s; SIGTERM stop took ${stopMs} ms`],
    });
  },
  RECOVERY_MS * 3 + 60_000,
);
