/**
 * DeviceNames: THE seam between devices and their MQTT topics (zigbee2mqtt's friendly names).
 * Everything that names a device in a topic asks `topicOf(device)` — state, availability,
 * discovery state and command topics, `bridge/devices`, and any per-device topic added later
 * (`<topicOf(device)>/event`); everything that reads a device from a topic asks
 * `resolve(level)`, which takes the friendly name or the device id.
 *
 * Names: by default a device's Netatmo name (a room's room name, a home's home name) made
 * topic-safe (friendly-name.ts) and unique: the first claimant keeps it (homes, then rooms, then
 * modules, each by id), the others get their kind appended, then a number. A name once given
 * stays while Netatmo's name stays (a new device never takes it); a Netatmo rename moves a
 * device the user never renamed; a user's rename (`rename`) wins for good. Ids are reserved:
 * no name equals another device's id, so `<base>/<id>/set` is never ambiguous.
 *
 * It listens to the StateStore and must subscribe before the publishers: listeners run in
 * order, so they see the names of a new topology. When a device's topic changes (a rename, a
 * Netatmo rename, `mqtt.device_topic` switched, or the first start after topics were ids), the
 * rename listeners move its retained topics and republish its discovery config.
 */
import type { DeviceTopicMode } from '../config/types.js';
import type { Device, DeviceKind } from '../devices/types.js';
import { BridgeError } from '../errors.js';
import { childLogger } from '../log.js';
import type { StateStore, StoreListener, TopologyChange } from '../state/state-store.js';
import { friendlyNameProblem, levelsOf, MAX_NAME_CHARS, topicSafeName } from './friendly-name.js';
import { type NameEntries, type NameEntry, NamesFile } from './names-file.js';

const log = childLogger('names');

/**
 * A device renamed or moved: its topic was `from` and is `to` (both under the base topic; equal
 * when only its friendly name changed, with `mqtt.device_topic: id`).
 */
export interface DeviceMove {
  device: Device;
  from: string;
  to: string;
}

/** Told the moves of one topology change or rename together (one inventory publish for all). */
export type MoveListener = (moves: DeviceMove[]) => void | Promise<void>;

/** What publishers need: a device's topic and its friendly name. */
export interface DeviceTopics {
  topicOf(device: Device): string;
  nameOf(device: Device): string;
}

/** What command handlers need: the device a topic level names. */
export interface DeviceResolver {
  resolve(level: string): Device | undefined;
}

export class RenameError extends BridgeError {}

export interface DeviceNamesOptions {
  store: StateStore;
  dataDir: string;
  mode: DeviceTopicMode;
  /** Called (and awaited by renames) when the deepest topic's number of levels changes. */
  onDepth?: (levels: number) => void | Promise<void>;
}

/** Who claims a plain name first when two devices share a Netatmo name. */
const CLAIM_ORDER: Partial<Record<DeviceKind, number>> = { home: 0, room: 1 };

export class DeviceNames implements StoreListener, DeviceTopics, DeviceResolver {
  readonly #o: DeviceNamesOptions;
  readonly #file: NamesFile;
  /** Every named device, present or (for user names) absent, by device id. */
  #entries: NameEntries = new Map();
  /** Present devices by friendly name. */
  readonly #byName = new Map<string, string>();
  /** Topics of devices that left, until their retained topics are cleared. */
  readonly #departed = new Map<string, string>();
  readonly #listeners = new Set<MoveListener>();
  /** Ran before without names.json: topics were ids, so the first topology moves devices from their ids. */
  #legacy = false;
  #depth = 1;
  #toldDepth = 1;

  constructor(options: DeviceNamesOptions) {
    this.#o = options;
    this.#file = new NamesFile(options.dataDir);
  }

  get path(): string {
    return this.#file.path;
  }

  /**
   * Reads names.json. `ranBefore`: the bridge has run in this data_dir (its state cache was
   * there); without names.json that was a version whose topics were the ids, which the first
   * topology then moves (a fresh install has nothing to move).
   */
  async load(ranBefore = true): Promise<void> {
    const stored = await this.#file.load();
    this.#legacy = stored === undefined && ranBefore;
    this.#entries = stored ?? new Map();
    // Listen to the stored names' topics from the first connect on (queued commands may wait).
    for (const entry of this.#entries.values()) this.#depth = Math.max(this.#depth, levelsOf(entry.topic));
    await this.#tellDepth();
  }

  /** Listens to topic changes; returns the function that stops. */
  onMoved(listener: MoveListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  topicOf(device: Device): string {
    return this.#entries.get(device.id)?.topic ?? this.#departed.get(device.id) ?? device.id;
  }

  nameOf(device: Device): string {
    return this.#entries.get(device.id)?.name ?? device.name;
  }

  /** The present device a topic level names: its friendly name, else its id. */
  resolve(level: string): Device | undefined {
    const id = this.#byName.get(level);
    return this.#o.store.device(id ?? level);
  }

  /** The most levels a device topic spans now (1 unless a name contains `/`). */
  get depth(): number {
    return this.#depth;
  }

  topologyChanged(change: TopologyChange): Promise<void> {
    // Most topology changes are a device gaining capabilities: no name to reconsider.
    const renamedInNetatmo = (device: Device): boolean => {
      const entry = this.#entries.get(device.id);
      return entry === undefined || (entry.source === 'netatmo' && entry.netatmo_name !== device.name);
    };
    if (change.added.length === 0 && change.removed.length === 0 && !change.updated.some(renamedInNetatmo))
      return Promise.resolve();
    // Kept until the next topology: the publishers clear the departed devices' topics meanwhile.
    this.#departed.clear();
    for (const device of change.removed) this.#departed.set(device.id, this.topicOf(device));
    const moves = this.#assign(this.#o.store.devices());
    this.#legacy = false;
    return this.#commit(moves).catch((error: unknown) => {
      log.error(`storing device names failed: ${(error as Error).message}`);
    });
  }

  /**
   * `bridge/request/device/rename`: `from` is a friendly name or a device id. The new name is
   * stored before the answer; the device's old retained topics are cleared and it is published
   * again under the new one.
   */
  async rename(from: string, to: string): Promise<{ from: string; to: string }> {
    const device = this.resolve(from);
    if (!device) throw new RenameError(`no device is named or has the id '${from.slice(0, 100)}'`);
    const problem = friendlyNameProblem(to);
    if (problem) throw new RenameError(`'${to.slice(0, 100)}' cannot be a device name: it ${problem}`);
    const previous = this.#entries.get(device.id);
    const oldName = previous?.name ?? device.name;
    const owner = this.#owner(to);
    if (owner !== undefined && owner !== device.id)
      throw new RenameError(`'${to}' is already the name or id of device ${owner}`);
    const entry: NameEntry = { name: to, source: 'user', topic: this.#topicFor(device.id, to) };
    this.#entries.set(device.id, entry);
    try {
      await this.#file.save(this.#entries);
    } catch (error) {
      if (previous) this.#entries.set(device.id, previous);
      else this.#entries.delete(device.id);
      throw new RenameError(`the new name could not be stored in ${this.path}: ${(error as Error).message}`);
    }
    this.#index();
    log.info(`renamed ${device.id} from '${oldName}' to '${to}'`);
    await this.#tellDepth();
    if (oldName !== to) await this.#tell([{ device, from: previous?.topic ?? device.id, to: entry.topic }]);
    return { from: oldName, to };
  }

  /** Names every present device; returns the devices whose topic changed. */
  #assign(devices: Device[]): DeviceMove[] {
    const previous = this.#entries;
    const next: NameEntries = new Map();
    const present = new Set(devices.map((d) => d.id));
    const taken = new Set<string>();
    // User names stay reserved even while their device is away.
    for (const [id, entry] of previous) {
      if (entry.source !== 'user') continue;
      next.set(id, entry);
      taken.add(entry.name);
    }
    const free = (name: string, id: string): boolean =>
      !taken.has(name) && (name === id || !present.has(name)) && friendlyNameProblem(name) === undefined;
    const unnamed: Device[] = [];
    for (const device of devices) {
      if (next.has(device.id)) continue;
      const kept = previous.get(device.id);
      if (kept && kept.netatmo_name === device.name && free(kept.name, device.id)) {
        next.set(device.id, kept);
        taken.add(kept.name);
      } else {
        unnamed.push(device);
      }
    }
    unnamed.sort((a, b) => claimOrder(a) - claimOrder(b) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    // Numbering goes on where the last device with the same name stopped (a hundred homes
    // with the same rooms must not try 1, 2, 3 … each time).
    const nextNumber = new Map<string, number>();
    for (const device of unnamed) {
      const { base, qualified } = baseNames(device);
      let name = [base, qualified].find((c) => free(c, device.id));
      if (name === undefined) {
        let n = nextNumber.get(qualified) ?? 2;
        while (n <= MAX_NUMBER && !free(`${qualified} ${n}`, device.id)) n++;
        nextNumber.set(qualified, n + 1);
        name = n <= MAX_NUMBER ? `${qualified} ${n}` : device.id;
      }
      taken.add(name);
      next.set(device.id, { name, source: 'netatmo', netatmo_name: device.name, topic: '' });
    }
    const moves: DeviceMove[] = [];
    for (const device of devices) {
      const entry = next.get(device.id)!;
      const topic = this.#topicFor(device.id, entry.name);
      const before = previous.get(device.id);
      const from = before?.topic ?? (this.#legacy ? device.id : undefined);
      next.set(device.id, { ...entry, topic });
      if (from !== undefined && (from !== topic || (before !== undefined && before.name !== entry.name)))
        moves.push({ device, from, to: topic });
    }
    this.#entries = next;
    this.#index();
    return moves;
  }

  async #commit(moves: DeviceMove[]): Promise<void> {
    await this.#tellDepth();
    for (const move of moves)
      if (move.from !== move.to)
        log.info(`${move.device.id} is now published under '${move.to}' (was '${move.from}')`);
    await Promise.all([this.#tell(moves), this.#file.save(this.#entries)]);
  }

  #index(): void {
    this.#byName.clear();
    let depth = 1;
    for (const [id, entry] of this.#entries) {
      if (!this.#o.store.device(id)) continue;
      this.#byName.set(entry.name, id);
      depth = Math.max(depth, levelsOf(entry.topic));
    }
    this.#depth = depth;
  }

  /** The device id that owns `name` as its name (present or reserved) or as its id. */
  #owner(name: string): string | undefined {
    for (const [id, entry] of this.#entries) if (entry.name === name) return id;
    return this.#o.store.device(name)?.id;
  }

  #topicFor(id: string, name: string): string {
    return this.#o.mode === 'id' ? id : name;
  }

  async #tellDepth(): Promise<void> {
    if (this.#depth === this.#toldDepth) return;
    this.#toldDepth = this.#depth;
    await this.#o.onDepth?.(this.#depth);
  }

  async #tell(moves: DeviceMove[]): Promise<void> {
    if (moves.length === 0) return;
    await Promise.all(
      [...this.#listeners].map((listener) =>
        Promise.resolve()
          .then(() => listener(moves))
          .catch((error: unknown) =>
            log.error(`moving ${moves.length} device(s) to new topics failed: ${(error as Error).message}`),
          ),
      ),
    );
  }
}

function claimOrder(device: Device): number {
  return CLAIM_ORDER[device.kind] ?? 2;
}

/** Room for the kind and a number after a Netatmo name. */
const QUALIFIER_CHARS = 30;
/** Enough numbers for every device of a large account to share one name. */
const MAX_NUMBER = 100_000;

/**
 * The names a device may take, best first: its Netatmo name, then with its kind appended
 * (then numbered, see #assign).
 */
function baseNames(device: Device): { base: string; qualified: string } {
  const kind = device.kind.replace(/_/g, ' ');
  const base = topicSafeName(device.name) || kind;
  const short = topicSafeName(base.slice(0, MAX_NAME_CHARS - QUALIFIER_CHARS));
  return { base, qualified: short.toLowerCase().endsWith(kind) ? short : `${short} ${kind}` };
}
