/**
 * The web UI of a process with several accounts, in a real browser (playwright-core driving
 * Debian's Chromium): the list of accounts with their state and owner, and "Connect" for one
 * account storing the token of THAT account (the simulator's user2 signing in for account a2).
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AccountHost } from '../../src/bridge/account-host.js';
import { validateConfig } from '../../src/config/index.js';
import { type RunningSimulator, startSimulator } from '../../src/simulator/index.js';
import { FileTokenStore } from '../../src/tokens/file-store.js';
import { type TestBroker, useTestBroker } from '../support/broker.js';
import { chromiumAvailable, launchChromium } from './chromium.js';

const PASSWORD = `web-pw-${randomBytes(6).toString('hex')}`;

let broker: TestBroker;
let browser: Browser;
let sim: RunningSimulator;
let host: AccountHost;
let dataDir: string;
let web: string;

async function logIn(page: Page): Promise<void> {
  await page.goto(web);
  expect(new URL(page.url()).pathname).toBe('/login');
  await page.fill('#password', PASSWORD);
  await page.click('#submit-login');
  await page.waitForURL((url) => url.pathname === '/');
}

const stateOf = (page: Page, account: string): Promise<string | null> =>
  page.locator(`tr[data-account="${account}"] td.state .pill`).textContent();

describe.skipIf(!chromiumAvailable)('several accounts in the web UI', () => {
  beforeAll(async () => {
    broker = await useTestBroker();
    browser = await launchChromium();
    sim = await startSimulator({ scenario: 'catalogue', users: 3 });
    dataDir = await mkdtemp(join(tmpdir(), 'n2m-web-accounts-'));
    const config = validateConfig({
      netatmo: { base_url: sim.url },
      mqtt: { url: broker.url, base_topic: `n2m_webacc_${randomBytes(4).toString('hex')}` },
      homeassistant: { enabled: false },
      data_dir: dataDir,
      log_level: 'warning',
      web: { enabled: true, port: 0, host: '127.0.0.1', password: PASSWORD },
      accounts: [
        { name: 'a1', refresh_token: sim.mintTokens('user1').refresh_token },
        { name: 'a2' },
        { name: 'a3' },
      ],
    });
    host = new AccountHost({ config, bridge: { discoveryScanMs: 200 } });
    await host.start();
    web = `${host.webUrl}/`;
  });

  afterAll(async () => {
    await browser?.close();
    await host?.stop();
    await sim?.close();
    await broker?.close();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('lists every account with its state and the process serving it', async () => {
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      await logIn(page);
      expect(await page.locator('h1').textContent()).toBe('Accounts');
      const rows = page.locator('#accounts tbody tr');
      expect(await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-account')))).toEqual([
        'a1',
        'a2',
        'a3',
      ]);
      await expect
        .poll(
          async () => {
            await page.reload();
            return stateOf(page, 'a1');
          },
          { timeout: 15_000 },
        )
        .toBe('connected');
      expect(await stateOf(page, 'a2')).toBe('not connected');
      expect(await page.locator('tr[data-account="a3"] td.owner').textContent()).toBe(host.process);

      // An account's own status page, its quota figures from its own gate.
      await page.click('tr[data-account="a1"] td a');
      await page.waitForURL((url) => url.searchParams.get('account') === 'a1');
      expect(await page.locator('#account-name').textContent()).toBe('a1');
      expect(await page.locator('#quota').textContent()).toContain(
        `of ${host.bridge('a1')?.netatmo.gate.stats().limits.perHour} calls`,
      );
    } finally {
      await context.close();
    }
  });

  it("Connect on one account stores that account's token, and only its", async () => {
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      await logIn(page);
      await page.click('tr[data-account="a2"] a.button');
      await page.waitForURL(
        (url) => url.pathname === '/onboarding' && url.searchParams.get('account') === 'a2',
      );
      await page.click('#connect');
      await page.waitForURL((url) => url.origin === sim.url && url.pathname === '/oauth2/authorize');
      // The person signing in at Netatmo is the owner of account a2: the simulator's user2.
      const authorize = new URL(page.url());
      authorize.searchParams.set('user', 'user2');
      await page.goto(authorize.toString());
      await page.click('#accept');
      await page.waitForURL(
        (url) => url.searchParams.get('notice') === 'connected' && url.searchParams.get('account') === 'a2',
      );
      expect(await page.locator('#notice').textContent()).toContain('Connected to Netatmo');
      expect(await page.locator('#account-name').textContent()).toBe('a2');

      const a2 = host.bridge('a2');
      expect(a2?.netatmo.auth.state).toBe('ok');
      const stored = await new FileTokenStore(join(dataDir, 'accounts', 'a2')).load();
      // The simulator's tokens start with their user's id: user2's homes, not user1's.
      expect(stored?.refresh_token.split('|')[0]).toBe(sim.mintTokens('user2').refresh_token.split('|')[0]);
      expect(await new FileTokenStore(join(dataDir, 'accounts', 'a3')).load()).toBeUndefined();
      expect(host.bridge('a3')?.netatmo.auth.state).toBe('no_token');
      await expect
        .poll(() => a2?.store.devices().some((d) => d.homeId === 'legrand_home_id'), { timeout: 15_000 })
        .toBe(true);

      await page.goto(web);
      expect(await stateOf(page, 'a2')).toBe('connected');
      expect(await stateOf(page, 'a3')).toBe('not connected');
    } finally {
      await context.close();
    }
  });
});
