/** /oauth2/authorize (consent page and its form) and /oauth2/token. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { consentPage, errorPage } from './consent-page.js';
import type { SimulatorCore } from './core.js';
import { answerFault } from './fault-responses.js';
import { parseForm, readBody, sendHtml, sendJson } from './http.js';
import { OAuthError } from './oauth.js';

export async function handleAuthorize(
  core: SimulatorCore,
  url: URL,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  core.stats.count('authorize');
  const params =
    req.method === 'POST' ? parseForm(await readBody(req)) : Object.fromEntries(url.searchParams);
  const clientId = params.client_id ?? '';
  const redirectUri = params.redirect_uri ?? '';
  const state = params.state ?? '';
  const scope = params.scope ?? 'read_station';
  if (!clientId || !redirectUri) {
    sendHtml(res, 400, errorPage('The request needs client_id and redirect_uri.'));
    return;
  }
  let target: URL;
  try {
    target = new URL(redirectUri);
  } catch {
    sendHtml(res, 400, errorPage('redirect_uri is not a valid URL.'));
    return;
  }
  if (!core.authority.knowsClient(clientId)) {
    sendHtml(res, 400, errorPage('Unknown client_id.'));
    return;
  }
  // Who logs in: the simulator's stand-in for Netatmo's login form (default: the first user).
  let user: string;
  try {
    user = core.authority.user(params.user || undefined);
  } catch (error) {
    sendHtml(res, 400, errorPage(error instanceof Error ? error.message : String(error)));
    return;
  }
  if (req.method !== 'POST') {
    sendHtml(res, 200, consentPage({ user, clientId, redirectUri, scope, state }));
    return;
  }
  if (params.decision === 'accept') {
    target.searchParams.set(
      'code',
      core.authority.issueCode(user, clientId, redirectUri, scope.split(/\s+/).filter(Boolean)),
    );
  } else {
    target.searchParams.set('error', 'access_denied');
  }
  if (state) target.searchParams.set('state', state);
  res.writeHead(302, { location: target.toString() });
  res.end();
}

export async function handleToken(
  core: SimulatorCore,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const { stats, clock } = core;
  stats.count('token');
  const raw = await readBody(req);
  const fault = core.faults.match('token');
  if (fault.latencyMs > 0) {
    stats.bump('faults_injected');
    await clock.sleep(fault.latencyMs);
  }
  if (fault.rule) {
    stats.bump('faults_injected');
    answerFault(fault.rule, req, res, core.throttle, true);
    stats.record({ at: clock.now(), endpoint: 'token', status: fault.rule.status ?? 503, outcome: 'fault' });
    return;
  }
  const params = parseForm(raw);
  const basic = basicCredentials(req.headers.authorization);
  const grant = params.grant_type ?? '';
  try {
    core.authority.checkClient(params.client_id ?? basic?.id, params.client_secret ?? basic?.secret);
    let answer: ReturnType<typeof core.authority.mint>;
    if (grant === 'refresh_token') {
      const refreshed = core.authority.refresh(params.refresh_token);
      answer = refreshed.answer;
      stats.bump('token_refreshes');
      core.usage.refreshed(refreshed.user);
    } else if (grant === 'authorization_code') {
      answer = core.authority.exchangeCode(params.code, params.redirect_uri, params.client_id ?? basic?.id);
      stats.bump('token_grants');
    } else {
      throw new OAuthError('unsupported_grant_type');
    }
    sendJson(res, 200, answer);
    stats.record({
      at: clock.now(),
      endpoint: 'token',
      status: 200,
      outcome: 'ok',
      params: { grant_type: grant },
    });
  } catch (error) {
    if (!(error instanceof OAuthError)) throw error;
    if (error.error === 'invalid_grant') {
      stats.bump('invalid_grant');
      if (error.user !== undefined) core.usage.invalidGrant(error.user);
    }
    sendJson(res, error.status, { error: error.error });
    stats.record({
      at: clock.now(),
      endpoint: 'token',
      status: error.status,
      outcome: 'error',
      params: { grant_type: grant },
    });
  }
}

function basicCredentials(header: string | undefined): { id: string; secret: string } | undefined {
  const match = /^Basic\s+(.+)$/i.exec(header ?? '');
  if (!match?.[1]) return undefined;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  return { id: safeDecode(decoded.slice(0, colon)), secret: safeDecode(decoded.slice(colon + 1)) };
}

/** RFC 6749 form-encodes Basic credentials; a stray `%` must not crash the endpoint. */
function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
