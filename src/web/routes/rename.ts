/**
 * GET `rename?device=<id>` shows a device's rename form; POST `rename` renames it through the
 * bridge (src/names: stored, topics moved) and goes back to the status page. CSRF-checked like
 * every form; the device is named by its id, the new name is checked by the bridge.
 */
import { childLogger } from '../../log.js';
import { readForm, redirect, sendHtml } from '../http-util.js';
import { messagePage } from '../pages/message.js';
import { renamePage } from '../pages/rename.js';
import { accountLink, pageAccount, type RequestContext, servingBridge } from './context.js';

const log = childLogger('web');

function renderForm(ctx: RequestContext, deviceId: string, proposed?: string, error?: string): void {
  const { csrf } = ctx.deps;
  const bridge = servingBridge(ctx);
  if (!bridge) return;
  const account = pageAccount(ctx);
  const device = bridge.store.device(deviceId);
  if (!device) {
    sendHtml(ctx.res, 404, messagePage('Not found', 'There is no such device.'), ctx.cookieHeaders);
    return;
  }
  const name = bridge.names.nameOf(device);
  const body = renamePage({
    csrf: csrf.tokenFor(ctx.session.id),
    device,
    name,
    topic: `${bridge.baseTopic}/${bridge.names.topicOf(device)}`,
    proposed: proposed ?? name,
    logout: ctx.deps.credentials !== undefined,
    ...(error ? { error } : {}),
    ...(account === undefined ? {} : { account }),
  });
  sendHtml(ctx.res, error ? 400 : 200, body, ctx.cookieHeaders);
}

export function renameFormRoute(ctx: RequestContext): void {
  renderForm(ctx, ctx.url.searchParams.get('device') ?? '');
}

export async function renameRoute(ctx: RequestContext): Promise<void> {
  const form = await readForm(ctx.req);
  if (!ctx.deps.csrf.verify(ctx.deps.sessions.existing(ctx.req), form.get('csrf') ?? undefined)) {
    log.warning('refused a rename form without a valid CSRF token');
    sendHtml(
      ctx.res,
      403,
      messagePage('Request refused', 'This form was not sent from this page. Reload the page and try again.'),
      ctx.cookieHeaders,
    );
    return;
  }
  const bridge = servingBridge(ctx);
  if (!bridge) return;
  const deviceId = form.get('device') ?? '';
  const to = (form.get('to') ?? '').trim();
  try {
    await bridge.renameDevice(deviceId, to);
  } catch (error) {
    renderForm(ctx, deviceId, to, (error as Error).message);
    return;
  }
  redirect(ctx.res, accountLink(ctx, './?notice=renamed'), ctx.cookieHeaders);
}
