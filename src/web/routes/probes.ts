/** GET `healthz` (for Docker's HEALTHCHECK) and GET `metrics` (Prometheus). */
import { createHash, timingSafeEqual } from 'node:crypto';
import { send, sendJson } from '../http-util.js';
import type { RequestContext } from './context.js';

/**
 * 200 while the bridge runs and MQTT is connected, 503 otherwise, with the reason. A lost
 * broker connection counts only after `mqttOutageGraceMs`: the bridge reconnects by itself, and
 * a broker restart (an add-on update, say) must not make the container unhealthy.
 */
export function healthzRoute(ctx: RequestContext): void {
  const { bridge, clock, mqttOutageGraceMs } = ctx.deps;
  if (!bridge.running) {
    sendJson(ctx.res, 503, { status: 'error', reason: 'bridge not running' });
    return;
  }
  const mqtt = bridge.health().mqtt;
  if (!mqtt.connected) {
    const since = mqtt.disconnected_since === undefined ? undefined : Date.parse(mqtt.disconnected_since);
    if (since === undefined) {
      sendJson(ctx.res, 503, { status: 'error', reason: 'MQTT not connected yet' });
    } else if (clock.now() - since < mqttOutageGraceMs) {
      sendJson(ctx.res, 200, { status: 'ok', mqtt: 'reconnecting', since: mqtt.disconnected_since });
    } else {
      sendJson(ctx.res, 503, {
        status: 'error',
        reason: `MQTT disconnected since ${mqtt.disconnected_since}`,
      });
    }
    return;
  }
  sendJson(ctx.res, 200, { status: 'ok' });
}

const digest = (text: string): Buffer => createHash('sha256').update(text).digest();

/** `Authorization: Bearer <web.metrics_token>`, compared in constant time. */
export function hasMetricsToken(ctx: RequestContext): boolean {
  const token = ctx.deps.metricsToken;
  const given = /^Bearer\s+(\S+)$/i.exec(ctx.req.headers.authorization ?? '')?.[1];
  return token !== undefined && given !== undefined && timingSafeEqual(digest(given), digest(token));
}

/** Standalone: a logged-in session or the metrics token; in the add-on, the ingress proxy already decided. */
export async function metricsRoute(ctx: RequestContext): Promise<void> {
  if (ctx.deps.credentials && !ctx.session.authenticated && !hasMetricsToken(ctx)) {
    ctx.res.writeHead(401, {
      'content-type': 'text/plain; charset=utf-8',
      'www-authenticate': 'Bearer realm="netatmo2mqtt metrics"',
      'cache-control': 'no-store',
    });
    ctx.res.end('log in to the web UI, or send Authorization: Bearer <web.metrics_token>\n');
    return;
  }
  const { contentType, body } = await ctx.deps.metrics.scrape();
  send(ctx.res, 200, contentType, body);
}
