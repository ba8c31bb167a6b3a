/**
 * Setup file of the unit project: a unit test that opens a socket, listens on a port or starts
 * a process fails at once, naming what it did, instead of making `npm run test:unit` slow or
 * dependent on a broker. Such a test belongs to the integration project (vitest.config.ts).
 */
import childProcess from 'node:child_process';
import { syncBuiltinESMExports } from 'node:module';
import net from 'node:net';

function refuse(what: string): () => never {
  return () => {
    throw new Error(`${what} in a unit test: list this file under integration, not UNIT (vitest.config.ts)`);
  };
}

net.Socket.prototype.connect = refuse('a network connection');
net.Server.prototype.listen = refuse('a listening server');
const processStarters = childProcess as unknown as Record<string, unknown>;
for (const name of ['spawn', 'spawnSync', 'exec', 'execSync', 'execFile', 'execFileSync', 'fork']) {
  processStarters[name] = refuse(`child_process.${name}`);
}
// Named imports (`import { spawn } from 'node:child_process'`) see the replacements too.
syncBuiltinESMExports();
