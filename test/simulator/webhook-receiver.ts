/** A real local HTTP server standing in for a webhook endpoint: records every POST, answers as told. */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach } from 'vitest';

export interface ReceivedPush {
  path: string;
  headers: Record<string, string | string[] | undefined>;
  raw: string;
  // biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary JSON payloads
  json: any;
}

export interface Receiver {
  /** Base URL (`http://127.0.0.1:<port>`); append a secret path to register it. */
  url: string;
  pushes: ReceivedPush[];
  /** How the next requests are answered (status, or a delay before answering). */
  answer: { status: number; delayMs?: number };
  /** Resolves once `count` pushes (in total) have arrived, or rejects after `timeoutMs`. */
  waitFor(count: number, timeoutMs?: number): Promise<ReceivedPush[]>;
}

const servers: Server[] = [];

afterEach(async () => {
  await Promise.all(
    servers.splice(0).map(
      (server) =>
        new Promise<void>((resolve) => {
          server.closeAllConnections();
          server.close(() => resolve());
        }),
    ),
  );
});

export async function receiver(): Promise<Receiver> {
  const pushes: ReceivedPush[] = [];
  const waiters = new Set<() => void>();
  const state: Receiver = {
    url: '',
    pushes,
    answer: { status: 200 },
    waitFor(count, timeoutMs = 5_000) {
      return new Promise((resolve, reject) => {
        const check = (): boolean => {
          if (pushes.length < count) return false;
          resolve(pushes.slice(0, count));
          return true;
        };
        if (check()) return;
        const waiter = (): void => {
          if (!check()) return;
          clearTimeout(timer);
          waiters.delete(waiter);
        };
        const timer = setTimeout(() => {
          waiters.delete(waiter);
          reject(new Error(`expected ${count} pushes, got ${pushes.length}`));
        }, timeoutMs);
        waiters.add(waiter);
      });
    },
  };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const { status, delayMs } = state.answer;
      pushes.push({ path: req.url ?? '', headers: req.headers, raw, json: JSON.parse(raw) });
      for (const wake of [...waiters]) wake();
      const reply = (): void => {
        if (!res.destroyed) res.writeHead(status).end();
      };
      if (delayMs) setTimeout(reply, delayMs);
      else reply();
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return state;
}
