/**
 * HTTP routes of the security simulation:
 * - pictures and cameras, behind capability URLs (GET/HEAD, never logged):
 *   `/__sim/snapshots/<id><key>.jpg`, and under a camera's `vpn_url`/`local_url`
 *   `/command/ping`, `/live/snapshot_720.jpg`, `/live/index.m3u8`,
 *   `/live/files/<quality>/index.m3u8` and the `vod/…jpg` files of seeded events;
 * - control endpoints (JSON): `POST /__sim/events`, `GET|POST /__sim/events/generator`,
 *   `GET /__sim/webhooks`, `POST /__sim/webhooks/unban`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { SimulatorCore } from './core.js';
import { sendJson } from './http.js';
import { labelledJpeg } from './security/media.js';

/** Product names a camera's `/command/ping` answers (NACamera's from pyatmo fixtures/ping.json). */
const PRODUCT_NAMES: Record<string, string> = {
  NACamera: 'Welcome Netatmo',
  NOC: 'Presence Netatmo',
  NPC: 'Indoor Camera Advance Netatmo',
  NDB: 'Doorbell Netatmo',
};

/** Answers a picture or camera URL; returns false when `path` is neither. */
export function handleMedia(
  core: SimulatorCore,
  path: string,
  req: IncomingMessage,
  res: ServerResponse,
): boolean {
  const media = core.security.media;
  if (path.startsWith('/__sim/snapshots/')) {
    const jpeg = req.method === 'GET' || req.method === 'HEAD' ? media.snapshotAt(path) : undefined;
    if (jpeg) sendJpeg(req, res, jpeg);
    else sendJson(res, 404, { error: 'no such snapshot' });
    return true;
  }
  if (!path.startsWith('/__sim/cameras/')) return false;
  const found = media.cameraAt(path);
  if (!found) {
    sendJson(res, 404, { error: 'no such camera' });
    return true;
  }
  const { camera, rest } = found;
  if (rest === '/command/ping') {
    const productName = PRODUCT_NAMES[camera.type] ?? `${camera.type} Netatmo`;
    sendJson(res, 200, { local_url: camera.localUrl, product_name: productName });
  } else if (req.method !== 'GET' && req.method !== 'HEAD') {
    sendJson(res, 405, { error: 'GET only' });
  } else if (rest === '/live/snapshot_720.jpg' || /^\/vod\/[\w./-]+\.jpg$/.test(rest)) {
    sendJpeg(req, res, labelledJpeg(`live ${camera.cameraId}`));
  } else if (rest === '/live/index.m3u8' || /^\/live\/files\/(high|medium|low)\/index\.m3u8$/.test(rest)) {
    // A live playlist with no segment yet: the URL works, there is no video to play.
    const playlist = '#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:2\n#EXT-X-MEDIA-SEQUENCE:0\n';
    res.writeHead(200, {
      'content-type': 'application/vnd.apple.mpegurl',
      'content-length': Buffer.byteLength(playlist),
    });
    res.end(req.method === 'HEAD' ? undefined : playlist);
  } else {
    sendJson(res, 404, { error: 'no such camera resource' });
  }
  return true;
}

function sendJpeg(req: IncomingMessage, res: ServerResponse, jpeg: Buffer): void {
  res.writeHead(200, {
    'content-type': 'image/jpeg',
    'content-length': jpeg.length,
    'cache-control': 'no-store',
  });
  res.end(req.method === 'HEAD' ? undefined : jpeg);
}

/**
 * The security control endpoints: the JSON answer for `route` ("POST /__sim/events"), or
 * undefined when the route is not one of them. Throws an Error (400) for a bad request.
 */
export function securityControl(core: SimulatorCore, route: string, input: Record<string, unknown>): unknown {
  const security = core.security;
  switch (route) {
    case 'POST /__sim/events': {
      const event = security.raiseRequest(input);
      return { event };
    }
    case 'GET /__sim/events/generator':
      return security.generator.status();
    case 'POST /__sim/events/generator':
      if (input.stop === true) security.generator.stop();
      else
        security.generator.start({
          ...(input.every_ms !== undefined ? { everyMs: input.every_ms as number } : {}),
          ...(input.clear_after_ms !== undefined ? { clearAfterMs: input.clear_after_ms as number } : {}),
          ...(input.seed !== undefined ? { seed: input.seed as number } : {}),
          ...(input.mix !== undefined ? { mix: input.mix as Record<string, number> } : {}),
        });
      return security.generator.status();
    case 'GET /__sim/webhooks':
      return security.webhooks.status();
    case 'POST /__sim/webhooks/unban':
      security.webhooks.unban();
      return security.webhooks.status();
    default:
      return undefined;
  }
}
