/**
 * The add-on's sign-in in a real browser (playwright-core driving Debian's Chromium) behind a
 * fake Home Assistant whose ingress behaves like the real one (fake-ingress.ts): the app in
 * Home Assistant's frame, the `SameSite=Strict` ingress cookie, 401 without it, the ingress path
 * prefix. Home Assistant is `homeassistant.test` to the browser and Netatmo (the simulator) is
 * 127.0.0.1: two sites, as in real life, so Netatmo's redirect back really arrives without the
 * Strict cookie. Also renames a device on the status page. With UPDATE_SCREENSHOTS=1 the
 * screenshots go to docs/.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, FrameLocator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestBroker, useTestBroker } from '../support/broker.js';
import { chromiumAvailable, launchChromium } from './chromium.js';
import { type FakeIngress, startFakeIngress } from './fake-ingress.js';
import { startWebHarness, type WebHarness } from './web-harness.js';

const HA_HOST = 'homeassistant.test';
const intoDocs = process.env.UPDATE_SCREENSHOTS === '1';

let broker: TestBroker;
let browser: Browser;
let shots: string;

/** Waits until the app's frame shows `selector` (it reloads itself; navigation happens inside it). */
async function inFrame(app: FrameLocator, selector: string, ms = 20_000): Promise<void> {
  await app.locator(selector).first().waitFor({ state: 'visible', timeout: ms });
}

async function panel(page: Page, ingress: FakeIngress): Promise<FrameLocator> {
  await page.goto(ingress.panelUrl);
  const app = page.frameLocator('#app');
  await inFrame(app, '#auth-banner');
  return app;
}

describe.skipIf(!chromiumAvailable)('the add-on behind Home Assistant ingress, in a browser', () => {
  let h: WebHarness;
  let ingress: FakeIngress;

  beforeAll(async () => {
    broker = await useTestBroker();
    // Home Assistant's name, as a browser at home resolves it.
    browser = await launchChromium([`--host-resolver-rules=MAP ${HA_HOST} 127.0.0.1`]);
    shots = intoDocs ? join(process.cwd(), 'docs') : await mkdtemp(join(tmpdir(), 'n2m-shots-'));
    // Add-on mode: only the ingress proxy (here on 127.0.0.1) may call, no login of ours.
    h = await startWebHarness({ brokerUrl: broker.url, withToken: false, webAllowedPeers: ['127.0.0.1'] });
    ingress = await startFakeIngress({ appUrl: h.web, host: HA_HOST });
  });

  afterAll(async () => {
    await ingress?.close();
    await h?.close();
    await browser?.close();
    await broker?.close();
    if (!intoDocs && shots) await rm(shots, { recursive: true, force: true });
  });

  it('refuses the app without Home Assistant’s session: 401 from the proxy, nothing reaches the bridge', async () => {
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      const answer = await page.goto(`${ingress.origin}${ingress.ingressPath}/`);
      expect(answer?.status()).toBe(401);
      expect(await page.textContent('body')).toContain('401: Unauthorized');
    } finally {
      await context.close();
    }
  });

  it('signs in with Netatmo: a new tab, Home Assistant’s 401 on the way back, the address pasted, devices appear', async () => {
    const context = await browser.newContext({ viewport: { width: 1200, height: 1300 } });
    try {
      const page = await context.newPage();
      const app = await panel(page, ingress);
      expect(await app.locator('#auth-banner h2').textContent()).toBe('Not connected to Netatmo yet');
      await app.locator('#connect-page').click();
      await inFrame(app, '#redirect-uri');
      // The redirect URI to register is the ingress address the browser uses, not a guess.
      const redirectUri = `${ingress.origin}${ingress.ingressPath}/callback`;
      expect(await app.locator('#redirect-uri').textContent()).toBe(redirectUri);
      await page.screenshot({ path: join(shots, 'onboarding-ingress.png'), fullPage: true });

      const popupOpened = context.waitForEvent('page');
      await app.locator('#connect').click();
      const popup = await popupOpened;
      await popup.waitForURL((url) => url.origin === h.sim.url && url.pathname === '/oauth2/authorize');
      expect(await popup.locator('h1').textContent()).toBe('Authorise access');
      await popup.click('#accept');
      // Netatmo sends the tab back to the ingress URL; Home Assistant refuses it: the Strict
      // cookie stays home on a navigation another site started.
      await popup.waitForURL((url) => url.origin === ingress.origin && url.pathname.endsWith('/callback'));
      expect(await popup.textContent('body')).toContain('401: Unauthorized');
      expect(ingress.refused).toContain(`${ingress.ingressPath}/callback`);
      expect(h.bridge.netatmo.auth.state).toBe('no_token');
      const address = popup.url();
      expect(new URL(address).searchParams.get('code')).toBeTruthy();
      await popup.close();

      await app.locator('#redirect_url').fill(address);
      await app.locator('#submit-redirect').click();
      await inFrame(app, '#notice');
      expect(await app.locator('#notice').textContent()).toContain('Connected to Netatmo');
      expect(h.bridge.netatmo.auth.state).toBe('ok');
      await h.until(() => h.bridge.store.devices().length > 0, 20_000, 'devices');

      // The status page under ingress, devices listed by their MQTT names.
      await page.reload();
      await inFrame(app, '#devices tbody tr');
      expect(await app.locator('#auth-banner h2').textContent()).toBe('Connected to Netatmo');
      const html = await app.locator('body').innerHTML();
      for (const secret of await h.secrets()) expect(html.includes(secret)).toBe(false);

      // The answer works once: pasting the same address again is refused.
      await app.locator('header a[href="onboarding"]').click();
      await inFrame(app, '#redirect_url');
      await app.locator('#redirect_url').fill(address);
      await app.locator('#submit-redirect').click();
      await inFrame(app, '#error');
      expect(await app.locator('h1').textContent()).toBe('Sign-in refused');
    } finally {
      await context.close();
    }
  });

  it('renames a device on the status page: stored, topics moved, errors shown on the form', async () => {
    await h.until(() => h.bridge.store.devices().length > 0, 20_000, 'devices');
    const context = await browser.newContext({ viewport: { width: 1200, height: 640 } });
    try {
      const page = await context.newPage();
      const app = await panel(page, ingress);
      const room = h.bridge.store.device('room_2746182631')!;
      await app.locator(`a[href="rename?device=${room.id}"]`).click();
      await inFrame(app, '#to');
      expect(await app.locator('#topic').textContent()).toBe(`${h.baseTopic}/Livingroom`);
      await app.locator('#to').fill('Ground floor/Living room');
      await page.screenshot({ path: join(shots, 'rename.png') });

      // A taken name is refused on the form, and nothing changes.
      await app.locator('#to').fill('Livingroom thermostat');
      await app.locator('#submit-rename').click();
      await inFrame(app, '#error');
      expect(await app.locator('#error').textContent()).toContain('already the name or id of device');
      expect(h.bridge.names.nameOf(room)).toBe('Livingroom');

      await app.locator('#to').fill('Ground floor/Living room');
      await app.locator('#submit-rename').click();
      await inFrame(app, '#notice');
      expect(await app.locator('#notice').textContent()).toContain('Device renamed');
      expect(h.bridge.names.topicOf(room)).toBe('Ground floor/Living room');
      expect(await app.locator(`a[href="rename?device=${room.id}"]`).textContent()).toBe(
        'Ground floor/Living room',
      );
    } finally {
      await context.close();
    }
  });
});
