/** GET `healthz` (for Docker's HEALTHCHECK) and GET `metrics` (Prometheus). */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { MqttHealth } from '../../mqtt/topics.js';
import { send, sendJson } from '../http-util.js';
import { type RequestContext, servingBridge } from './context.js';

type MqttVerdict = { ok: true; since?: string } | { ok: false; reason: string };

/** One bridge's MQTT connection, with the grace a reconnect gets. */
function mqttVerdict(ctx: RequestContext, mqtt: MqttHealth): MqttVerdict {
  if (mqtt.connected) return { ok: true };
  const since = mqtt.disconnected_since === undefined ? undefined : Date.parse(mqtt.disconnected_since);
  if (since === undefined) return { ok: false, reason: 'MQTT not connected yet' };
  if (ctx.deps.clock.now() - since < ctx.deps.mqttOutageGraceMs)
    return { ok: true, since: mqtt.disconnected_since };
  return { ok: false, reason: `MQTT disconnected since ${mqtt.disconnected_since}` };
}

/**
 * 200 while the bridge runs and MQTT is connected, 503 otherwise, with the reason. A lost
 * broker connection counts only after `mqttOutageGraceMs`: the bridge reconnects by itself, and
 * a broker restart (an add-on update, say) must not make the container unhealthy. With several
 * accounts, every account this process serves must pass (one that another process serves is
 * that process's business).
 */
export function healthzRoute(ctx: RequestContext): void {
  const { site } = ctx.deps;
  if (!site.running) {
    sendJson(ctx.res, 503, { status: 'error', reason: 'bridge not running' });
    return;
  }
  let reconnecting: string | undefined;
  for (const account of site.accounts) {
    const bridge = account.bridge();
    if (!bridge) continue;
    const verdict = mqttVerdict(ctx, bridge.health().mqtt);
    const who = site.several ? `account ${account.name}: ` : '';
    if (!verdict.ok) {
      sendJson(ctx.res, 503, { status: 'error', reason: `${who}${verdict.reason}` });
      return;
    }
    reconnecting ??= verdict.since;
  }
  sendJson(
    ctx.res,
    200,
    reconnecting === undefined
      ? { status: 'ok' }
      : { status: 'ok', mqtt: 'reconnecting', since: reconnecting },
  );
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
  const bridge = servingBridge(ctx);
  if (!bridge) return;
  const { contentType, body } = await ctx.deps.metrics(bridge).scrape();
  send(ctx.res, 200, contentType, body);
}
