/**
 * Persists the StateStore's snapshot to `<data_dir>/state.json` so a restarted bridge shows
 * the last known values at once instead of `unknown` until the first poll.
 *
 * Writes are atomic (a SIGKILL leaves the old or the new file) and debounced: state changes
 * every poll, but the disk sees at most one write per interval, plus one on shutdown (and one
 * whenever a module must not lose what it just did: security events, before they are published).
 *
 * Besides the states, the file keeps named `sections` other modules own (the security event
 * ledger); each validates its own section when it reads it back.
 */
import { join } from 'node:path';
import { childLogger } from '../log.js';
import { writeFileAtomic } from '../util/atomic-file.js';
import type { Clock } from '../util/clock.js';
import { readRegularFile } from '../util/private-file.js';
import type { StateSnapshot } from './state-store.js';

const log = childLogger('state');

export const STATE_FILE = 'state.json';
const VERSION = 1;

/** The file's contents: the StateStore's snapshot, and sections other modules own. */
export interface CacheContents extends StateSnapshot {
  sections?: Record<string, unknown>;
}

export class StateCache {
  readonly path: string;
  readonly #clock: Clock;
  readonly #intervalMs: number;
  readonly #snapshot: () => CacheContents;
  #cancel: (() => void) | undefined;
  #writing: Promise<void> = Promise.resolve();
  #lastError: string | undefined;

  constructor(options: {
    dataDir: string;
    clock: Clock;
    snapshot: () => CacheContents;
    intervalMs?: number;
  }) {
    this.path = join(options.dataDir, STATE_FILE);
    this.#clock = options.clock;
    this.#snapshot = options.snapshot;
    this.#intervalMs = options.intervalMs ?? 60_000;
  }

  get lastError(): string | undefined {
    return this.#lastError;
  }

  /** Reads the saved snapshot; a missing or unreadable file is an empty start, never a crash. */
  async load(): Promise<CacheContents | undefined> {
    let text: string | undefined;
    try {
      // Never through a symbolic link (see util/private-file.ts).
      text = await readRegularFile(this.path);
    } catch (error) {
      log.warning(`cannot read ${this.path}: ${(error as Error).message}; starting without cached state`);
      return undefined;
    }
    if (text === undefined) return undefined;
    try {
      const parsed = JSON.parse(text) as { version?: unknown; states?: unknown; sections?: unknown };
      if (parsed.version !== VERSION || !isRecord(parsed.states)) throw new Error('unexpected shape');
      const states: StateSnapshot['states'] = {};
      for (const [id, state] of Object.entries(parsed.states))
        if (isRecord(state)) states[id] = state as StateSnapshot['states'][string];
      return isRecord(parsed.sections) ? { states, sections: parsed.sections } : { states };
    } catch (error) {
      log.warning(`ignoring ${this.path}: ${(error as Error).message}; it is rewritten at the next save`);
      return undefined;
    }
  }

  /** Schedules a save within the debounce interval (no-op when one is already scheduled). */
  markDirty(): void {
    if (this.#cancel) return;
    this.#cancel = this.#clock.schedule(this.#intervalMs, () => {
      this.#cancel = undefined;
      void this.save();
    });
  }

  /** Writes now (serialised with any write in progress). */
  save(): Promise<void> {
    this.#cancel?.();
    this.#cancel = undefined;
    const text = `${JSON.stringify({ version: VERSION, ...this.#snapshot() })}\n`;
    this.#writing = this.#writing.then(() =>
      writeFileAtomic(this.path, text).then(
        () => {
          this.#lastError = undefined;
        },
        (error: unknown) => {
          this.#lastError = `cannot write ${this.path}: ${(error as Error).message}`;
          log.error(this.#lastError);
        },
      ),
    );
    return this.#writing;
  }

  dispose(): void {
    this.#cancel?.();
    this.#cancel = undefined;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
