/** What every route handler gets: the request, its session, and the server's shared parts. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Clock } from '../../util/clock.js';
import type { WebCredentials } from '../access/credentials.js';
import type { WebRateLimits } from '../access/rate-limits.js';
import type { ActivityLog } from '../activity.js';
import type { CsrfProtection } from '../csrf.js';
import { redirect, sendHtml } from '../http-util.js';
import type { MetricsEndpoint } from '../lazy-metrics.js';
import type { OAuthFlows } from '../oauth-flow.js';
import { withAccount } from '../pages/links.js';
import { messagePage } from '../pages/message.js';
import type { Session, Sessions } from '../session.js';
import type { WebAccount, WebBridgePort, WebSitePort } from '../types.js';

export interface WebDeps {
  site: WebSitePort;
  clock: Clock;
  sessions: Sessions;
  csrf: CsrfProtection;
  flows: OAuthFlows;
  activity: ActivityLog;
  /** /metrics of one account's bridge (prom-client loaded on the first scrape). */
  metrics(bridge: WebBridgePort): MetricsEndpoint;
  limits: WebRateLimits;
  /** Standalone: the login secret. Undefined in the add-on, where ingress authenticates. */
  credentials: WebCredentials | undefined;
  /** Bearer token that may read /metrics without a session. */
  metricsToken: string | undefined;
  /** `web.external_url`, without a trailing slash. */
  externalUrl: string | undefined;
  /** How long /healthz stays healthy while MQTT reconnects (WebLimits). */
  mqttOutageGraceMs: number;
}

export interface RequestContext {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  session: Session;
  /** The peer's address (IPv4 without the `::ffff:` prefix). */
  address: string;
  /** Sent by Home Assistant's ingress proxy (add-on mode): its forwarded headers are trusted. */
  fromIngressProxy: boolean;
  /** The external prefix under Home Assistant's ingress (`X-Ingress-Path`), '' standalone. */
  ingressPath: string;
  /** Headers every HTML answer carries (the session cookie when it is new). */
  cookieHeaders: Record<string, string>;
  deps: WebDeps;
  /** The account the request is about: `?account=<name>` with several accounts, else the one; undefined when unknown. */
  account: WebAccount | undefined;
}

/** The account `?account=<name>` names (several accounts), or the only one. */
export function accountOf(site: WebSitePort, url: URL): WebAccount | undefined {
  if (!site.several) return site.accounts[0];
  const name = url.searchParams.get('account');
  return site.accounts.find((a) => a.name === name);
}

/** The account name the pages put in their links: only with several accounts. */
export function pageAccount(ctx: RequestContext): string | undefined {
  return ctx.deps.site.several ? ctx.account?.name : undefined;
}

/** `path` for the request's account (unchanged with one account). */
export function accountLink(ctx: RequestContext, path: string): string {
  return withAccount(path, pageAccount(ctx));
}

/**
 * The bridge serving `account` in this process; otherwise answers the request itself (404 for an
 * unknown account, 503 while another process serves it or it is not running) and returns undefined.
 */
export function servingBridge(ctx: RequestContext, account = ctx.account): WebBridgePort | undefined {
  const bridge = account?.bridge();
  if (account && bridge) return bridge;
  if (!account) {
    // Several accounts and none (or an unknown one) named: the list of accounts.
    if (ctx.req.method === 'GET') redirect(ctx.res, './', ctx.cookieHeaders);
    else sendHtml(ctx.res, 404, messagePage('Not found', 'There is no such account.'), ctx.cookieHeaders);
    return undefined;
  }
  const serving = account.serving();
  const who = serving.state === 'elsewhere' ? (serving.owner ?? 'another process') : undefined;
  sendHtml(
    ctx.res,
    503,
    messagePage(
      'Account not served here',
      who
        ? `The account ${account.name} is served by ${who}: open its web UI there.`
        : `The account ${account.name} is not running in this process right now; try again shortly.`,
      pageAccount(ctx),
    ),
    ctx.cookieHeaders,
  );
  return undefined;
}

export type RouteHandler = (ctx: RequestContext) => Promise<void> | void;

function first(value: string | string[] | undefined): string | undefined {
  return (Array.isArray(value) ? value[0] : value)?.split(',')[0]?.trim() || undefined;
}

/**
 * The callback URL Netatmo must send the browser back to: `web.external_url` when set; behind
 * the ingress proxy, as the proxy says the browser reached Home Assistant; otherwise the Host
 * the browser used, which the host check has limited to an IP address or localhost. Standalone,
 * X-Forwarded-* headers are not trusted: anyone could send them.
 */
export function redirectUriFor(ctx: RequestContext): string {
  if (ctx.deps.externalUrl) return `${ctx.deps.externalUrl}/callback`;
  const headers = ctx.req.headers;
  if (ctx.fromIngressProxy) {
    const proto = first(headers['x-forwarded-proto']) === 'https' ? 'https' : 'http';
    const host = first(headers['x-forwarded-host']) ?? first(headers.host) ?? 'localhost';
    return `${proto}://${host}${ctx.ingressPath}/callback`;
  }
  return `http://${first(headers.host) ?? 'localhost'}/callback`;
}

/** Whether the browser is on https, as web.external_url or the ingress proxy says (cookies get Secure). */
export function isSecureRequest(
  req: IncomingMessage,
  externalUrl: string | undefined,
  fromIngressProxy: boolean,
): boolean {
  if (externalUrl) return externalUrl.startsWith('https:');
  return fromIngressProxy && first(req.headers['x-forwarded-proto']) === 'https';
}
