/**
 * Checks every request passes before any route sees it, against DNS rebinding and cross-site
 * forms. A page on another site can make the browser send requests to a UI on 127.0.0.1; it
 * cannot choose the Host header the browser sends for it (its own name, rebound to 127.0.0.1)
 * nor hide that the request is cross-site (Origin, Sec-Fetch-Site).
 *
 * - Host: an IP literal, `localhost` (or `*.localhost`), or the host of `web.external_url`.
 *   A name anyone can point at this machine is refused, unless it is the configured one.
 * - POST: refused when the browser says it comes from another site (Sec-Fetch-Site other than
 *   same-origin) or its Origin is not this UI's (Host, or web.external_url's origin). The pages
 *   set `Referrer-Policy: no-referrer`, so browsers send `Origin: null` even for their own forms.
 * Requests from Home Assistant's ingress proxy carry the Home Assistant host: the peer guard
 * already admits only that proxy, so the Host and Origin comparison is skipped for it.
 */
import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';

export type CheckResult = { ok: true } | { ok: false; reason: string };

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** The host name of a Host header (`[::1]:8099` → `::1`, `Bridge.LAN:80` → `bridge.lan`). */
export function hostName(hostHeader: string): string {
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(hostHeader);
  if (bracketed) return bracketed[1]!.toLowerCase();
  return hostHeader.replace(/:\d+$/, '').toLowerCase();
}

export function isAllowedHost(hostHeader: string | undefined, externalUrl: string | undefined): boolean {
  if (!hostHeader) return false;
  const name = hostName(hostHeader);
  if (isIP(name) !== 0) return true;
  if (name === 'localhost' || name.endsWith('.localhost')) return true;
  return externalUrl !== undefined && name === new URL(externalUrl).hostname.toLowerCase();
}

export function checkHost(req: IncomingMessage, externalUrl: string | undefined): CheckResult {
  const host = header(req, 'host');
  if (isAllowedHost(host, externalUrl)) return { ok: true };
  return {
    ok: false,
    reason: host
      ? `this web UI does not answer to the name ${JSON.stringify(host.slice(0, 100))}. Open it by its IP address, or set web.external_url to the address you use`
      : 'the request names no host',
  };
}

/** For POSTs: refuses what the browser marks as coming from another site. */
export function checkSameOrigin(
  req: IncomingMessage,
  externalUrl: string | undefined,
  fromIngressProxy: boolean,
): CheckResult {
  const site = header(req, 'sec-fetch-site');
  if (site !== undefined && site !== 'same-origin')
    return {
      ok: false,
      reason: `the browser says this form was sent from another site (${site.slice(0, 20)})`,
    };
  const origin = header(req, 'origin');
  // `null`: what a browser sends for our own forms too, since the pages ask for no referrer;
  // Sec-Fetch-Site (above) and the CSRF token decide then.
  if (origin === undefined || origin === 'null' || fromIngressProxy) return { ok: true };
  let from: URL;
  try {
    from = new URL(origin);
  } catch {
    return { ok: false, reason: 'the form was sent from an unknown origin' };
  }
  const own = header(req, 'host');
  const external = externalUrl === undefined ? undefined : new URL(externalUrl);
  if ((own !== undefined && from.host === own.toLowerCase()) || (external && from.origin === external.origin))
    return { ok: true };
  return { ok: false, reason: `the form was sent from another site (${from.origin.slice(0, 100)})` };
}
