/**
 * The web UI of a process: one WebServer, whether it serves one bridge or every account of an
 * account host. Add-on: the ingress proxy only, no login of ours. Standalone: the login and its
 * settings (web.password, the setup code, web-auth.json in data_dir).
 */
import type { BridgeConfig } from '../config/types.js';
import type { Clock } from '../util/clock.js';
import { ingressAllowList } from '../web/ingress-guard.js';
import type { WebhookEndpoint } from '../web/routes/webhook.js';
import { type WebLimits, WebServer, type WebServerOptions } from '../web/server.js';
import type { WebSitePort } from '../web/types.js';

export interface WebUiOptions {
  config: BridgeConfig;
  site: WebSitePort;
  clock: Clock;
  /** Peers allowed to call; default: the ingress proxy in add-on mode, anyone (with login) otherwise. */
  allowedPeers?: readonly string[] | undefined;
  limits?: Partial<WebLimits> | undefined;
  webhook?: WebhookEndpoint | undefined;
}

function webAccess(
  config: BridgeConfig,
  allowedPeers: readonly string[] | undefined,
): Pick<WebServerOptions, 'allowedPeers' | 'login' | 'metricsToken' | 'externalUrl'> {
  const { password, metrics_token: metricsToken, external_url: externalUrl } = config.web;
  return {
    ...(allowedPeers
      ? { allowedPeers }
      : { login: { dataDir: config.data_dir, ...(password === undefined ? {} : { password }) } }),
    ...(metricsToken === undefined ? {} : { metricsToken }),
    ...(externalUrl === undefined ? {} : { externalUrl }),
  };
}

/** Starts the web UI as `config.web` says; undefined when it is disabled. */
export async function startWebUi(o: WebUiOptions): Promise<WebServer | undefined> {
  if (!o.config.web.enabled) return undefined;
  const web = new WebServer({
    site: o.site,
    port: o.config.web.port,
    host: o.config.web.host,
    clock: o.clock,
    ...webAccess(o.config, o.allowedPeers ?? ingressAllowList()),
    ...(o.limits ? { limits: o.limits } : {}),
    ...(o.webhook ? { webhook: o.webhook } : {}),
  });
  await web.start();
  return web;
}
