/**
 * The status page's energy card: the meters and boilers whose history the bridge reads with
 * getmeasure, what their reads counted, and the gaps still waited for (bridge/health `energy`).
 */
import type { EnergyHealth } from '../../mqtt/topics.js';
import { html, type SafeHtml } from '../html.js';
import { ago } from './format.js';

export function energyCard(energy: EnergyHealth, now: number): SafeHtml {
  if (energy.meters === 0) return html``;
  const silent = energy.meters - energy.reporting;
  return html`<section class="card" id="energy"><h2>Energy meters</h2><dl>
<dt>Meters and boilers</dt><dd>${energy.meters} read, ${energy.reporting} with a history${silent > 0 ? html` <span class="small muted">(${silent} without: read every few hours)</span>` : ''}</dd>
<dt>Buckets counted</dt><dd>${energy.buckets} · ${energy.duplicates} read again and skipped${energy.refused > 0 ? ` · ${energy.refused} impossible ones ignored` : ''}</dd>
<dt>Gaps waited for</dt><dd>${energy.gaps}</dd>
<dt>Last read</dt><dd>${ago(energy.last_read, now)}</dd></dl></section>`;
}
