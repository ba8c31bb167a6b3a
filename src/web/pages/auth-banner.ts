/**
 * The authentication banner and the "Connect Netatmo" button (a CSRF-protected POST). Under
 * Home Assistant's ingress the banner links to the Connect page instead: there the sign-in opens
 * in a new tab, whose address the user pastes back (see onboarding.ts).
 */
import type { AuthStats } from '../../netatmo/auth.js';
import { html, type SafeHtml } from '../html.js';
import { ago } from './format.js';
import { withAccount } from './links.js';

/**
 * `newTab`: the sign-in opens in a new tab (ingress: the page lives in Home Assistant's frame).
 * `account`: one of several, whose token the sign-in stores.
 */
export function connectButton(
  csrf: string,
  label = 'Connect Netatmo',
  newTab = false,
  account?: string,
): SafeHtml {
  return html`<form class="inline" method="post" action="${withAccount('connect', account)}"${newTab ? html` target="_blank"` : ''}><input type="hidden" name="csrf" value="${csrf}"><button type="submit" id="connect">${label}</button></form>`;
}

export interface BannerOptions {
  /** False leaves out the buttons (the onboarding page has its own). */
  actions?: boolean;
  /** Behind Home Assistant's ingress: the buttons lead to the Connect page. */
  ingress?: boolean;
  /** One of several accounts: the buttons connect this one. */
  account?: string;
}

export function authBanner(
  auth: AuthStats,
  csrf: string,
  now: number,
  { actions = true, ingress = false, account }: BannerOptions = {},
): SafeHtml {
  const onboarding = withAccount('onboarding', account);
  const buttons = (label: string): SafeHtml | string => {
    if (!actions) return '';
    if (ingress) return html`<p><a class="button" id="connect-page" href="${onboarding}">${label}</a></p>`;
    return html`<p>${connectButton(csrf, label, false, account)} <a class="button secondary" href="${onboarding}">Other ways to connect</a></p>`;
  };
  if (auth.state === 'reauth_required') {
    return html`<section class="banner bad" id="auth-banner"><h2>Re-authentication needed</h2>
<p>Netatmo no longer accepts the bridge's token, so polling and commands are stopped. ${auth.reauthReason ?? ''}</p>
<p>Sign in to Netatmo again to resume; nothing needs a restart.</p>
${buttons('Reconnect Netatmo')}</section>`;
  }
  if (auth.state === 'no_token') {
    return html`<section class="banner warn" id="auth-banner"><h2>Not connected to Netatmo yet</h2>
<p>The bridge is waiting for a Netatmo sign-in. Connect your account and polling starts at once.</p>
${buttons('Connect Netatmo')}</section>`;
  }
  const persist = auth.persistError
    ? html`<p><strong>Warning:</strong> the newest token could not be saved (${auth.persistError}); a restart now would need a new sign-in.</p>`
    : '';
  return html`<section class="banner ${auth.persistError ? 'warn' : 'ok'}" id="auth-banner"><h2>Connected to Netatmo</h2>
<p class="small">${auth.expiresAt === undefined ? 'The first access token is being fetched.' : `The access token is renewed automatically; the current one expires ${ago(auth.expiresAt, now)}.`}</p>${persist}</section>`;
}
