/** GET `./` (status, or the list of accounts when there are several) and GET `onboarding`. */

import { sendHtml } from '../http-util.js';
import { NETATMO_SCOPES } from '../oauth-flow.js';
import { accountsPage } from '../pages/accounts.js';
import { onboardingPage } from '../pages/onboarding.js';
import { statusPage } from '../pages/status.js';
import { pageAccount, type RequestContext, redirectUriFor, servingBridge } from './context.js';

/** Notices after a redirect come from this fixed list: nothing from the URL is echoed. */
const NOTICES: Record<string, string> = {
  connected: 'Connected to Netatmo. Polling has started; devices appear after the first poll.',
  token: 'Refresh token accepted and saved. Polling has started; devices appear after the first poll.',
  renamed: 'Device renamed: its MQTT topics moved to the new name, and Home Assistant keeps its entities.',
};

export function statusRoute(ctx: RequestContext): void {
  const { site, clock, csrf, activity } = ctx.deps;
  if (site.several && !ctx.url.searchParams.has('account')) {
    accountsRoute(ctx);
    return;
  }
  const bridge = servingBridge(ctx);
  if (!bridge) return;
  const account = pageAccount(ctx);
  const notice = NOTICES[ctx.url.searchParams.get('notice') ?? ''];
  const devices = bridge.store
    .devices()
    .map((device) => ({
      device,
      name: bridge.names.nameOf(device),
      online: bridge.store.availability(device.id),
    }))
    .sort(
      (a, b) =>
        (a.device.homeName ?? '').localeCompare(b.device.homeName ?? '') || a.name.localeCompare(b.name),
    );
  const body = statusPage({
    now: clock.now(),
    csrf: csrf.tokenFor(ctx.session.id),
    health: bridge.health(),
    auth: bridge.netatmo.auth.stats(),
    callsPerMinute: bridge.netatmo.gate.stats().callsPerMinute,
    devices,
    activity: activity.recent(20),
    logout: ctx.deps.credentials !== undefined,
    ingress: ctx.fromIngressProxy,
    ...(notice ? { notice } : {}),
    ...(account === undefined ? {} : { account }),
  });
  sendHtml(ctx.res, 200, body, ctx.cookieHeaders);
}

/** Several accounts: each with its state, who serves it, its devices and quota use. */
function accountsRoute(ctx: RequestContext): void {
  const { site, csrf } = ctx.deps;
  const body = accountsPage({
    csrf: csrf.tokenFor(ctx.session.id),
    process: site.process ?? '',
    logout: ctx.deps.credentials !== undefined,
    accounts: site.accounts.map((account) => {
      const bridge = account.bridge();
      return {
        name: account.name,
        serving: account.serving(),
        ...(bridge ? { health: bridge.health(), devices: bridge.store.devices().length } : {}),
      };
    }),
  });
  sendHtml(ctx.res, 200, body, ctx.cookieHeaders);
}

export function onboardingRoute(ctx: RequestContext, error?: string, status = 200): void {
  const { clock, csrf } = ctx.deps;
  const bridge = servingBridge(ctx);
  if (!bridge) return;
  const account = pageAccount(ctx);
  const body = onboardingPage({
    now: clock.now(),
    csrf: csrf.tokenFor(ctx.session.id),
    auth: bridge.netatmo.auth.stats(),
    redirectUri: redirectUriFor(ctx),
    scopes: NETATMO_SCOPES,
    logout: ctx.deps.credentials !== undefined,
    ingress: ctx.fromIngressProxy,
    ...(error ? { error } : {}),
    ...(account === undefined ? {} : { account }),
  });
  sendHtml(ctx.res, status, body, ctx.cookieHeaders);
}
