/**
 * The onboarding page: three ways to give the bridge a Netatmo token. (1) "Sign in with
 * Netatmo" runs the authorization-code flow with the redirect URI shown here; (2) when that
 * redirect cannot reach the bridge, paste the address the browser ended on; (3) paste a
 * refresh token from the Token generator at dev.netatmo.com.
 *
 * Behind Home Assistant's ingress, (1) and (2) are one guided flow: Home Assistant's
 * `ingress_session` cookie is `SameSite=Strict`, so Netatmo's redirect back (a navigation
 * started by another site) arrives without it and Home Assistant answers 401 before the bridge
 * sees it. The sign-in therefore opens in a new tab (it also could not run inside Home
 * Assistant's frame), and the user pastes that tab's address — which holds the answer — here.
 */
import type { AuthStats } from '../../netatmo/auth.js';
import { html } from '../html.js';
import { authBanner, connectButton } from './auth-banner.js';
import { layout } from './layout.js';
import { withAccount } from './links.js';

export interface OnboardingView {
  now: number;
  csrf: string;
  auth: AuthStats;
  redirectUri: string;
  scopes: readonly string[];
  error?: string;
  /** Standalone: show "Log out" (with this session's CSRF token). */
  logout?: boolean;
  /** Behind Home Assistant's ingress: the guided sign-in (new tab, then paste its address). */
  ingress?: boolean;
  /** One of several accounts: the token goes to this one. */
  account?: string;
}

export function onboardingPage(v: OnboardingView): string {
  const csrfField = html`<input type="hidden" name="csrf" value="${v.csrf}">`;
  const register = html`<li>At <span class="mono">dev.netatmo.com</span> → <em>My apps</em>, open the app whose client id the bridge uses and add this <strong>redirect URI</strong> (exactly as shown):<br><code id="redirect-uri">${v.redirectUri}</code></li>`;
  const signIn = v.ingress
    ? html`<section class="card" id="oauth"><h2>1. Sign in with Netatmo (recommended)</h2>
<ol class="steps">
${register}
<li>Press the button: Netatmo opens in a <strong>new tab</strong>. Sign in and accept.</li>
<li>That tab then shows Home Assistant's <strong>401: Unauthorized</strong>. This is expected: Home Assistant does not let another site's redirect into an app's page. The tab's address holds Netatmo's answer: <strong>copy the whole address</strong> from its address bar, close the tab, and paste it in step 2 below.</li>
</ol>
<p>${connectButton(v.csrf, 'Sign in with Netatmo', true, v.account)}</p>
<p class="small muted">Requested scopes: ${v.scopes.join(' ')}</p>
</section>`
    : html`<section class="card" id="oauth"><h2>1. Sign in with Netatmo (recommended)</h2>
<ol class="steps">
${register}
<li>Press the button, sign in to Netatmo and accept. You come back here and the bridge starts polling.</li>
</ol>
<p>${connectButton(v.csrf, 'Connect Netatmo', false, v.account)}</p>
<p class="small muted">Requested scopes: ${v.scopes.join(' ')}</p>
</section>`;
  const pasteHelp = v.ingress
    ? 'Paste the address of the tab that showed 401: Unauthorized after you accepted on Netatmo’s page.'
    : 'If the page after accepting did not load (for example because the redirect URI points to an address this browser cannot reach), copy that page’s full address from the address bar and paste it here.';
  return layout({
    title: 'Connect Netatmo',
    ...(v.logout ? { logoutCsrf: v.csrf } : {}),
    ...(v.account === undefined ? {} : { account: v.account }),
    body: html`<h1>Connect Netatmo${v.account === undefined ? '' : html` <span class="muted" id="account-name">${v.account}</span>`}</h1>
${v.error ? html`<div class="error" id="error">${v.error}</div>` : ''}
${authBanner(v.auth, v.csrf, v.now, { actions: false })}
${signIn}
<section class="card" id="paste-url"><h2>2. Paste the address Netatmo sent you to</h2>
<p>${pasteHelp} It only works for a sign-in started with the button above, within 10 minutes.</p>
<form method="post" action="${withAccount('redirect', v.account)}">${csrfField}
<label for="redirect_url">Address after accepting</label>
<input type="text" id="redirect_url" name="redirect_url" autocomplete="off" spellcheck="false" placeholder="https://…/callback?state=…&amp;code=…">
<p><button type="submit" id="submit-redirect">Use this address</button></p></form>
</section>
<section class="card" id="paste-token"><h2>3. Paste a refresh token</h2>
<p>At <span class="mono">dev.netatmo.com</span> → <em>My apps</em> → your app → <em>Token generator</em>, choose the scopes of your devices, generate, and copy the <strong>refresh token</strong>. The bridge exchanges it at once and then keeps the rotated tokens itself: do not use the same token in another program, or one of them will be locked out.</p>
<form method="post" action="${withAccount('token', v.account)}">${csrfField}
<label for="refresh_token">Refresh token</label>
<textarea id="refresh_token" name="refresh_token" autocomplete="off" spellcheck="false"></textarea>
<p><button type="submit" id="submit-token">Save refresh token</button></p></form>
</section>`,
  });
}
