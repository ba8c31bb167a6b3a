/**
 * VELUX ACTIVE: the NXG gateway's own state (`is_raining`, `busy`, `locked`, `locking`,
 * `secure`, `calibrating`, `pairing` in homestatus) is set by the house, not by the API
 * (pyatmo has no setter for it), so tests change it through POST /__sim/velux. The NXO openers
 * travel like any shutter (world physics), and the room climate the NXS sensor reports
 * (`temperature` in tenths of °C, `co2`, `humidity`, `lux`) drifts every 10 minutes.
 */
import { SeededRandom } from '../random.js';
import type { Fields, TrackedEntity } from './values.js';
import type { World } from './world.js';

export const GATEWAY_FIELDS = ['is_raining', 'busy', 'locked', 'locking', 'secure', 'calibrating', 'pairing'];
const CLIMATE_UPLOAD_MS = 10 * 60_000;
/** Bound on catch-up after a long clock jump; later uploads are skipped, not replayed. */
const MAX_UPLOADS = 2000;
/** Room climate keys and their random-walk step and bounds. */
const CLIMATE_WALK: ReadonlyArray<readonly [string, number, number, number]> = [
  ['temperature', 2, 100, 350],
  ['co2', 30, 350, 3000],
  ['humidity', 1, 15, 95],
  ['lux', 20, 0, 20_000],
];

export class VeluxGateways {
  readonly #random = new SeededRandom(0x7e1c5);
  /** Rooms whose climate a VELUX sensor reports (they carry `co2` and `lux`), with their start values. */
  readonly #rooms: Array<{ room: TrackedEntity; start: Fields }> = [];
  #nextUpload: number;

  constructor(
    private readonly world: World,
    now: number,
  ) {
    this.#nextUpload = now + CLIMATE_UPLOAD_MS;
    for (const home of world.homes.values()) {
      for (const room of home.rooms.values()) {
        if (room.num('co2') !== undefined && room.num('lux') !== undefined) {
          this.#rooms.push({ room, start: room.snapshot() });
        }
      }
    }
  }

  /** Every NXG gateway. */
  gateways(): TrackedEntity[] {
    return [...this.world.homes.values()].flatMap((home) =>
      [...home.modules.values()].filter((m) => m.get('type') === 'NXG'),
    );
  }

  /**
   * Changes gateway fields (`{gateway_id?, is_raining?, busy?, …}`; the id may be left out when
   * there is one gateway). Throws an Error naming what is wrong; nothing changes then.
   */
  control(input: Record<string, unknown>, now: number): Fields {
    const all = this.gateways();
    const id = input.gateway_id;
    const gateway = id === undefined ? (all.length === 1 ? all[0] : undefined) : all.find((g) => g.id === id);
    if (!gateway) {
      throw new Error(
        id === undefined
          ? `give gateway_id, one of: ${all.map((g) => g.id).join(', ') || '(no NXG gateway)'}`
          : `no NXG gateway ${String(id)}`,
      );
    }
    const changes = Object.entries(input).filter(([key]) => key !== 'gateway_id');
    if (changes.length === 0) throw new Error(`give at least one of ${GATEWAY_FIELDS.join(', ')}`);
    for (const [key, value] of changes) {
      if (!GATEWAY_FIELDS.includes(key))
        throw new Error(`${key} is not a gateway field (${GATEWAY_FIELDS.join(', ')})`);
      if (typeof value !== 'boolean') throw new Error(`${key} must be true or false`);
    }
    for (const [key, value] of changes) gateway.set(key, value, now);
    return gateway.snapshot();
  }

  advance(now: number): void {
    let uploads = 0;
    while (this.#nextUpload <= now && uploads < MAX_UPLOADS) {
      this.#drift(this.#nextUpload);
      this.#nextUpload += CLIMATE_UPLOAD_MS;
      uploads++;
    }
    if (this.#nextUpload <= now) this.#nextUpload = now + CLIMATE_UPLOAD_MS;
  }

  #drift(at: number): void {
    for (const { room, start: base } of this.#rooms) {
      for (const [key, step, min, max] of CLIMATE_WALK) {
        const value = room.num(key);
        if (value === undefined) continue;
        const start = typeof base[key] === 'number' ? (base[key] as number) : value;
        // A random walk pulled back towards the start keeps long runs plausible.
        const next = value + (start - value) * 0.05 + this.#random.between(-step, step);
        room.set(key, Math.round(Math.min(max, Math.max(min, next))), at);
      }
    }
  }
}
