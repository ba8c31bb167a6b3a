/**
 * A temporary folder that goes away however the process ends: `remove()` on an orderly stop,
 * and a synchronous removal when the process exits any other way (an error, `process.exit`,
 * a second Ctrl+C: see lifecycle.ts). Only a SIGKILL can leave it behind.
 */
import { rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface ProcessTempDir {
  path: string;
  remove(): Promise<void>;
}

export async function processTempDir(prefix: string): Promise<ProcessTempDir> {
  const path = await mkdtemp(join(tmpdir(), prefix));
  const atExit = (): void => rmSync(path, { recursive: true, force: true });
  process.once('exit', atExit);
  return {
    path,
    async remove() {
      process.off('exit', atExit);
      await rm(path, { recursive: true, force: true });
    },
  };
}
