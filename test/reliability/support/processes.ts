/**
 * Real bridge processes for the reliability suite.
 *
 * The CLI (`src/main.ts`) and the scaled-clock child (`bridge-child.ts`) are bundled once per
 * test file with esbuild: a plain `node file.mjs` starts several times faster than tsx, which
 * keeps dozens of restarts within seconds. The bundle sits beside a copy of package.json
 * because version.ts reads `../package.json`.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';

const ROOT = join(import.meta.dirname, '..', '..', '..');

export interface Bundles {
  /** The real CLI: `node <cli> start`. */
  cli: string;
  /** The bridge on a scaled clock (see bridge-child.ts). */
  child: string;
  dispose(): Promise<void>;
}

export async function bundleBridge(): Promise<Bundles> {
  const dir = await mkdtemp(join(tmpdir(), 'n2m-rel-bundle-'));
  await mkdir(join(dir, 'bin'));
  await copyFile(join(ROOT, 'package.json'), join(dir, 'package.json'));
  await build({
    entryPoints: {
      cli: join(ROOT, 'src', 'main.ts'),
      child: join(import.meta.dirname, 'bridge-child.ts'),
    },
    outdir: join(dir, 'bin'),
    outExtension: { '.js': '.mjs' },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    banner: {
      js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
    },
    logLevel: 'error',
  });
  return {
    cli: join(dir, 'bin', 'cli.mjs'),
    child: join(dir, 'bin', 'child.mjs'),
    dispose: () => rm(dir, { recursive: true, force: true }),
  };
}

export interface BridgeProcess {
  readonly child: ChildProcess;
  readonly pid: number;
  /** Everything written to stdout and stderr so far. */
  output(): string;
  stderr(): string;
  /** Resolves with the exit code (or the signal's name) once the process is gone. */
  readonly exited: Promise<number | string>;
  /** Resolves when the output matches `pattern`; rejects after `ms` or when the process exits first. */
  waitFor(pattern: RegExp, ms?: number): Promise<void>;
  /** Resident set size in bytes (from /proc), or undefined when the process is gone. */
  rss(): Promise<number | undefined>;
  /**
   * Heap used after a full GC, in bytes: the child must be bridge-child.ts started with
   * `--expose-gc` (it answers SIGUSR2 with a `[heap] <bytes>` line).
   */
  heapAfterGc(ms?: number): Promise<number>;
  kill(signal?: NodeJS.Signals): void;
}

const running = new Set<ChildProcess>();

/** SIGKILLs every process this module started that is still running (for afterAll). */
export function killAll(): void {
  for (const child of running) child.kill('SIGKILL');
}

export function spawnBridge(
  script: string,
  args: string[],
  env: Record<string, string>,
  cwd: string,
  nodeArgs: string[] = [],
): BridgeProcess {
  // Only the variables a user would set: inherited NETATMO2MQTT_* would change the config.
  const base = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.startsWith('NETATMO2MQTT_') && k !== 'SUPERVISOR_TOKEN'),
  );
  const child = spawn(process.execPath, [...nodeArgs, script, ...args], {
    cwd,
    env: { ...base, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  let out = '';
  let err = '';
  const watchers = new Set<() => void>();
  const onData = (chunk: Buffer, isErr: boolean): void => {
    const text = chunk.toString();
    out += text;
    if (isErr) err += text;
    for (const check of watchers) check();
  };
  child.stdout?.on('data', (c: Buffer) => onData(c, false));
  child.stderr?.on('data', (c: Buffer) => onData(c, true));
  const exited = new Promise<number | string>((resolve) =>
    child.once('exit', (code, signal) => {
      running.delete(child);
      for (const check of watchers) check();
      resolve(code ?? signal ?? 'unknown');
    }),
  );
  let gone = false;
  void exited.then(() => {
    gone = true;
    for (const check of watchers) check();
  });
  return {
    child,
    pid: child.pid ?? -1,
    output: () => out,
    stderr: () => err,
    exited,
    waitFor(pattern, ms = 15_000) {
      return new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => {
          watchers.delete(check);
          reject(new Error(`timed out after ${ms} ms waiting for ${pattern}; output:\n${out.slice(-3000)}`));
        }, ms);
        const check = (): void => {
          if (pattern.test(out)) {
            clearTimeout(timer);
            watchers.delete(check);
            resolve();
          } else if (gone) {
            clearTimeout(timer);
            watchers.delete(check);
            reject(new Error(`process exited before ${pattern}; output:\n${out.slice(-3000)}`));
          }
        };
        watchers.add(check);
        check();
      });
    },
    async rss() {
      try {
        const status = await readFile(`/proc/${child.pid}/status`, 'utf8');
        const kb = /VmRSS:\s+(\d+) kB/.exec(status)?.[1];
        return kb === undefined ? undefined : Number(kb) * 1024;
      } catch {
        return undefined;
      }
    },
    async heapAfterGc(ms = 10_000) {
      const seen = (out.match(/\[heap\] \d+/g) ?? []).length;
      child.kill('SIGUSR2');
      const deadline = Date.now() + ms;
      for (;;) {
        const reports = out.match(/\[heap\] (\d+)/g) ?? [];
        if (reports.length > seen) return Number(reports[seen]?.slice(7));
        if (gone || Date.now() > deadline) throw new Error('no heap report (started with --expose-gc?)');
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
    kill(signal = 'SIGTERM') {
      child.kill(signal);
    },
  };
}
