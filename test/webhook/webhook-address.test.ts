import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { redactString } from '../../src/util/redact.js';
import { hasValidSignature } from '../../src/webhook/signature.js';
import { isWebhookPath, webhookAddress } from '../../src/webhook/webhook-url.js';

describe('the webhook address', () => {
  it('is a secret path under the public URL, stable, and different per client secret and URL', () => {
    const a = webhookAddress('https://home.example.org/netatmo/', 'client-secret-A');
    expect(a.url).toMatch(/^https:\/\/home\.example\.org\/netatmo\/webhook\/[0-9a-f]{40}$/);
    expect(a.origin).toBe('https://home.example.org');
    expect(webhookAddress('https://home.example.org/netatmo', 'client-secret-A').url).toBe(a.url);
    expect(webhookAddress('https://home.example.org/netatmo', 'client-secret-B').token).not.toBe(a.token);
    expect(webhookAddress('https://other.example.org', 'client-secret-A').token).not.toBe(a.token);
    // A secret: no log line can show it.
    expect(redactString(`registered ${a.url}`)).not.toContain(a.token);
  });

  it('matches its path whether or not a proxy stripped the public prefix, and nothing else', () => {
    const { token } = webhookAddress('https://home.example.org/netatmo', 'client-secret-A');
    expect(isWebhookPath(`/webhook/${token}`, token)).toBe(true);
    expect(isWebhookPath(`/netatmo/webhook/${token}`, token)).toBe(true);
    const other = `${token.slice(0, -1)}${token.endsWith('0') ? '1' : '0'}`;
    expect(isWebhookPath(`/webhook/${other}`, token)).toBe(false);
    expect(isWebhookPath('/webhook/', token)).toBe(false);
    expect(isWebhookPath(`/webhook/${token}/x`, token)).toBe(false);
    expect(isWebhookPath(`/${token}`, token)).toBe(false);
  });
});

describe('X-Netatmo-secret', () => {
  const body = Buffer.from('{"push_type":"NACamera-movement"}');
  const good = createHmac('sha256', 'the-client-secret').update(body).digest('hex');

  it('accepts the HMAC-SHA256 of the raw body keyed by the client secret, in either case', () => {
    expect(hasValidSignature(body, good, 'the-client-secret')).toBe(true);
    expect(hasValidSignature(body, good.toUpperCase(), 'the-client-secret')).toBe(true);
  });

  it('refuses a missing, malformed or wrongly keyed signature, and a changed body', () => {
    expect(hasValidSignature(body, undefined, 'the-client-secret')).toBe(false);
    expect(hasValidSignature(body, 'abc', 'the-client-secret')).toBe(false);
    expect(hasValidSignature(body, good, 'another-secret')).toBe(false);
    expect(hasValidSignature(Buffer.from(`${body} `), good, 'the-client-secret')).toBe(false);
  });
});
