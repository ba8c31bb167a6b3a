import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach } from 'vitest';

export interface TempDir {
  /** The directory, created on first use. */
  dir(): Promise<string>;
  /** Writes a file (creating parent folders) and returns its absolute path. */
  write(name: string, text: string): Promise<string>;
}

/** A fresh temp directory per test, removed after it. */
export function useTempDir(): TempDir {
  let current: string | undefined;
  afterEach(async () => {
    if (current) await rm(current, { recursive: true, force: true });
    current = undefined;
  });
  const dir = async (): Promise<string> => {
    current ??= await mkdtemp(join(tmpdir(), 'n2m-config-'));
    return current;
  };
  return {
    dir,
    async write(name, text) {
      const file = join(await dir(), name);
      await mkdir(dirname(file), { recursive: true });
      await writeFile(file, text);
      return file;
    },
  };
}
