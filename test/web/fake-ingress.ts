/**
 * A stand-in for Home Assistant in front of an add-on's web UI, behaving as its ingress does
 * (home-assistant/core `components/hassio/{http,ingress}.py`, home-assistant/supervisor
 * `api/ingress.py`):
 * - `GET /hassio/ingress/<slug>` is Home Assistant's app panel: it sets the `ingress_session`
 *   cookie (HttpOnly, `SameSite=Strict`, path `/api/hassio_ingress/`) as the frontend does after
 *   `POST /api/hassio/ingress/session`, and frames the app at `/api/hassio_ingress/<token>/`;
 * - `/api/hassio_ingress/<token>/<path>` answers `401: Unauthorized` without a valid session
 *   cookie, and otherwise forwards to the app with the prefix stripped, passing the browser's
 *   headers on (Host, Origin, Cookie, Sec-Fetch-*) and adding `X-Ingress-Path`,
 *   `X-Forwarded-For`, `X-Forwarded-Host` and `X-Forwarded-Proto`. Redirects and Set-Cookie come
 *   back unchanged.
 */
import { randomBytes } from 'node:crypto';
import { createServer, request as httpRequest, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export const INGRESS_COOKIE = 'ingress_session';

export interface FakeIngress {
  /** `http://<host>:<port>` as the browser reaches Home Assistant. */
  origin: string;
  /** `/api/hassio_ingress/<token>` */
  ingressPath: string;
  /** The app panel, as the sidebar opens it. */
  panelUrl: string;
  /** Requests answered 401 (no valid ingress session), by path. */
  refused: string[];
  close(): Promise<void>;
}

function cookieValue(req: IncomingMessage, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [key, ...value] = part.trim().split('=');
    if (key === name) return value.join('=');
  }
  return undefined;
}

/** `host`: the name the browser uses for Home Assistant (mapped to 127.0.0.1 in the browser). */
export async function startFakeIngress(options: { appUrl: string; host: string }): Promise<FakeIngress> {
  const app = new URL(options.appUrl);
  const token = randomBytes(16).toString('hex');
  const session = randomBytes(32).toString('hex');
  const ingressPath = `/api/hassio_ingress/${token}`;
  const refused: string[] = [];

  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://ha.invalid');
    if (req.method === 'GET' && url.pathname === '/hassio/ingress/netatmo2mqtt') {
      res.writeHead(200, {
        'content-type': 'text/html; charset=utf-8',
        'set-cookie': `${INGRESS_COOKIE}=${session}; Path=/api/hassio_ingress/; HttpOnly; SameSite=Strict`,
      });
      res.end(
        `<!doctype html><title>Home Assistant</title><h1 id="ha">Home Assistant</h1><iframe id="app" title="Netatmo" src="${ingressPath}/" style="width:100%;height:1200px;border:0"></iframe>`,
      );
      return;
    }
    if (!url.pathname.startsWith(`${ingressPath}/`) && url.pathname !== ingressPath) {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('404: Not Found');
      return;
    }
    if (cookieValue(req, INGRESS_COOKIE) !== session) {
      refused.push(url.pathname);
      res.writeHead(401, { 'content-type': 'text/plain; charset=utf-8' });
      res.end('401: Unauthorized');
      return;
    }
    const headers: Record<string, string | string[] | undefined> = { ...req.headers };
    headers['x-ingress-path'] = ingressPath;
    headers['x-forwarded-for'] = req.socket.remoteAddress ?? '';
    headers['x-forwarded-host'] = req.headers.host;
    headers['x-forwarded-proto'] = 'http';
    const upstream = httpRequest(
      {
        host: app.hostname,
        port: app.port,
        method: req.method,
        path: `${url.pathname.slice(ingressPath.length) || '/'}${url.search}`,
        headers,
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => {
      res.writeHead(502, { 'content-type': 'text/plain' });
      res.end('502: Bad Gateway');
    });
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const origin = `http://${options.host}:${port}`;
  return {
    origin,
    ingressPath,
    panelUrl: `${origin}/hassio/ingress/netatmo2mqtt`,
    refused,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
