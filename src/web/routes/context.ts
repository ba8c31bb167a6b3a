/** What every route handler gets: the request, its session, and the server's shared parts. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Clock } from '../../util/clock.js';
import type { WebCredentials } from '../access/credentials.js';
import type { WebRateLimits } from '../access/rate-limits.js';
import type { ActivityLog } from '../activity.js';
import type { CsrfProtection } from '../csrf.js';
import type { MetricsEndpoint } from '../lazy-metrics.js';
import type { OAuthFlows } from '../oauth-flow.js';
import type { Session, Sessions } from '../session.js';
import type { WebBridgePort } from '../types.js';

export interface WebDeps {
  bridge: WebBridgePort;
  clock: Clock;
  sessions: Sessions;
  csrf: CsrfProtection;
  flows: OAuthFlows;
  activity: ActivityLog;
  metrics: MetricsEndpoint;
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
