/**
 * The onboarding in a real browser (playwright-core driving Debian's Chromium, headless):
 * a bridge with no token, the simulator's consent page, and the status page filling with
 * devices. With UPDATE_SCREENSHOTS=1 the screenshots go to docs/ (README shows them).
 */
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestBroker, useTestBroker } from '../support/broker.js';
import { chromiumAvailable, launchChromium } from './chromium.js';
import { startWebHarness, WEB_PASSWORD, type WebHarness } from './web-harness.js';

let broker: TestBroker;
let browser: Browser;
let shots: string;
const intoDocs = process.env.UPDATE_SCREENSHOTS === '1';

/** Reloads the status page until the devices table is there; returns the number of rows. */
async function waitForDevices(page: Page, h: WebHarness): Promise<number> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const rows = await page.locator('#devices tbody tr').count();
    if (rows > 0) return rows;
    if (Date.now() > deadline) throw new Error('no devices appeared on the status page');
    await new Promise((r) => setTimeout(r, 300));
    await page.goto(h.web);
  }
}

/** The standalone UI's login page, as a person uses it: every page leads there first. */
async function logIn(page: Page, h: WebHarness): Promise<void> {
  await page.goto(h.web);
  expect(new URL(page.url()).pathname).toBe('/login');
  await page.fill('#password', WEB_PASSWORD);
  await page.click('#submit-login');
  await page.waitForURL((url) => url.pathname === '/');
}

describe.skipIf(!chromiumAvailable)('onboarding in a browser', () => {
  beforeAll(async () => {
    broker = await useTestBroker();
    browser = await launchChromium();
    shots = intoDocs ? join(process.cwd(), 'docs') : await mkdtemp(join(tmpdir(), 'n2m-shots-'));
  });

  afterAll(async () => {
    await browser?.close();
    await broker?.close();
    if (!intoDocs && shots) await rm(shots, { recursive: true, force: true });
  });

  it('Connect Netatmo → consent on the simulator → back on the status page, devices appear', async () => {
    const h = await startWebHarness({ brokerUrl: broker.url, withToken: false });
    const context = await browser.newContext({ viewport: { width: 1200, height: 1000 } });
    try {
      const page = await context.newPage();
      await logIn(page, h);
      await page.goto(`${h.web}onboarding`);
      await page.screenshot({ path: join(shots, 'onboarding.png'), fullPage: true });
      await page.goto(h.web);
      expect(await page.locator('#auth-banner h2').textContent()).toBe('Not connected to Netatmo yet');

      await page.click('#connect');
      await page.waitForURL((url) => url.origin === h.sim.url && url.pathname === '/oauth2/authorize');
      expect(await page.locator('h1').textContent()).toBe('Authorise access');
      await page.click('#accept');
      await page.waitForURL(
        (url) => `${url.origin}/` === h.web && url.searchParams.get('notice') === 'connected',
      );
      expect(await page.locator('#notice').textContent()).toContain('Connected to Netatmo');
      expect(h.bridge.netatmo.auth.state).toBe('ok');

      const rows = await waitForDevices(page, h);
      expect(rows).toBe(h.bridge.store.devices().length);
      expect(await page.locator('#auth-banner h2').textContent()).toBe('Connected to Netatmo');
      await page.screenshot({ path: join(shots, 'status.png'), fullPage: true });
      expect((await stat(join(shots, 'status.png'))).size).toBeGreaterThan(10_000);
      // The token the flow obtained was saved and is never shown.
      const secrets = await h.secrets();
      expect(secrets.length).toBeGreaterThanOrEqual(3);
      const html = await page.content();
      for (const secret of secrets) expect(html.includes(secret)).toBe(false);

      const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true });
      const small = await phone.newPage();
      await logIn(small, h);
      await small.screenshot({ path: join(shots, 'status-phone.png') });
      // Readable on a phone: nothing wider than the screen except inside scrolling tables.
      const overflow = Number(await small.evaluate('document.documentElement.scrollWidth'));
      expect(overflow).toBeLessThanOrEqual(390);
      await phone.close();
    } finally {
      await context.close();
      await h.close();
    }
  });

  it('a pasted refresh token connects the bridge and devices appear', async () => {
    const h = await startWebHarness({ brokerUrl: broker.url, withToken: false });
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      await logIn(page, h);
      await page.goto(`${h.web}onboarding`);
      await page.fill('#refresh_token', h.sim.mintTokens().refresh_token);
      await page.click('#submit-token');
      await page.waitForURL((url) => url.searchParams.get('notice') === 'token');
      expect(await page.locator('#notice').textContent()).toContain('Refresh token accepted');
      expect(await waitForDevices(page, h)).toBeGreaterThan(0);
      expect(h.bridge.netatmo.auth.state).toBe('ok');

      // A token Netatmo does not know is refused on the page, and nothing changes.
      await page.goto(`${h.web}onboarding`);
      await page.fill('#refresh_token', 'not-a-real-token-0123456789');
      await page.click('#submit-token');
      expect(await page.locator('#error').textContent()).toContain('was not accepted');
      expect(h.bridge.netatmo.auth.state).toBe('ok');
    } finally {
      await context.close();
      await h.close();
    }
  });

  it('a tampered state is refused and no token is obtained', async () => {
    const h = await startWebHarness({ brokerUrl: broker.url, withToken: false });
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      await logIn(page, h);
      await page.click('#connect');
      await page.waitForURL((url) => url.origin === h.sim.url);
      const state = (await page.locator('input[name="state"]').getAttribute('value')) ?? '';
      expect(state).toMatch(/^[0-9a-f]{48}$/);
      const tampered = `${state.slice(0, -4)}beef`;
      await page.evaluate(
        `document.querySelector('input[name="state"]').value = ${JSON.stringify(tampered)}`,
      );
      const grantsBefore = h.sim.stats().token_grants;
      await page.click('#accept');
      await page.waitForURL((url) => url.pathname === '/callback');
      expect(await page.locator('h1').textContent()).toBe('Sign-in refused');
      expect(await page.locator('#error').textContent()).toContain('state');
      expect(h.bridge.netatmo.auth.state).toBe('no_token');
      expect(h.sim.stats().token_grants).toBe(grantsBefore);
      await page.goto(h.web);
      expect(await page.locator('#auth-banner h2').textContent()).toBe('Not connected to Netatmo yet');
    } finally {
      await context.close();
      await h.close();
    }
  });
});
