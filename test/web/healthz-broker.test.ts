/**
 * /healthz (the container's HEALTHCHECK) through a broker restart: healthy while the bridge
 * reconnects by itself within the grace, unhealthy once the outage lasts longer, healthy again
 * when the broker is back. A real broker of the test's own, stopped and started.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PrivateBroker, startPrivateBroker } from '../support/private-broker.js';
import { startWebHarness, type WebHarness } from './web-harness.js';

const GRACE_MS = 2_000;

describe('/healthz while the MQTT broker restarts', () => {
  let broker: PrivateBroker;
  let h: WebHarness;

  beforeAll(async () => {
    broker = await startPrivateBroker();
    h = await startWebHarness({
      brokerUrl: broker.url,
      withToken: true,
      webLimits: { mqttOutageGraceMs: GRACE_MS },
    });
  });

  afterAll(async () => {
    await h?.close();
    await broker?.close();
  });

  const healthz = async (): Promise<{ status: number; body: Record<string, unknown> }> => {
    const res = await fetch(`${h.web}healthz`);
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  it('stays healthy through a short restart, turns unhealthy after the grace, recovers', async () => {
    expect(await healthz()).toEqual({ status: 200, body: { status: 'ok' } });

    await broker.stop();
    await h.until(() => !h.bridge.mqtt.connected, 10_000, 'the bridge to notice the broker is gone');
    const during = await healthz();
    expect(during.status).toBe(200);
    expect(during.body).toMatchObject({ status: 'ok', mqtt: 'reconnecting' });

    await new Promise((r) => setTimeout(r, GRACE_MS + 200));
    const later = await healthz();
    expect(later.status).toBe(503);
    expect(String(later.body.reason)).toMatch(/^MQTT disconnected since /);

    await broker.start();
    await h.until(() => h.bridge.mqtt.connected, 40_000, 'the bridge to reconnect by itself');
    expect(await healthz()).toEqual({ status: 200, body: { status: 'ok' } });
  }, 60_000);
});
