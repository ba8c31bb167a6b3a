import { afterEach, describe, expect, it } from 'vitest';
import {
  clearRegisteredSecrets,
  REDACTED,
  redact,
  redactString,
  registeredSecretCount,
  registerSecret,
  setSecretSlot,
} from '../../src/util/redact.js';

describe('redact', () => {
  afterEach(() => clearRegisteredSecrets());

  it('redacts credential fields by name, deeply, without mutating the input', () => {
    const input = {
      netatmo: { client_id: 'abc', client_secret: 's3cr3t-value' },
      nested: [{ refresh_token: 'x' }],
    };
    const out = redact(input);
    expect(out).toEqual({
      netatmo: { client_id: 'abc', client_secret: REDACTED },
      nested: [{ refresh_token: REDACTED }],
    });
    expect(input.netatmo.client_secret).toBe('s3cr3t-value');
  });

  it('redacts bearer headers, Netatmo-shaped tokens and form fields inside strings', () => {
    const token = `${'a'.repeat(24)}|${'b'.repeat(32)}`;
    expect(redactString(`Authorization: Bearer ${token}`)).not.toContain(token);
    expect(redactString(`got ${token} back`)).toBe(`got ${REDACTED} back`);
    expect(redactString('grant_type=refresh_token&refresh_token=zzz&client_secret=yyy')).toBe(
      `grant_type=refresh_token&refresh_token=${REDACTED}&client_secret=${REDACTED}`,
    );
    expect(redactString('/cb?state=1&code=abcdef')).toBe(`/cb?state=1&code=${REDACTED}`);
  });

  it('keeps error codes and other harmless numbers', () => {
    expect(redact({ error: { code: 26, message: 'Maximum api usage reached' } })).toEqual({
      error: { code: 26, message: 'Maximum api usage reached' },
    });
  });

  it('redacts registered secret values wherever they appear', () => {
    registerSecret('opaque-token-value');
    expect(redact({ note: 'sent opaque-token-value upstream' })).toEqual({
      note: `sent ${REDACTED} upstream`,
    });
  });

  it('survives cycles', () => {
    const a: Record<string, unknown> = { name: 'a' };
    a.self = a;
    expect(redact(a)).toEqual({ name: 'a', self: '[Circular]' });
  });
});

describe('secrets of the moment', () => {
  afterEach(() => clearRegisteredSecrets());

  it('a slot holds only its newest values: a rotated-out token is no longer searched for', () => {
    setSecretSlot('netatmo-token', ['access-one-xxxxxxxx', 'refresh-one-xxxxxxx']);
    expect(redactString('access-one-xxxxxxxx')).toBe(REDACTED);
    setSecretSlot('netatmo-token', ['access-two-xxxxxxxx', 'refresh-two-xxxxxxx']);
    expect(redactString('access-one-xxxxxxxx refresh-two-xxxxxxx')).toBe(`access-one-xxxxxxxx ${REDACTED}`);
    expect(registeredSecretCount()).toBe(2);
  });

  it('the permanent set is bounded', () => {
    for (let i = 0; i < 1000; i++) registerSecret(`secret-${i}-value`);
    expect(registeredSecretCount()).toBeLessThanOrEqual(256);
    // The newest stay.
    expect(redactString('secret-999-value')).toBe(REDACTED);
  });
});
