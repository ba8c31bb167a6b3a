/**
 * Scenario 3, command latency: single clicks (one `target_temperature` per room, far apart, no
 * coalescing window) published to `<base>/<room>/set`, timed from the MQTT publish to the
 * moment the simulator receives the API call; interleaved with the same call made directly over
 * HTTP by the bench process. Bridge-added latency = bridge path − direct path, per percentile.
 *
 * Real time throughout (simulator latency 0); between commands the SteppedClock jumps 20 s so
 * the bridge's quota (400/h, polls included) never holds a click back.
 */
import { performance } from 'node:perf_hooks';
import mqtt from 'mqtt';
import { Bridge } from '../../src/bridge/controller.js';
import { validateConfig } from '../../src/config/index.js';
import { roomDeviceId } from '../../src/devices/ids.js';
import { NetatmoClient } from '../../src/netatmo/client.js';
import { startSimulator } from '../../src/simulator/index.js';
import { seedForScenario } from '../../src/simulator/scenarios/index.js';
import { TokenAccount, TokenCaller } from '../baselines/token-caller.js';
import { startNoDelayMosquitto } from '../lib/nodelay-broker.js';
import { withTempDir } from '../lib/setup.js';
import { percentile, ratio } from '../lib/stats.js';
import { SteppedClock } from '../lib/stepped-clock.js';
import { type StageFigures, StageRecorder } from './stages.js';

export interface LatencyFigures {
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

export interface LatencyResult {
  /** Which broker carried the clicks. */
  broker: string;
  commands: number;
  /** Commands whose call reached the simulator and that were answered `ok` on bridge/response/device/set. */
  ok: number;
  /** The others: no matching API call, or no `ok` answer, within 5 s. */
  failed: number;
  direct: LatencyFigures;
  bridge: LatencyFigures;
  /** Bridge − direct at p50 and p99 (ms). */
  addedP50Ms: number;
  addedP99Ms: number;
  /** Bridge ÷ direct at p50 and p99. */
  ratioP50: number;
  ratioP99: number;
  /** The bridge path split at the bridge's seams (see stages.ts). */
  stages: StageFigures;
}

const SCENARIO = 'scale:1,40';
/** Simulated time between clicks: 180 commands/h leave the rest of 400/h to polls. */
const GAP_MS = 20_000;
const ANSWER_TIMEOUT_MS = 5_000;
/** Wall time between clicks (a user's are seconds apart): the previous command's traffic settles. */
const QUIET_GAP_MS = 5;
const WRITE_ENDPOINTS = new Set(['setroomthermpoint', 'setstate', 'setthermmode', 'switchhomeschedule']);

interface Arrival {
  endpoint: string;
  params: Readonly<Record<string, string>>;
  at: number;
}

export async function runLatencyScenario(options: {
  /** The shared broker, used when no private Mosquitto can be started. */
  mqttUrl: string;
  commands: number;
  tag: string;
}): Promise<LatencyResult> {
  return withTempDir('netatmo2mqtt-bench-broker-', async (dir) => {
    const broker = await startNoDelayMosquitto(dir);
    try {
      const result = await measure({ ...options, mqttUrl: broker?.url ?? options.mqttUrl });
      return { ...result, broker: broker ? 'mosquitto, set_tcp_nodelay true' : 'shared broker (Nagle on)' };
    } finally {
      await broker?.close();
    }
  });
}

async function measure(options: {
  mqttUrl: string;
  commands: number;
  tag: string;
}): Promise<Omit<LatencyResult, 'broker'>> {
  const clock = new SteppedClock();
  const seed = seedForScenario(SCENARIO, clock.now());
  const home = seed.homes[0];
  if (!home) throw new Error(`${SCENARIO} has no home`);
  const valveRooms = new Set(
    (home.modules ?? []).filter((m) => m.type === 'NRV' || m.type === 'NATherm1').map((m) => m.room_id),
  );
  const rooms = (home.rooms ?? []).filter((r) => valveRooms.has(r.id)).map((r) => r.id);
  if (rooms.length === 0) throw new Error(`${SCENARIO} has no room with a thermostat or valve`);

  const sim = await startSimulator({
    scenario: SCENARIO,
    clock,
    quota: 'per-token',
    limits: { userPer10s: 1e6, userPerHour: 1e9, appPer10s: 1e6, appPerHour: 1e9 },
    tokenLifetimeSec: 10 * 365 * 86_400,
  });
  let waiting: ((arrival: Arrival) => void) | undefined;
  const stopListening = sim.onApiRequest((endpoint, params) => {
    const at = performance.now();
    if (WRITE_ENDPOINTS.has(endpoint)) waiting?.({ endpoint, params, at });
  });
  const base = `${options.tag}_latency`;
  const watcher = await mqtt.connectAsync(options.mqttUrl, { clientId: `${base}_clicker` });
  // mqtt.js leaves Nagle's algorithm on: a click right after a PUBACK would wait for the
  // broker's delayed ACK (40 ms on Linux), a cost of this test client, not of the bridge.
  noDelay(watcher);
  try {
    return await withTempDir('netatmo2mqtt-bench-latency-', async (dataDir) => {
      const bridgeTokens = sim.mintTokens();
      const directTokens = sim.mintTokens();
      const config = validateConfig({
        netatmo: { base_url: sim.url, refresh_token: bridgeTokens.refresh_token, profile: 'own_app' },
        // Commands and states by room id, as the clicks address them.
        mqtt: { url: options.mqttUrl, base_topic: base, client_id: `${base}_bridge`, device_topic: 'id' },
        homeassistant: { enabled: false },
        commands: { coalesce_ms: 0, storm_cap_per_minute: 600, global_cap_per_minute: 6000 },
        data_dir: dataDir,
        log_level: 'error',
        web: { enabled: false },
      });
      const bridge = new Bridge({ config, clock });
      const stages = new StageRecorder(bridge, WRITE_ENDPOINTS);
      const direct = new NetatmoClient(
        new TokenCaller(
          new TokenAccount({
            baseUrl: sim.url,
            clock,
            accessToken: directTokens.access_token,
            refreshToken: directTokens.refresh_token,
          }),
        ),
      );
      const answers = new Map<string, (status: string) => void>();
      watcher.on('message', (_topic, payload) => {
        const answer = JSON.parse(payload.toString()) as { status?: string; transaction?: unknown };
        const key = String(answer.transaction);
        answers.get(key)?.(String(answer.status));
        answers.delete(key);
      });
      await watcher.subscribeAsync(`${base}/bridge/response/device/set`, { qos: 1 });
      await bridge.start();
      try {
        await waitForRoomState(watcher, base, roomDeviceId(rooms[0] as string));
        const bridgeMs: number[] = [];
        const directMs: number[] = [];
        const answered: Array<string | undefined> = [];
        for (let i = 0; i < options.commands; i++) {
          const roomId = rooms[i % rooms.length] as string;
          // 7.0 … 29.5: every click is a new value, as a user's would be.
          const temp = 7 + ((i * 7) % 46) / 2;
          const quiet = new Promise((resolve) => setTimeout(resolve, QUIET_GAP_MS));
          const arrivalDirect = nextArrival((a) => a.params.room_id === roomId);
          const t0 = performance.now();
          await direct.setRoomThermPoint({ homeId: home.id, roomId, mode: 'manual', temp }, {});
          directMs.push((await arrivalDirect).at - t0);
          clock.advance(GAP_MS / 2);
          await quiet;

          const arrival = nextArrival((a) => a.params.room_id === roomId && Number(a.params.temp) === temp);
          const answer = new Promise<string>((resolve) => answers.set(String(i), resolve));
          stages.begin();
          const t1 = performance.now();
          watcher.publish(
            `${base}/${roomDeviceId(roomId)}/set`,
            JSON.stringify({ target_temperature: temp, transaction: String(i) }),
            { qos: 1 },
          );
          const got = await withTimeout(arrival, ANSWER_TIMEOUT_MS);
          if (got) {
            bridgeMs.push(got.at - t1);
            stages.end(t1, got.at);
          }
          // Answered before the next click: traffic to the bridge right before a click delays it.
          answered.push(await withTimeout(answer, ANSWER_TIMEOUT_MS));
          clock.advance(GAP_MS / 2);
        }
        const okAnswers = answered.filter((s) => s === 'ok').length;
        const figures = (ms: number[]): LatencyFigures => ({
          p50Ms: percentile(ms, 50),
          p99Ms: percentile(ms, 99),
          maxMs: Math.max(...ms),
        });
        const b = figures(bridgeMs);
        const d = figures(directMs);
        return {
          commands: options.commands,
          ok: Math.min(okAnswers, bridgeMs.length),
          failed: options.commands - Math.min(okAnswers, bridgeMs.length),
          direct: d,
          bridge: b,
          addedP50Ms: b.p50Ms - d.p50Ms,
          addedP99Ms: b.p99Ms - d.p99Ms,
          ratioP50: ratio(b.p50Ms, d.p50Ms),
          ratioP99: ratio(b.p99Ms, d.p99Ms),
          stages: stages.figures(),
        };
      } finally {
        await bridge.stop();
      }
    });
  } finally {
    stopListening();
    await watcher.endAsync();
    await sim.close();
  }

  function nextArrival(match: (a: Arrival) => boolean): Promise<Arrival> {
    return new Promise((resolve) => {
      waiting = (a) => {
        if (!match(a)) return;
        waiting = undefined;
        resolve(a);
      };
    });
  }
}

/** The bridge has read the home once: the room's state is published, so commands are accepted. */
async function waitForRoomState(client: mqtt.MqttClient, base: string, deviceId: string): Promise<void> {
  const topic = `${base}/${deviceId}`;
  const seen = new Promise<void>((resolve) => {
    const onMessage = (t: string): void => {
      if (t !== topic) return;
      client.off('message', onMessage);
      resolve();
    };
    client.on('message', onMessage);
  });
  await client.subscribeAsync(topic, { qos: 1 });
  if (
    !(await withTimeout(
      seen.then(() => true),
      15_000,
    ))
  )
    throw new Error(`the bridge did not publish ${topic}`);
  await client.unsubscribeAsync(topic);
}

function noDelay(client: mqtt.MqttClient): void {
  const stream = client.stream as { setNoDelay?: (on: boolean) => void };
  stream.setNoDelay?.(true);
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
