import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';

const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
});

function run(args: string[]): { child: ChildProcess; output: () => string } {
  // node --import tsx rather than npx: the signal must reach the simulator itself, not a wrapper.
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', 'simulator', ...args], {
    cwd: new URL('../..', import.meta.url).pathname,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let out = '';
  child.stdout?.on('data', (d: Buffer) => {
    out += d.toString();
  });
  child.stderr?.on('data', (d: Buffer) => {
    out += d.toString();
  });
  return { child, output: () => out };
}

async function waitFor(check: () => boolean, ms: number): Promise<void> {
  const deadline = performance.now() + ms;
  while (!check()) {
    if (performance.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('netatmo2mqtt simulator command', () => {
  it('prints a URL and a refresh token that works, and exits 0 on SIGTERM', async () => {
    const { child, output } = run(['--port', '0', '--scenario', 'scale:1,28', '--throttle', 'waf']);
    await waitFor(() => /refresh_token:\s+\S+/.test(output()), 20_000);
    const url = /listening on (http:\/\/\S+)/.exec(output())?.[1] ?? '';
    const refresh = /refresh_token:\s+(\S+)/.exec(output())?.[1] ?? '';
    const res = await fetch(`${url}/oauth2/token`, {
      method: 'POST',
      body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refresh }),
    });
    expect(res.status).toBe(200);
    const pair = (await res.json()) as { access_token: string };
    const homes = await fetch(`${url}/api/homesdata`, {
      method: 'POST',
      headers: { authorization: `Bearer ${pair.access_token}` },
    });
    expect(homes.status).toBe(200);
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    const [code] = await exited;
    expect(code).toBe(0);
  }, 30_000);

  it('rejects bad flags with exit code 2 and a clear message', async () => {
    const runs = [['--quota', 'sometimes'], ['--bogus'], ['--scenario', 'scale:x']].map((args) => run(args));
    for (const { child, output } of runs) {
      const [code] = child.exitCode === null ? await once(child, 'exit') : [child.exitCode];
      expect(code).toBe(2);
      expect(output()).toMatch(/netatmo2mqtt simulator: .+\nusage:/);
    }
  }, 30_000);
});
