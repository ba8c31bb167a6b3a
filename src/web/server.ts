/**
 * The web UI's HTTP server (node:http): onboarding, status, /healthz and /metrics, on the
 * ingress port. Every route lives at the top level and every link is relative, so the pages
 * work under Home Assistant's ingress prefix. In add-on mode only the ingress proxy may call.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { childLogger } from '../log.js';
import { type Clock, systemClock } from '../util/clock.js';
import { ActivityLog } from './activity.js';
import { CsrfProtection } from './csrf.js';
import { BodyTooLargeError, sendHtml, sendJson } from './http-util.js';
import { isAllowedPeer, normalizeAddress } from './ingress-guard.js';
import { lazyBridgeMetrics } from './lazy-metrics.js';
import { OAuthFlows } from './oauth-flow.js';
import { messagePage } from './pages/message.js';
import type { RequestContext, RouteHandler, WebDeps } from './routes/context.js';
import { callbackRoute, connectRoute, pastedRedirectRoute, pastedTokenRoute } from './routes/onboarding.js';
import { onboardingRoute, statusRoute } from './routes/pages.js';
import { healthzRoute, metricsRoute } from './routes/probes.js';
import { serveWebhook, type WebhookEndpoint } from './routes/webhook.js';
import type { WebBridgePort } from './types.js';

const log = childLogger('web');

export interface WebServerOptions {
  bridge: WebBridgePort;
  /** 0 = any free port. */
  port: number;
  host: string;
  clock?: Clock;
  /** Peers allowed to call (add-on mode: the ingress proxy); undefined = anyone. */
  allowedPeers?: readonly string[];
  /** How long a started sign-in stays valid. Default 10 min. */
  oauthStateTtlMs?: number;
  /** Netatmo's webhook (routes/webhook.ts): its own secret path and signature, no UI rules. */
  webhook?: WebhookEndpoint;
}

const ROUTES: Record<string, RouteHandler> = {
  'GET /': statusRoute,
  'GET /onboarding': (ctx) => onboardingRoute(ctx),
  'POST /connect': connectRoute,
  'GET /callback': callbackRoute,
  'POST /redirect': pastedRedirectRoute,
  'POST /token': pastedTokenRoute,
  'GET /healthz': healthzRoute,
  'GET /metrics': metricsRoute,
};

export class WebServer {
  readonly #options: WebServerOptions;
  readonly #deps: WebDeps;
  readonly #server: Server;
  #url: string | undefined;

  constructor(options: WebServerOptions) {
    this.#options = options;
    const clock = options.clock ?? systemClock;
    const activity = new ActivityLog(clock);
    this.#deps = {
      bridge: options.bridge,
      clock,
      csrf: new CsrfProtection(),
      flows: new OAuthFlows(clock, options.oauthStateTtlMs),
      activity,
      metrics: lazyBridgeMetrics(options.bridge),
    };
    this.#server = createServer((req, res) => void this.#handle(req, res));
  }

  /** `http://host:port` once started (host as configured; 0.0.0.0 shown as 127.0.0.1). */
  get url(): string | undefined {
    return this.#url;
  }

  async start(): Promise<string> {
    this.#deps.activity.attach(this.#options.bridge.events);
    await new Promise<void>((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(this.#options.port, this.#options.host, () => {
        this.#server.off('error', reject);
        resolve();
      });
    });
    const { port } = this.#server.address() as AddressInfo;
    const host = ['0.0.0.0', '::'].includes(this.#options.host) ? '127.0.0.1' : this.#options.host;
    this.#url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
    log.info(
      `web UI on ${this.#url}${this.#options.allowedPeers ? ` (only from ${this.#options.allowedPeers.join(', ')})` : ''}`,
    );
    return this.#url;
  }

  async stop(): Promise<void> {
    this.#deps.activity.close();
    if (!this.#server.listening) return;
    await new Promise<void>((resolve) => {
      this.#server.close(() => resolve());
      this.#server.closeAllConnections();
    });
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://web.invalid');
    const webhook = this.#options.webhook;
    if (webhook?.matches(url.pathname)) return serveWebhook(webhook, req, res);
    const peer = req.socket.remoteAddress;
    if (!isAllowedPeer(peer, this.#options.allowedPeers, url.pathname)) {
      log.warning(
        `refused a web request from ${normalizeAddress(peer)} (add-on mode accepts only the ingress proxy)`,
      );
      sendJson(res, 403, { status: 'error', reason: 'forbidden' });
      return;
    }
    const handler = ROUTES[`${req.method} ${url.pathname}`];
    const ctx = this.#context(req, res, url);
    try {
      if (!handler) {
        sendHtml(res, 404, messagePage('Not found', 'There is no such page.'), ctx.cookieHeaders);
        return;
      }
      await handler(ctx);
    } catch (error) {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      if (error instanceof BodyTooLargeError) {
        sendHtml(res, 413, messagePage('Request refused', 'The form was too large.'));
        return;
      }
      log.error(
        `web request ${req.method} ${url.pathname} failed: ${error instanceof Error ? error.message : String(error)}`,
      );
      sendHtml(
        res,
        500,
        messagePage('Something went wrong', 'The bridge could not answer this request; see its log.'),
      );
    }
  }

  #context(req: IncomingMessage, res: ServerResponse, url: URL): RequestContext {
    const session = this.#deps.csrf.session(req);
    const raw = req.headers['x-ingress-path'];
    const ingress = (Array.isArray(raw) ? raw[0] : raw) ?? '';
    // Only a plain path prefix is trusted, without a trailing slash.
    const ingressPath = /^\/[A-Za-z0-9/_.-]*$/.test(ingress) ? ingress.replace(/\/+$/, '') : '';
    const secure = req.headers['x-forwarded-proto'] === 'https';
    const cookieHeaders: Record<string, string> = session.fresh
      ? { 'set-cookie': this.#deps.csrf.cookieHeader(session.id, ingressPath || '/', secure) }
      : {};
    return { req, res, url, session, ingressPath, cookieHeaders, deps: this.#deps };
  }
}
