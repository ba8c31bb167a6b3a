/**
 * addwebhook's retry policy on a virtual clock, against a scripted Netatmo: backoff through
 * throttles and outages (a throttle's own end honoured), a refusal is final, and a webhook
 * Netatmo cannot reach is registered again only once an hour (Netatmo bans a webhook after
 * five failed deliveries in an hour). The real 429 dance runs end to end in
 * test/e2e/webhook.test.ts.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { setLogLevel } from '../../src/log.js';
import { NetatmoError } from '../../src/netatmo/errors.js';
import {
  ACTIVATION_WAIT_MS,
  FIRST_RETRY_MS,
  UNREACHABLE_RETRY_MS,
  type WebhookApi,
  WebhookRegistration,
} from '../../src/webhook/webhook-registration.js';
import { VirtualClock } from '../poller/virtual-clock.js';

const MIN = 60_000;
beforeAll(() => setLogLevel('error'));

class ScriptedWebhookApi implements WebhookApi {
  readonly adds: number[] = [];
  drops = 0;
  /** Errors for the next calls, in order; then success. */
  failures: Error[] = [];
  onAdd: () => void = () => {};
  constructor(readonly clock: VirtualClock) {}

  async addWebhook(): Promise<void> {
    this.adds.push(this.clock.now());
    const failure = this.failures.shift();
    if (failure) throw failure;
    this.onAdd();
  }

  async dropWebhook(): Promise<void> {
    this.drops += 1;
  }
}

function setup() {
  const clock = new VirtualClock();
  const api = new ScriptedWebhookApi(clock);
  const registration = new WebhookRegistration({
    api,
    clock,
    url: 'https://x.example/webhook/s',
    origin: 'https://x.example',
  });
  return { clock, api, registration, start: clock.now() };
}

describe('WebhookRegistration', () => {
  it('retries 5xx and throttles with growing waits, honouring the throttle’s end, then activates', async () => {
    const { clock, api, registration, start } = setup();
    api.failures = [
      new NetatmoError('transient', 'addwebhook: HTTP 503', { status: 503 }),
      new NetatmoError('throttle_window', 'quota', { retryAt: start + 10 * MIN }),
      new NetatmoError('rate_limited', 'addwebhook: HTTP 429', { status: 429 }),
    ];
    api.onAdd = () => registration.activated();
    registration.start();
    await clock.advance(30 * MIN);
    expect(api.adds.map((t) => t - start)).toEqual([
      0,
      FIRST_RETRY_MS,
      10 * MIN,
      10 * MIN + 4 * FIRST_RETRY_MS,
    ]);
    expect(registration.status()).toMatchObject({ state: 'active', attempts: 4 });
    await registration.stop();
    expect(api.drops).toBe(1);
  });

  it('gives up on a refusal (a port Netatmo does not deliver to) and says so', async () => {
    const { clock, api, registration } = setup();
    api.failures = [
      new NetatmoError('api', 'Allowed ports for webhooks are 80, 88, 443 and 9443.', { code: 21 }),
    ];
    registration.start();
    await clock.advance(3 * 60 * MIN);
    expect(api.adds).toHaveLength(1);
    expect(registration.status()).toMatchObject({
      state: 'refused',
      last_error: expect.stringContaining('code 21'),
    });
    await registration.stop();
    expect(api.drops).toBe(0);
  });

  it('registers an unreachable webhook again only once an hour, under Netatmo’s ban rule', async () => {
    const { clock, api, registration, start } = setup();
    registration.start();
    await clock.advance(ACTIVATION_WAIT_MS + 1_000);
    expect(registration.state).toBe('unreachable');
    await clock.advance(5 * 60 * MIN);
    const perHour = api.adds.filter((t) => t < start + 60 * MIN).length;
    expect(perHour).toBeLessThan(5);
    for (let i = 1; i < api.adds.length; i++) {
      expect((api.adds[i] ?? 0) - (api.adds[i - 1] ?? 0)).toBeGreaterThanOrEqual(UNREACHABLE_RETRY_MS);
    }
    // Netatmo gets through at last: the next ping confirms it.
    api.onAdd = () => registration.activated();
    await clock.advance(UNREACHABLE_RETRY_MS + ACTIVATION_WAIT_MS);
    expect(registration.state).toBe('active');
    await registration.stop();
  });

  it('counts the activation when it arrives before addwebhook’s own answer', async () => {
    const { clock, api, registration } = setup();
    api.onAdd = () => registration.activated();
    registration.start();
    await clock.advance(1_000);
    expect(registration.state).toBe('active');
    await clock.advance(3 * 60 * MIN);
    expect(api.adds).toHaveLength(1);
    await registration.stop();
  });
});
