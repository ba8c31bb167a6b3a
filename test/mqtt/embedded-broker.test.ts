/**
 * `mqtt.url: embedded` as `netatmo2mqtt start` runs it: a real aedes on a real port, reached
 * over real sockets. It listens on loopback unless told otherwise, says who may connect, asks
 * clients for the configured login, refuses to listen beyond loopback without one, and exits
 * at once (non-zero, naming mqtt.url and the port) when the port is taken.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, portAnswers } from '../../scripts/lib/broker.js';
import { startEmbeddedBroker } from '../../src/mqtt/embedded-broker.js';
import { startSimulator } from '../../src/simulator/index.js';
import type { RunningSimulator } from '../../src/simulator/types.js';
import {
  type BridgeProcess,
  type Bundles,
  bundleBridge,
  killAll,
  spawnBridge,
} from '../reliability/support/processes.js';

/** An address of this machine other than loopback: what a neighbour on the LAN would dial. */
const lanAddress = Object.values(networkInterfaces())
  .flat()
  .find((a) => a && !a.internal && a.family === 'IPv4')?.address;

let bundles: Bundles;
let sim: RunningSimulator;
let dir: string;

beforeAll(async () => {
  [bundles, sim] = await Promise.all([bundleBridge(), startSimulator({ port: 0 })]);
  dir = await mkdtemp(join(tmpdir(), 'n2m-embedded-'));
});

afterAll(async () => {
  killAll();
  await sim?.close();
  await bundles?.dispose();
  if (dir) await rm(dir, { recursive: true, force: true });
});

function startBridge(name: string, env: Record<string, string>): BridgeProcess {
  return spawnBridge(
    bundles.cli,
    ['start'],
    {
      NETATMO2MQTT_NETATMO_BASE_URL: sim.url,
      NETATMO2MQTT_NETATMO_REFRESH_TOKEN: sim.mintTokens().refresh_token,
      NETATMO2MQTT_MQTT_URL: 'embedded',
      NETATMO2MQTT_MQTT_BASE_TOPIC: `n2m_embedded_${name}`,
      NETATMO2MQTT_DATA_DIR: join(dir, name),
      NETATMO2MQTT_WEB_ENABLED: 'false',
      ...env,
    },
    dir,
  );
}

async function stop(bridge: BridgeProcess): Promise<void> {
  bridge.kill('SIGTERM');
  await bridge.exited;
}

/** CONNACK return code of a login attempt (0 = accepted). */
async function connackCode(url: string, login: { username?: string; password?: string }): Promise<number> {
  const client = mqtt.connect(url, {
    protocolVersion: 4,
    reconnectPeriod: 0,
    connectTimeout: 5_000,
    ...login,
  });
  try {
    return await new Promise<number>((resolve, reject) => {
      client.once('connect', () => resolve(0));
      client.once('error', (error: Error & { code?: unknown }) =>
        typeof error.code === 'number' ? resolve(error.code) : reject(error),
      );
    });
  } finally {
    client.end(true);
  }
}

describe('mqtt.url: embedded', () => {
  it('listens on 127.0.0.1 only by default, and its log line says so', async () => {
    const port = await freePort();
    const bridge = startBridge('loopback', { NETATMO2MQTT_MQTT_EMBEDDED_PORT: String(port) });
    try {
      await bridge.waitFor(/connected to MQTT broker/, 20_000);
      expect(bridge.output()).toContain(
        `embedded MQTT broker listening on 127.0.0.1:${port}: reachable from this machine only, no login`,
      );
      expect(await portAnswers('127.0.0.1', port)).toBe(true);
      // A neighbour dialling this machine's LAN address finds nothing there.
      if (lanAddress) expect(await portAnswers(lanAddress, port)).toBe(false);
    } finally {
      await stop(bridge);
    }
  });

  it('with mqtt.username and mqtt.password, on 0.0.0.0: only clients with that login get in', async () => {
    const port = await freePort();
    const bridge = startBridge('login', {
      NETATMO2MQTT_MQTT_EMBEDDED_PORT: String(port),
      NETATMO2MQTT_MQTT_EMBEDDED_HOST: '0.0.0.0',
      NETATMO2MQTT_MQTT_USERNAME: 'bridge',
      NETATMO2MQTT_MQTT_PASSWORD: 'embedded-pw-73f1',
    });
    try {
      // The bridge itself logs in with the same credentials.
      await bridge.waitFor(/connected to MQTT broker/, 20_000);
      expect(bridge.output()).toContain(
        `embedded MQTT broker listening on 0.0.0.0:${port}: reachable from the network, clients must log in as bridge`,
      );
      expect(bridge.output()).not.toContain('embedded-pw-73f1');
      const host = lanAddress ?? '127.0.0.1';
      const url = `mqtt://${host}:${port}`;
      expect(await connackCode(url, {})).toBe(4);
      expect(await connackCode(url, { username: 'bridge', password: 'wrong-password' })).toBe(4);
      expect(await connackCode(url, { username: 'intruder', password: 'embedded-pw-73f1' })).toBe(4);
      expect(await connackCode(url, { username: 'bridge', password: 'embedded-pw-73f1' })).toBe(0);
    } finally {
      await stop(bridge);
    }
  });

  it('refuses to listen beyond loopback without a login, naming the key', async () => {
    const bridge = startBridge('open', {
      NETATMO2MQTT_MQTT_EMBEDDED_PORT: String(await freePort()),
      NETATMO2MQTT_MQTT_EMBEDDED_HOST: '0.0.0.0',
    });
    expect(await bridge.exited).toBe(2);
    expect(bridge.stderr()).toMatch(
      /mqtt\.embedded_host \(from NETATMO2MQTT_MQTT_EMBEDDED_HOST\): is "0\.0\.0\.0"/,
    );
    expect(bridge.stderr()).toContain('set mqtt.username and mqtt.password');
  });

  it('exits non-zero at once when the port is taken, naming mqtt.url and the port', async () => {
    const holder: Server = createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    const port = (holder.address() as { port: number }).port;
    try {
      const started = Date.now();
      const bridge = startBridge('taken', { NETATMO2MQTT_MQTT_EMBEDDED_PORT: String(port) });
      const code = await Promise.race([
        bridge.exited,
        new Promise<string>((resolve) => setTimeout(() => resolve('still running after 15 s'), 15_000)),
      ]);
      if (code === 'still running after 15 s') bridge.kill('SIGKILL');
      expect(code).toBe(1);
      expect(Date.now() - started).toBeLessThan(15_000);
      expect(bridge.output()).toContain('mqtt.url: embedded');
      expect(bridge.output()).toContain(`port ${port} on 127.0.0.1 is already in use (EADDRINUSE)`);
    } finally {
      await new Promise<void>((resolve) => holder.close(() => resolve()));
    }
  });

  it('a broker started in-process closes cleanly after a failed listen (nothing keeps running)', async () => {
    const first = await startEmbeddedBroker();
    try {
      await expect(startEmbeddedBroker({ port: first.port })).rejects.toThrow(/already in use/);
    } finally {
      await first.close();
    }
  });
});
