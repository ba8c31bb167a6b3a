/**
 * Pictures and live views the simulator serves itself, behind capability URLs like Netatmo's:
 * whoever holds the URL may fetch it, nobody can guess it.
 *
 * - Snapshots and vignettes (events, person faces): `<base>/__sim/snapshots/<id><key>.jpg`,
 *   `id` 24 hex and `key` 64 random hex, as Netatmo's
 *   `https://netatmocameraimage.blob.core.windows.net/production/<id><key>`.
 * - Cameras: `vpn_url` = `<base>/__sim/cameras/<32 random hex>`; its `/command/ping` names a
 *   second secret URL as `local_url`, as a real camera on the LAN would.
 */
import { randomBytes } from 'node:crypto';
import { PLACEHOLDER_JPEG } from './placeholder-jpeg.js';

/** What Netatmo's webhooks carry about a picture: `snapshot_id`, `snapshot_key`, `snapshot_url`. */
export interface PictureRef {
  id: string;
  key: string;
  url: string;
}

export interface CameraUrls {
  cameraId: string;
  /** NACamera, NOC, NPC, NDB. */
  type: string;
  vpnUrl: string;
  localUrl: string;
}

/** Old snapshots are forgotten first; real snapshot URLs are temporary too. */
const MAX_SNAPSHOTS = 20_000;
const SNAPSHOT_PATH = /^\/__sim\/snapshots\/([0-9a-f]{88})\.jpg$/;
const CAMERA_PATH = /^\/__sim\/cameras\/([0-9a-f]{32})(\/.*)?$/;

const hex = (bytes: number): string => randomBytes(bytes).toString('hex');

export class MediaStore {
  #base = '';
  /** `<id><key>` → the picture's id (kept so each JPEG can say which snapshot it is). */
  readonly #snapshots = new Map<string, string>();
  /** Camera secret (vpn or local) → camera. */
  readonly #cameras = new Map<string, CameraUrls>();
  readonly #byCamera = new Map<string, CameraUrls>();

  /** Called once the server listens: every URL made from now on points at it. */
  setBase(url: string): void {
    this.#base = url;
  }

  get base(): string {
    return this.#base;
  }

  /** A new snapshot or vignette; `id` is an ObjectId-like 24 hex string. */
  newPicture(id: string): PictureRef {
    const key = hex(32);
    const token = `${id}${key}`;
    this.#snapshots.set(token, id);
    if (this.#snapshots.size > MAX_SNAPSHOTS) {
      const oldest = this.#snapshots.keys().next().value;
      if (oldest !== undefined) this.#snapshots.delete(oldest);
    }
    return { id, key, url: `${this.#base}/__sim/snapshots/${token}.jpg` };
  }

  /** The camera's secret URLs, made on first use. */
  camera(cameraId: string, type: string): CameraUrls {
    let urls = this.#byCamera.get(cameraId);
    if (!urls) {
      const vpn = hex(16);
      const local = hex(16);
      urls = {
        cameraId,
        type,
        vpnUrl: `${this.#base}/__sim/cameras/${vpn}`,
        localUrl: `${this.#base}/__sim/cameras/${local}`,
      };
      this.#cameras.set(vpn, urls);
      this.#cameras.set(local, urls);
      this.#byCamera.set(cameraId, urls);
    }
    return urls;
  }

  /** The JPEG at `path`, or undefined when no snapshot has that URL. */
  snapshotAt(path: string): Buffer | undefined {
    const token = SNAPSHOT_PATH.exec(path)?.[1];
    const id = token === undefined ? undefined : this.#snapshots.get(token);
    return id === undefined ? undefined : labelledJpeg(`snapshot ${id}`);
  }

  /** The camera a `/__sim/cameras/<secret>/<rest>` path names, and the rest of the path. */
  cameraAt(path: string): { camera: CameraUrls; rest: string } | undefined {
    const match = CAMERA_PATH.exec(path);
    const camera = match?.[1] === undefined ? undefined : this.#cameras.get(match[1]);
    return camera ? { camera, rest: match?.[2] ?? '/' } : undefined;
  }
}

/**
 * The placeholder JPEG with a comment segment (COM, 0xFFFE) right after the start-of-image
 * marker: still a valid JPEG, but each picture's bytes differ, so a client that shows "the last
 * event's snapshot" can be checked against the one it should show.
 */
export function labelledJpeg(label: string): Buffer {
  const text = Buffer.from(label.slice(0, 200), 'latin1');
  const segment = Buffer.alloc(4 + text.length);
  segment.writeUInt16BE(0xfffe, 0);
  segment.writeUInt16BE(text.length + 2, 2);
  text.copy(segment, 4);
  return Buffer.concat([PLACEHOLDER_JPEG.subarray(0, 2), segment, PLACEHOLDER_JPEG.subarray(2)]);
}
