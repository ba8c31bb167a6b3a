/**
 * The status page: authentication, quota use with the calls-per-minute chart, throttle
 * windows, token refreshes, the last poll per home and per feed target, the energy meters,
 * devices and their availability, and recent errors and command results. Everything comes
 * from bridge/health and the store.
 */
import type { Device } from '../../devices/types.js';
import type { BridgeHealthPayload } from '../../mqtt/topics.js';
import type { AuthStats } from '../../netatmo/auth.js';
import type { ActivityEntry } from '../activity.js';
import { callsChart } from '../chart.js';
import { html, type SafeHtml } from '../html.js';
import { authBanner } from './auth-banner.js';
import { energyCard } from './energy-card.js';
import { ago, clockTime, duration } from './format.js';
import { layout } from './layout.js';
import { withAccount } from './links.js';

export interface StatusView {
  now: number;
  csrf: string;
  health: BridgeHealthPayload;
  auth: AuthStats;
  callsPerMinute: number[];
  /** `name`: the device's friendly name, its MQTT topic under the base topic. */
  devices: Array<{ device: Device; name: string; online: boolean | undefined }>;
  activity: ActivityEntry[];
  notice?: string;
  /** Standalone: show "Log out" (with this session's CSRF token). */
  logout?: boolean;
  /** Behind Home Assistant's ingress (the sign-in goes through the Connect page). */
  ingress?: boolean;
  /** One of several accounts: whose status this is. */
  account?: string;
}

const pill = (kind: 'ok' | 'warn' | 'bad' | 'muted', text: string): SafeHtml =>
  html`<span class="pill ${kind}">${text}</span>`;

function meter(used: number, limit: number): SafeHtml {
  const pct = limit > 0 ? Math.min(100, Math.round((used / limit) * 100)) : 0;
  return html`<div class="meter" role="img" aria-label="${`${pct}% used`}"><span class="${pct >= 80 ? 'high' : ''}" style="width:${pct}%"></span></div>`;
}

function quotaCard(v: StatusView): SafeHtml {
  const { calls, budget, throttle } = v.health.api;
  const windowRow = throttle.active
    ? html`${pill('bad', 'throttled')} until ${clockTime(throttle.retry_at)} (${ago(throttle.retry_at, v.now)}): ${throttle.reason ?? ''}`
    : pill('ok', 'no throttle window open');
  return html`<section class="card wide" id="quota"><h2>Netatmo API quota</h2>
<div class="grid">
<div><dl><dt>Last 10 seconds</dt><dd>${calls.last_10s} of ${budget.per_10s} calls</dd></dl>${meter(calls.last_10s, budget.per_10s)}</div>
<div><dl><dt>Last hour</dt><dd>${calls.last_hour} of ${budget.per_hour} calls</dd></dl>${meter(calls.last_hour, budget.per_hour)}</div>
</div>
${callsChart({ callsPerMinute: v.callsPerMinute, budgetPerHour: budget.per_hour })}
<dl><dt>Throttle</dt><dd id="throttle">${windowRow}</dd>
<dt>Throttle windows</dt><dd>${throttle.count} since start</dd>
<dt>Failed calls</dt><dd>${v.health.api.errors}</dd>
<dt>By endpoint</dt><dd class="small">${
    Object.entries(calls.by_endpoint)
      .map(([endpoint, n]) => `${endpoint} ${n}`)
      .join(' · ') || 'no calls yet'
  }</dd></dl></section>`;
}

function accountCard(v: StatusView): SafeHtml {
  const a = v.health.auth;
  const state =
    a.state === 'ok'
      ? pill('ok', 'connected')
      : a.state === 'reauth_required'
        ? pill('bad', 're-authentication needed')
        : pill('warn', 'not connected');
  return html`<section class="card" id="account"><h2>Netatmo account</h2><dl>
<dt>State</dt><dd>${state}</dd>
<dt>Token refreshes</dt><dd>${a.token_refreshes} (${a.forced_refreshes} forced by throttling)</dd>
<dt>Last refresh</dt><dd>${ago(a.last_refresh, v.now)}</dd>
<dt>Token expires</dt><dd>${v.auth.expiresAt === undefined ? '—' : ago(v.auth.expiresAt, v.now)}</dd>
<dt>Refresh failures</dt><dd>${v.auth.refreshFailures}</dd></dl></section>`;
}

function bridgeCard(v: StatusView): SafeHtml {
  const m = v.health.mqtt;
  const c = v.health.commands;
  return html`<section class="card" id="bridge"><h2>Bridge</h2><dl>
<dt>MQTT</dt><dd>${m.connected ? pill('ok', 'connected') : pill('bad', 'disconnected')} ${m.connected && m.connected_since ? html`<span class="small muted">since ${ago(m.connected_since, v.now)}</span>` : ''}</dd>
<dt>Reconnects</dt><dd>${m.reconnects}${m.last_error ? html` <span class="small muted">(last error: ${m.last_error})</span>` : ''}</dd>
<dt>Uptime</dt><dd>${duration(v.health.uptime_s)}</dd>
${coordinationRows(v)}
<dt>Commands</dt><dd id="commands">${c.ok} ok · ${c.failed} failed · ${c.rejected} rejected · ${c.coalesced} coalesced</dd>
${c.last_error ? html`<dt>Last command error</dt><dd>${c.last_error}</dd>` : ''}
</dl></section>`;
}

/** Who serves the account, with several accounts or processes (a lone bridge has nothing to say). */
function coordinationRows(v: StatusView): SafeHtml | string {
  const c = v.health.coordination;
  if (!c || (c.mode === 'local' && v.account === undefined)) return '';
  return html`<dt>Served by</dt><dd id="owner">${c.owner} <span class="small muted">(${c.mode === 'redis' ? `Redis ${c.connected ? 'connected' : 'unreachable'}` : 'this process alone'})</span></dd>
${c.refresh_blocked ? html`<dt>Token refresh</dt><dd>${pill('warn', 'waiting')} ${c.refresh_blocked}</dd>` : ''}`;
}

const FEED_NAMES: Record<string, string> = { events: 'Events', energy: 'Energy' };

/**
 * Publisher ids are `topology`, `weather`, `homecoach`, `home:<id>` or `feed:<feed>:<target>`;
 * homes and a feed's targets (a home, a meter) get their names.
 */
function publisherName(id: string, names: Map<string, string>): string {
  if (id.startsWith('home:')) {
    const homeId = id.slice(5);
    return `Home ${names.get(homeId) ?? homeId}`;
  }
  const feed = /^feed:([^:]+):(.+)$/.exec(id);
  if (feed?.[1] && feed[2]) return `${FEED_NAMES[feed[1]] ?? feed[1]} · ${names.get(feed[2]) ?? feed[2]}`;
  return id === 'topology' ? 'Homes and devices list' : id.charAt(0).toUpperCase() + id.slice(1);
}

function pollingCard(v: StatusView): SafeHtml {
  const p = v.health.polling;
  // Homes by id, modules by Netatmo id: what the publishers read.
  const names = new Map<string, string>();
  for (const { device } of v.devices) {
    if (device.homeId && device.homeName) names.set(device.homeId, device.homeName);
    if (device.source === 'homes' && device.kind !== 'home' && device.kind !== 'room')
      names.set(device.netatmoId, device.name);
  }
  const rows = p.publishers.map(
    (
      pub,
    ) => html`<tr><td>${publisherName(pub.id, names)}</td><td>${pub.online === false ? pill('bad', 'failing') : pub.last_success ? pill('ok', 'ok') : pill('muted', 'waiting')}</td>
<td>${ago(pub.last_success, v.now)}</td><td>every ${duration(pub.interval_s)}</td><td class="small">${pub.last_error ?? ''}</td></tr>`,
  );
  return html`<section class="card wide" id="polling"><h2>Polling ${p.running ? pill('ok', 'running') : pill('muted', 'stopped')}</h2>
<p class="small muted">${p.calls_last_hour} calls in the last hour; polling may use ${p.budget_per_hour}/h of the ${v.health.api.budget.per_hour}/h the bridge plans for, the rest stays free for commands.${p.plan ? ` Plan: ${p.plan}` : ''}</p>
${
  rows.length > 0
    ? html`<div class="scroll"><table><thead><tr><th>What</th><th>State</th><th>Last poll</th><th>Interval</th><th>Last error</th></tr></thead><tbody>${rows}</tbody></table></div>`
    : html`<p class="muted">Nothing polled yet.</p>`
}</section>`;
}

function devicesCard(v: StatusView): SafeHtml {
  const online = v.devices.filter((d) => d.online === true).length;
  const rows = v.devices.map(
    ({
      device,
      name,
      online,
    }) => html`<tr><td><a href="${withAccount(`rename?device=${encodeURIComponent(device.id)}`, v.account)}" title="Rename">${name}</a>${name === device.name ? '' : html`<br><span class="muted small">${device.name}</span>`}</td><td>${device.model}</td><td>${device.homeName ?? ''}${device.roomName ? ` · ${device.roomName}` : ''}</td>
<td>${online === true ? pill('ok', 'online') : online === false ? pill('bad', 'offline') : pill('muted', 'unknown')}</td></tr>`,
  );
  return html`<section class="card wide" id="devices"><h2>Devices <span class="muted small">${v.devices.length} known, ${online} online</span></h2>
${
  rows.length > 0
    ? html`<div class="scroll"><table><thead><tr><th>MQTT name <span class="muted small">(Netatmo name)</span></th><th>Model</th><th>Home · room</th><th>Availability</th></tr></thead><tbody>${rows}</tbody></table></div>`
    : html`<p class="muted" id="no-devices">No devices yet. They appear after the first successful poll.</p>`
}</section>`;
}

function activityCard(v: StatusView): SafeHtml {
  const rows = v.activity.map(
    (e) =>
      html`<tr><td class="small">${clockTime(e.at)}</td><td>${pill(e.level === 'error' ? 'bad' : e.level === 'warning' ? 'warn' : 'muted', e.level)}</td><td class="small">${e.source}</td><td>${e.message}</td></tr>`,
  );
  return html`<section class="card wide" id="activity"><h2>Recent errors and events</h2>
${
  rows.length > 0
    ? html`<div class="scroll"><table><thead><tr><th>Time (UTC)</th><th>Level</th><th>Source</th><th>Message</th></tr></thead><tbody>${rows}</tbody></table></div>`
    : html`<p class="muted">Nothing to report.</p>`
}</section>`;
}

export function statusPage(v: StatusView): string {
  return layout({
    title: 'Status',
    refreshS: 15,
    ...(v.logout ? { logoutCsrf: v.csrf } : {}),
    ...(v.account === undefined ? {} : { account: v.account }),
    body: html`<h1>Status${v.account === undefined ? '' : html` <span class="muted" id="account-name">${v.account}</span>`}</h1>
${v.notice ? html`<div class="notice" id="notice">${v.notice}</div>` : ''}
${authBanner(v.auth, v.csrf, v.now, { ingress: v.ingress === true, ...(v.account === undefined ? {} : { account: v.account }) })}
<div class="grid">
${quotaCard(v)}
${accountCard(v)}
${bridgeCard(v)}
${pollingCard(v)}
${energyCard(v.health.energy, v.now)}
${devicesCard(v)}
${activityCard(v)}
</div>`,
  });
}
