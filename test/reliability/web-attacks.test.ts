/**
 * The standalone web UI under attack, as someone on the same network or a web page the owner
 * visits would try it: replace the Netatmo token without logging in, reach the UI under a
 * rebound name, post from another origin, plant a session cookie, guess the password, trickle
 * bodies to hold connections, send oversized bodies. A real bridge process (web UI on its
 * default bounds; the request timeout shortened in the CI run only) against the simulator.
 * Every attempt must be refused and the bridge unharmed: still running and polling with its own
 * token, the attacker's token never used, no error logged.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../scripts/lib/broker.js';
import { startSimulator } from '../../src/simulator/index.js';
import type { RunningSimulator } from '../../src/simulator/types.js';
import { type TestBroker, useTestBroker } from '../support/broker.js';
import { type BridgeProcess, type Bundles, bundleBridge, killAll, spawnBridge } from './support/processes.js';
import { bridgeEnv, recordFigures, size, uniqueBaseTopic, waitUntil } from './support/suite.js';

const WEB_PASSWORD = 'owner-password-7c1e';
/** The web UI's own default is 30 s; the CI run shortens it to watch slow clients being cut. */
const REQUEST_TIMEOUT_MS = size(3_000, 30_000);
const SLOW_CLIENTS = size(20, 60);

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

describe('attacks on the standalone web UI', () => {
  let bundles: Bundles;
  let sim: RunningSimulator;
  let broker: TestBroker;
  let root: string;

  beforeAll(async () => {
    [bundles, sim, broker] = await Promise.all([
      bundleBridge(),
      startSimulator({ port: 0 }),
      useTestBroker(),
    ]);
    root = await mkdtemp(join(tmpdir(), 'n2m-rel-web-'));
  });

  afterAll(async () => {
    killAll();
    await sim?.close();
    await broker?.close();
    await bundles?.dispose();
    if (root) await rm(root, { recursive: true, force: true });
  });

  it(
    'refuses every unauthenticated or cross-site attempt and the bridge carries on',
    async () => {
      const port = await freePort();
      const own = `127.0.0.1:${port}`;
      const dataDir = join(root, 'data');
      const bridge: BridgeProcess = spawnBridge(
        bundles.child,
        [],
        {
          ...bridgeEnv({
            simUrl: sim.url,
            refreshToken: sim.mintTokens().refresh_token,
            mqttUrl: broker.url,
            baseTopic: uniqueBaseTopic(),
            dataDir,
            extra: {
              NETATMO2MQTT_WEB_ENABLED: 'true',
              NETATMO2MQTT_WEB_PORT: String(port),
              NETATMO2MQTT_WEB_PASSWORD: WEB_PASSWORD,
            },
          }),
          ...(REQUEST_TIMEOUT_MS === 30_000
            ? {}
            : { N2M_TEST_WEB_REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS) }),
        },
        root,
      );
      const attackerToken = sim.mintTokens().refresh_token;

      const send = (
        path: string,
        init: { method?: string; headers?: Record<string, string>; body?: string } = {},
      ): Promise<Answer> =>
        new Promise((resolve, reject) => {
          const req = httpRequest(
            {
              host: '127.0.0.1',
              port,
              path,
              method: init.method ?? 'GET',
              headers: { host: own, ...init.headers },
            },
            (res) => {
              let body = '';
              res.on('data', (chunk: Buffer) => {
                body += chunk.toString();
              });
              res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
            },
          );
          req.on('error', reject);
          req.end(init.body);
        });
      const cookieOf = (answer: Answer): string =>
        String([answer.headers['set-cookie']].flat()[0] ?? '').split(';')[0] ?? '';
      const csrfOf = (answer: Answer): string =>
        /name="csrf" value="([0-9a-f]+)"/.exec(answer.body)?.[1] ?? '';
      const formPost = (fields: Record<string, string>, headers: Record<string, string> = {}) => ({
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
        body: new URLSearchParams(fields).toString(),
      });

      /** Sends a 1 MiB form as fast as the server takes it; resolves with what the server answered. */
      const oversized = (framing: 'content-length' | 'chunked', cookie: string): Promise<string> =>
        new Promise((resolve) => {
          const socket = connect(port, '127.0.0.1');
          let received = '';
          socket.on('data', (chunk) => {
            received += chunk.toString();
          });
          socket.on('error', () => {});
          socket.once('close', () => resolve(received));
          // Done once the answer is there (the server keeps draining the rest, it does not keep it).
          socket.on('data', () => {
            if (/^HTTP\/1\.1 \d{3} /.test(received)) socket.destroy();
          });
          const size = 1024 * 1024;
          const length = framing === 'chunked' ? 'Transfer-Encoding: chunked' : `Content-Length: ${size}`;
          socket.write(
            `POST /token HTTP/1.1\r\nHost: ${own}\r\nCookie: ${cookie}\r\nContent-Type: application/x-www-form-urlencoded\r\n${length}\r\n\r\n`,
          );
          const block = 'x'.repeat(64 * 1024);
          for (let sent = 0; sent < size && !socket.destroyed; sent += block.length)
            socket.write(framing === 'chunked' ? `${block.length.toString(16)}\r\n${block}\r\n` : block);
          setTimeout(() => socket.destroy(), 5_000);
        });

      const tried: Array<{ what: string; refused: boolean }> = [];
      const attempt = async (what: string, run: () => Promise<boolean>): Promise<void> => {
        tried.push({ what, refused: await run() });
      };

      try {
        await bridge.waitFor(/web UI on http/, 20_000);
        await waitUntil('the first homestatus', () => (sim.stats().requests.homestatus ?? 0) > 0, 20_000);

        // The owner's session, for the attacks a web page makes through the owner's browser.
        const loginPage = await send('/login');
        const preLogin = cookieOf(loginPage);
        const owner = cookieOf(
          await send(
            '/login',
            formPost({ csrf: csrfOf(loginPage), password: WEB_PASSWORD }, { cookie: preLogin }),
          ),
        );
        const ownerCsrf = csrfOf(await send('/onboarding', { headers: { cookie: owner } }));
        expect(ownerCsrf).not.toBe('');
        const replace = { csrf: ownerCsrf, refresh_token: attackerToken };

        // Slow bodies start first and trickle while everything else happens.
        const slowStarted = Date.now();
        const slow = Array.from({ length: SLOW_CLIENTS }, () => {
          const socket = connect(port, '127.0.0.1');
          socket.on('error', () => {});
          socket.write(
            `POST /token HTTP/1.1\r\nHost: ${own}\r\nCookie: ${owner}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 4096\r\n\r\ncsrf=${ownerCsrf}&refresh_token=`,
          );
          const timer = setInterval(() => socket.write('a'), 500);
          return new Promise<number>((resolve) =>
            socket.once('close', () => {
              clearInterval(timer);
              resolve(Date.now() - slowStarted);
            }),
          );
        });

        // Token replacement without logging in.
        await attempt(
          'POST token, no session',
          async () => (await send('/token', formPost(replace))).status === 403,
        );
        const anonymousPage = await send('/login');
        await attempt(
          'POST token, pre-login session with its CSRF token',
          async () =>
            (
              await send(
                '/token',
                formPost({ ...replace, csrf: csrfOf(anonymousPage) }, { cookie: cookieOf(anonymousPage) }),
              )
            ).status === 403,
        );
        await attempt(
          'POST connect, no session',
          async () => (await send('/connect', formPost({}))).status === 403,
        );
        await attempt('GET status page, no session', async () => (await send('/')).status === 303);
        await attempt('GET metrics, no session', async () => (await send('/metrics')).status === 401);

        // A rebound name (DNS rebinding): the browser sends the attacker's host name.
        for (const path of ['/', '/onboarding', '/metrics']) {
          await attempt(
            `GET ${path}, rebound Host, owner's cookie`,
            async () =>
              (await send(path, { headers: { host: 'attacker.example:8099', cookie: owner } })).status ===
              403,
          );
        }
        await attempt(
          'POST token, rebound Host, owner cookie',
          async () =>
            (await send('/token', formPost(replace, { host: 'attacker.example', cookie: owner }))).status ===
            403,
        );
        await attempt(
          'POST login, rebound Host',
          async () =>
            (await send('/login', formPost({ password: WEB_PASSWORD }, { host: 'rebind.attacker.example' })))
              .status === 403,
        );

        // A page of another site posting through the owner's logged-in browser.
        const forged: Array<Record<string, string>> = [
          { origin: 'http://attacker.example' },
          { origin: 'null', 'sec-fetch-site': 'cross-site' },
          { 'sec-fetch-site': 'cross-site' },
          { origin: 'http://192.168.1.66:8099', 'sec-fetch-site': 'same-site' },
        ];
        for (const headers of forged) {
          await attempt(
            `POST token, forged origin ${JSON.stringify(headers)}`,
            async () =>
              (await send('/token', formPost(replace, { ...headers, cookie: owner }))).status === 403,
          );
        }

        // Fixated cookies: made up, badly signed, or a real pre-login one planted on the owner.
        for (const cookie of [
          `n2m_session=${'ab'.repeat(32)}`,
          `n2m_session=${'ab'.repeat(32)}.${'cd'.repeat(32)}`,
        ]) {
          await attempt(
            `POST token, fixated cookie ${cookie.slice(12, 20)}…`,
            async () => (await send('/token', formPost(replace, { cookie }))).status === 403,
          );
        }
        const plantedPage = await send('/login');
        const planted = cookieOf(plantedPage);
        await send(
          '/login',
          formPost({ csrf: csrfOf(plantedPage), password: WEB_PASSWORD }, { cookie: planted }),
        );
        await attempt('GET status page with the cookie planted before the owner logged in', async () => {
          return (await send('/', { headers: { cookie: planted } })).status === 303;
        });

        // Password guessing: five wrong ones a minute, then even the right one waits.
        const guessPage = await send('/login');
        for (let i = 0; i < 8; i++) {
          await attempt(`POST login, guess ${i + 1}`, async () => {
            const answer = await send(
              '/login',
              formPost(
                { csrf: csrfOf(guessPage), password: `guess-${i}-123456` },
                { cookie: cookieOf(guessPage) },
              ),
            );
            return answer.status === 401 || answer.status === 429;
          });
        }

        // Oversized bodies, even in the owner's session: refused from the Content-Length, or
        // while reading a chunked one.
        for (const framing of ['content-length', 'chunked'] as const) {
          await attempt(`POST token, 1 MiB body (${framing})`, async () => {
            const answer = await oversized(framing, owner);
            return answer.startsWith('HTTP/1.1 413');
          });
        }

        // While the slow clients hold their connections the UI still answers.
        const healthStarted = Date.now();
        expect((await send('/healthz')).status).toBe(200);
        expect(Date.now() - healthStarted).toBeLessThan(2_000);

        // Every slow client is cut off by the server once the request timeout is over.
        const cutAfter = await Promise.all(slow);
        for (const ms of cutAfter) {
          tried.push({
            what: 'slow body',
            refused: ms >= REQUEST_TIMEOUT_MS - 500 && ms < REQUEST_TIMEOUT_MS + 5_000,
          });
        }

        // The bridge is unharmed: running, still polling, its own token kept, the attacker's never used.
        const polls = sim.stats().requests.homestatus ?? 0;
        await waitUntil('another homestatus', () => (sim.stats().requests.homestatus ?? 0) > polls, 60_000);
        expect((await send('/healthz')).status).toBe(200);
        const stored = JSON.parse(await readFile(join(dataDir, 'token.json'), 'utf8')) as {
          refresh_token: string;
        };
        expect(stored.refresh_token).not.toBe(attackerToken);
        const unused = await fetch(new URL('/oauth2/token', sim.url), {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({
            grant_type: 'refresh_token',
            refresh_token: attackerToken,
            client_id: 'local-simulator',
            client_secret: 'local-simulator',
          }).toString(),
        });
        expect(unused.status).toBe(200);
        expect(bridge.output()).not.toMatch(/\berror \[web\]/);
      } finally {
        bridge.kill('SIGTERM');
        await bridge.exited;
      }

      const accepted = tried.filter((t) => !t.refused);
      recordFigures('web attacks', {
        web_attacks: tried.length,
        web_attacks_accepted: accepted.length,
        crashes: 0,
        notes: [
          `${tried.length} attempts (${SLOW_CLIENTS} slow bodies cut at the ${REQUEST_TIMEOUT_MS / 1000} s request timeout): ${accepted.length} accepted`,
          ...accepted.map((t) => `ACCEPTED: ${t.what}`),
        ],
      });
      expect(accepted.map((t) => t.what)).toEqual([]);
    },
    size(90_000, 180_000),
  );
});
