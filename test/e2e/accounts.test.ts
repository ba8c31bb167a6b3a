/**
 * Several Netatmo accounts in one bridge process, end to end: the simulator over HTTP with one
 * app and three users, a real broker, the account host. Each account publishes under
 * `<base>/<account>/…` with its own devices, health and Home Assistant devices; a command goes
 * to its own account only; one account keeps today's topics; a bad account is refused at start.
 */
import { spawn } from 'node:child_process';
import { access, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../scripts/lib/broker.js';
import type { BridgeHealthPayload, DeviceDiscoveryPayload } from '../../src/mqtt/topics.js';
import { type TestBroker, useTestBroker } from '../support/broker.js';
import { type AccountsHarness, startAccountsHarness } from './accounts-harness.js';

let broker: TestBroker;
let h: AccountsHarness | undefined;

beforeAll(async () => {
  broker = await useTestBroker();
});
afterAll(async () => {
  await broker.close();
});
afterEach(async () => {
  await h?.close();
  h = undefined;
});

/** The fixtures home's room, in the catalogue scenario a home of simulator user1. */
const ROOM = 'room_2746182631';

function online(x: AccountsHarness, base: string): boolean {
  return x.recorder.json<{ state: string }>(`${base}/bridge/state`)?.state === 'online';
}

/** Unique ids of every discovery component under this account's node id. */
function uniqueIds(x: AccountsHarness, node: string): string[] {
  const ids: string[] = [];
  for (const topic of x.recorder.topics(`${x.prefix}/device/${node}/`)) {
    const payload = x.recorder.json<DeviceDiscoveryPayload>(topic);
    for (const component of Object.values(payload?.cmps ?? {}))
      if ('unique_id' in component && component.unique_id) ids.push(component.unique_id);
  }
  return ids;
}

describe('several accounts in one process', () => {
  it('three accounts: own topics, devices, health and discovery; a command reaches its account only', async () => {
    const x = await startAccountsHarness({ brokerUrl: broker.url, users: 3 });
    h = x;
    const base = (a: string): string => `${x.baseTopic}/${a}`;
    const users = x.sim.users();
    await x.until(() => ['a1', 'a2', 'a3'].every((a) => online(x, base(a))), 20_000, 'every account online');
    // Each account's devices, under its own topics: a home of user1 only under a1.
    await x.until(() => x.recorder.json(`${base('a1')}/${ROOM}`)?.mode != null, 20_000, "a1's room state");
    for (const [account, user] of [
      ['a1', 'user1'],
      ['a2', 'user2'],
      ['a3', 'user3'],
    ] as const) {
      const bridge = x.host.bridge(account);
      const homes = (): string[] =>
        [...new Set(bridge?.store.devices().flatMap((d) => (d.homeId ? [d.homeId] : [])))].sort();
      const expected = [...(users[user] ?? [])].sort();
      expect(expected.length, user).toBeGreaterThan(0);
      await x.until(() => homes().length > 0, 20_000, `${account}'s devices`);
      // Its devices are in homes of its user only (a home without modules has none).
      expect(
        homes().filter((home) => !expected.includes(home)),
        account,
      ).toEqual([]);
      await access(join(x.dataDir, 'accounts', account, 'token.json'));
    }
    expect(x.recorder.topics(`${base('a2')}/${ROOM}`)).toEqual([]);
    expect(x.recorder.topics(`${x.baseTopic}/bridge/`)).toEqual([]);

    // bridge/health per account: its own figures, its name and the coordination.
    await x.until(
      () =>
        ['a1', 'a2', 'a3'].every(
          (a) =>
            (x.recorder.json<BridgeHealthPayload>(`${base(a)}/bridge/health`)?.api.calls.last_hour ?? 0) > 0,
        ),
      10_000,
      'health of every account, with its calls',
    );
    for (const account of ['a1', 'a2', 'a3']) {
      const health = x.recorder.json<BridgeHealthPayload>(`${base(account)}/bridge/health`);
      expect(health?.account).toBe(account);
      expect(health?.coordination).toMatchObject({ mode: 'local', connected: true, owner: x.host.process });
      expect(health?.api.budget.per_hour).toBe(x.host.bridge(account)?.netatmo.gate.stats().limits.perHour);
    }

    // A command on a1 is answered on a1, changes a1's room, and is a1's alone.
    await x.recorder.publish(
      `${base('a1')}/${ROOM}/set`,
      JSON.stringify({ target_temperature: 21.5, duration: 30, transaction: 'acc-1' }),
    );
    await x.until(
      () => x.recorder.json(`${base('a1')}/bridge/response/device/set`)?.transaction === 'acc-1',
      15_000,
      "a1's answer",
    );
    expect(x.recorder.json(`${base('a1')}/bridge/response/device/set`)).toMatchObject({ status: 'ok' });
    await x.until(
      () => x.recorder.json(`${base('a1')}/${ROOM}`)?.target_temperature === 21.5,
      10_000,
      "a1's room at 21.5",
    );
    expect(x.host.bridge('a1')?.health().commands.ok).toBe(1);
    for (const other of ['a2', 'a3']) {
      expect(x.host.bridge(other)?.health().commands).toMatchObject({ ok: 0, failed: 0, rejected: 0 });
      expect(x.recorder.count(`${base(other)}/bridge/response/device/set`)).toBe(0);
    }

    // Home Assistant: one bridge device per account, named for it; no unique id shared.
    const nodes = ['a1', 'a2', 'a3'].map((a) => `${x.baseTopic}_${a}`);
    const names = nodes.map(
      (n) => x.recorder.json<DeviceDiscoveryPayload>(`${x.prefix}/device/${n}/bridge/config`)?.dev.name,
    );
    expect(names).toEqual(['netatmo2mqtt bridge a1', 'netatmo2mqtt bridge a2', 'netatmo2mqtt bridge a3']);
    const all = nodes.flatMap((n) => uniqueIds(x, n));
    expect(all.length).toBeGreaterThan(30);
    expect(new Set(all).size).toBe(all.length);
  }, 90_000);

  it('two accounts that see the same devices get distinct Home Assistant devices and entities', async () => {
    const x = await startAccountsHarness({
      brokerUrl: broker.url,
      users: 1,
      accounts: [
        { name: 'home', user: 'user1' },
        { name: 'office', user: 'user1' },
      ],
    });
    h = x;
    await x.until(
      () =>
        ['home', 'office'].every(
          (a) => x.recorder.topics(`${x.prefix}/device/${x.baseTopic}_${a}/`).length > 5,
        ),
      20_000,
      'discovery of both accounts',
    );
    await new Promise((r) => setTimeout(r, 500));
    const home = uniqueIds(x, `${x.baseTopic}_home`);
    const office = uniqueIds(x, `${x.baseTopic}_office`);
    expect(home.length).toBe(office.length);
    expect(home.filter((id) => office.includes(id))).toEqual([]);
    const ident = (a: string): string[] =>
      x.recorder
        .topics(`${x.prefix}/device/${x.baseTopic}_${a}/`)
        .flatMap((t) => x.recorder.json<DeviceDiscoveryPayload>(t)?.dev.identifiers ?? []);
    expect(ident('home').filter((id) => ident('office').includes(id))).toEqual([]);
  }, 60_000);

  it('one account (no accounts key) keeps the topics, data folder and names of a lone bridge', async () => {
    const x = await startAccountsHarness({ brokerUrl: broker.url, users: 1, accounts: null });
    h = x;
    await x.until(() => online(x, x.baseTopic), 15_000, 'online');
    await x.until(() => x.recorder.json(`${x.baseTopic}/${ROOM}`)?.mode != null, 20_000, 'the room state');
    expect(x.recorder.topics(`${x.baseTopic}/default/`)).toEqual([]);
    expect(x.recorder.json(`${x.prefix}/device/${x.baseTopic}/bridge/config`)).toMatchObject({
      dev: { name: 'netatmo2mqtt bridge', identifiers: [`${x.baseTopic}_bridge`] },
    });
    await access(join(x.dataDir, 'token.json'));
    const ids = uniqueIds(x, x.baseTopic);
    expect(ids).toContain(`${ROOM}_climate_${x.baseTopic}`);
  }, 60_000);

  it("one account: the process's web server takes Netatmo's pushes for it", async () => {
    const port = await freePort();
    const x = await startAccountsHarness({
      brokerUrl: broker.url,
      users: 1,
      accounts: null,
      config: {
        web: { enabled: true, port, host: '127.0.0.1', password: 'web-password-1' },
        webhook: { public_url: `http://127.0.0.1:${port}` },
      },
    });
    h = x;
    const bridge = x.host.bridge('default');
    // Active: Netatmo's activation ping reached the account's receiver through the web server.
    await x.until(() => bridge?.health().events.webhook.state === 'active', 15_000, 'the activation ping');
  }, 40_000);
});

describe('a bad account configuration', () => {
  it('is refused at start, naming the key', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'n2m-accounts-cli-'));
    try {
      const file = join(dir, 'configuration.yaml');
      await writeFile(
        file,
        [
          'netatmo: {base_url: "http://127.0.0.1:9"}',
          'mqtt: {url: "mqtt://127.0.0.1:9"}',
          `data_dir: ${JSON.stringify(dir)}`,
          'web: {enabled: false}',
          'accounts:',
          '  - name: alice',
          '  - name: alice',
          '  - {name: bob, profile: mine}',
          '',
        ].join('\n'),
      );
      const { code, stderr } = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
        const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', 'start', '--config', file]);
        let stderr = '';
        child.stderr.on('data', (d: Buffer) => {
          stderr += d.toString();
        });
        child.on('exit', (code) => resolve({ code, stderr }));
      });
      expect(code).toBe(2);
      expect(stderr).toContain('invalid configuration, not starting');
      expect(stderr).toContain('accounts[1].name (from');
      expect(stderr).toContain('"alice" is already accounts[0].name');
      expect(stderr).toContain('accounts[2].profile (from');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 30_000);
});
