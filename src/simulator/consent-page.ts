/** The HTML of GET /oauth2/authorize: a consent page with Accept and Refuse buttons. */
import { escapeHtml } from './http.js';

export interface ConsentRequest {
  /** The simulated user giving consent (`user1`…). */
  user: string;
  clientId: string;
  redirectUri: string;
  scope: string;
  state: string;
}

export function consentPage(req: ConsentRequest): string {
  const hidden = (name: string, value: string): string =>
    `<input type="hidden" name="${name}" value="${escapeHtml(value)}">`;
  const scopes = req.scope
    .split(/\s+/)
    .filter(Boolean)
    .map((s) => `<li>${escapeHtml(s)}</li>`)
    .join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Netatmo simulator: authorise access</title></head>
<body>
<h1>Authorise access</h1>
<p>The application <strong>${escapeHtml(req.clientId)}</strong> asks to access the simulated Netatmo account of <strong>${escapeHtml(req.user)}</strong>.</p>
<ul>${scopes || '<li>read_station</li>'}</ul>
<form method="post" action="/oauth2/authorize">
${hidden('user', req.user)}${hidden('client_id', req.clientId)}${hidden('redirect_uri', req.redirectUri)}${hidden('scope', req.scope)}${hidden('state', req.state)}
<button type="submit" name="decision" value="accept" id="accept">Accept</button>
<button type="submit" name="decision" value="refuse" id="refuse">Refuse</button>
</form>
</body></html>
`;
}

export function errorPage(message: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Netatmo simulator: error</title></head>
<body><h1>Cannot authorise</h1><p>${escapeHtml(message)}</p></body></html>
`;
}
