/**
 * Live stream URLs of the cameras, for go2rtc or Frigate: homestatus gives each camera a
 * `vpn_url` (Netatmo's relay) and `is_local`; a local camera's own address comes from
 * `<vpn_url>/command/ping` (`{local_url}`), confirmed by pinging that address too, as pyatmo
 * does. The Smart Indoor Camera (Advance) and the doorbell stream over WebRTC and have no local
 * URL. HLS lives at `<url>/live/files/high/index.m3u8`, a still at `<url>/live/snapshot_720.jpg`.
 *
 * These URLs are capability URLs: they are registered as secrets (so no log line can show
 * them) and only ever published on `<base>/<device>/stream`. A camera is pinged again only when
 * its vpn_url changes (Netatmo rotates it when the camera reconnects).
 */
import { CAMERA_TYPES } from '../devices/events.js';
import { moduleDeviceId } from '../devices/ids.js';
import { childLogger } from '../log.js';
import type { CameraStreamPayload } from '../mqtt/topics.js';
import type { HomeStatusBody } from '../netatmo/api-types.js';
import { registerSecret } from '../util/redact.js';
import { boundedFetch } from './bounded-fetch.js';

const log = childLogger('security');

/** Stream over WebRTC through Netatmo only (pyatmo: no local URL for them). */
const VPN_ONLY: ReadonlySet<string> = new Set(['NPC', 'NDB']);
const HLS_PATH = '/live/files/high/index.m3u8';
const LIVE_SNAPSHOT_PATH = '/live/snapshot_720.jpg';
const PING_TIMEOUT_MS = 5_000;
const PING_MAX_BYTES = 4_096;

interface Camera {
  vpnUrl: string;
  localUrl?: string;
}

export interface CameraStreamsOptions {
  /** Publishes a camera's stream payload (retained) under its device id. */
  publish(deviceId: string, payload: CameraStreamPayload): Promise<void>;
}

export class CameraStreams {
  readonly #o: CameraStreamsOptions;
  /** By Netatmo module id. */
  readonly #cameras = new Map<string, Camera>();

  constructor(options: CameraStreamsOptions) {
    this.#o = options;
  }

  /** The camera's base URL (local when it answers there), for pictures given as `{filename}`. */
  cameraUrl(moduleId: string): string | undefined {
    const camera = this.#cameras.get(moduleId);
    return camera?.localUrl ?? camera?.vpnUrl;
  }

  /** Learns the cameras' URLs from one home's homestatus; pings and publishes the changed ones. */
  async onHomeStatus(body: HomeStatusBody): Promise<void> {
    const changed: Array<Promise<void>> = [];
    for (const module of body.home.modules ?? []) {
      const vpnUrl = module.vpn_url;
      if (!CAMERA_TYPES.has(module.type) || typeof vpnUrl !== 'string' || !/^https?:\/\//.test(vpnUrl))
        continue;
      if (this.#cameras.get(module.id)?.vpnUrl === vpnUrl) continue;
      registerSecret(vpnUrl);
      const camera: Camera = { vpnUrl };
      this.#cameras.set(module.id, camera);
      const local = module.is_local === true && !VPN_ONLY.has(module.type);
      changed.push(this.#resolve(module.id, camera, local));
    }
    await Promise.all(changed);
  }

  async #resolve(moduleId: string, camera: Camera, local: boolean): Promise<void> {
    if (local) {
      const localUrl = await this.#localUrl(camera.vpnUrl);
      // Confirm the camera answers at its local address before offering it.
      if (localUrl !== undefined && (await this.#localUrl(localUrl)) !== undefined) {
        registerSecret(localUrl);
        camera.localUrl = localUrl;
      }
    }
    // A newer vpn_url may have replaced this one while pinging.
    if (this.#cameras.get(moduleId) !== camera) return;
    const best = camera.localUrl ?? camera.vpnUrl;
    await this.#o.publish(moduleDeviceId(moduleId), {
      url: `${best}${HLS_PATH}`,
      vpn_url: `${camera.vpnUrl}${HLS_PATH}`,
      ...(camera.localUrl ? { local_url: `${camera.localUrl}${HLS_PATH}` } : {}),
      snapshot_url: `${best}${LIVE_SNAPSHOT_PATH}`,
    });
  }

  /** `local_url` from `<url>/command/ping`, or undefined (never throws, never logs the URL). */
  async #localUrl(url: string): Promise<string | undefined> {
    try {
      const body = await boundedFetch(`${url}/command/ping`, {
        timeoutMs: PING_TIMEOUT_MS,
        maxBytes: PING_MAX_BYTES,
      });
      const localUrl = (JSON.parse(body.toString('utf8')) as { local_url?: unknown } | null)?.local_url;
      return typeof localUrl === 'string' && /^https?:\/\//.test(localUrl)
        ? localUrl.replace(/\/+$/, '')
        : undefined;
    } catch (error) {
      log.debug(
        `camera ping failed: ${(error as Error).name === 'FetchError' ? (error as Error).message : 'bad answer'}`,
      );
      return undefined;
    }
  }
}
