/**
 * Bridge processes of one Netatmo app, as the compose example runs them: every process reads
 * the same configuration file (the same accounts, the same Redis) and differs only by its
 * process name and data folder, given through the environment. They run bench/cluster/child.ts
 * (bundled with the bridge), which puts the account host on the bench's scaled clock and
 * records what the process does (process-log.ts).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { ScaledClock } from '../../src/util/clock.js';
import { clusterChildBundle, type ProcessSample, sampleProcess } from '../footprint/bridge-process.js';
import { type ProcessLine, readProcessLog } from './process-log.js';

/** Forced refreshes the children make of every account: rounds on the shared clock. */
export interface StormPlan {
  /** Shared-clock time of the first round. */
  startAt: number;
  /** Between rounds (at least the auth's minimum interval between two forced refreshes). */
  everyMs: number;
  rounds: number;
}

/** `speed,origin,wallOrigin`: a child rebuilds the parent's ScaledClock from it (child.ts). */
export function clockSpec(clock: ScaledClock): string {
  return `${clock.speed},${clock.now()},${Date.now()}`;
}

export class ClusterProcess {
  readonly exited: Promise<number | string>;
  #output = '';

  constructor(
    readonly name: string,
    readonly logFile: string,
    private readonly child: ChildProcess,
  ) {
    const keep = (chunk: Buffer): void => {
      this.#output = (this.#output + chunk.toString()).slice(-8000);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    this.exited = new Promise((resolve) =>
      child.once('exit', (code, signal) => resolve(code ?? signal ?? '')),
    );
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** The last few kB the process wrote (its log), for failures. */
  get output(): string {
    return this.#output;
  }

  sample(): Promise<ProcessSample> {
    return sampleProcess(this.pid);
  }

  kill(signal: NodeJS.Signals): void {
    if (this.running) this.child.kill(signal);
  }

  lines(): Promise<ProcessLine[]> {
    return readProcessLog(this.logFile);
  }

  /** The accounts the process owned at its last sample. */
  async owned(): Promise<string[]> {
    const last = (await this.lines()).filter((l) => l.t === 'owned').at(-1);
    return last?.t === 'owned' ? last.accounts : [];
  }
}

export class Cluster {
  readonly processes = new Map<string, ClusterProcess>();

  private constructor(
    private readonly dir: string,
    readonly configFile: string,
    private readonly env: Record<string, string>,
  ) {}

  /** Writes the shared configuration into `dir`; `storm` makes every child force refreshes. */
  static async create(
    dir: string,
    config: Record<string, unknown>,
    clock: ScaledClock,
    storm?: StormPlan,
  ): Promise<Cluster> {
    await mkdir(dir, { recursive: true });
    const configFile = join(dir, 'configuration.yaml');
    await writeFile(configFile, stringify(config), { mode: 0o600 });
    return new Cluster(dir, configFile, {
      N2M_BENCH_CLOCK: clockSpec(clock),
      ...(storm ? { N2M_BENCH_STORM: `${storm.startAt},${storm.everyMs},${storm.rounds}` } : {}),
    });
  }

  async start(name: string): Promise<ClusterProcess> {
    const script = await clusterChildBundle();
    const dataDir = join(this.dir, name);
    await mkdir(dataDir, { recursive: true });
    const logFile = join(this.dir, `${name}.jsonl`);
    // Only what a container would get: no inherited NETATMO2MQTT_* changes the configuration.
    const base = Object.fromEntries(
      Object.entries(process.env).filter(([k]) => !k.startsWith('NETATMO2MQTT_') && !k.startsWith('N2M_')),
    );
    const child = spawn(process.execPath, [script], {
      cwd: this.dir,
      env: {
        ...base,
        ...this.env,
        N2M_BENCH_LOG: logFile,
        NETATMO2MQTT_CONFIG: this.configFile,
        NETATMO2MQTT_DATA_DIR: dataDir,
        NETATMO2MQTT_COORDINATION_PROCESS_NAME: name,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const proc = new ClusterProcess(name, logFile, child);
    this.processes.set(name, proc);
    return proc;
  }

  async lines(): Promise<Map<string, ProcessLine[]>> {
    const out = new Map<string, ProcessLine[]>();
    for (const [name, proc] of this.processes) out.set(name, await proc.lines());
    return out;
  }

  /** SIGKILL to the running process that owns the most accounts now; its name and those accounts. */
  async killBusiest(): Promise<{ name: string; accounts: string[] }> {
    let best: { proc: ClusterProcess; accounts: string[] } | undefined;
    for (const proc of this.processes.values()) {
      if (!proc.running) continue;
      const owned = await proc.owned();
      if (!best || owned.length > best.accounts.length) best = { proc, accounts: owned };
    }
    if (!best || best.accounts.length === 0) {
      const logs = [...this.processes.values()].map((p) => `--- ${p.name}\n${p.output}`).join('\n');
      throw new Error(`no process owns an account\n${logs}`);
    }
    best.proc.kill('SIGKILL');
    await best.proc.exited;
    return { name: best.proc.name, accounts: best.accounts };
  }

  /** SIGTERM to every running process (they release their leases), then waits for all. */
  async stop(): Promise<void> {
    for (const proc of this.processes.values()) proc.kill('SIGTERM');
    await Promise.all([...this.processes.values()].map((p) => p.exited));
  }

  /** SIGKILL to every process still running (clean-up after a failure). */
  async kill(): Promise<void> {
    for (const proc of this.processes.values()) proc.kill('SIGKILL');
    await Promise.all([...this.processes.values()].map((p) => p.exited));
  }
}
