/** GET `healthz` (for Docker's HEALTHCHECK) and GET `metrics` (Prometheus). */
import { send, sendJson } from '../http-util.js';
import type { RequestContext } from './context.js';

/** 200 while the bridge runs and MQTT is connected, 503 otherwise, with the reason. */
export function healthzRoute(ctx: RequestContext): void {
  const { bridge } = ctx.deps;
  if (!bridge.running) {
    sendJson(ctx.res, 503, { status: 'error', reason: 'bridge not running' });
    return;
  }
  if (!bridge.health().mqtt.connected) {
    sendJson(ctx.res, 503, { status: 'error', reason: 'MQTT disconnected' });
    return;
  }
  sendJson(ctx.res, 200, { status: 'ok' });
}

export async function metricsRoute(ctx: RequestContext): Promise<void> {
  const { contentType, body } = await ctx.deps.metrics.scrape();
  send(ctx.res, 200, contentType, body);
}
