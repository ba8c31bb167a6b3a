/** GET `./` (status) and GET `onboarding`. */

import { sendHtml } from '../http-util.js';
import { NETATMO_SCOPES } from '../oauth-flow.js';
import { onboardingPage } from '../pages/onboarding.js';
import { statusPage } from '../pages/status.js';
import { type RequestContext, redirectUriFor } from './context.js';

/** Notices after a redirect come from this fixed list: nothing from the URL is echoed. */
const NOTICES: Record<string, string> = {
  connected: 'Connected to Netatmo. Polling has started; devices appear after the first poll.',
  token: 'Refresh token accepted and saved. Polling has started; devices appear after the first poll.',
  renamed: 'Device renamed: its MQTT topics moved to the new name, and Home Assistant keeps its entities.',
};

export function statusRoute(ctx: RequestContext): void {
  const { bridge, clock, csrf, activity } = ctx.deps;
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
  });
  sendHtml(ctx.res, 200, body, ctx.cookieHeaders);
}

export function onboardingRoute(ctx: RequestContext, error?: string, status = 200): void {
  const { bridge, clock, csrf } = ctx.deps;
  const body = onboardingPage({
    now: clock.now(),
    csrf: csrf.tokenFor(ctx.session.id),
    auth: bridge.netatmo.auth.stats(),
    redirectUri: redirectUriFor(ctx),
    scopes: NETATMO_SCOPES,
    logout: ctx.deps.credentials !== undefined,
    ingress: ctx.fromIngressProxy,
    ...(error ? { error } : {}),
  });
  sendHtml(ctx.res, status, body, ctx.cookieHeaders);
}
