/**
 * Reads "how long should I wait" from a throttled HTTP answer, in every dialect the wild uses
 * (GitHub, Discord, SmartThings, Symfony, the IETF RateLimit drafts, ...). Netatmo itself
 * usually sends nothing or a plain `Retry-After`, but the bridge may sit behind proxies and WAFs
 * that speak other dialects, and misreading an epoch as a delta has produced "retry after
 * 1792152901 seconds" bugs before.
 *
 * Precedence: explicit waits first (`Retry-After`, `Retry-After-Ms`,
 * `X-RateLimit-Retry-After`, a JSON body `retry_after`), then unambiguous window deltas
 * (`*-Reset-After`, `*-Remaining-Seconds`, `*-TTL`, the IETF `RateLimit` fields), and only then
 * the ambiguous `X-RateLimit-Reset` family, told apart by magnitude. A malformed value never
 * wins: it is skipped and the next source is tried.
 */

export interface RetryDelayInput {
  headers: Headers;
  /** The parsed JSON body, when there was one. */
  body?: unknown;
  /** Epoch ms; the response `Date` header replaces it for epoch-based values when present. */
  now: number;
}

export interface RetryDelayOptions {
  /** Longest wait returned; longer ones are clamped and flagged `capped`. Default one hour. */
  maxMs?: number;
  /** Wait used when no source gives a usable value. Default 5 s. */
  defaultMs?: number;
}

export interface RetryDelay {
  delayMs: number;
  /** Which header or body field the value came from (`default` when none). */
  source: string;
  capped: boolean;
  defaulted: boolean;
}

const DEFAULT_MAX_MS = 3_600_000;
const DEFAULT_DELAY_MS = 5_000;
/** ky's threshold: a reset at or after 2024-01-01Z is an epoch in seconds, anything less a delta. */
const EPOCH_SECONDS_THRESHOLD = 1_704_067_200;
/** Above this, a reset is an epoch in milliseconds (1e12 ms is September 2001). */
const EPOCH_MS_THRESHOLD = 1e12;

/** A wait in ms measured from "now", or undefined when the source is absent or malformed. */
type Reader = (ctx: ReadContext) => number | undefined;

interface ReadContext {
  headers: Headers;
  body: unknown;
  /** "Now" for epochs and dates: the server's `Date` header when usable, else the caller's now. */
  now: number;
}

const SOURCES: ReadonlyArray<readonly [string, Reader]> = [
  ['retry-after', (c) => secondsOrHttpDate(c.headers.get('retry-after'), c.now)],
  ['retry-after-ms', (c) => nonNegativeNumber(c.headers.get('retry-after-ms'))],
  ['x-ratelimit-retry-after', (c) => seconds(c.headers.get('x-ratelimit-retry-after'))],
  ['body.retry_after', (c) => seconds(bodyField(c.body, 'retry_after') ?? bodyField(c.body, 'retryAfter'))],
  ['body.metadata.recommendedRetryTime', (c) => recommendedRetryTime(c.body, c.now)],
  ['x-ratelimit-reset-after', (c) => whenExhausted(c, 'x-ratelimit-remaining', 'x-ratelimit-reset-after')],
  [
    'x-rate-limit-remaining-seconds',
    (c) => whenExhausted(c, 'x-rate-limit-remaining', 'x-rate-limit-remaining-seconds'),
  ],
  ['x-ratelimit-ttl', readTtl],
  [
    'ratelimit',
    (c) => readStructuredRateLimit(c.headers.get('ratelimit'), c.headers.get('ratelimit-policy')),
  ],
  ['ratelimit-reset', (c) => whenExhausted(c, 'ratelimit-remaining', 'ratelimit-reset')],
  ['x-ratelimit-reset', (c) => readAmbiguousReset(c, 'x-ratelimit-remaining', 'x-ratelimit-reset')],
  ['x-rate-limit-reset', (c) => readAmbiguousReset(c, 'x-rate-limit-remaining', 'x-rate-limit-reset')],
];

export function parseRetryDelay(input: RetryDelayInput, options: RetryDelayOptions = {}): RetryDelay {
  const maxMs = options.maxMs ?? DEFAULT_MAX_MS;
  const defaultMs = options.defaultMs ?? DEFAULT_DELAY_MS;
  const serverNow = parseHttpDate(input.headers.get('date'), input.now);
  const ctx: ReadContext = { headers: input.headers, body: input.body, now: serverNow ?? input.now };
  for (const [source, read] of SOURCES) {
    const wait = read(ctx);
    if (wait === undefined || Number.isNaN(wait)) continue;
    // A date in the past means "now"; only raw negative numbers count as garbage (rejected earlier).
    const delayMs = Math.max(0, Math.ceil(wait));
    if (delayMs > maxMs) return { delayMs: maxMs, source, capped: true, defaulted: false };
    return { delayMs, source, capped: false, defaulted: false };
  }
  return { delayMs: Math.min(defaultMs, maxMs), source: 'default', capped: false, defaulted: true };
}

// ---- numbers ----------------------------------------------------------------------------------

const DECIMAL = /^\d+(?:\.\d+)?$/;

/** A non-negative decimal (no sign, no exponent, no hex), else undefined. */
function nonNegativeNumber(raw: unknown): number | undefined {
  if (typeof raw === 'number') return Number.isFinite(raw) && raw >= 0 ? raw : undefined;
  if (typeof raw !== 'string') return undefined;
  const text = raw.trim();
  if (!DECIMAL.test(text)) return undefined;
  const value = Number(text);
  return Number.isFinite(value) ? value : undefined;
}

function seconds(raw: unknown): number | undefined {
  const value = nonNegativeNumber(raw);
  return value === undefined ? undefined : value * 1000;
}

function secondsOrHttpDate(raw: string | null, now: number): number | undefined {
  if (raw === null) return undefined;
  const delay = seconds(raw);
  if (delay !== undefined) return delay;
  const at = parseHttpDate(raw, now);
  return at === undefined ? undefined : at - now;
}

/** `remaining` is a count; a window wait only matters when it is 0 or not sent. */
function isExhausted(raw: string | null): boolean {
  if (raw === null) return true;
  const remaining = nonNegativeNumber(raw);
  // A garbage count says nothing either way: treat like an absent one.
  return remaining === undefined || remaining === 0;
}

function whenExhausted(ctx: ReadContext, remainingHeader: string, delayHeader: string): number | undefined {
  const raw = ctx.headers.get(delayHeader);
  if (raw === null || !isExhausted(ctx.headers.get(remainingHeader))) return undefined;
  return seconds(raw);
}

/** SmartThings: TTL = seconds left in the window; Current/Limit say whether it is used up. */
function readTtl(ctx: ReadContext): number | undefined {
  const raw = ctx.headers.get('x-ratelimit-ttl');
  if (raw === null) return undefined;
  const current = nonNegativeNumber(ctx.headers.get('x-ratelimit-current'));
  const limit = nonNegativeNumber(ctx.headers.get('x-ratelimit-limit'));
  if (current !== undefined && limit !== undefined && current < limit) return undefined;
  return seconds(raw);
}

/**
 * `X-RateLimit-Reset` / `X-Rate-Limit-Reset`: epoch ms, epoch seconds or delta seconds by
 * magnitude (at or after 2024-01-01 in seconds: an epoch; above 1e12: epoch ms; else a delta),
 * or, rarely, a date string.
 */
function readAmbiguousReset(
  ctx: ReadContext,
  remainingHeader: string,
  resetHeader: string,
): number | undefined {
  const raw = ctx.headers.get(resetHeader);
  if (raw === null || !isExhausted(ctx.headers.get(remainingHeader))) return undefined;
  const value = nonNegativeNumber(raw);
  if (value === undefined) {
    const at = parseHttpDate(raw, ctx.now) ?? parseIsoDate(raw);
    return at === undefined ? undefined : at - ctx.now;
  }
  if (value >= EPOCH_MS_THRESHOLD) return value - ctx.now;
  if (value >= EPOCH_SECONDS_THRESHOLD) return value * 1000 - ctx.now;
  return value * 1000;
}

// ---- IETF RateLimit fields ----------------------------------------------------------------

/**
 * draft-10 (`"burst";r=0;t=30, "daily";r=5;t=3600`) or draft-07 (`limit=100, remaining=0, reset=5`).
 * `t` and `reset` are always delta seconds. The wait is the longest among exhausted policies;
 * policies with quota left do not hold us back. An exhausted policy without `t` falls back to
 * its window `w` from `RateLimit-Policy` (the longest it can take to refill).
 */
function readStructuredRateLimit(raw: string | null, policyRaw: string | null): number | undefined {
  if (raw === null) return undefined;
  const trimmed = raw.trim();
  if (trimmed.startsWith('"')) return readDraft10(trimmed, policyWindows(policyRaw));
  return readDraft07(trimmed);
}

function readDraft10(raw: string, windows: Map<string, number>): number | undefined {
  let longest: number | undefined;
  for (const item of splitList(raw)) {
    const [name = '', ...rest] = item.split(';');
    const params = parseParams(rest);
    const rRaw = params.get('r');
    const remaining = rRaw === undefined ? undefined : nonNegativeNumber(rRaw);
    if (remaining !== undefined && remaining > 0) continue;
    const t = seconds(params.get('t')) ?? windows.get(name.trim());
    if (t === undefined) continue;
    longest = longest === undefined ? t : Math.max(longest, t);
  }
  return longest;
}

/** `RateLimit-Policy: "burst";q=100;w=60, "daily";q=1000;w=86400` → name → window in ms. */
function policyWindows(raw: string | null): Map<string, number> {
  const windows = new Map<string, number>();
  if (raw === null) return windows;
  for (const item of splitList(raw)) {
    const [name = '', ...rest] = item.split(';');
    const w = seconds(parseParams(rest).get('w'));
    if (w !== undefined) windows.set(name.trim(), w);
  }
  return windows;
}

function readDraft07(raw: string): number | undefined {
  const params = parseParams(splitList(raw));
  const reset = seconds(params.get('reset'));
  if (reset === undefined) return undefined;
  const remaining = params.get('remaining');
  if (remaining !== undefined && !isExhausted(remaining)) return undefined;
  return reset;
}

function splitList(raw: string): string[] {
  return raw
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part.length > 0);
}

function parseParams(parts: string[]): Map<string, string> {
  const params = new Map<string, string>();
  for (const part of parts) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    const key = part.slice(0, eq).trim().toLowerCase();
    if (!params.has(key)) params.set(key, part.slice(eq + 1).trim());
  }
  return params;
}

// ---- JSON bodies ----------------------------------------------------------------------------

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Discord puts `retry_after` at the top level; some APIs nest it under `error`. */
function bodyField(body: unknown, key: string): unknown {
  if (!isRecord(body)) return undefined;
  if (Object.hasOwn(body, key)) return body[key];
  const error = body.error;
  if (isRecord(error) && Object.hasOwn(error, key)) return error[key];
  return undefined;
}

function recommendedRetryTime(body: unknown, now: number): number | undefined {
  if (!isRecord(body) || !isRecord(body.metadata)) return undefined;
  const raw = body.metadata.recommendedRetryTime;
  if (typeof raw !== 'string') return undefined;
  const at = parseIsoDate(raw);
  return at === undefined ? undefined : at - now;
}

// ---- dates ----------------------------------------------------------------------------------

const ISO_DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})$/i;

function parseIsoDate(raw: string): number | undefined {
  const text = raw.trim();
  if (!ISO_DATE.test(text)) return undefined;
  const at = Date.parse(text);
  return Number.isFinite(at) ? at : undefined;
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const DAY = '(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)';
const LONG_DAY = '(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)';
const MONTH = '(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)';
const TIME = '(\\d{2}):(\\d{2}):(\\d{2})';
// RFC 9110 §5.6.7: the preferred format and the two obsolete ones a recipient must accept.
const IMF_FIXDATE = new RegExp(`^${DAY}, (\\d{2}) ${MONTH} (\\d{4}) ${TIME} GMT$`, 'i');
const RFC850_DATE = new RegExp(`^${LONG_DAY}, (\\d{2})-${MONTH}-(\\d{2}) ${TIME} GMT$`, 'i');
const ASCTIME_DATE = new RegExp(`^${DAY} ${MONTH} ([ \\d]\\d) ${TIME} (\\d{4})$`, 'i');

/**
 * Strict HTTP-date parser. `Date.parse` is too lenient ("2" parses as a year), which would
 * turn garbage into a wait. `now` resolves RFC 850's two-digit years.
 */
export function parseHttpDate(raw: string | null, now: number): number | undefined {
  if (raw === null) return undefined;
  const text = raw.trim();
  let m = IMF_FIXDATE.exec(text);
  if (m) return utc(Number(m[3]), m[2], Number(m[1]), m[4], m[5], m[6]);
  m = RFC850_DATE.exec(text);
  if (m) return utc(fullYear(Number(m[3]), now), m[2], Number(m[1]), m[4], m[5], m[6]);
  m = ASCTIME_DATE.exec(text);
  if (m) return utc(Number(m[6]), m[1], Number(m[2]?.trim()), m[3], m[4], m[5]);
  return undefined;
}

/** RFC 9110: a two-digit year more than 50 years ahead means the most recent past century. */
function fullYear(twoDigits: number, now: number): number {
  const thisYear = new Date(now).getUTCFullYear();
  let year = Math.floor(thisYear / 100) * 100 + twoDigits;
  if (year > thisYear + 50) year -= 100;
  return year;
}

function utc(
  year: number,
  monthName: string | undefined,
  day: number,
  hh: string | undefined,
  mm: string | undefined,
  ss: string | undefined,
): number | undefined {
  const month = MONTHS.indexOf((monthName ?? '').toLowerCase());
  const [h, min, s] = [Number(hh), Number(mm), Number(ss)];
  if (month < 0 || day < 1 || day > 31 || h > 23 || min > 59 || s > 60) return undefined;
  const at = Date.UTC(year, month, day, h, min, Math.min(s, 59));
  // Reject dates that roll over (31 Feb) instead of silently moving them.
  if (new Date(at).getUTCDate() !== day) return undefined;
  return at;
}
