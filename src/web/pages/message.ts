/** A short page for refusals and failures, with the way back. */
import { html } from '../html.js';
import { layout } from './layout.js';
import { withAccount } from './links.js';

/** `account`: one of several, whose pages the links lead back to. */
export function messagePage(title: string, message: string, account?: string): string {
  return layout({
    title,
    ...(account === undefined ? {} : { account }),
    body: html`<h1>${title}</h1><div class="error" id="error">${message}</div>
<p><a class="button" href="${withAccount('onboarding', account)}">Back to Connect Netatmo</a> <a class="button secondary" href="${withAccount('./', account)}">Status</a></p>`,
  });
}
