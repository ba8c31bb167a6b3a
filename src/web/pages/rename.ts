/**
 * The rename page: a device's MQTT name (its friendly name, the `<base>/<name>` topic) and a
 * form to change it, the same as `bridge/request/device/rename`. Its own page because the
 * status page reloads itself and would throw away what is being typed.
 */
import type { Device } from '../../devices/types.js';
import { html } from '../html.js';
import { layout } from './layout.js';
import { withAccount } from './links.js';

export interface RenameView {
  csrf: string;
  device: Device;
  /** Its friendly name now. */
  name: string;
  /** `<base>/<topic name>`: where its state is published. */
  topic: string;
  /** What the form should show in the field (the current name, or what was refused). */
  proposed: string;
  error?: string;
  logout?: boolean;
  /** One of several accounts: the device's. */
  account?: string;
}

export function renamePage(v: RenameView): string {
  const d = v.device;
  return layout({
    title: 'Rename a device',
    ...(v.logout ? { logoutCsrf: v.csrf } : {}),
    ...(v.account === undefined ? {} : { account: v.account }),
    body: html`<h1>Rename ${v.name}</h1>
${v.error ? html`<div class="error" id="error">${v.error}</div>` : ''}
<section class="card" id="rename">
<dl><dt>Netatmo name</dt><dd>${d.name}</dd>
<dt>Model</dt><dd>${d.model}</dd>
<dt>Device id</dt><dd class="mono">${d.id}</dd>
<dt>State topic</dt><dd class="mono" id="topic">${v.topic}</dd></dl>
<form method="post" action="${withAccount('rename', v.account)}"><input type="hidden" name="csrf" value="${v.csrf}">
<input type="hidden" name="device" value="${d.id}">
<label for="to">New name</label>
<input type="text" id="to" name="to" value="${v.proposed}" maxlength="100" autocomplete="off" spellcheck="false">
<p class="small muted">Its topics move to the new name (the old retained ones are cleared), Home Assistant keeps its entities, and commands by the device id keep working. Use / to group, e.g. <span class="mono">Ground floor/Living room</span>; not allowed: + # and the levels set, get, availability, event.</p>
<p><button type="submit" id="submit-rename">Rename</button> <a class="button secondary" href="${withAccount('./', v.account)}">Cancel</a></p></form>
</section>`,
  });
}
