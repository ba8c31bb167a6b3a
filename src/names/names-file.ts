/**
 * `<data_dir>/names.json`: each device's friendly name, where it came from, and the topic the
 * device was last published under, so that a restart keeps every topic where it was and a
 * rename made while the bridge was down (or a switch of `mqtt.device_topic`) clears the old
 * retained topics. Written atomically (0600), never read through a symbolic link.
 */
import { join } from 'node:path';
import { childLogger } from '../log.js';
import { writeFileAtomic } from '../util/atomic-file.js';
import { readRegularFile } from '../util/private-file.js';

const log = childLogger('names');

export const NAMES_FILE = 'names.json';
const VERSION = 1;

export interface NameEntry {
  /** The friendly name. */
  name: string;
  /** `user`: set by a rename, kept whatever Netatmo calls the device; `netatmo`: follows Netatmo's name. */
  source: 'user' | 'netatmo';
  /** Netatmo's name the friendly name was made from (source `netatmo`). */
  netatmo_name?: string;
  /** The topic (under the base topic) the device was last published under. */
  topic: string;
}

export type NameEntries = Map<string, NameEntry>;

function isEntry(value: unknown): value is NameEntry {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    typeof v.name === 'string' &&
    (v.source === 'user' || v.source === 'netatmo') &&
    (v.netatmo_name === undefined || typeof v.netatmo_name === 'string') &&
    typeof v.topic === 'string'
  );
}

export class NamesFile {
  readonly path: string;
  #writing: Promise<void> = Promise.resolve();
  #lastWritten: string | undefined;

  constructor(dataDir: string) {
    this.path = join(dataDir, NAMES_FILE);
  }

  /** The stored entries; undefined when there is no usable file (first start, or before names existed). */
  async load(): Promise<NameEntries | undefined> {
    let text: string | undefined;
    try {
      text = await readRegularFile(this.path);
    } catch (error) {
      log.warning(`cannot read ${this.path}: ${(error as Error).message}; names start afresh`);
      return undefined;
    }
    if (text === undefined) return undefined;
    try {
      const parsed = JSON.parse(text) as { version?: unknown; devices?: unknown };
      if (parsed.version !== VERSION || typeof parsed.devices !== 'object' || parsed.devices === null)
        throw new Error('unexpected shape');
      const entries: NameEntries = new Map();
      for (const [id, entry] of Object.entries(parsed.devices)) {
        if (isEntry(entry)) entries.set(id, entry);
        else log.warning(`ignoring the stored name of ${id.slice(0, 80)} in ${this.path}: unexpected shape`);
      }
      this.#lastWritten = text;
      return entries;
    } catch (error) {
      log.warning(`ignoring ${this.path}: ${(error as Error).message}; names start afresh`);
      return undefined;
    }
  }

  /** Writes the entries when they differ from the file (writes are serialised); rejects when the write fails. */
  save(entries: NameEntries): Promise<void> {
    const devices = Object.fromEntries([...entries].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    const text = `${JSON.stringify({ version: VERSION, devices }, null, 1)}\n`;
    const write = this.#writing.then(async () => {
      if (text === this.#lastWritten) return;
      await writeFileAtomic(this.path, text);
      this.#lastWritten = text;
    });
    // The chain survives a failed write; the caller still sees the failure.
    this.#writing = write.catch(() => {});
    return write;
  }
}
