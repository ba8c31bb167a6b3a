/**
 * The standalone login page. Before a password exists it asks for the one-time setup code
 * from the log and the new password (twice); afterwards only for the password.
 */
import { html } from '../html.js';
import { layout } from './layout.js';

export interface LoginView {
  csrf: string;
  setup: boolean;
  minLength: number;
  error?: string;
}

export function loginPage(v: LoginView): string {
  const csrf = html`<input type="hidden" name="csrf" value="${v.csrf}">`;
  const error = v.error ? html`<div class="error" id="error">${v.error}</div>` : '';
  if (v.setup) {
    return layout({
      title: 'Set up the web UI',
      nav: false,
      body: html`<h1>Set up the web UI</h1>${error}
<section class="card" id="setup"><p>This bridge has no web UI password yet. Its log shows a <strong>setup code</strong> (the line <code>web UI setup code: XXXX-XXXX-XXXX</code>); enter it and choose a password of at least ${v.minLength} characters. The code works once, and a new one is printed at each start until a password is set. Instead, you can set <code>web.password</code> (<code>NETATMO2MQTT_WEB_PASSWORD</code>) in the configuration.</p>
<form method="post" action="login">${csrf}
<label for="setup_code">Setup code from the log</label>
<input type="text" id="setup_code" name="setup_code" autocomplete="off" spellcheck="false" required>
<label for="password">New password</label>
<input type="password" id="password" name="password" autocomplete="new-password" minlength="${v.minLength}" required>
<label for="password_confirm">New password again</label>
<input type="password" id="password_confirm" name="password_confirm" autocomplete="new-password" minlength="${v.minLength}" required>
<p><button type="submit" id="submit-login">Set password and log in</button></p></form></section>`,
    });
  }
  return layout({
    title: 'Log in',
    nav: false,
    body: html`<h1>Log in</h1>${error}
<section class="card" id="login"><form method="post" action="login">${csrf}
<label for="password">Password</label>
<input type="password" id="password" name="password" autocomplete="current-password" required autofocus>
<p><button type="submit" id="submit-login">Log in</button></p></form>
<p class="small muted">Forgotten? Set <code>web.password</code>, or delete <code>web-auth.json</code> in the data directory and restart the bridge for a new setup code.</p></section>`,
  });
}
