/**
 * GET/POST `login` and POST `logout` (standalone only). A login checks the form's CSRF token
 * (the pre-login session's) and the rate limits before the password; success issues a new
 * session id, so an id someone planted before the login never becomes a logged-in one.
 */
import { childLogger } from '../../log.js';
import { MIN_PASSWORD_LENGTH } from '../access/credentials.js';
import { readForm, redirect, sendHtml } from '../http-util.js';
import { loginPage } from '../pages/login.js';
import { messagePage } from '../pages/message.js';
import { isSecureRequest, type RequestContext } from './context.js';

const log = childLogger('web');

const SETUP_ERRORS = {
  bad_code: 'That is not the setup code in the log (it changes at every start until a password is set).',
  too_short: `The password must have at least ${MIN_PASSWORD_LENGTH} characters.`,
  mismatch: 'The two passwords differ.',
  done: 'A password has been set meanwhile: log in with it.',
} as const;

export function loginRoute(ctx: RequestContext, error?: string, status = 200): void {
  const { credentials, csrf } = ctx.deps;
  if (!credentials || ctx.session.authenticated) {
    redirect(ctx.res, './', ctx.cookieHeaders);
    return;
  }
  const page = loginPage({
    csrf: csrf.tokenFor(ctx.session.id),
    setup: credentials.mode === 'setup',
    minLength: MIN_PASSWORD_LENGTH,
    ...(error ? { error } : {}),
  });
  sendHtml(ctx.res, status, page, ctx.cookieHeaders);
}

export async function loginSubmitRoute(ctx: RequestContext): Promise<void> {
  const { credentials, csrf, limits, sessions, clock } = ctx.deps;
  if (!credentials) {
    redirect(ctx.res, './', ctx.cookieHeaders);
    return;
  }
  const form = await readForm(ctx.req);
  const sessionId = sessions.existing(ctx.req);
  if (!csrf.verify(sessionId, form.get('csrf') ?? undefined)) {
    loginRoute(ctx, 'The form expired. Try again.', 403);
    return;
  }
  const allowed = limits.loginAllowed(ctx.address);
  if (!allowed.allowed) {
    const seconds = Math.max(1, Math.ceil(((allowed.retryAt ?? clock.now()) - clock.now()) / 1000));
    ctx.res.setHeader('retry-after', String(seconds));
    loginRoute(ctx, `Too many failed attempts. Wait ${seconds} s and try again.`, 429);
    return;
  }
  const password = form.get('password') ?? '';
  let failure: string | undefined;
  if (credentials.mode === 'setup') {
    const result = await credentials.completeSetup(
      form.get('setup_code') ?? '',
      password,
      form.get('password_confirm') ?? '',
    );
    if (result.ok)
      log.info(`web UI password set and stored hashed in ${credentials.path}; the setup code is used up`);
    else failure = SETUP_ERRORS[result.reason];
  } else if (!(await credentials.check(password))) {
    failure = 'Wrong password.';
  }
  if (failure !== undefined) {
    limits.loginFailed(ctx.address);
    log.warning(`refused a web UI login from ${ctx.address}: ${failure}`);
    loginRoute(ctx, failure, 401);
    return;
  }
  const id = sessions.login(sessionId);
  const secure = isSecureRequest(ctx.req, ctx.deps.externalUrl, ctx.fromIngressProxy);
  redirect(ctx.res, './', { 'set-cookie': sessions.cookieHeader(id, ctx.ingressPath || '/', secure) });
}

export async function logoutRoute(ctx: RequestContext): Promise<void> {
  const form = await readForm(ctx.req);
  const { csrf, sessions } = ctx.deps;
  const sessionId = sessions.existing(ctx.req);
  if (!csrf.verify(sessionId, form.get('csrf') ?? undefined)) {
    sendHtml(
      ctx.res,
      403,
      messagePage('Request refused', 'Reload the page and try again.'),
      ctx.cookieHeaders,
    );
    return;
  }
  if (sessionId !== undefined) sessions.logout(sessionId);
  redirect(ctx.res, 'login', ctx.cookieHeaders);
}
