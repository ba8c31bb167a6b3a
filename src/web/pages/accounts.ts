/**
 * The home page with several accounts: each account with its state, the process serving it,
 * its devices and its quota use, and the way to its status and Connect pages.
 */
import type { BridgeHealthPayload } from '../../mqtt/topics.js';
import { html, type SafeHtml } from '../html.js';
import type { AccountServing } from '../types.js';
import { layout } from './layout.js';
import { withAccount } from './links.js';

export interface AccountRow {
  name: string;
  serving: AccountServing;
  /** While this process serves it. */
  health?: BridgeHealthPayload;
  devices?: number;
}

export interface AccountsView {
  csrf: string;
  accounts: AccountRow[];
  /** This process, as the leases name it. */
  process: string;
  logout?: boolean;
}

const pill = (kind: 'ok' | 'warn' | 'bad' | 'muted', text: string): SafeHtml =>
  html`<span class="pill ${kind}">${text}</span>`;

function state(row: AccountRow): SafeHtml {
  const s = row.serving;
  if (s.state === 'elsewhere') return pill('muted', 'served elsewhere');
  if (s.state !== 'here' || !row.health)
    return pill('muted', s.state === 'starting' ? 'starting' : 'stopped');
  const auth = row.health.auth.state;
  if (auth === 'ok' || auth === 'refreshing') return pill('ok', 'connected');
  return auth === 'reauth_required' ? pill('bad', 're-authentication needed') : pill('warn', 'not connected');
}

function row(r: AccountRow, process: string): SafeHtml {
  const owner = r.serving.state === 'elsewhere' ? (r.serving.owner ?? 'another process') : process;
  const h = r.health;
  const quota = h ? `${h.api.calls.last_hour} of ${h.api.budget.per_hour} calls` : '—';
  const connect =
    h && h.auth.state !== 'ok' && h.auth.state !== 'refreshing'
      ? html` <a class="button" href="${withAccount('onboarding', r.name)}">Connect</a>`
      : '';
  return html`<tr data-account="${r.name}"><td><a href="${withAccount('./', r.name)}">${r.name}</a></td><td class="state">${state(r)}${connect}</td><td class="owner">${owner}</td><td>${r.devices ?? '—'}</td><td class="small">${quota}</td></tr>`;
}

export function accountsPage(v: AccountsView): string {
  return layout({
    title: 'Accounts',
    refreshS: 15,
    accounts: true,
    ...(v.logout ? { logoutCsrf: v.csrf } : {}),
    body: html`<h1>Accounts</h1>
<section class="card wide" id="accounts"><h2>Netatmo accounts <span class="muted small">${v.accounts.length} configured, ${v.accounts.filter((a) => a.serving.state === 'here').length} served by this process (${v.process})</span></h2>
<div class="scroll"><table><thead><tr><th>Account</th><th>State</th><th>Served by</th><th>Devices</th><th>Netatmo calls, last hour</th></tr></thead><tbody>${v.accounts.map((r) => row(r, v.process))}</tbody></table></div>
<p class="small muted">Each account publishes under its own topics, <span class="mono">&lt;base&gt;/&lt;account&gt;/…</span>, and has its own quota.</p></section>`,
  });
}
