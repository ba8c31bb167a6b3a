/**
 * The web server's bounds, on raw sockets against a real bridge: a body that trickles is cut
 * off when the request timeout ends, connections beyond the cap are dropped, an oversized form
 * is refused at once, and a client that hangs up mid-request is a debug line, not an error.
 */
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_WEB_LIMITS } from '../../src/web/server.js';
import { type TestBroker, useTestBroker } from '../support/broker.js';
import { captureLog } from '../support/log-capture.js';
import { startWebHarness, type WebHarness } from './web-harness.js';

const REQUEST_TIMEOUT_MS = 1_500;
const MAX_CONNECTIONS = 6;

let broker: TestBroker;
let h: WebHarness;
let port: number;

beforeAll(async () => {
  broker = await useTestBroker();
  h = await startWebHarness({
    brokerUrl: broker.url,
    withToken: false,
    webLimits: { requestTimeoutMs: REQUEST_TIMEOUT_MS, maxConnections: MAX_CONNECTIONS },
  });
  port = Number(new URL(h.web).port);
});

afterAll(async () => {
  await h.close();
  await broker.close();
});

interface Conversation {
  socket: Socket;
  /** Everything the server sent. */
  received(): string;
  /** Resolves with the milliseconds from `since` until the server closed the connection. */
  closed: Promise<number>;
}

function open(since = Date.now()): Promise<Conversation> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let data = '';
    socket.on('data', (chunk) => {
      data += chunk.toString();
    });
    const closed = new Promise<number>((done) => socket.once('close', () => done(Date.now() - since)));
    socket.once('error', () => {});
    socket.once('connect', () => resolve({ socket, received: () => data, closed }));
    socket.once('error', reject);
  });
}

const head = (length: number): string =>
  `POST /login HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: ${length}\r\n\r\n`;

describe('web server bounds', () => {
  it('defaults: 30 s for a whole request, 100 connections, 2 minutes of MQTT reconnecting', () => {
    expect(DEFAULT_WEB_LIMITS).toEqual({
      requestTimeoutMs: 30_000,
      headersTimeoutMs: 20_000,
      maxConnections: 100,
      mqttOutageGraceMs: 120_000,
    });
  });

  it('a body that trickles is cut off once the request timeout is over (408)', async () => {
    const started = Date.now();
    const slow = await open(started);
    slow.socket.write(head(1_000));
    const trickle = setInterval(() => slow.socket.write('a'), 100);
    try {
      const after = await Promise.race([
        slow.closed,
        new Promise<number>((r) => setTimeout(() => r(-1), 10_000)),
      ]);
      expect(after).toBeGreaterThanOrEqual(REQUEST_TIMEOUT_MS - 100);
      expect(after).toBeLessThan(REQUEST_TIMEOUT_MS + 2_000);
      expect(slow.received()).toMatch(/^HTTP\/1\.1 408/);
    } finally {
      clearInterval(trickle);
      slow.socket.destroy();
    }
  });

  it('headers that never end are cut off too', async () => {
    const slow = await open();
    slow.socket.write(`GET /healthz HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nX-Slow: `);
    const after = await Promise.race([
      slow.closed,
      new Promise<number>((r) => setTimeout(() => r(-1), 10_000)),
    ]);
    expect(after).toBeGreaterThan(0);
    expect(after).toBeLessThan(REQUEST_TIMEOUT_MS + 2_000);
    slow.socket.destroy();
  });

  it('connections beyond the cap are dropped; the UI answers again once they are gone', async () => {
    const held: Conversation[] = [];
    try {
      for (let i = 0; i < MAX_CONNECTIONS; i++) {
        const c = await open();
        c.socket.write(head(100)); // a request under way, holding its connection
        held.push(c);
      }
      await new Promise((r) => setTimeout(r, 100));
      const extra = await open();
      extra.socket.write(`GET /healthz HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n\r\n`);
      const closedAfter = await Promise.race([
        extra.closed,
        new Promise<number>((r) => setTimeout(() => r(-1), 1_000)),
      ]);
      expect(closedAfter).toBeGreaterThanOrEqual(0);
      expect(extra.received()).toBe('');
    } finally {
      for (const c of held) c.socket.destroy();
    }
    await new Promise((r) => setTimeout(r, 100));
    expect((await fetch(new URL('healthz', h.web))).status).toBe(200);
  });

  it('an oversized form is answered 413 at once, without being kept', async () => {
    const answered = async (c: Conversation): Promise<number> => {
      const started = Date.now();
      while (!c.received().startsWith('HTTP/1.1 413') && Date.now() - started < 5_000)
        await new Promise((r) => setTimeout(r, 10));
      return Date.now() - started;
    };
    const big = await open();
    big.socket.write(head(1024 * 1024));
    big.socket.write('x'.repeat(1024));
    expect(await answered(big)).toBeLessThan(1_000);
    // The rest of the body is dropped as it comes, and the connection stays bounded in time.
    for (let i = 0; i < 16; i++) big.socket.write('x'.repeat(64 * 1024));
    const closedAfter = await Promise.race([
      big.closed,
      new Promise<number>((r) => setTimeout(() => r(-1), 5_000)),
    ]);
    expect(closedAfter).toBeGreaterThan(0);
    // Without a Content-Length (chunked), the limit holds while reading.
    const chunked = await open();
    chunked.socket.write(
      `POST /login HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: application/x-www-form-urlencoded\r\nTransfer-Encoding: chunked\r\n\r\n`,
    );
    chunked.socket.write(`${(20 * 1024).toString(16)}\r\n${'x'.repeat(20 * 1024)}\r\n`);
    expect(await answered(chunked)).toBeLessThan(1_000);
    chunked.socket.destroy();
  });

  it('a client hanging up mid-request is logged at debug, never as an error', async () => {
    const log = captureLog('debug');
    try {
      const c = await open();
      c.socket.write(`${head(500)}password=abc`);
      await new Promise((r) => setTimeout(r, 200));
      c.socket.destroy();
      await new Promise((r) => setTimeout(r, 300));
    } finally {
      log.stop();
    }
    const text = log.text();
    expect(text).toContain('web request POST /login aborted by the client');
    expect(text).not.toMatch(/\berror \[web\]/);
  });
});
