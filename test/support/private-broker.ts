/**
 * A broker of the test's own, which it may stop and start again on the same port: Mosquitto
 * (without persistence) when the binary is installed, otherwise aedes. Stopping it loses every
 * retained message and session, as a broker restarted without persistence does.
 *
 * Also a severable TCP proxy, to cut one client off the broker while everybody else stays
 * connected: the broker sees the client's socket die (and publishes its will).
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket, connect as tcpConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, portAnswers } from '../../scripts/lib/broker.js';
import { type EmbeddedBroker, startEmbeddedBroker } from '../../src/mqtt/embedded-broker.js';

export type BrokerKind = 'mosquitto' | 'aedes';

export interface PrivateBroker {
  readonly url: string;
  readonly port: number;
  readonly kind: BrokerKind;
  /** Stops the broker; all its state is gone. */
  stop(): Promise<void>;
  /** Starts a fresh broker on the same port. */
  start(): Promise<void>;
  /** Stops it for good and removes temporary files. */
  close(): Promise<void>;
}

const HOST = '127.0.0.1';

export function mosquittoAvailable(): boolean {
  try {
    execFileSync('sh', ['-c', 'command -v mosquitto'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

async function waitForPort(port: number, up: boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if ((await portAnswers(HOST, port, 200)) === up) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`port ${port} did not go ${up ? 'up' : 'down'} within ${timeoutMs} ms`);
}

/** Mosquitto-only settings. */
export interface MosquittoSettings {
  /** Default true; false refuses every client without a valid user (see `users`). */
  anonymous?: boolean;
  /**
   * Keep sessions, queued messages and retained messages across stop()/start() (Mosquitto's
   * persistence file, saved on SIGTERM), as a production broker does. Default false.
   */
  persistence?: boolean;
  /** Users and their passwords (a Mosquitto password file); anonymous clients are refused. */
  users?: Record<string, string>;
  /** A Mosquitto ACL file (`user`/`topic` lines) that decides who may read and write what. */
  aclFile?: string;
  /**
   * PEM files for a TLS listener; the URL becomes `mqtts://`. With `ca` and
   * `requireCertificate`, only clients presenting a certificate signed by that CA get in.
   */
  tls?: { cert: string; key: string; ca?: string; requireCertificate?: boolean };
}

class MosquittoBroker implements PrivateBroker {
  readonly kind = 'mosquitto';
  readonly url: string;
  readonly #dir: string;
  readonly #config: string;
  #process: ChildProcess | undefined;

  constructor(
    readonly port: number,
    settings: MosquittoSettings,
  ) {
    this.url = `${settings.tls ? 'mqtts' : 'mqtt'}://${HOST}:${port}`;
    this.#dir = mkdtempSync(join(tmpdir(), 'netatmo2mqtt-mosquitto-'));
    this.#config = join(this.#dir, 'mosquitto.conf');
    const lines = [
      `listener ${port} ${HOST}`,
      `allow_anonymous ${settings.anonymous === false || settings.users ? 'false' : 'true'}`,
      settings.persistence ? `persistence true\npersistence_location ${this.#dir}/` : 'persistence false',
      'log_dest stderr',
      'log_type error',
    ];
    if (settings.tls) lines.push(`certfile ${settings.tls.cert}`, `keyfile ${settings.tls.key}`);
    if (settings.tls?.ca) lines.push(`cafile ${settings.tls.ca}`);
    if (settings.tls?.requireCertificate) lines.push('require_certificate true');
    if (settings.users) lines.push(`password_file ${this.#passwordFile(settings.users)}`);
    if (settings.aclFile) lines.push(`acl_file ${settings.aclFile}`);
    // Mosquitto started as root writes its database as user mosquitto.
    if (settings.persistence) chmodSync(this.#dir, 0o777);
    writeFileSync(this.#config, `${lines.join('\n')}\n`);
  }

  /** Hashed by mosquitto_passwd; readable by the user Mosquitto drops to when started as root. */
  #passwordFile(users: Record<string, string>): string {
    const file = join(this.#dir, 'passwords');
    writeFileSync(file, '');
    for (const [user, password] of Object.entries(users)) {
      execFileSync('mosquitto_passwd', ['-b', file, user, password], { stdio: 'ignore' });
    }
    chmodSync(this.#dir, 0o755);
    chmodSync(file, 0o644);
    return file;
  }

  async start(): Promise<void> {
    if (this.#process) return;
    const child = spawn('mosquitto', ['-c', this.#config], { stdio: ['ignore', 'ignore', 'pipe'] });
    this.#process = child;
    let errors = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      errors += chunk.toString();
    });
    const exited = new Promise<never>((_resolve, reject) =>
      child.once('exit', (code) => {
        if (this.#process === child) this.#process = undefined;
        reject(new Error(`mosquitto exited with ${code}: ${errors.trim()}`));
      }),
    );
    exited.catch(() => {}); // a later exit (stop()) is expected
    await Promise.race([waitForPort(this.port, true), exited]);
  }

  async stop(): Promise<void> {
    const child = this.#process;
    if (!child) return;
    this.#process = undefined;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    await exited;
    await waitForPort(this.port, false);
  }

  async close(): Promise<void> {
    await this.stop();
    rmSync(this.#dir, { recursive: true, force: true });
  }
}

class AedesBroker implements PrivateBroker {
  readonly kind = 'aedes';
  readonly url: string;
  #broker: EmbeddedBroker | undefined;

  constructor(readonly port: number) {
    this.url = `mqtt://${HOST}:${port}`;
  }

  async start(): Promise<void> {
    if (!this.#broker) this.#broker = await startEmbeddedBroker({ port: this.port, host: HOST });
  }

  async stop(): Promise<void> {
    const broker = this.#broker;
    this.#broker = undefined;
    await broker?.close();
  }

  close(): Promise<void> {
    return this.stop();
  }
}

/**
 * Starts a private broker: Mosquitto when installed (unless `kind` says otherwise), else aedes.
 * `settings` need Mosquitto.
 */
export async function startPrivateBroker(
  kind?: BrokerKind,
  settings?: MosquittoSettings,
): Promise<PrivateBroker> {
  const chosen: BrokerKind = kind ?? (mosquittoAvailable() ? 'mosquitto' : 'aedes');
  if (settings && chosen !== 'mosquitto') throw new Error('broker settings need Mosquitto');
  const port = await freePort();
  const broker = chosen === 'mosquitto' ? new MosquittoBroker(port, settings ?? {}) : new AedesBroker(port);
  await broker.start();
  return broker;
}

export interface SeverableProxy {
  readonly url: string;
  /** Destroys every proxied connection and refuses new ones until `restore()`. */
  sever(): void;
  /** Connections refused while severed: a client's reconnect attempts. */
  readonly refused: number;
  restore(): void;
  close(): Promise<void>;
}

/** A TCP proxy to `targetPort` whose connections the test can cut. */
export async function startSeverableProxy(targetPort: number): Promise<SeverableProxy> {
  const sockets = new Set<Socket>();
  let severed = false;
  let refused = 0;
  const track = (socket: Socket): void => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
  };
  const server: Server = createServer((client) => {
    track(client);
    if (severed) {
      refused++;
      client.destroy();
      return;
    }
    const upstream = tcpConnect({ host: HOST, port: targetPort });
    track(upstream);
    client.pipe(upstream);
    upstream.pipe(client);
    client.once('close', () => upstream.destroy());
    upstream.once('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, HOST, resolve));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('proxy has no port');
  return {
    url: `mqtt://${HOST}:${address.port}`,
    get refused() {
      return refused;
    },
    sever: () => {
      severed = true;
      for (const socket of sockets) socket.destroy();
    },
    restore: () => {
      severed = false;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
