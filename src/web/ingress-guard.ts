/**
 * Who may talk to the web server. As a Home Assistant add-on only the Supervisor's ingress
 * proxy may (Home Assistant has already authenticated the user); standalone, anyone who can
 * reach the port, who then needs the login (server.ts). Loopback may always read /healthz: the
 * container's HEALTHCHECK runs there.
 */

/** The Supervisor's ingress proxy: the one address an ingress-only add-on accepts. */
export const SUPERVISOR_INGRESS_ADDRESS = '172.30.32.2';

/** The allow-list for this environment: the ingress proxy in add-on mode, undefined (anyone, with login) otherwise. */
export function ingressAllowList(env: NodeJS.ProcessEnv = process.env): string[] | undefined {
  return env.SUPERVISOR_TOKEN ? [SUPERVISOR_INGRESS_ADDRESS] : undefined;
}

/** `::ffff:172.30.32.2` (IPv4 on a dual-stack socket) is the same peer as `172.30.32.2`. */
export function normalizeAddress(address: string | undefined): string {
  if (address === undefined) return '';
  return address.startsWith('::ffff:') ? address.slice(7) : address;
}

export function isLoopback(address: string | undefined): boolean {
  const a = normalizeAddress(address);
  return a === '::1' || a.startsWith('127.');
}

export function isAllowedPeer(
  address: string | undefined,
  allowList: readonly string[] | undefined,
  path: string,
): boolean {
  if (allowList === undefined) return true;
  if (path === '/healthz' && isLoopback(address)) return true;
  return allowList.includes(normalizeAddress(address));
}
