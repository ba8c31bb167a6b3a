/**
 * The bridge as its own process, as it runs in production: `src/main.ts` bundled once with
 * esbuild (dependencies stay in node_modules; code splitting, so a dynamic import stays lazy
 * as in tsc's dist/ — one file would hoist every package's import to start-up) and started
 * with plain `node … start --config`,
 * so its memory and CPU are the bridge's alone, not the bench's or a TypeScript loader's. RSS
 * and CPU time are read from /proc (Linux); elsewhere they are NaN.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** In dist/ (git-ignored) so that `../package.json` and node_modules resolve as for dist/main.js. */
const DIST = join(ROOT, 'dist');
const BUNDLE = join(DIST, 'bench-bridge.mjs');
/** Chunks sit next to the entry: src/version.ts reads `../package.json` from its own file. */
const CHUNK_PREFIX = 'bench-bridge-chunk-';
/** Linux's USER_HZ: /proc/<pid>/stat counts CPU time in 1/100 s on every common platform. */
const CLOCK_TICKS_PER_SECOND = 100;

/** Bundled beside the bridge (shared chunks): the cluster bench's process (bench/cluster/child.ts). */
const CLUSTER_CHILD = join(DIST, 'bench-cluster-child.mjs');

let bundled: Promise<string> | undefined;

/** Bundles src/main.ts (and the cluster bench's child) once per bench run. */
export function bridgeBundle(): Promise<string> {
  bundled ??= (async () => {
    await mkdir(DIST, { recursive: true });
    for (const name of await readdir(DIST)) {
      if (name.startsWith(CHUNK_PREFIX)) await rm(join(DIST, name));
    }
    await build({
      entryPoints: {
        'bench-bridge': join(ROOT, 'src', 'main.ts'),
        'bench-cluster-child': join(ROOT, 'bench', 'cluster', 'child.ts'),
      },
      outdir: DIST,
      entryNames: '[name]',
      chunkNames: `${CHUNK_PREFIX}[hash]`,
      outExtension: { '.js': '.mjs' },
      splitting: true,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      packages: 'external',
      logLevel: 'error',
    });
    return BUNDLE;
  })();
  return bundled;
}

/** The cluster bench's child process script, bundled with the bridge. */
export async function clusterChildBundle(): Promise<string> {
  await bridgeBundle();
  return CLUSTER_CHILD;
}

export interface ProcessSample {
  rssBytes: number;
  /** User + system CPU time so far, in seconds. */
  cpuSec: number;
}

export class BridgeProcess {
  readonly #child: ChildProcess;
  readonly exited: Promise<number | null>;
  stderr = '';

  private constructor(child: ChildProcess) {
    this.#child = child;
    child.stderr?.on('data', (chunk: Buffer) => {
      this.stderr = (this.stderr + chunk.toString()).slice(-4000);
    });
    this.exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
  }

  static async start(configFile: string): Promise<BridgeProcess> {
    const bundle = await bridgeBundle();
    const child = spawn(process.execPath, [bundle, 'start', '--config', configFile], {
      cwd: ROOT,
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' },
    });
    return new BridgeProcess(child);
  }

  get pid(): number {
    return this.#child.pid ?? -1;
  }

  sample(): Promise<ProcessSample> {
    return sampleProcess(this.pid);
  }

  /** SIGTERM, as a supervisor stops it; resolves with the exit code. */
  async stop(): Promise<number | null> {
    if (this.#child.exitCode === null) this.#child.kill('SIGTERM');
    return this.exited;
  }
}

/** RSS and CPU time of a process, from /proc (Linux); NaN elsewhere or once it is gone. */
export async function sampleProcess(pid: number): Promise<ProcessSample> {
  try {
    const [status, stat] = await Promise.all([
      readFile(`/proc/${pid}/status`, 'utf8'),
      readFile(`/proc/${pid}/stat`, 'utf8'),
    ]);
    const rssKb = Number(/^VmRSS:\s+(\d+)\s+kB/m.exec(status)?.[1]);
    // Fields after the parenthesised command name: utime and stime are the 12th and 13th.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    return { rssBytes: rssKb * 1024, cpuSec: ticks / CLOCK_TICKS_PER_SECOND };
  } catch {
    return { rssBytes: Number.NaN, cpuSec: Number.NaN };
  }
}
