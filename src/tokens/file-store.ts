/**
 * Token pair in `<data_dir>/token.json`, written atomically with mode 0600.
 *
 * Save: temp file in the same directory → write → fsync → rename over token.json →
 * fsync the directory. A crash leaves either the old or the new file, never half a file.
 * A crash between the temp file's fsync and the rename leaves a complete temp file holding
 * a pair Netatmo already issued (and the old file's pair already revoked): load() promotes
 * such a temp file when it is newer than token.json, so that window does not lock the user out.
 *
 * A corrupt token.json is an error, never "empty": the bootstrap token from config is
 * almost certainly rotated away by now, and silently replacing the file would destroy the
 * only copy a user could still repair or restore. The next save keeps a copy beside it (0600).
 *
 * Nothing here follows a symbolic link (util/private-file.ts): a token.json that is a link is
 * refused with an error naming it, so the bridge never reads, chmods or copies another file.
 */
import { createHash, randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { lstat, mkdir, open, readdir, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { childLogger } from '../log.js';
import {
  NotARegularFileError,
  openRegularFile,
  overwritePrivateFile,
  readRegularFile,
  writeNewPrivateFile,
} from '../util/private-file.js';
import {
  checkStoredToken,
  markCurrentToken,
  type StoredToken,
  type TokenStore,
  TokenStoreError,
} from './stored-token.js';

const log = childLogger('tokens');
const FILE_NAME = 'token.json';
const TEMP_PREFIX = '.token.json.';
const TEMP_SUFFIX = '.tmp';
const JOURNAL_NAME = 'token.refresh-pending.json';

/** A refresh that was sent but whose result never reached the store (the process died). */
export interface InterruptedRefresh {
  startedAt: string;
  /** Short hash of the refresh token that was being spent (never the token). */
  refreshTokenFingerprint: string;
}

/** Optional crash forensics a store may offer: see NetatmoAuth's use of it. */
export interface RefreshJournal {
  beginRefresh(refreshToken: string, at: number): Promise<void>;
  endRefresh(): Promise<void>;
  interruptedRefresh(): Promise<InterruptedRefresh | undefined>;
}

export function tokenFingerprint(secret: string): string {
  return createHash('sha256').update(secret).digest('hex').slice(0, 12);
}

function errnoCode(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error
    ? String((error as { code: unknown }).code)
    : undefined;
}

export class FileTokenStore implements TokenStore, RefreshJournal {
  readonly dataDir: string;
  readonly path: string;
  readonly #journalPath: string;

  constructor(dataDir: string) {
    this.dataDir = dataDir;
    this.path = join(dataDir, FILE_NAME);
    this.#journalPath = join(dataDir, JOURNAL_NAME);
  }

  describe(): string {
    return `file ${this.path}`;
  }

  async load(): Promise<StoredToken | undefined> {
    const main = await this.#readMain();
    const promoted = await this.#recoverTempFiles(main);
    const token = promoted ?? main;
    if (token) markCurrentToken(token, this.describe());
    return token;
  }

  async save(token: StoredToken): Promise<void> {
    markCurrentToken(token, this.describe());
    const text = `${JSON.stringify(token, null, 2)}\n`;
    try {
      await mkdir(this.dataDir, { recursive: true, mode: 0o700 });
    } catch (error) {
      throw this.#writeError(this.dataDir, error);
    }
    await this.#refuseLink();
    await this.#keepCorruptCopy();
    const temp = join(
      this.dataDir,
      `${TEMP_PREFIX}${process.pid}.${randomBytes(4).toString('hex')}${TEMP_SUFFIX}`,
    );
    try {
      const handle = await open(temp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
      try {
        await handle.writeFile(text);
        await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(temp, this.path);
    } catch (error) {
      await unlink(temp).catch(() => {});
      throw this.#writeError(temp, error);
    }
    await this.#syncDir();
  }

  async beginRefresh(refreshToken: string, at: number): Promise<void> {
    const entry: InterruptedRefresh = {
      startedAt: new Date(at).toISOString(),
      refreshTokenFingerprint: tokenFingerprint(refreshToken),
    };
    // Forensics only: a failure here must not stop the refresh.
    await mkdir(this.dataDir, { recursive: true, mode: 0o700 }).catch(() => {});
    await overwritePrivateFile(this.#journalPath, JSON.stringify(entry)).catch((error: unknown) =>
      log.warning(
        `cannot write refresh journal ${this.#journalPath}: ${error instanceof NotARegularFileError ? error.message : (errnoCode(error) ?? String(error))}`,
      ),
    );
  }

  async endRefresh(): Promise<void> {
    await unlink(this.#journalPath).catch(() => {});
  }

  async interruptedRefresh(): Promise<InterruptedRefresh | undefined> {
    try {
      const parsed: unknown = JSON.parse((await readRegularFile(this.#journalPath)) ?? '');
      if (
        parsed &&
        typeof parsed === 'object' &&
        'startedAt' in parsed &&
        'refreshTokenFingerprint' in parsed
      ) {
        const { startedAt, refreshTokenFingerprint } = parsed as Record<string, unknown>;
        return { startedAt: String(startedAt), refreshTokenFingerprint: String(refreshTokenFingerprint) };
      }
    } catch {
      // No journal (the normal case) or a torn one: nothing to report.
    }
    return undefined;
  }

  async #readMain(): Promise<StoredToken | undefined> {
    let text: string;
    try {
      const handle = await openRegularFile(this.path);
      if (!handle) return undefined;
      try {
        text = await handle.readFile('utf8');
        await this.#tightenMode(handle);
      } finally {
        await handle.close();
      }
    } catch (error) {
      if (error instanceof NotARegularFileError)
        throw new TokenStoreError('unreadable', this.path, `the token file ${error.message}`, error);
      throw new TokenStoreError(
        'unreadable',
        this.path,
        `cannot read the token file ${this.path}: ${errnoCode(error) ?? String(error)}`,
        error,
      );
    }
    const checked = parseToken(text);
    if (typeof checked === 'string') {
      throw new TokenStoreError(
        'corrupt',
        this.path,
        `the token file ${this.path} is corrupt (${checked}). It was NOT replaced: restore it from a backup, ` +
          'or delete it to start again from the bootstrap refresh token in the configuration / a new authorisation.',
      );
    }
    return checked;
  }

  /** Promotes a complete temp file newer than token.json (crash between fsync and rename). */
  async #recoverTempFiles(main: StoredToken | undefined): Promise<StoredToken | undefined> {
    let names: string[];
    try {
      names = (await readdir(this.dataDir)).filter(
        (n) => n.startsWith(TEMP_PREFIX) && n.endsWith(TEMP_SUFFIX),
      );
    } catch {
      return undefined;
    }
    let best: { token: StoredToken; path: string } | undefined;
    for (const name of names) {
      const path = join(this.dataDir, name);
      // A link with a temp file's name is not a save of ours: never read through it.
      const checked = parseToken((await readRegularFile(path).catch(() => undefined)) ?? '');
      if (typeof checked === 'string') continue;
      const newest = best?.token ?? main;
      if (!newest || Date.parse(checked.obtained_at) > Date.parse(newest.obtained_at))
        best = { token: checked, path };
    }
    if (best) {
      log.warning(
        `recovered a token pair from ${best.path}: the previous run stopped between writing and renaming it`,
      );
      await rename(best.path, this.path);
      await this.#syncDir();
    }
    for (const name of names) await unlink(join(this.dataDir, name)).catch(() => {});
    return best?.token;
  }

  /** Through the open handle (fchmod): never the target of a link swapped in meanwhile. */
  async #tightenMode(handle: Awaited<ReturnType<typeof open>>): Promise<void> {
    try {
      const info = await handle.stat();
      if ((info.mode & 0o077) !== 0) {
        await handle.chmod(0o600);
        log.warning(`token file ${this.path} was readable by others; its mode is now 0600`);
      }
    } catch (error) {
      log.warning(`cannot check the mode of ${this.path}: ${errnoCode(error) ?? String(error)}`);
    }
  }

  /** Saving over a link would hide that someone planted it: refused like a load. */
  async #refuseLink(): Promise<void> {
    const info = await lstat(this.path).catch(() => undefined);
    if (info && !info.isFile()) {
      const what = info.isSymbolicLink() ? 'a symbolic link' : 'not a regular file';
      const error = new NotARegularFileError(this.path, what);
      throw new TokenStoreError('write_failed', this.path, `the token file ${error.message}`, error);
    }
  }

  /** Before overwriting a corrupt token.json, keep it beside (a new 0600 file) for a human to inspect. */
  async #keepCorruptCopy(): Promise<void> {
    const text = await readRegularFile(this.path).catch(() => undefined);
    if (text === undefined || typeof parseToken(text) !== 'string') return;
    const copy = `${this.path}.corrupt-${Date.now()}`;
    try {
      await writeNewPrivateFile(copy, text);
      log.warning(`kept the unreadable token file as ${copy} before writing a new one`);
    } catch (error) {
      log.warning(`could not keep a copy of the unreadable token file: ${errnoCode(error) ?? String(error)}`);
    }
  }

  async #syncDir(): Promise<void> {
    // Makes the rename itself durable; some filesystems refuse fsync on a directory.
    try {
      const dir = await open(this.dataDir, 'r');
      try {
        await dir.sync();
      } finally {
        await dir.close();
      }
    } catch (error) {
      if (!['EINVAL', 'EISDIR', 'EPERM', 'ENOTSUP'].includes(errnoCode(error) ?? '')) {
        log.warning(`cannot fsync ${this.dataDir}: ${errnoCode(error) ?? String(error)}`);
      }
    }
  }

  #writeError(path: string, error: unknown): TokenStoreError {
    const code = errnoCode(error);
    const hint =
      code === 'EROFS' || code === 'EACCES' || code === 'EPERM'
        ? ' (is data_dir writable?)'
        : code === 'ENOSPC' || code === 'EDQUOT'
          ? ' (the disk is full)'
          : '';
    return new TokenStoreError(
      'write_failed',
      path,
      `cannot save the token to ${path}: ${code ?? String(error)}${hint}`,
      error,
    );
  }
}

function parseToken(text: string): StoredToken | string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return text.trim() === '' ? 'the file is empty' : 'not valid JSON (partial write?)';
  }
  return checkStoredToken(parsed);
}
