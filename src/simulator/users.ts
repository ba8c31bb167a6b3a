/**
 * The users of the simulated app and what each may see. Homes are dealt round robin to
 * `user1..userN` in scenario order; a home's modules, and a weather device that is one of them
 * or names the home (`home_id`), go with it; a weather device linked to no home goes to the
 * first user. A user asking for another user's home or device gets the answer Netatmo gives
 * for a home or device you cannot access; lists (homesdata, getstationsdata,
 * gethomecoachsdata) show only the user's own.
 */
import { invalid, notFound } from './api-error.js';
import type { World } from './world/world.js';

/** `user1`, `user2`, …: the users of an app with `count` users. */
export function userNames(count: number): string[] {
  if (!Number.isInteger(count) || count < 1)
    throw new Error(`users must be a whole number ≥ 1, got ${count}`);
  return Array.from({ length: count }, (_, i) => `user${i + 1}`);
}

/** Parameters (form, query or top-level JSON) that name a home, or a device or module. */
const HOME_KEYS = ['home_id'];
const DEVICE_KEYS = ['device_id', 'module_id'];

export class AppUsers {
  readonly #homeOwner = new Map<string, string>();
  readonly #deviceOwner = new Map<string, string>();

  constructor(
    readonly names: readonly string[],
    world: World,
  ) {
    const first = names[0]!;
    let i = 0;
    for (const [homeId, home] of world.homes) {
      const owner = names[i++ % names.length]!;
      this.#homeOwner.set(homeId, owner);
      for (const moduleId of home.modules.keys()) this.#deviceOwner.set(moduleId, owner);
    }
    for (const id of [...world.stationIds, ...world.coachIds]) {
      const unit = world.weather.get(id);
      const homeId = unit?.info.get('home_id');
      const owner =
        this.#deviceOwner.get(id) ??
        (typeof homeId === 'string' ? this.#homeOwner.get(homeId) : undefined) ??
        first;
      this.#deviceOwner.set(id, owner);
    }
    for (const unit of world.weather.values()) {
      if (unit.parentId !== undefined) {
        this.#deviceOwner.set(unit.info.id, this.#deviceOwner.get(unit.parentId) ?? first);
      }
    }
  }

  /** Each user's homes, in scenario order (GET /__sim/users). */
  homes(): Record<string, string[]> {
    const out: Record<string, string[]> = Object.fromEntries(this.names.map((n) => [n, []]));
    for (const [homeId, owner] of this.#homeOwner) out[owner]!.push(homeId);
    return out;
  }

  /**
   * Refuses a request naming another user's home (400 code 21 `Invalid home_id`, as Netatmo
   * answers homestatus for a home the token cannot access) or device (404 code 9). Unknown ids
   * pass: the endpoint answers them as it always does.
   */
  check(user: string, params: Readonly<Record<string, string>>, json: unknown): void {
    if (this.names.length === 1) return;
    const body = isRecord(json) ? json : {};
    const named = (keys: string[]): unknown[] => keys.flatMap((k) => [params[k], body[k]]);
    const setstateHome = isRecord(body.home) ? body.home.id : undefined;
    for (const id of [...named(HOME_KEYS), setstateHome]) {
      if (typeof id === 'string' && this.#foreign(this.#homeOwner, id, user))
        throw invalid('Invalid home_id');
    }
    for (const id of named(DEVICE_KEYS)) {
      if (typeof id === 'string' && this.#foreign(this.#deviceOwner, id, user))
        throw notFound('Device not found');
    }
  }

  /** The answer's body with only the user's homes or devices in its lists. */
  scope(user: string, endpoint: string, body: unknown): unknown {
    if (this.names.length === 1 || !isRecord(body)) return body;
    if (endpoint === 'homesdata' && Array.isArray(body.homes)) {
      return { ...body, homes: body.homes.filter((h) => this.#mine(this.#homeOwner, h, 'id', user)) };
    }
    if ((endpoint === 'getstationsdata' || endpoint === 'gethomecoachsdata') && Array.isArray(body.devices)) {
      return { ...body, devices: body.devices.filter((d) => this.#mine(this.#deviceOwner, d, '_id', user)) };
    }
    return body;
  }

  #foreign(owners: Map<string, string>, id: string, user: string): boolean {
    const owner = owners.get(id);
    return owner !== undefined && owner !== user;
  }

  #mine(owners: Map<string, string>, item: unknown, key: string, user: string): boolean {
    const id = isRecord(item) ? item[key] : undefined;
    return typeof id === 'string' && !this.#foreign(owners, id, user);
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
