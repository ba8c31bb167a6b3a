/** What every route handler gets: the request, its session, and the server's shared parts. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Clock } from '../../util/clock.js';
import type { ActivityLog } from '../activity.js';
import type { CsrfProtection, Session } from '../csrf.js';
import type { MetricsEndpoint } from '../lazy-metrics.js';
import type { OAuthFlows } from '../oauth-flow.js';
import type { WebBridgePort } from '../types.js';

export interface WebDeps {
  bridge: WebBridgePort;
  clock: Clock;
  csrf: CsrfProtection;
  flows: OAuthFlows;
  activity: ActivityLog;
  metrics: MetricsEndpoint;
}

export interface RequestContext {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  session: Session;
  /** The external prefix under Home Assistant's ingress (`X-Ingress-Path`), '' standalone. */
  ingressPath: string;
  /** Headers every HTML answer carries (the session cookie when it is new). */
  cookieHeaders: Record<string, string>;
  deps: WebDeps;
}

export type RouteHandler = (ctx: RequestContext) => Promise<void> | void;

/** The callback URL Netatmo must send the browser back to, as this browser reached us. */
export function redirectUriFor(ctx: RequestContext): string {
  const headers = ctx.req.headers;
  const first = (value: string | string[] | undefined): string | undefined =>
    (Array.isArray(value) ? value[0] : value)?.split(',')[0]?.trim() || undefined;
  const proto = first(headers['x-forwarded-proto']) === 'https' ? 'https' : 'http';
  const host = first(headers['x-forwarded-host']) ?? first(headers.host) ?? 'localhost';
  return `${proto}://${host}${ctx.ingressPath}/callback`;
}
