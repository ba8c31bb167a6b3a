/**
 * The onboarding actions: POST `connect` starts the authorization-code flow, GET `callback`
 * finishes it, POST `redirect` finishes it from a pasted address, POST `token` takes a pasted
 * refresh token. Every POST needs the session's CSRF token; every code needs a state this
 * server issued to this session; every action that reaches Netatmo counts against the rate
 * limits per session and per address. The token goes to auth (and so to the TokenStore), whose
 * credentialsRestored event makes the bridge start polling.
 */
import { childLogger } from '../../log.js';
import { isNetatmoError } from '../../netatmo/errors.js';
import { redactString } from '../../util/redact.js';
import { readForm, redirect, sendHtml } from '../http-util.js';
import { NETATMO_SCOPES } from '../oauth-flow.js';
import { withAccount } from '../pages/links.js';
import { messagePage } from '../pages/message.js';
import { accountLink, type RequestContext, redirectUriFor, servingBridge } from './context.js';
import { onboardingRoute } from './pages.js';

const log = childLogger('web');

/** Counts an action that reaches Netatmo; answers 429 itself and returns false when over a limit. */
function withinRateLimit(ctx: RequestContext): boolean {
  const { limits, clock } = ctx.deps;
  const verdict = limits.netatmoAction(ctx.session.id, ctx.address);
  if (verdict.allowed) return true;
  const seconds = Math.max(1, Math.ceil(((verdict.retryAt ?? clock.now()) - clock.now()) / 1000));
  log.warning(`refused a Netatmo sign-in action from ${ctx.address}: too many in a minute`);
  ctx.res.setHeader('retry-after', String(seconds));
  sendHtml(
    ctx.res,
    429,
    messagePage(
      'Too many attempts',
      `Too many sign-in attempts in a minute. Wait ${seconds} s and try again.`,
    ),
    ctx.cookieHeaders,
  );
  return false;
}

/** Reads the form and checks its CSRF token and the rate limits; answers itself and returns undefined when one fails. */
async function checkedForm(ctx: RequestContext): Promise<URLSearchParams | undefined> {
  const form = await readForm(ctx.req);
  const sessionId = ctx.deps.sessions.existing(ctx.req);
  if (!ctx.deps.csrf.verify(sessionId, form.get('csrf') ?? undefined)) {
    log.warning('refused a form without a valid CSRF token');
    sendHtml(
      ctx.res,
      403,
      messagePage(
        'Request refused',
        'This form was not sent from this page (missing or wrong security token). Reload the page and try again.',
      ),
      ctx.cookieHeaders,
    );
    return undefined;
  }
  return withinRateLimit(ctx) ? form : undefined;
}

function failureText(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  if (isNetatmoError(error, 'reauth_required'))
    return 'Netatmo refused it (invalid_grant): it is expired, already used, or was revoked.';
  return redactString(message);
}

export async function connectRoute(ctx: RequestContext): Promise<void> {
  if (!(await checkedForm(ctx))) return;
  const bridge = servingBridge(ctx);
  if (!bridge) return;
  const redirectUri = redirectUriFor(ctx);
  const state = ctx.deps.flows.begin(ctx.session.id, redirectUri, ctx.account?.name);
  const target = bridge.netatmo.auth.authorizeUrl({
    redirectUri,
    scope: [...NETATMO_SCOPES],
    state,
  });
  redirect(ctx.res, target, ctx.cookieHeaders);
}

/** Finishes the flow from the redirect's query (the callback itself, or a pasted address). */
async function finishFlow(ctx: RequestContext, params: URLSearchParams): Promise<void> {
  const check = ctx.deps.flows.complete(
    params.get('state') ?? undefined,
    ctx.deps.sessions.existing(ctx.req),
  );
  if (!check.ok) {
    log.warning(`refused a Netatmo sign-in answer: ${check.reason}`);
    sendHtml(
      ctx.res,
      400,
      messagePage('Sign-in refused', `Sign-in refused: ${check.reason}. Start again.`),
      ctx.cookieHeaders,
    );
    return;
  }
  const denied = params.get('error');
  const code = params.get('code');
  if (denied || !code) {
    const why =
      denied === 'access_denied'
        ? 'access was refused on Netatmo’s page'
        : 'Netatmo sent no authorization code';
    sendHtml(ctx.res, 400, messagePage('Not connected', `Not connected: ${why}.`), ctx.cookieHeaders);
    return;
  }
  // The account the sign-in was started for: the callback address is the same for all.
  const { site } = ctx.deps;
  const account = site.several ? site.accounts.find((a) => a.name === check.account) : site.accounts[0];
  const bridge = servingBridge(ctx, account);
  if (!bridge) return;
  try {
    await bridge.netatmo.auth.exchangeCode(code, check.redirectUri);
  } catch (error) {
    log.warning(`the authorization code exchange failed: ${failureText(error)}`);
    sendHtml(
      ctx.res,
      502,
      messagePage('Not connected', `Netatmo did not accept the authorization code. ${failureText(error)}`),
      ctx.cookieHeaders,
    );
    return;
  }
  log.info(`connected ${site.several ? `account ${check.account} ` : ''}to Netatmo through the web UI`);
  redirect(
    ctx.res,
    withAccount('./?notice=connected', site.several ? check.account : undefined),
    ctx.cookieHeaders,
  );
}

export async function callbackRoute(ctx: RequestContext): Promise<void> {
  if (withinRateLimit(ctx)) await finishFlow(ctx, ctx.url.searchParams);
}

export async function pastedRedirectRoute(ctx: RequestContext): Promise<void> {
  const form = await checkedForm(ctx);
  if (!form) return;
  let pasted: URL;
  try {
    pasted = new URL((form.get('redirect_url') ?? '').trim());
  } catch {
    onboardingRoute(
      ctx,
      'That is not a web address. Paste the whole address, starting with http:// or https://.',
      400,
    );
    return;
  }
  await finishFlow(ctx, pasted.searchParams);
}

export async function pastedTokenRoute(ctx: RequestContext): Promise<void> {
  const form = await checkedForm(ctx);
  if (!form) return;
  const bridge = servingBridge(ctx);
  if (!bridge) return;
  const token = (form.get('refresh_token') ?? '').trim();
  if (token === '') {
    onboardingRoute(ctx, 'Paste a refresh token first.', 400);
    return;
  }
  try {
    await bridge.netatmo.auth.setRefreshToken(token);
  } catch (error) {
    log.warning(`a pasted refresh token was not accepted: ${failureText(error)}`);
    onboardingRoute(ctx, `The refresh token was not accepted. ${failureText(error)}`, 400);
    return;
  }
  log.info(
    `connected ${ctx.deps.site.several ? `account ${ctx.account?.name} ` : ''}to Netatmo with a pasted refresh token`,
  );
  redirect(ctx.res, accountLink(ctx, './?notice=token'), ctx.cookieHeaders);
}
