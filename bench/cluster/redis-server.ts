/**
 * A private `redis-server` on a free port, for runs that restart or kill Redis (never the
 * machine's shared one). Append-only persistence in its own directory, so a restart keeps what
 * the bridges stored, as a production Redis with a volume does.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, portAnswers } from '../../scripts/lib/broker.js';

const HOST = '127.0.0.1';
const START_TIMEOUT_MS = 10_000;

/** Whether a `redis-server` binary can be run here; the reason when not. */
export function redisServerMissing(): string | undefined {
  const probe = spawnSync('redis-server', ['--version'], { encoding: 'utf8' });
  return probe.error || probe.status !== 0 ? 'no redis-server on PATH' : undefined;
}

export interface RedisServerOptions {
  /** Further redis.conf lines (`user … on >pw …`, `appendfsync always`). */
  config?: readonly string[];
}

export class PrivateRedis {
  #child: ChildProcess | undefined;
  #output = '';

  private constructor(
    readonly port: number,
    readonly dir: string,
    private readonly config: readonly string[],
  ) {}

  static async start(options: RedisServerOptions = {}): Promise<PrivateRedis> {
    const missing = redisServerMissing();
    if (missing) throw new Error(missing);
    const dir = await mkdtemp(join(tmpdir(), 'n2m-redis-'));
    const redis = new PrivateRedis(await freePort(HOST), dir, options.config ?? []);
    await redis.#launch();
    return redis;
  }

  /** `redis://127.0.0.1:<port>/0`. */
  get url(): string {
    return `redis://${HOST}:${this.port}/0`;
  }

  /** The server's process id while it runs (to pause it with SIGSTOP, say). */
  get pid(): number | undefined {
    return this.running ? this.#child?.pid : undefined;
  }

  get running(): boolean {
    return this.#child !== undefined && this.#child.exitCode === null && this.#child.signalCode === null;
  }

  async #launch(): Promise<void> {
    const lines = [
      `port ${this.port}`,
      `bind ${HOST}`,
      `dir ${this.dir}`,
      'appendonly yes',
      'save ""',
      ...this.config,
    ];
    const child = spawn('redis-server', ['-'], { stdio: ['pipe', 'pipe', 'pipe'] });
    child.stdout?.on('data', (chunk: Buffer) => {
      this.#output = (this.#output + chunk.toString()).slice(-4000);
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      this.#output = (this.#output + chunk.toString()).slice(-4000);
    });
    child.stdin?.end(`${lines.join('\n')}\n`);
    this.#child = child;
    const deadline = Date.now() + START_TIMEOUT_MS;
    while (!(await portAnswers(HOST, this.port, 200))) {
      if (!this.running) throw new Error(`redis-server exited at start:\n${this.#output}`);
      if (Date.now() > deadline) throw new Error(`redis-server did not answer within 10 s:\n${this.#output}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** Ends it with `signal` (SIGKILL: a crash, nothing flushed beyond what fsync wrote). */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    const child = this.#child;
    if (!child || !this.running) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill(signal);
    await exited;
  }

  /** Stops it and starts it again on the same port with the same data. */
  async restart(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    await this.stop(signal);
    await this.#launch();
  }

  /** Stops it and removes its data. */
  async close(): Promise<void> {
    await this.stop('SIGKILL');
    await rm(this.dir, { recursive: true, force: true });
  }
}
