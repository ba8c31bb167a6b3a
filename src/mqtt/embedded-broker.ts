/**
 * An in-process MQTT broker (aedes) for `mqtt.url: embedded`, the zero-setup demo, and tests on
 * machines without Mosquitto. aedes 1.x speaks MQTT 3.1.1 only, so clients use protocol version 4.
 *
 * It listens on loopback unless told otherwise: anyone who can publish to it can send the
 * bridge commands and fake Home Assistant discovery. With a username and password every client
 * must log in with them (compared in constant time); validation refuses a non-loopback address
 * without them.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type Server } from 'node:net';
import { Aedes, type AuthenticateError } from 'aedes';
import { BridgeError } from '../errors.js';

export interface EmbeddedBroker {
  /** `mqtt://<host>:<port>` */
  readonly url: string;
  readonly port: number;
  readonly host: string;
  /** Whether clients must log in. */
  readonly authenticated: boolean;
  close(): Promise<void>;
}

export interface EmbeddedBrokerOptions {
  /** 0 (the default) picks a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Both set: every client must present them. */
  username?: string;
  password?: string;
}

/** The port is taken (or the address cannot be bound): the message says which and what to do. */
export class EmbeddedBrokerListenError extends BridgeError {
  readonly code: string | undefined;

  constructor(host: string, port: number, cause: NodeJS.ErrnoException) {
    const why =
      cause.code === 'EADDRINUSE'
        ? `port ${port} on ${host} is already in use (EADDRINUSE): stop the program using it, or choose another port with mqtt.embedded_port`
        : `cannot listen on ${host}:${port} (${cause.code ?? cause.message}); check mqtt.embedded_host and mqtt.embedded_port`;
    super(`cannot start the embedded MQTT broker (mqtt.url: embedded): ${why}`, { cause });
    this.code = cause.code;
  }
}

const digest = (value: string | Buffer): Buffer => createHash('sha256').update(value).digest();

function loginCheck(username: string, password: string) {
  const user = digest(username);
  const secret = digest(password);
  return (
    _client: unknown,
    givenUser: string | undefined,
    givenPassword: Buffer | undefined,
    done: (error: AuthenticateError | null, success: boolean | null) => void,
  ): void => {
    // Both compared, always: the time taken says nothing about which one was wrong.
    const userOk = timingSafeEqual(digest(givenUser ?? ''), user);
    const passwordOk = timingSafeEqual(digest(givenPassword ?? ''), secret);
    if (userOk && passwordOk) {
      done(null, true);
      return;
    }
    const error = new Error('bad username or password') as AuthenticateError;
    error.returnCode = 4;
    done(error, null);
  };
}

export async function startEmbeddedBroker(options: EmbeddedBrokerOptions = {}): Promise<EmbeddedBroker> {
  const host = options.host ?? '127.0.0.1';
  const port = options.port ?? 0;
  const { username, password } = options;
  const authenticated = username !== undefined && password !== undefined;
  const broker = await Aedes.createBroker(
    authenticated ? { authenticate: loginCheck(username, password) } : {},
  );
  const server: Server = createServer(broker.handle);
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    // The broker's timers would keep the process alive: a failed start must leave nothing.
    await new Promise<void>((resolve) => broker.close(() => resolve()));
    throw new EmbeddedBrokerListenError(host, port, error as NodeJS.ErrnoException);
  }
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('embedded broker has no TCP address');
  const urlHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `mqtt://${urlHost}:${address.port}`,
    port: address.port,
    host,
    authenticated,
    close: () =>
      new Promise<void>((resolve) => {
        // Clients keep sockets open; close the broker first so they are ended, then the server.
        broker.close(() => server.close(() => resolve()));
      }),
  };
}
