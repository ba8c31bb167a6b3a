/**
 * Crash-safe file replacement: write a temp file beside the target, fsync it, rename it over
 * the target, fsync the directory. A reader sees the old file or the new one, never a torn one,
 * whenever the process dies.
 */
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { mkdir, open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

export const ATOMIC_TEMP_SUFFIX = '.tmp';

/** The temp-file name prefix used for `target` (so recovery code can find leftovers). */
export function atomicTempPrefix(target: string): string {
  return `.${basename(target)}.`;
}

export async function writeFileAtomic(target: string, content: string, mode = 0o600): Promise<void> {
  const dir = dirname(target);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const temp = join(
    dir,
    `${atomicTempPrefix(target)}${process.pid}.${randomBytes(4).toString('hex')}${ATOMIC_TEMP_SUFFIX}`,
  );
  try {
    const handle = await open(temp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, mode);
    try {
      await handle.writeFile(content);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, target);
  } catch (error) {
    await unlink(temp).catch(() => {});
    throw error;
  }
  await syncDirectory(dir);
}

/** Makes a rename durable. Some file systems refuse to fsync a directory; that is not an error. */
export async function syncDirectory(dir: string): Promise<void> {
  let handle: Awaited<ReturnType<typeof open>> | undefined;
  try {
    handle = await open(dir, constants.O_RDONLY);
    await handle.sync();
  } catch {
    // EISDIR/EINVAL/EPERM on some platforms: nothing more can be done.
  } finally {
    await handle?.close().catch(() => {});
  }
}
