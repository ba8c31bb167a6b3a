/**
 * An account host (several Netatmo accounts in one process) against the simulator over real
 * HTTP (one app, `users` users) and a real broker, with a recorder on everything it publishes.
 * Account `aK` gets a bootstrap token of simulator user `userK` unless `accounts` says otherwise.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AccountHost, type AccountHostOptions } from '../../src/bridge/account-host.js';
import { validateConfig } from '../../src/config/index.js';
import type { AccountConfig, BridgeConfig } from '../../src/config/types.js';
import { type RunningSimulator, startSimulator } from '../../src/simulator/index.js';
import { Recorder } from './bridge-harness.js';

export interface AccountsHarnessOptions {
  brokerUrl: string;
  /** Simulator users (catalogue scenario: every one of up to 3 has homes). */
  users: number;
  /** The `accounts` list; default a1…aN with userK's bootstrap token. Null: no `accounts` key. */
  accounts?: Array<Omit<AccountConfig, 'refresh_token'> & { user?: string }> | null;
  /** Further configuration sections. */
  config?: Record<string, unknown>;
  bridge?: AccountHostOptions['bridge'];
}

export interface AccountsHarness {
  sim: RunningSimulator;
  host: AccountHost;
  config: BridgeConfig;
  recorder: Recorder;
  baseTopic: string;
  prefix: string;
  dataDir: string;
  until(predicate: () => boolean, ms?: number, what?: string): Promise<void>;
  close(): Promise<void>;
}

export async function startAccountsHarness(o: AccountsHarnessOptions): Promise<AccountsHarness> {
  const baseTopic = `n2m_acc_${randomBytes(4).toString('hex')}`;
  const prefix = 'homeassistant';
  const sim = await startSimulator({ scenario: 'catalogue', users: o.users });
  const dataDir = await mkdtemp(join(tmpdir(), 'n2m-accounts-'));
  const recorder = await Recorder.start(o.brokerUrl, [`${baseTopic}/#`, `${prefix}/device/#`]);
  const accounts =
    o.accounts === null
      ? undefined
      : (o.accounts ??
        Array.from({ length: o.users }, (_, i) => ({ name: `a${i + 1}`, user: `user${i + 1}` })));
  const config = validateConfig({
    netatmo: {
      base_url: sim.url,
      ...(accounts ? {} : { refresh_token: sim.mintTokens('user1').refresh_token }),
    },
    mqtt: { url: o.brokerUrl, base_topic: baseTopic, device_topic: 'id' },
    data_dir: dataDir,
    log_level: 'warning',
    web: { enabled: false },
    ...(accounts
      ? {
          accounts: accounts.map(({ user, ...entry }) => ({
            ...entry,
            ...(user ? { refresh_token: sim.mintTokens(user).refresh_token } : {}),
          })),
        }
      : {}),
    ...o.config,
  });
  const host = new AccountHost({
    config,
    bridge: { discoveryScanMs: 300, healthIntervalMs: 300, ...o.bridge },
  });
  const until = async (predicate: () => boolean, ms = 20_000, what = 'condition'): Promise<void> => {
    const deadline = Date.now() + ms;
    while (!predicate()) {
      if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  await host.start();
  return {
    sim,
    host,
    config,
    recorder,
    baseTopic,
    prefix,
    dataDir,
    until,
    async close() {
      await host.stop().catch(() => {});
      await recorder.close();
      await sim.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
