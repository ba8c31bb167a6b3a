/**
 * The page shell: one inline stylesheet, no script, no external asset, relative links only,
 * so it renders offline and under Home Assistant's ingress prefix. Readable on a phone.
 */
import { version } from '../../version.js';
import { html, SafeHtml } from '../html.js';
import { withAccount } from './links.js';

const STYLE = `
:root{--bg:#f4f6f8;--card:#fff;--ink:#1d2733;--muted:#5f6b7a;--line:#e1e6ec;--accent:#0b6bcb;
--ok:#1b7f3b;--warn:#a35c00;--bad:#b3261e;--okbg:#e6f4ea;--warnbg:#fff4e0;--badbg:#fdeceb}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--ink);font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}
header{background:#12324f;color:#fff;padding:12px 16px;display:flex;align-items:center;gap:12px;flex-wrap:wrap}
header .brand{font-weight:600;font-size:17px;color:#fff;text-decoration:none}
header nav{display:flex;gap:14px;margin-left:auto}
header nav a{color:#cfe3f7;text-decoration:none}
header nav a:hover{color:#fff}
header nav form{display:inline}
header nav button{background:none;color:#cfe3f7;padding:0;font-weight:400}
main{max-width:1040px;margin:0 auto;padding:16px}
h1{font-size:22px;margin:4px 0 14px}
h2{font-size:16px;margin:0 0 10px}
.grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(min(100%,380px),1fr));gap:14px}
.card{background:var(--card);border:1px solid var(--line);border-radius:10px;padding:14px 16px;margin-bottom:14px}
.grid .card{margin-bottom:0}
.wide{grid-column:1/-1}
.banner{border-radius:10px;padding:14px 16px;margin-bottom:14px;border:1px solid}
.banner.ok{background:var(--okbg);border-color:#b7dfc3}
.banner.warn{background:var(--warnbg);border-color:#f3d29b}
.banner.bad{background:var(--badbg);border-color:#f1b8b3}
.banner h2{margin-bottom:4px}
.banner p{margin:4px 0 10px}
dl{display:grid;grid-template-columns:max-content 1fr;gap:4px 14px;margin:0}
dt{color:var(--muted)}
dd{margin:0;overflow-wrap:anywhere}
table{width:100%;border-collapse:collapse}
th,td{text-align:left;padding:6px 8px;border-bottom:1px solid var(--line);vertical-align:top}
th{color:var(--muted);font-weight:500;font-size:13px}
.scroll{overflow-x:auto}
.pill{display:inline-block;border-radius:999px;padding:1px 9px;font-size:12.5px;font-weight:600;white-space:nowrap}
.pill.ok{background:var(--okbg);color:var(--ok)}
.pill.warn{background:var(--warnbg);color:var(--warn)}
.pill.bad{background:var(--badbg);color:var(--bad)}
.pill.muted{background:#eef1f4;color:var(--muted)}
.muted{color:var(--muted)}
.small{font-size:13px}
.meter{height:8px;background:#e9edf2;border-radius:4px;overflow:hidden;margin:4px 0 10px}
.meter span{display:block;height:100%;background:var(--accent)}
.meter span.high{background:var(--warn)}
button,.button{display:inline-block;background:var(--accent);color:#fff;border:0;border-radius:8px;padding:9px 16px;font:inherit;font-weight:600;cursor:pointer;text-decoration:none}
button.secondary,.button.secondary{background:#e8eef5;color:var(--ink)}
form.inline{display:inline}
label{display:block;font-weight:600;margin:10px 0 4px}
input[type=text],input[type=password],textarea{width:100%;padding:8px 10px;border:1px solid #c5ced8;border-radius:8px;font:inherit;background:#fff}
textarea{min-height:64px;font-family:ui-monospace,Menlo,Consolas,monospace;font-size:13px}
code,.mono{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:13px;background:#eef1f4;border-radius:4px;padding:1px 5px;overflow-wrap:anywhere}
.steps{padding-left:20px}
.steps li{margin-bottom:6px}
.chart{width:100%;height:auto;display:block;margin:6px 0 10px}
.chart .bar{fill:var(--accent)}
.chart .bar.over{fill:var(--warn)}
.chart .axis{stroke:#9aa6b2;stroke-width:1}
.chart .budget{stroke:var(--bad);stroke-width:1.5;stroke-dasharray:5 4}
.chart .label{font-size:12px;fill:var(--muted)}
.chart .budget-label{fill:var(--bad)}
.notice{background:var(--okbg);border:1px solid #b7dfc3;border-radius:10px;padding:10px 14px;margin-bottom:14px}
.error{background:var(--badbg);border:1px solid #f1b8b3;border-radius:10px;padding:10px 14px;margin-bottom:14px}
footer{max-width:1040px;margin:0 auto;padding:4px 16px 24px;color:var(--muted);font-size:13px}
@media (max-width:560px){.chart .label{font-size:26px}main{padding:10px}.card{padding:12px}th,td{padding:5px 4px}header nav{margin-left:0}}
`;

/** The stylesheet is a constant of this module, not data: it goes in as it is. */
const CSS = new SafeHtml(STYLE);

export interface LayoutOptions {
  title: string;
  body: SafeHtml;
  /** Seconds between automatic reloads (status page only). */
  refreshS?: number;
  /** False on the login page: the links would only lead back to it. */
  nav?: boolean;
  /** Standalone and logged in: the CSRF token of the "Log out" button in the header. */
  logoutCsrf?: string;
  /** A page of one account among several: the links lead to its pages, and to the list of accounts. */
  account?: string;
  /** The list of accounts (several): the header links to it. */
  accounts?: boolean;
}

function nav(options: LayoutOptions): SafeHtml | string {
  if (options.nav === false) return '';
  const a = options.account;
  const list = a !== undefined || options.accounts ? html`<a href="./" id="nav-accounts">Accounts</a>` : '';
  const own =
    options.accounts && a === undefined
      ? ''
      : html`<a href="${withAccount('./', a)}">Status</a><a href="${withAccount('onboarding', a)}">Connect Netatmo</a><a href="${withAccount('metrics', a)}">Metrics</a>`;
  const logout = options.logoutCsrf
    ? html`<form method="post" action="logout"><input type="hidden" name="csrf" value="${options.logoutCsrf}"><button type="submit" id="logout">Log out</button></form>`
    : '';
  return html`<nav>${list}${own}${logout}</nav>`;
}

export function layout(options: LayoutOptions): string {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
${options.refreshS ? html`<meta http-equiv="refresh" content="${options.refreshS}">` : ''}
<title>${options.title}${options.account === undefined ? '' : ` · ${options.account}`} · netatmo2mqtt</title>
<style>${CSS}</style>
</head>
<body>
<header><a class="brand" href="./">netatmo2mqtt</a>${nav(options)}</header>
<main>
${options.body}
</main>
<footer>netatmo2mqtt ${version}</footer>
</body>
</html>
`.text;
}
