/**
 * The status page's chart: Netatmo calls per minute over the last hour as inline SVG bars,
 * against the hourly budget spread per minute. Inline SVG with no script or external asset,
 * so it renders offline and behind ingress.
 */
import { html, type SafeHtml } from './html.js';

export interface CallsChartInput {
  /** 60 numbers, oldest first; the last is the current minute. */
  callsPerMinute: number[];
  /** Planned calls per hour (the gate's limit). */
  budgetPerHour: number;
}

const WIDTH = 960;
const HEIGHT = 170;
const PAD_LEFT = 30;
const PAD_BOTTOM = 20;
const PAD_TOP = 10;

export function callsChart(input: CallsChartInput): SafeHtml {
  const bars = input.callsPerMinute;
  const budgetPerMinute = input.budgetPerHour / 60;
  const top = Math.max(1, Math.ceil(Math.max(...bars, budgetPerMinute * 1.25)));
  const plotW = WIDTH - PAD_LEFT - 4;
  const plotH = HEIGHT - PAD_BOTTOM - PAD_TOP;
  const slot = plotW / Math.max(1, bars.length);
  const y = (v: number): number => PAD_TOP + plotH - (v / top) * plotH;
  const budgetY = y(budgetPerMinute);
  const rects = bars.map((n, i) => {
    const minutesAgo = bars.length - 1 - i;
    const h = (n / top) * plotH;
    const cls = n > budgetPerMinute ? 'bar over' : 'bar';
    return html`<rect class="${cls}" x="${(PAD_LEFT + i * slot + 1).toFixed(1)}" y="${(PAD_TOP + plotH - h).toFixed(1)}" width="${Math.max(1, slot - 2).toFixed(1)}" height="${h.toFixed(1)}"><title>${n} call${n === 1 ? '' : 's'}, ${minutesAgo === 0 ? 'this minute' : `${minutesAgo} min ago`}</title></rect>`;
  });
  const total = bars.reduce((a, b) => a + b, 0);
  return html`<svg class="chart" viewBox="0 0 ${WIDTH} ${HEIGHT}" role="img" aria-label="${`Netatmo calls per minute over the last hour: ${total} in total; budget ${input.budgetPerHour} per hour`}">
<line class="axis" x1="${PAD_LEFT}" y1="${PAD_TOP + plotH}" x2="${WIDTH - 4}" y2="${PAD_TOP + plotH}"></line>
<text class="label" x="${PAD_LEFT - 4}" y="${PAD_TOP + 8}" text-anchor="end">${top}</text>
<text class="label" x="${PAD_LEFT - 4}" y="${PAD_TOP + plotH}" text-anchor="end">0</text>
${rects}
<line class="budget" x1="${PAD_LEFT}" y1="${budgetY.toFixed(1)}" x2="${WIDTH - 4}" y2="${budgetY.toFixed(1)}"></line>
<text class="label budget-label" x="${WIDTH - 6}" y="${(budgetY - 4).toFixed(1)}" text-anchor="end">budget ${input.budgetPerHour}/h = ${budgetPerMinute.toFixed(1)}/min</text>
<text class="label" x="${PAD_LEFT}" y="${HEIGHT - 4}">60 min ago</text>
<text class="label" x="${WIDTH - 6}" y="${HEIGHT - 4}" text-anchor="end">now</text>
</svg>`;
}
