/**
 * The web UI's HTTP server (node:http): login, onboarding, status, /healthz and /metrics, on
 * the ingress port. Every route lives at the top level and every link is relative, so the pages
 * work under Home Assistant's ingress prefix.
 *
 * Who may do what:
 * - Add-on: only the ingress proxy may call (Home Assistant has authenticated the user);
 *   loopback may read /healthz. No login of our own.
 * - Standalone: every page needs a login (web.password, or a password chosen with the setup
 *   code printed in the log at first start); /healthz is open, /metrics also takes a bearer
 *   token (web.metrics_token).
 * - Always: the Host must be an IP address, localhost or web.external_url's host (DNS
 *   rebinding); a POST must come from this UI's own pages (Origin, Sec-Fetch-Site); forms are
 *   at most 16 KiB; a request must arrive whole within 30 s; at most 100 connections at once.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isLoopbackHost } from '../config/validate.js';
import { childLogger } from '../log.js';
import { type Clock, systemClock } from '../util/clock.js';
import { SlidingWindow } from '../util/sliding-window.js';
import { WebCredentials } from './access/credentials.js';
import { WebRateLimits } from './access/rate-limits.js';
import { checkHost, checkSameOrigin } from './access/request-checks.js';
import { ActivityLog } from './activity.js';
import { CsrfProtection } from './csrf.js';
import { BodyTooLargeError, FORM_LIMIT_BYTES, redirect, sendHtml, sendJson } from './http-util.js';
import { isAllowedPeer, normalizeAddress } from './ingress-guard.js';
import { lazyBridgeMetrics, type MetricsEndpoint } from './lazy-metrics.js';
import { OAuthFlows } from './oauth-flow.js';
import { messagePage } from './pages/message.js';
import {
  accountOf,
  isSecureRequest,
  type RequestContext,
  type RouteHandler,
  type WebDeps,
} from './routes/context.js';
import { loginRoute, loginSubmitRoute, logoutRoute } from './routes/login.js';
import { callbackRoute, connectRoute, pastedRedirectRoute, pastedTokenRoute } from './routes/onboarding.js';
import { onboardingRoute, statusRoute } from './routes/pages.js';
import { healthzRoute, metricsRoute } from './routes/probes.js';
import { renameFormRoute, renameRoute } from './routes/rename.js';
import { serveWebhook, type WebhookEndpoint } from './routes/webhook.js';
import { Sessions } from './session.js';
import type { WebBridgePort, WebSitePort } from './types.js';

const log = childLogger('web');

export interface WebLimits {
  /** The whole request (headers and body) must arrive within this time (slow clients). */
  requestTimeoutMs: number;
  headersTimeoutMs: number;
  maxConnections: number;
  /** /healthz stays 200 while MQTT reconnects this long (a broker restart is not an illness). */
  mqttOutageGraceMs: number;
}

export const DEFAULT_WEB_LIMITS: WebLimits = {
  requestTimeoutMs: 30_000,
  headersTimeoutMs: 20_000,
  maxConnections: 100,
  mqttOutageGraceMs: 120_000,
};

export interface WebServerOptions {
  /** What it serves: one bridge (`singleBridgeSite`) or every account of the process. */
  site: WebSitePort;
  /** 0 = any free port. */
  port: number;
  host: string;
  clock?: Clock;
  /** Peers allowed to call (add-on mode: the ingress proxy); undefined = standalone, with login. */
  allowedPeers?: readonly string[];
  /** Standalone login: data_dir (for web-auth.json) and web.password when configured. */
  login?: { dataDir: string; password?: string };
  /** web.metrics_token */
  metricsToken?: string;
  /** web.external_url */
  externalUrl?: string;
  limits?: Partial<WebLimits>;
  /** How long a started sign-in stays valid. Default 10 min. */
  oauthStateTtlMs?: number;
  /** Netatmo's webhook (routes/webhook.ts): its own secret path and signature, no UI rules. */
  webhook?: WebhookEndpoint;
}

const ROUTES: Record<string, RouteHandler> = {
  'GET /': statusRoute,
  'GET /login': (ctx) => loginRoute(ctx),
  'POST /login': loginSubmitRoute,
  'POST /logout': logoutRoute,
  'GET /onboarding': (ctx) => onboardingRoute(ctx),
  'POST /connect': connectRoute,
  'GET /callback': callbackRoute,
  'POST /redirect': pastedRedirectRoute,
  'POST /token': pastedTokenRoute,
  'GET /rename': renameFormRoute,
  'POST /rename': renameRoute,
  'GET /healthz': healthzRoute,
  'GET /metrics': metricsRoute,
};

/** Reachable without a login (/metrics checks its token or the session itself). */
const PUBLIC_ROUTES = new Set(['GET /healthz', 'GET /login', 'POST /login', 'GET /metrics']);
/** Refusals logged per minute at most; a flood of refused requests must not flood the log. */
const REFUSALS_LOGGED_PER_MINUTE = 10;

export class WebServer {
  readonly #options: WebServerOptions;
  readonly #deps: WebDeps;
  readonly #server: Server;
  readonly #refusalLog = new SlidingWindow(REFUSALS_LOGGED_PER_MINUTE, 60_000);
  #url: string | undefined;

  constructor(options: WebServerOptions) {
    if (options.allowedPeers === undefined && options.login === undefined)
      throw new Error('a standalone web UI needs its login settings (login.dataDir)');
    this.#options = options;
    const clock = options.clock ?? systemClock;
    const limits = { ...DEFAULT_WEB_LIMITS, ...options.limits };
    // Per bridge object: an account's bridge is a new one after its lease came back.
    const metrics = new WeakMap<WebBridgePort, MetricsEndpoint>();
    this.#deps = {
      site: options.site,
      clock,
      sessions: new Sessions(clock),
      csrf: new CsrfProtection(),
      flows: new OAuthFlows(clock, options.oauthStateTtlMs),
      activity: new ActivityLog(clock),
      metrics: (bridge) => {
        let endpoint = metrics.get(bridge);
        if (!endpoint) {
          endpoint = lazyBridgeMetrics(bridge);
          metrics.set(bridge, endpoint);
        }
        return endpoint;
      },
      limits: new WebRateLimits(clock),
      credentials: undefined,
      metricsToken: options.metricsToken,
      externalUrl: options.externalUrl,
      mqttOutageGraceMs: limits.mqttOutageGraceMs,
    };
    this.#server = createServer(
      {
        requestTimeout: limits.requestTimeoutMs,
        headersTimeout: Math.min(limits.headersTimeoutMs, limits.requestTimeoutMs),
        // Node checks those timeouts only this often (default 30 s): a slow client would get twice as long.
        connectionsCheckingInterval: Math.min(1_000, limits.requestTimeoutMs),
      },
      (req, res) => void this.#handle(req, res),
    );
    this.#server.maxConnections = limits.maxConnections;
  }

  /** `http://host:port` once started (host as configured; 0.0.0.0 shown as 127.0.0.1). */
  get url(): string | undefined {
    return this.#url;
  }

  async start(): Promise<string> {
    if (this.#options.login) {
      this.#deps.credentials = await WebCredentials.load(
        this.#options.login.dataDir,
        this.#options.login.password,
      );
    }
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
    this.#announce();
    // After the announcement: the setup code must not be kept in the status page's activity list.
    const { site } = this.#options;
    this.#deps.activity.attach(
      site.accounts.map((a) => ({ events: a.events, ...(site.several ? { account: a.name } : {}) })),
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

  #announce(): void {
    const { allowedPeers, host } = this.#options;
    const credentials = this.#deps.credentials;
    if (allowedPeers) {
      log.info(`web UI on ${this.#url} (only from ${allowedPeers.join(', ')})`);
      return;
    }
    const reach = isLoopbackHost(host)
      ? 'this machine only'
      : `the network on ${host}: keep the port private`;
    const how =
      credentials?.mode === 'configured'
        ? 'web.password'
        : credentials?.mode === 'stored'
          ? 'the password set earlier'
          : 'a password not chosen yet';
    log.info(`web UI on ${this.#url} (reachable from ${reach}; login with ${how})`);
    const code = credentials?.takeSetupCode();
    if (code) {
      // A warning so that it shows at log_level warning too. Whoever reads this log owns the bridge.
      log.warning(
        `web UI setup code: ${code} (open ${this.#options.externalUrl ?? this.#url}/login, enter it and choose a password; it works once, a new one is printed at each start until then)`,
      );
    }
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://web.invalid');
    // Netatmo's pushes: no login and no peer guard (Netatmo is neither), a signature instead.
    const webhook = this.#options.webhook;
    if (webhook?.matches(url.pathname)) return serveWebhook(webhook, req, res);
    const address = normalizeAddress(req.socket.remoteAddress);
    const { allowedPeers, externalUrl } = this.#options;
    if (!isAllowedPeer(req.socket.remoteAddress, allowedPeers, url.pathname)) {
      this.#refuse(res, 403, `from ${address} (add-on mode accepts only the ingress proxy)`);
      return;
    }
    // Past the peer guard in add-on mode, it is the ingress proxy (or loopback asking /healthz).
    const fromIngressProxy = allowedPeers !== undefined;
    const checks = [
      fromIngressProxy ? { ok: true as const } : checkHost(req, externalUrl),
      req.method === 'POST' ? checkSameOrigin(req, externalUrl, fromIngressProxy) : { ok: true as const },
    ];
    for (const check of checks) {
      if (!check.ok) {
        this.#refuse(
          res,
          403,
          `${req.method} ${url.pathname} from ${address}: ${check.reason}`,
          check.reason,
        );
        return;
      }
    }
    if (Number(req.headers['content-length'] ?? 0) > FORM_LIMIT_BYTES) {
      this.#tooLarge(res);
      return;
    }
    const key = `${req.method} ${url.pathname}`;
    const handler = ROUTES[key];
    const ctx = this.#context(req, res, url, address, fromIngressProxy);
    if (this.#deps.credentials && !ctx.session.authenticated && !PUBLIC_ROUTES.has(key)) {
      if (req.method === 'GET') redirect(res, 'login', ctx.cookieHeaders);
      else
        sendHtml(
          res,
          403,
          messagePage('Log in first', 'Log in to the web UI, then try again.'),
          ctx.cookieHeaders,
        );
      return;
    }
    try {
      if (!handler) {
        sendHtml(res, 404, messagePage('Not found', 'There is no such page.'), ctx.cookieHeaders);
        return;
      }
      await handler(ctx);
    } catch (error) {
      this.#failed(req, res, url, error);
    }
  }

  #failed(req: IncomingMessage, res: ServerResponse, url: URL, error: unknown): void {
    if (error instanceof BodyTooLargeError && !res.headersSent) {
      this.#tooLarge(res);
      return;
    }
    const code = (error as NodeJS.ErrnoException | null)?.code;
    if (code === 'ECONNRESET' || code === 'ERR_STREAM_PREMATURE_CLOSE') {
      // The client went away mid-request: nothing is wrong with the bridge.
      log.debug(`web request ${req.method} ${url.pathname} aborted by the client`);
      res.destroy();
      return;
    }
    if (res.headersSent) {
      res.destroy();
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

  /**
   * 413 at once. The rest of the body is read and dropped, not kept (closing with unread data
   * would reset the connection and lose the answer); the request timeout bounds how long.
   */
  #tooLarge(res: ServerResponse): void {
    sendHtml(res, 413, messagePage('Request refused', 'The form was too large.'));
  }

  #refuse(res: ServerResponse, status: number, logged: string, shown?: string): void {
    if (this.#refusalLog.take(this.#deps.clock.now()).allowed) log.warning(`refused a web request ${logged}`);
    if (shown) sendHtml(res, status, messagePage('Request refused', `Request refused: ${shown}.`));
    else sendJson(res, status, { status: 'error', reason: 'forbidden' });
  }

  #context(
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
    address: string,
    fromIngressProxy: boolean,
  ): RequestContext {
    const session = this.#deps.sessions.session(req);
    const raw = req.headers['x-ingress-path'];
    const ingress = fromIngressProxy ? ((Array.isArray(raw) ? raw[0] : raw) ?? '') : '';
    // Only a plain path prefix is trusted, without a trailing slash.
    const ingressPath = /^\/[A-Za-z0-9/_.-]*$/.test(ingress) ? ingress.replace(/\/+$/, '') : '';
    const secure = isSecureRequest(req, this.#options.externalUrl, fromIngressProxy);
    const cookieHeaders: Record<string, string> = session.fresh
      ? { 'set-cookie': this.#deps.sessions.cookieHeader(session.id, ingressPath || '/', secure) }
      : {};
    return {
      req,
      res,
      url,
      session,
      address,
      fromIngressProxy,
      ingressPath,
      cookieHeaders,
      deps: this.#deps,
      account: accountOf(this.#deps.site, url),
    };
  }
}
