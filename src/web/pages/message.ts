/** A short page for refusals and failures, with the way back. */
import { html } from '../html.js';
import { layout } from './layout.js';

export function messagePage(title: string, message: string): string {
  return layout({
    title,
    body: html`<h1>${title}</h1><div class="error" id="error">${message}</div>
<p><a class="button" href="onboarding">Back to Connect Netatmo</a> <a class="button secondary" href="./">Status</a></p>`,
  });
}
