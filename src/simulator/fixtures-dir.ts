import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * `<package root>/src/simulator/fixtures`, from src/ (tsx) and from dist/ (tsc does not copy
 * JSON). Walks up from this module to the directory holding package.json.
 */
export function fixturesDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'package.json'))) return join(dir, 'src', 'simulator', 'fixtures');
    const parent = dirname(dir);
    if (parent === dir) throw new Error('netatmo2mqtt simulator: cannot find the package root for fixtures');
    dir = parent;
  }
}
