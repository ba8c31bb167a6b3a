/**
 * Hostile Netatmo answers (the simulator's `body` fault: any JSON, sent verbatim) against the
 * whole bridge on a scaled clock: huge arrays, unexpected types, missing fields and
 * `__proto__` keys. Each must fail the poll with a typed `invalid_response` error while the
 * previous good state stays published: no hostile value reaches MQTT, nothing goes unavailable
 * before the failure threshold, no prototype is polluted. A hostile answer that persists marks
 * the home's devices unavailable (honestly) and the bridge recovers by itself when it stops.
 */
import { beforeAll, expect, it } from 'vitest';
import type { PublisherStatus } from '../../src/poller/publisher-state.js';
import { useScaledBridge } from './support/in-process.js';
import { firstHomeStatus, recordFigures, waitUntil } from './support/suite.js';

const SPEED = 120;
/** A value no fixture room has: if it ever reaches MQTT, part of a hostile answer was used. */
const MARKER = 42.42;

const run = useScaledBridge({ speed: SPEED });
let good: HomeStatusAnswer;
let injected = 0;
let survived = 0;

interface HomeStatusAnswer {
  status: string;
  body: {
    home: { id: string; rooms: Array<Record<string, unknown>>; modules: Array<Record<string, unknown>> };
  };
}

const simMinutes = (n: number): number => (n * 60_000) / SPEED;

beforeAll(async () => {
  await firstHomeStatus(run.sim, simMinutes(10));
  // A real answer to derive the hostile ones from (a test client's own token: per-token quota),
  // for the home the bridge polls.
  const homeId = run.sim.log().find((e) => e.endpoint === 'homestatus' && e.params?.home_id)?.params?.home_id;
  const token = run.sim.mintTokens().access_token;
  let text = '';
  await waitUntil('a good homestatus answer', async () => {
    const res = await fetch(`${run.sim.url}/api/homestatus`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ home_id: String(homeId) }).toString(),
    });
    text = await res.text();
    return res.ok;
  }).catch((error: unknown) => {
    throw new Error(`${(error as Error).message}; last answer: ${text.slice(0, 300)}`);
  });
  good = JSON.parse(text) as HomeStatusAnswer;
  expect(good.body.home.rooms.length).toBeGreaterThan(0);
});

/** The good answer with every room reading MARKER, then spoiled by `spoil`. */
function hostile(spoil: (answer: HomeStatusAnswer) => void): unknown {
  const answer = structuredClone(good);
  for (const room of answer.body.home.rooms) room.therm_measured_temperature = MARKER;
  spoil(answer);
  return answer;
}

/** `__proto__` as an own key, as JSON.parse makes it (an object literal would set the prototype). */
function withProtoKey(target: Record<string, unknown>, value: unknown): void {
  Object.defineProperty(target, '__proto__', { value, enumerable: true, configurable: true, writable: true });
}

const VARIANTS: Array<{ name: string; answer: () => unknown }> = [
  {
    name: 'huge array (20 000 modules)',
    answer: () =>
      hostile((a) => {
        const first = a.body.home.modules[0] ?? {};
        a.body.home.modules = Array.from({ length: 20_000 }, (_, i) => ({
          ...first,
          id: `70:ee:50:ff:${i}`,
        }));
      }),
  },
  {
    name: 'unexpected type (rooms is a string)',
    answer: () =>
      hostile((a) => {
        (a.body.home as Record<string, unknown>).rooms = 'rooms';
      }),
  },
  {
    name: 'unexpected type (a temperature is an object)',
    answer: () =>
      hostile((a) => {
        const room = a.body.home.rooms[0];
        if (room) room.therm_measured_temperature = { value: MARKER };
      }),
  },
  {
    name: 'missing field (a room without id)',
    answer: () =>
      hostile((a) => {
        delete a.body.home.rooms[0]?.id;
      }),
  },
  {
    name: 'missing field (a module without id)',
    answer: () =>
      hostile((a) => {
        delete a.body.home.modules[0]?.id;
      }),
  },
  {
    name: 'unexpected type (body is an array)',
    answer: () => ({ status: 'ok', time_server: 1, body: [good.body] }),
  },
  {
    name: '__proto__ key in a room',
    answer: () =>
      hostile((a) => {
        const room = a.body.home.rooms[0];
        if (room) withProtoKey(room, { therm_measured_temperature: MARKER, polluted: true });
      }),
  },
  {
    name: 'constructor.prototype in a module',
    answer: () =>
      hostile((a) => {
        const module = a.body.home.modules[0];
        if (module) Reflect.set(module, 'constructor', { prototype: { polluted: true } });
      }),
  },
];

function homePublisher(): PublisherStatus {
  const publisher = run.bridge.poller.status().publishers.find((p) => p.id.startsWith('home:'));
  if (!publisher) throw new Error('no home publisher');
  return publisher;
}

/** Devices offline although Netatmo last reported them reachable. */
const offlineBeyondBaseline = (): string[] =>
  run.availability('offline').filter((id) => run.bridge.store.state(id)?.reachable !== false);

/** MARKER as a value of its own (energy totals such as 142.421 kWh contain its digits). */
const MARKER_VALUE = new RegExp(`(^|[^\\d.])${String(MARKER).replace('.', '\\.')}(?![\\d])`);

function markerOnMqtt(): boolean {
  return run.watcher.messages.some((m) => MARKER_VALUE.test(m.payload.toString()));
}

for (const variant of VARIANTS) {
  it(`${variant.name}: a typed error, the previous state kept and available`, async () => {
    await waitUntil('a good poll', () => homePublisher().lastSuccessAt !== null, simMinutes(30));
    await waitUntil('no failure pending', () => homePublisher().failures === 0, simMinutes(30));
    const before = run.watcher.messages.length;
    const logged = run.sim.log().length;
    run.sim.setFaults({
      clear: true,
      rules: [{ kind: 'body', endpoints: ['homestatus'], body: variant.answer() }],
    });
    injected++;
    // Once the hostile answer is served, the previous (good) homestatus has been fully applied.
    await waitUntil(
      'the hostile answer served',
      () =>
        run.sim
          .log()
          .slice(logged)
          .some((e) => e.endpoint === 'homestatus' && e.outcome === 'fault'),
      simMinutes(30),
    );
    // Rooms are fed by homestatus alone (weather units also by their own endpoint).
    const statesBefore = new Map(
      run.bridge.store
        .devices()
        .filter((d) => d.kind === 'room')
        .map((d) => [d.id, JSON.stringify(run.bridge.store.state(d.id))]),
    );
    expect(statesBefore.size).toBeGreaterThan(0);
    await waitUntil('the poll to fail', () => homePublisher().failures >= 1, simMinutes(30));
    run.sim.setFaults({ clear: true });
    const publisher = homePublisher();
    expect(publisher.lastError).toMatchObject({ kind: 'invalid_response' });
    expect(String(publisher.lastError?.message)).toMatch(/^homestatus: unexpected answer at body/);
    // Nothing of the hostile answer was used: no state changed, nothing was published for it.
    for (const [id, state] of statesBefore) expect(JSON.stringify(run.bridge.store.state(id))).toBe(state);
    expect(markerOnMqtt()).toBe(false);
    // Fixture modules Netatmo reports unreachable are offline all along (published at start).
    const offline = run.watcher.messages
      .slice(before)
      .filter((m) => m.topic.endsWith('/availability') && m.payload.toString().includes('offline'));
    const honest = (topic: string): boolean => {
      const device = run.bridge.names.resolve(topic.slice(run.baseTopic.length + 1, -'/availability'.length));
      return device !== undefined && run.bridge.store.state(device.id)?.reachable === false;
    };
    expect(offline.map((m) => m.topic).filter((t) => !honest(t))).toEqual([]);
    expect(offlineBeyondBaseline()).toEqual([]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty('therm_measured_temperature');
    survived++;
  });
}

it('a hostile answer that persists: unavailable after the threshold, back by itself when it stops', async () => {
  await waitUntil('a good poll', () => homePublisher().failures === 0, simMinutes(30));
  const homeDevices = run.bridge.store
    .devices()
    .filter((d) => d.homeId !== undefined)
    .map((d) => d.id);
  run.sim.setFaults({
    clear: true,
    rules: [{ kind: 'body', endpoints: ['homestatus'], body: VARIANTS[1]?.answer() }],
  });
  injected++;
  await waitUntil('devices offline', () => offlineBeyondBaseline().length > 0, simMinutes(60));
  expect(homePublisher().failures).toBeGreaterThanOrEqual(3);
  // Only what homestatus feeds goes offline.
  expect(offlineBeyondBaseline().filter((id) => !homeDevices.includes(id))).toEqual([]);
  run.sim.setFaults({ clear: true });
  await waitUntil('devices back online', () => offlineBeyondBaseline().length === 0, simMinutes(60));
  expect(markerOnMqtt()).toBe(false);
  survived++;
  recordFigures('hostile API answers', {
    faults_injected: injected,
    faults_survived: survived,
    crashes: 0,
    notes: [
      `${VARIANTS.length} hostile homestatus answers: each a typed invalid_response, no hostile value published`,
    ],
  });
});
