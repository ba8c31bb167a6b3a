/**
 * The installed command works as the README says: `npx netatmo2mqtt simulator` (the compiled
 * bin that `npm ci` builds) serves the fixture homes to a client holding a token from
 * /oauth2/token.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';

describe('npx netatmo2mqtt simulator', () => {
  let child: ChildProcess | undefined;

  // npx runs the bin as a child of its own, which SIGTERM to npx alone leaves running:
  // the test owns a process group and stops all of it.
  afterEach(async () => {
    const running = child;
    child = undefined;
    if (running?.pid === undefined || running.exitCode !== null) return;
    const exited = new Promise((resolve) => running.once('exit', resolve));
    process.kill(-running.pid, 'SIGTERM');
    await exited;
  });

  it('serves the fixture homes with a token from /oauth2/token', async () => {
    child = spawn(
      'npx',
      ['--no-install', 'netatmo2mqtt', 'simulator', '--port', '0', '--scenario', 'fixtures'],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
        detached: true,
      },
    );
    let out = '';
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
    });
    const deadline = Date.now() + 40_000;
    while (!/refresh_token:\s+\S+/.test(out)) {
      if (Date.now() > deadline)
        throw new Error(`the simulator did not start (did npm ci build dist/?):\n${out}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const url = /base_url:\s+(\S+)/.exec(out)![1]!;
    const refresh = /refresh_token:\s+(\S+)/.exec(out)![1]!;
    const token = (await (
      await fetch(`${url}/oauth2/token`, {
        method: 'POST',
        body: new URLSearchParams({
          grant_type: 'refresh_token',
          refresh_token: refresh,
          client_id: 'a',
          client_secret: 'b',
        }),
      })
    ).json()) as { access_token: string; scope: string[]; expires_in: number; expire_in: number };
    expect(token.expires_in).toBe(10800);
    expect(token.expire_in).toBe(10800);
    expect(Array.isArray(token.scope)).toBe(true);
    const homes = (await (
      await fetch(`${url}/api/homesdata`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token.access_token}` },
      })
    ).json()) as { status: string; body: { homes: Array<{ name: string; modules?: unknown[] }> } };
    expect(homes.status).toBe('ok');
    expect(homes.body.homes[0]!.name).toBe('MYHOME');
    expect(homes.body.homes[0]!.modules!.length).toBeGreaterThan(40);
  }, 60_000);
});
