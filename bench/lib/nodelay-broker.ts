/**
 * A private Mosquitto with `set_tcp_nodelay true`, for the command latency scenario. With
 * Mosquitto's default (Nagle on), a message to the bridge that follows the broker's previous
 * write within the bridge's delayed-ACK time (40 ms on Linux) waits for that ACK: a broker
 * setting that would dominate a figure meant to show what the bridge adds. Undefined when no
 * `mosquitto` binary is installed (the caller then uses the shared broker and says so).
 */
import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { freePort } from './free-port.js';

export interface PrivateBroker {
  url: string;
  close(): Promise<void>;
}

export async function startNoDelayMosquitto(dir: string): Promise<PrivateBroker | undefined> {
  const port = await freePort();
  const conf = join(dir, 'mosquitto.conf');
  await writeFile(
    conf,
    `listener ${port} 127.0.0.1\nallow_anonymous true\nset_tcp_nodelay true\npersistence false\n`,
  );
  const child = spawn('mosquitto', ['-c', conf], { stdio: 'ignore' });
  const started = await new Promise<boolean>((resolve) => {
    child.once('error', () => resolve(false));
    const poll = (left: number): void => {
      const probe = createServer();
      probe.once('error', () => resolve(true)); // the port is taken: Mosquitto listens
      probe.listen(port, '127.0.0.1', () => {
        probe.close(() => (left > 0 ? setTimeout(() => poll(left - 1), 50) : resolve(false)));
      });
    };
    poll(60);
  });
  if (!started) {
    child.kill();
    return undefined;
  }
  return {
    url: `mqtt://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
