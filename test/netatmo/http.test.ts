/**
 * sendApiRequest against a tiny node:http server, for what the simulator does not produce:
 * foreign rate-limit header dialects, redirects, oversized answers, echoed tokens, refused ports.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { NetatmoError } from '../../src/netatmo/errors.js';
import { type SendOptions, sendApiRequest } from '../../src/netatmo/http.js';
import { type RunningSimulator, startSimulator } from '../../src/simulator/index.js';

const TOKEN = 'aaaaaaaaaaaaaaaaaaaaaaaa|bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb';
const NOW = 1_768_478_400_000;

interface Seen {
  method?: string;
  url?: string;
  headers?: IncomingMessage['headers'];
  body?: string;
}

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

let server: Server;
let baseUrl: string;
let handler: Handler;
let seen: Seen;

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => {
      body += chunk.toString();
    });
    req.on('end', () => {
      seen = { method: req.method, url: req.url, headers: req.headers, body };
      handler(req, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

beforeEach(() => {
  seen = {};
  handler = (_req, res) => json(res, 200, { status: 'ok', time_server: 1, body: {} });
});

function json(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

const send = (endpoint = 'homestatus', extra: Partial<Parameters<typeof sendApiRequest>[3]> = {}) =>
  sendApiRequest(baseUrl, { endpoint, params: { home_id: 'h1' } }, TOKEN, {
    timeoutMs: 2_000,
    now: () => NOW,
    ...extra,
  });

async function failure(promise: Promise<unknown>): Promise<NetatmoError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(NetatmoError);
  return error as NetatmoError;
}

describe('sendApiRequest request encoding', () => {
  it('POSTs form fields to /api/<endpoint> with a bearer token, dropping undefined ones', async () => {
    handler = (_req, res) =>
      json(res, 200, { status: 'ok', time_server: 1_559_162_635, body: { home: { id: 'h1' } } });
    const answer = await sendApiRequest(
      `${baseUrl}/`,
      {
        endpoint: 'setroomthermpoint',
        params: { home_id: 'h1', room_id: 'r 1', temp: 19.5, endtime: undefined, on: true },
      },
      TOKEN,
      { timeoutMs: 2_000, now: () => NOW },
    );
    expect(seen.method).toBe('POST');
    expect(seen.url).toBe('/api/setroomthermpoint');
    expect(seen.headers?.authorization).toBe(`Bearer ${TOKEN}`);
    expect(seen.headers?.['content-type']).toBe('application/x-www-form-urlencoded');
    expect(Object.fromEntries(new URLSearchParams(seen.body))).toEqual({
      home_id: 'h1',
      room_id: 'r 1',
      temp: '19.5',
      on: 'true',
    });
    expect(answer).toMatchObject({ status: 200, timeServer: 1_559_162_635, body: { home: { id: 'h1' } } });
  });

  it('sends a JSON body when the request has one', async () => {
    const json = { home: { id: 'h1', modules: [{ id: 'm1', bridge: 'b1', on: true }] } };
    await sendApiRequest(baseUrl, { endpoint: 'setstate', json }, TOKEN, {
      timeoutMs: 2_000,
      now: () => NOW,
    });
    expect(seen.headers?.['content-type']).toBe('application/json');
    expect(JSON.parse(seen.body ?? '')).toEqual(json);
  });

  it('a bare {"status":"ok"} answer has an undefined body', async () => {
    handler = (_req, res) => json(res, 200, { status: 'ok', time_exec: 0.02, time_server: 5 });
    const answer = await send('setthermmode');
    expect(answer.body).toBeUndefined();
    expect(answer.timeServer).toBe(5);
  });
});

describe('sendApiRequest throttle waits in foreign dialects', () => {
  it.each([
    ['IETF draft-10 RateLimit', { RateLimit: '"user";r=0;t=42' }, 42_000],
    ['IETF draft-07 RateLimit', { RateLimit: 'limit=500, remaining=0, reset=13' }, 13_000],
    [
      'X-RateLimit-Reset epoch seconds',
      { 'X-RateLimit-Remaining': '0', 'X-RateLimit-Reset': String(NOW / 1000 + 90) },
      90_000,
    ],
    ['X-RateLimit-Reset-After', { 'X-RateLimit-Reset-After': '2.5' }, 2_500],
    ['Retry-After HTTP-date', { 'Retry-After': new Date(NOW + 30_000).toUTCString() }, 30_000],
  ])('%s on a 429 + code 26 becomes retryAfterMs and retryAt', async (_name, headers, waitMs) => {
    handler = (_req, res) =>
      // The server's Date header is "now" for epochs; make it agree with the test's clock.
      json(
        res,
        429,
        { error: { code: 26, message: 'Maximum api usage reached' } },
        {
          Date: new Date(NOW).toUTCString(),
          ...(headers as Record<string, string>),
        },
      );
    const error = await failure(send());
    expect(error.kind).toBe('throttled');
    expect(error.status).toBe(429);
    expect(error.code).toBe(26);
    expect(error.endpoint).toBe('homestatus');
    expect(error.retryAfterMs).toBe(waitMs);
    expect(error.retryAt).toBe(NOW + waitMs);
  });

  it('a throttle without any hint carries no invented wait', async () => {
    handler = (_req, res) => json(res, 429, { error: { code: 26, message: 'Maximum api usage reached' } });
    const error = await failure(send());
    expect(error.kind).toBe('throttled');
    expect(error.retryAfterMs).toBeUndefined();
    expect(error.retryAt).toBeUndefined();
  });

  it('an absurd wait is capped at maxRetryAfterMs', async () => {
    handler = (_req, res) =>
      json(res, 429, { error: { code: 11, message: 'x' } }, { 'Retry-After': '86400' });
    const error = await failure(send('homestatus', { maxRetryAfterMs: 600_000 }));
    expect(error.kind).toBe('waf_overload');
    expect(error.retryAfterMs).toBe(600_000);
  });

  it('a Retry-After on an ordinary 400 is not read as a throttle', async () => {
    handler = (_req, res) =>
      json(res, 400, { error: { code: 10, message: 'Missing home_id' } }, { 'Retry-After': '60' });
    const error = await failure(send());
    expect(error.kind).toBe('api');
    expect(error.code).toBe(10);
    expect(error.retryAfterMs).toBeUndefined();
    expect(error.message).toContain('Missing home_id');
  });
});

describe('sendApiRequest never leaks the token', () => {
  it('redacts a token the server echoes back in its error message', async () => {
    handler = (req, res) =>
      json(res, 403, {
        error: { code: 2, message: `Invalid access token ${req.headers.authorization ?? ''}` },
      });
    const error = await failure(send());
    expect(error.kind).toBe('token_invalid');
    expect(error.message).not.toContain(TOKEN);
    expect(JSON.stringify(error.toJSON())).not.toContain(TOKEN);
  });

  it('redacts an echoed token in a non-JSON error page', async () => {
    handler = (_req, res) => {
      res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(`upstream failed for token ${TOKEN.slice(0, 24)}|${TOKEN.slice(25)}`);
    };
    const error = await failure(send());
    expect(error.kind).toBe('transient');
    expect(error.message).not.toContain(TOKEN);
  });

  it('does not follow a redirect (which would carry the token elsewhere)', async () => {
    let redirected = false;
    const other = createServer((_req, res) => {
      redirected = true;
      res.end('{}');
    });
    await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
    try {
      const target = `http://127.0.0.1:${(other.address() as AddressInfo).port}/steal`;
      handler = (_req, res) => {
        res.writeHead(307, { location: target });
        res.end();
      };
      const error = await failure(send());
      expect(error.kind).toBe('api');
      expect(error.status).toBe(307);
      expect(redirected).toBe(false);
    } finally {
      await new Promise<void>((resolve) => other.close(() => resolve()));
    }
  });
});

describe('sendApiRequest hostile and broken answers', () => {
  it('refuses an answer larger than maxBodyBytes', async () => {
    handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(`{"status":"ok","body":{"pad":"${'x'.repeat(200_000)}"}}`);
    };
    const error = await failure(send('homesdata', { maxBodyBytes: 50_000 }));
    expect(error.kind).toBe('invalid_response');
    expect(error.message).toContain('larger than');
  });

  it('a 200 whose envelope is not ok is invalid, not success', async () => {
    handler = (_req, res) => json(res, 200, { status: 'failed', body: {} });
    const error = await failure(send());
    expect(error.kind).toBe('invalid_response');
    expect(error.message).toMatch(/homestatus: envelope status/);
  });

  it('a 200 carrying a Netatmo error body is an API error', async () => {
    handler = (_req, res) => json(res, 200, { error: { code: 21, message: 'Invalid id' } });
    const error = await failure(send());
    expect(error.kind).toBe('api');
    expect(error.code).toBe(21);
  });

  it('an OAuth-style string error is kept as the message', async () => {
    handler = (_req, res) => json(res, 400, { error: 'too_many_connections' });
    const error = await failure(send());
    expect(error.kind).toBe('api');
    expect(error.message).toContain('too_many_connections');
  });

  it('a refused connection is transient and says so', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const error = await failure(
      sendApiRequest(`http://127.0.0.1:${port}`, { endpoint: 'homesdata' }, TOKEN, {
        timeoutMs: 2_000,
        now: () => NOW,
      }),
    );
    expect(error.kind).toBe('transient');
    expect(error.message).toContain('ECONNREFUSED');
  });

  it('rejects an endpoint name that would change the path', async () => {
    await expect(
      sendApiRequest(baseUrl, { endpoint: '../oauth2/token' }, TOKEN, { timeoutMs: 1_000, now: () => NOW }),
    ).rejects.toThrow(TypeError);
  });
});

// ---- against the Netatmo simulator over real HTTP ---------------------------------------------

describe('sendApiRequest against the simulator', () => {
  let sim: RunningSimulator;
  let token: string;

  beforeAll(async () => {
    sim = await startSimulator();
  });
  afterAll(async () => {
    await sim.close();
  });
  beforeEach(() => {
    sim.setFaults({ clear: true });
    token = sim.mintTokens().access_token;
  });

  const call = (endpoint: string, params: Record<string, string> = {}, extra: Partial<SendOptions> = {}) =>
    sendApiRequest(sim.url, { endpoint, params }, token, {
      timeoutMs: 2_000,
      now: () => sim.clock.now(),
      ...extra,
    });

  it('returns the envelope body and time_server of a real answer', async () => {
    const answer = await call('homesdata');
    expect(answer.status).toBe(200);
    expect(answer.timeServer).toBeTypeOf('number');
    const homes = (answer.body as { homes: Array<{ id: string }> }).homes;
    expect(homes.length).toBeGreaterThan(0);
    expect(homes[0]?.id).toBeTypeOf('string');
  });

  it('a burst of 503s is transient each time, then the endpoint answers again', async () => {
    sim.setFaults({ rules: [{ kind: 'status', status: 503, count: 2, endpoints: ['homesdata'] }] });
    for (let i = 0; i < 2; i++) {
      const error = await failure(call('homesdata'));
      expect(error).toMatchObject({ kind: 'transient', status: 503, endpoint: 'homesdata' });
    }
    await expect(call('homesdata')).resolves.toMatchObject({ status: 200 });
  });

  it('a 500 with Netatmo code 11 (internal error, not WAF) is transient', async () => {
    sim.setFaults({ rules: [{ kind: 'status', status: 500, count: 1 }] });
    const error = await failure(call('homesdata'));
    expect(error).toMatchObject({ kind: 'transient', status: 500, code: 11 });
  });

  it('a server that never answers is a transient timeout after timeoutMs', async () => {
    sim.setFaults({ rules: [{ kind: 'timeout', count: 1 }] });
    const started = Date.now();
    const error = await failure(call('homesdata', {}, { timeoutMs: 250 }));
    expect(error.kind).toBe('transient');
    expect(error.message).toBe('homesdata: no complete answer within 250 ms');
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it("a caller's abort rethrows the caller's reason, not a NetatmoError", async () => {
    sim.setFaults({ rules: [{ kind: 'timeout', count: 1 }] });
    const controller = new AbortController();
    const reason = new Error('shutting down');
    setTimeout(() => controller.abort(reason), 50);
    await expect(call('homesdata', {}, { signal: controller.signal, timeoutMs: 5_000 })).rejects.toBe(reason);
  });

  it('an already aborted signal sends nothing', async () => {
    sim.resetStats();
    const controller = new AbortController();
    controller.abort(new Error('gone'));
    await expect(call('homesdata', {}, { signal: controller.signal })).rejects.toThrow('gone');
    expect(sim.stats().requests.homesdata ?? 0).toBe(0);
  });

  it('a reset connection is transient and names the cause', async () => {
    sim.setFaults({ rules: [{ kind: 'reset', count: 1 }] });
    const error = await failure(call('homesdata'));
    expect(error.kind).toBe('transient');
    expect(error.message).toMatch(/^homesdata: (connection reset|connection closed|network error)/);
  });

  it.each([
    ['malformed_json', /not valid JSON/],
    ['truncated', /answer was cut short/],
    ['html', /not valid JSON \(text\/html/],
  ] as const)('a 200 with %s content is invalid_response', async (kind, message) => {
    sim.setFaults({ rules: [{ kind, count: 1 }] });
    const error = await failure(call('homesdata'));
    expect(error).toMatchObject({ kind: 'invalid_response', status: 200, endpoint: 'homesdata' });
    expect(error.message).toMatch(message);
  });

  it('a token invalidated by rotation is token_invalid (403, code 2), and the token is nowhere in the error', async () => {
    const pair = sim.mintTokens();
    const rotated = await fetch(`${sim.url}/oauth2/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'refresh_token',
        refresh_token: pair.refresh_token,
        client_id: 'test',
        client_secret: 'test-secret',
      }),
    });
    expect(rotated.status).toBe(200);
    const next = (await rotated.json()) as { access_token: string };
    token = pair.access_token;
    const error = await failure(call('homestatus', { home_id: '91763b24c43d3e344f424e8b' }));
    expect(error).toMatchObject({ kind: 'token_invalid', status: 403, code: 2 });
    expect(`${error.message} ${JSON.stringify(error.toJSON())}`).not.toContain(pair.access_token);
    token = next.access_token;
    await expect(call('homesdata')).resolves.toMatchObject({ status: 200 });
  });

  it('an expired token is token_invalid with code 3', async () => {
    sim.advanceClock(10_800_000 + 1_000);
    const error = await failure(call('homesdata'));
    expect(error).toMatchObject({ kind: 'token_invalid', status: 403, code: 3 });
  });
});

describe.each([
  ['429', { kind: 'throttled', status: 429, code: 26 }],
  ['403', { kind: 'throttled', status: 403, code: 26 }],
  ['waf', { kind: 'waf_overload', status: 429, code: 11 }],
] as const)('throttle dialect %s from the simulator', (dialect, expected) => {
  let sim: RunningSimulator;

  beforeAll(async () => {
    sim = await startSimulator({ throttle: dialect });
  });
  afterAll(async () => {
    await sim.close();
  });

  const call = () =>
    sendApiRequest(sim.url, { endpoint: 'homesdata' }, sim.mintTokens().access_token, {
      timeoutMs: 2_000,
      now: () => sim.clock.now(),
    });

  it('is classified by status and code, with the Retry-After it carries', async () => {
    sim.setFaults({ clear: true, rules: [{ kind: 'throttle', count: 1, retry_after: 120 }] });
    const before = sim.clock.now();
    const error = await failure(call());
    expect(error).toMatchObject({ ...expected, endpoint: 'homesdata', retryAfterMs: 120_000 });
    expect(error.retryAt).toBeGreaterThanOrEqual(before + 120_000);
    expect(error.retryAt).toBeLessThan(before + 125_000);
  });

  it('without Retry-After the error carries no wait (the WAF always sends one)', async () => {
    sim.setFaults({ clear: true, rules: [{ kind: 'throttle', count: 1 }] });
    const error = await failure(call());
    expect(error.kind).toBe(expected.kind);
    expect(error.retryAfterMs).toBe(dialect === 'waf' ? 1_000 : undefined);
  });

  it('the real quota, once spent, answers in the same dialect', async () => {
    sim.setFaults({ clear: true });
    const limited = await startSimulator({ throttle: dialect, limits: { userPer10s: 2 } });
    try {
      const access = limited.mintTokens().access_token;
      const send = () =>
        sendApiRequest(limited.url, { endpoint: 'homesdata' }, access, {
          timeoutMs: 2_000,
          now: () => Date.now(),
        });
      await send();
      await send();
      const error = await failure(send());
      expect(error).toMatchObject(expected);
    } finally {
      await limited.close();
    }
  });
});
