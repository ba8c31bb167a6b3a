import { describe, expect, it } from 'vitest';
import { parseHttpDate, parseRetryDelay } from '../../src/netatmo/rate-limit-headers.js';

// Thu, 15 Jan 2026 12:00:00 GMT
const NOW = 1_768_478_400_000;
const NOW_S = NOW / 1000;

interface Case {
  name: string;
  headers?: Record<string, string>;
  body?: unknown;
  delayMs: number;
  source: string;
  capped?: boolean;
  defaulted?: boolean;
}

function run(c: { headers?: Record<string, string>; body?: unknown }, now = NOW) {
  return parseRetryDelay({ headers: new Headers(c.headers ?? {}), body: c.body, now });
}

const dialects: Case[] = [
  {
    name: 'Retry-After delay-seconds',
    headers: { 'Retry-After': '120' },
    delayMs: 120_000,
    source: 'retry-after',
  },
  { name: 'Retry-After zero', headers: { 'Retry-After': '0' }, delayMs: 0, source: 'retry-after' },
  {
    name: 'Retry-After IMF-fixdate',
    headers: { 'Retry-After': 'Thu, 15 Jan 2026 12:02:00 GMT' },
    delayMs: 120_000,
    source: 'retry-after',
  },
  {
    name: 'Retry-After RFC 850 date',
    headers: { 'Retry-After': 'Thursday, 15-Jan-26 12:01:30 GMT' },
    delayMs: 90_000,
    source: 'retry-after',
  },
  {
    name: 'Retry-After asctime date',
    headers: { 'Retry-After': 'Thu Jan 15 12:00:45 2026' },
    delayMs: 45_000,
    source: 'retry-after',
  },
  {
    name: 'Retry-After asctime with a space-padded day',
    headers: { 'Retry-After': 'Sat Jan  3 12:00:00 2026' },
    delayMs: 0, // in the past: retry now
    source: 'retry-after',
  },
  {
    name: 'Retry-After HTTP-date measured against the Date header, not the local clock',
    headers: { 'Retry-After': 'Thu, 15 Jan 2026 12:02:00 GMT', Date: 'Thu, 15 Jan 2026 12:01:00 GMT' },
    delayMs: 60_000,
    source: 'retry-after',
  },
  { name: 'Retry-After-Ms', headers: { 'Retry-After-Ms': '1500' }, delayMs: 1500, source: 'retry-after-ms' },
  {
    name: 'X-RateLimit-Reset as epoch seconds with Remaining 0',
    headers: {
      'X-RateLimit-Limit': '500',
      'X-RateLimit-Remaining': '0',
      'X-RateLimit-Reset': String(NOW_S + 300),
    },
    delayMs: 300_000,
    source: 'x-ratelimit-reset',
  },
  {
    name: 'X-RateLimit-Reset as epoch milliseconds',
    headers: { 'X-RateLimit-Remaining': '0', 'X-RateLimit-Reset': String(NOW + 42_000) },
    delayMs: 42_000,
    source: 'x-ratelimit-reset',
  },
  {
    name: 'X-RateLimit-Reset as delta seconds (statbot)',
    headers: { 'X-RateLimit-Remaining': '0', 'X-RateLimit-Reset': '30' },
    delayMs: 30_000,
    source: 'x-ratelimit-reset',
  },
  {
    name: 'X-RateLimit-Reset without Remaining counts as exhausted',
    headers: { 'X-RateLimit-Reset': '12' },
    delayMs: 12_000,
    source: 'x-ratelimit-reset',
  },
  {
    name: 'X-RateLimit-Reset epoch uses the Date header as now (clock skew)',
    headers: {
      Date: 'Thu, 15 Jan 2026 12:10:00 GMT',
      'X-RateLimit-Remaining': '0',
      'X-RateLimit-Reset': String(NOW_S + 660),
    },
    delayMs: 60_000,
    source: 'x-ratelimit-reset',
  },
  {
    name: 'X-RateLimit-Reset as an HTTP-date string',
    headers: { 'X-RateLimit-Reset': 'Thu, 15 Jan 2026 12:00:20 GMT' },
    delayMs: 20_000,
    source: 'x-ratelimit-reset',
  },
  {
    name: 'X-Rate-Limit-Reset (Twitter) epoch seconds',
    headers: { 'X-Rate-Limit-Remaining': '0', 'X-Rate-Limit-Reset': String(NOW_S + 900) },
    delayMs: 900_000,
    source: 'x-rate-limit-reset',
  },
  {
    name: 'X-RateLimit-Reset-After (Discord) decimal seconds',
    headers: {
      'X-RateLimit-Remaining': '0',
      'X-RateLimit-Reset-After': '1.337',
      'X-RateLimit-Reset': '1768478401.337',
    },
    delayMs: 1337,
    source: 'x-ratelimit-reset-after',
  },
  {
    name: 'X-RateLimit-TTL with Current at the Limit (SmartThings)',
    headers: { 'X-RateLimit-Limit': '250', 'X-RateLimit-Current': '250', 'X-RateLimit-TTL': '58' },
    delayMs: 58_000,
    source: 'x-ratelimit-ttl',
  },
  {
    name: 'X-RateLimit-TTL alone',
    headers: { 'X-RateLimit-TTL': '7' },
    delayMs: 7_000,
    source: 'x-ratelimit-ttl',
  },
  {
    name: 'X-Rate-Limit-Remaining-Seconds (Rollbar)',
    headers: { 'X-Rate-Limit-Remaining': '0', 'X-Rate-Limit-Remaining-Seconds': '25' },
    delayMs: 25_000,
    source: 'x-rate-limit-remaining-seconds',
  },
  {
    name: 'X-RateLimit-Retry-After (Symfony)',
    headers: { 'X-RateLimit-Retry-After': '17' },
    delayMs: 17_000,
    source: 'x-ratelimit-retry-after',
  },
  {
    name: 'IETF draft-10 RateLimit, one exhausted policy',
    headers: { RateLimit: '"default";r=0;t=30', 'RateLimit-Policy': '"default";q=100;w=60' },
    delayMs: 30_000,
    source: 'ratelimit',
  },
  {
    name: 'IETF draft-10 RateLimit, the longest exhausted policy wins, ones with quota left do not count',
    headers: { RateLimit: '"burst";r=0;t=8, "daily";r=0;t=3000, "hourly";r=12;t=3500' },
    delayMs: 3_000_000,
    source: 'ratelimit',
  },
  {
    name: 'IETF draft-10 RateLimit without t falls back to the policy window',
    headers: { RateLimit: '"burst";r=0', 'RateLimit-Policy': '"burst";q=100;w=10, "daily";q=1000;w=86400' },
    delayMs: 10_000,
    source: 'ratelimit',
  },
  {
    name: 'IETF draft-07 RateLimit',
    headers: { RateLimit: 'limit=100, remaining=0, reset=5' },
    delayMs: 5_000,
    source: 'ratelimit',
  },
  {
    name: 'IETF draft-06 RateLimit-Reset (delta seconds, never an epoch)',
    headers: { 'RateLimit-Limit': '100', 'RateLimit-Remaining': '0', 'RateLimit-Reset': '50' },
    delayMs: 50_000,
    source: 'ratelimit-reset',
  },
  {
    name: 'JSON body retry_after (Discord, float seconds)',
    body: { message: 'You are being rate limited.', retry_after: 64.57, global: false },
    delayMs: 64_570,
    source: 'body.retry_after',
  },
  {
    name: 'JSON body retryAfter',
    body: { retryAfter: 3 },
    delayMs: 3_000,
    source: 'body.retry_after',
  },
  {
    name: 'JSON body retry_after nested under error',
    body: { error: { code: 26, message: 'Maximum api usage reached', retry_after: '9' } },
    delayMs: 9_000,
    source: 'body.retry_after',
  },
  {
    name: 'JSON body metadata.recommendedRetryTime (ISO)',
    body: { error: 'TooManyRequestsError', metadata: { recommendedRetryTime: '2026-01-15T12:05:00.000Z' } },
    delayMs: 300_000,
    source: 'body.metadata.recommendedRetryTime',
  },
];

const precedence: Case[] = [
  {
    name: 'Retry-After wins over every other header',
    headers: {
      'Retry-After': '10',
      'Retry-After-Ms': '99000',
      'X-RateLimit-Remaining': '0',
      'X-RateLimit-Reset': String(NOW_S + 500),
      RateLimit: '"default";r=0;t=400',
    },
    body: { retry_after: 77 },
    delayMs: 10_000,
    source: 'retry-after',
  },
  {
    name: 'an unambiguous delta beats the magnitude-guessed reset',
    headers: {
      'X-RateLimit-Remaining': '0',
      'X-RateLimit-Reset': String(NOW_S + 500),
      'X-RateLimit-Reset-After': '4',
    },
    delayMs: 4_000,
    source: 'x-ratelimit-reset-after',
  },
  {
    name: 'the IETF RateLimit t beats X-RateLimit-Reset',
    headers: { RateLimit: '"q";r=0;t=20', 'X-RateLimit-Reset': String(NOW_S + 500) },
    delayMs: 20_000,
    source: 'ratelimit',
  },
  {
    name: 'an explicit body wait beats a window reset header',
    headers: { 'X-RateLimit-Reset': '600' },
    body: { retry_after: 2 },
    delayMs: 2_000,
    source: 'body.retry_after',
  },
  {
    name: 'a reset is ignored while Remaining says quota is left',
    headers: { 'X-RateLimit-Remaining': '37', 'X-RateLimit-Reset': '30' },
    delayMs: 5_000,
    source: 'default',
    defaulted: true,
  },
  {
    name: 'a TTL is ignored while Current is under Limit',
    headers: { 'X-RateLimit-Limit': '250', 'X-RateLimit-Current': '3', 'X-RateLimit-TTL': '58' },
    delayMs: 5_000,
    source: 'default',
    defaulted: true,
  },
  {
    name: 'draft-10 policies that all have quota left say nothing',
    headers: { RateLimit: '"default";r=50;t=30' },
    delayMs: 5_000,
    source: 'default',
    defaulted: true,
  },
];

const garbage: Case[] = [
  { name: 'nothing at all', delayMs: 5_000, source: 'default', defaulted: true },
  {
    name: 'negative Retry-After falls through to the next source',
    headers: { 'Retry-After': '-5', 'X-RateLimit-Retry-After': '3' },
    delayMs: 3_000,
    source: 'x-ratelimit-retry-after',
  },
  {
    name: 'Retry-After NaN',
    headers: { 'Retry-After': 'NaN' },
    delayMs: 5_000,
    source: 'default',
    defaulted: true,
  },
  {
    name: 'Retry-After with trailing junk',
    headers: { 'Retry-After': '120abc' },
    delayMs: 5_000,
    source: 'default',
    defaulted: true,
  },
  {
    name: 'Retry-After in exponent notation',
    headers: { 'Retry-After': '1e3' },
    delayMs: 5_000,
    source: 'default',
    defaulted: true,
  },
  {
    name: 'Retry-After Infinity',
    headers: { 'Retry-After': 'Infinity' },
    delayMs: 5_000,
    source: 'default',
    defaulted: true,
  },
  {
    name: 'Retry-After that only loosely looks like a date',
    headers: { 'Retry-After': '2', 'Retry-After-Ms': 'soon' },
    delayMs: 2_000,
    source: 'retry-after',
  },
  {
    name: 'Retry-After impossible date (31 Feb)',
    headers: { 'Retry-After': 'Sat, 31 Feb 2026 12:00:00 GMT' },
    delayMs: 5_000,
    source: 'default',
    defaulted: true,
  },
  {
    name: 'Retry-After date-ish text Date.parse would accept',
    headers: { 'Retry-After': '2026-01-15 12:05' },
    delayMs: 5_000,
    source: 'default',
    defaulted: true,
  },
  {
    name: 'empty Retry-After',
    headers: { 'Retry-After': '' },
    delayMs: 5_000,
    source: 'default',
    defaulted: true,
  },
  {
    name: 'Retry-After-Ms negative',
    headers: { 'Retry-After-Ms': '-100' },
    delayMs: 5_000,
    source: 'default',
    defaulted: true,
  },
  {
    name: 'X-RateLimit-Reset garbage',
    headers: { 'X-RateLimit-Remaining': '0', 'X-RateLimit-Reset': 'tomorrow' },
    delayMs: 5_000,
    source: 'default',
    defaulted: true,
  },
  {
    name: 'RateLimit with garbage t',
    headers: { RateLimit: '"default";r=0;t=-3' },
    delayMs: 5_000,
    source: 'default',
    defaulted: true,
  },
  {
    name: 'RateLimit that is not a structured field at all',
    headers: { RateLimit: 'banana' },
    delayMs: 5_000,
    source: 'default',
    defaulted: true,
  },
  {
    name: 'body retry_after of the wrong type',
    body: { retry_after: { seconds: 5 } },
    delayMs: 5_000,
    source: 'default',
    defaulted: true,
  },
  {
    name: 'body retry_after negative',
    body: { retry_after: -1 },
    delayMs: 5_000,
    source: 'default',
    defaulted: true,
  },
  {
    name: 'body recommendedRetryTime that is not ISO',
    body: { metadata: { recommendedRetryTime: 'in a while' } },
    delayMs: 5_000,
    source: 'default',
    defaulted: true,
  },
  {
    name: 'body that is an array or a string',
    body: ['retry_after', 5],
    delayMs: 5_000,
    source: 'default',
    defaulted: true,
  },
  {
    name: 'a garbage Date header is ignored (local now is used)',
    headers: { Date: 'yesterday', 'X-RateLimit-Reset': String(NOW_S + 30) },
    delayMs: 30_000,
    source: 'x-ratelimit-reset',
  },
];

const capping: Case[] = [
  {
    name: 'an epoch misread as a delta would be decades: the magnitude rule prevents it',
    headers: { 'X-RateLimit-Reset': '1792152901' },
    // 1792152901 is an epoch in 2026-10: the wait is months, so it is capped at one hour.
    delayMs: 3_600_000,
    source: 'x-ratelimit-reset',
    capped: true,
  },
  {
    name: 'absurd Retry-After is capped',
    headers: { 'Retry-After': '99999999999' },
    delayMs: 3_600_000,
    source: 'retry-after',
    capped: true,
  },
  {
    name: 'an epoch reset in the past means now',
    headers: { 'X-RateLimit-Reset': String(NOW_S - 100) },
    delayMs: 0,
    source: 'x-ratelimit-reset',
  },
];

describe('parseRetryDelay', () => {
  describe.each([
    ['every dialect', dialects],
    ['precedence', precedence],
    ['garbage values', garbage],
    ['capping', capping],
  ])('%s', (_group, cases) => {
    it.each(cases)('$name', (c) => {
      expect(run(c)).toEqual({
        delayMs: c.delayMs,
        source: c.source,
        capped: c.capped ?? false,
        defaulted: c.defaulted ?? false,
      });
    });
  });

  it('honours maxMs and defaultMs options', () => {
    const headers = new Headers({ 'Retry-After': '600' });
    expect(parseRetryDelay({ headers, now: NOW }, { maxMs: 60_000 })).toEqual({
      delayMs: 60_000,
      source: 'retry-after',
      capped: true,
      defaulted: false,
    });
    expect(parseRetryDelay({ headers: new Headers(), now: NOW }, { defaultMs: 30_000 })).toMatchObject({
      delayMs: 30_000,
      defaulted: true,
    });
  });

  it('a delta reset does not depend on the clock, an epoch reset does', () => {
    const delta = { headers: { 'X-RateLimit-Reset': '30' } };
    expect(run(delta, NOW).delayMs).toBe(run(delta, NOW + 10_000).delayMs);
    const epoch = { headers: { 'X-RateLimit-Reset': String(NOW_S + 30) } };
    expect(run(epoch, NOW + 10_000).delayMs).toBe(20_000);
  });
});

describe('parseHttpDate', () => {
  it.each([
    ['Sun, 06 Nov 1994 08:49:37 GMT', Date.UTC(1994, 10, 6, 8, 49, 37)],
    ['Sunday, 06-Nov-94 08:49:37 GMT', Date.UTC(1994, 10, 6, 8, 49, 37)],
    ['Sun Nov  6 08:49:37 1994', Date.UTC(1994, 10, 6, 8, 49, 37)],
    ['Thursday, 15-Jan-26 12:00:00 GMT', NOW],
  ])('reads %s', (text, expected) => {
    expect(parseHttpDate(text, NOW)).toBe(expected);
  });

  it.each([
    '2',
    'Sun, 06 Nov 1994 08:49:37 CET',
    'Sun, 06 Foo 1994 08:49:37 GMT',
    'Sun, 06 Nov 1994 25:00:00 GMT',
  ])('rejects %s', (text) => {
    expect(parseHttpDate(text, NOW)).toBeUndefined();
  });
});
