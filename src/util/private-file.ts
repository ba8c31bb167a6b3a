/**
 * Files in data_dir are opened without following symbolic links (O_NOFOLLOW): a link planted
 * there (`token.json -> /etc/passwd`) must not make the bridge read, chmod or copy the file it
 * points to. Copies the bridge makes are new files, created 0600, never copies of a mode.
 */
import { constants } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';
import { BridgeError } from '../errors.js';

/** The path is a symbolic link (or not a regular file) and was not opened. */
export class NotARegularFileError extends BridgeError {
  readonly path: string;

  constructor(path: string, what: string) {
    super(
      `${path} is ${what}; the bridge does not follow links in its data directory (one could make it read or change a file elsewhere): replace it with the file itself`,
    );
    this.path = path;
  }
}

function errnoCode(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | null)?.code;
}

/** Opens a regular file for reading without following a link; undefined when it does not exist. */
export async function openRegularFile(path: string): Promise<FileHandle | undefined> {
  let handle: FileHandle;
  try {
    handle = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return undefined;
    // Linux answers ELOOP for a link under O_NOFOLLOW (some systems EMLINK).
    if (errnoCode(error) === 'ELOOP' || errnoCode(error) === 'EMLINK')
      throw new NotARegularFileError(path, 'a symbolic link');
    throw error;
  }
  const info = await handle.stat();
  if (!info.isFile()) {
    await handle.close();
    throw new NotARegularFileError(path, 'not a regular file');
  }
  return handle;
}

/** The text of a regular file (never through a link); undefined when it does not exist. */
export async function readRegularFile(path: string): Promise<string | undefined> {
  const handle = await openRegularFile(path);
  if (!handle) return undefined;
  try {
    return await handle.readFile('utf8');
  } finally {
    await handle.close();
  }
}

/** Writes a NEW file, 0600, failing if anything (a link included) already has the name. */
export async function writeNewPrivateFile(path: string, content: string): Promise<void> {
  const handle = await open(
    path,
    constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW,
    0o600,
  );
  try {
    await handle.writeFile(content);
  } finally {
    await handle.close();
  }
}

/** Replaces a file's content in place, 0600, refusing to write through a link. */
export async function overwritePrivateFile(path: string, content: string): Promise<void> {
  let handle: FileHandle;
  try {
    handle = await open(
      path,
      constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_NOFOLLOW,
      0o600,
    );
  } catch (error) {
    if (errnoCode(error) === 'ELOOP' || errnoCode(error) === 'EMLINK')
      throw new NotARegularFileError(path, 'a symbolic link');
    throw error;
  }
  try {
    await handle.writeFile(content);
  } finally {
    await handle.close();
  }
}
