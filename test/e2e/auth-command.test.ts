/**
 * `netatmo2mqtt auth`: stores a token pair for a headless install, refusing a token Netatmo
 * rejects. Real process, simulator over HTTP, real files.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningSimulator, startSimulator } from '../../src/simulator/index.js';

function run(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const clean = Object.fromEntries(
      Object.entries(process.env).filter(([k]) => !k.startsWith('NETATMO2MQTT_')),
    );
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', 'auth', ...args], {
      env: { ...clean, ...env },
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      out += d.toString();
    });
    child.on('exit', (code) => resolve({ code, out }));
  });
}

describe('netatmo2mqtt auth', () => {
  let sim: RunningSimulator;
  let dataDir: string;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    sim = await startSimulator({});
    dataDir = await mkdtemp(join(tmpdir(), 'n2m-auth-'));
    env = {
      NETATMO2MQTT_NETATMO_BASE_URL: sim.url,
      NETATMO2MQTT_DATA_DIR: dataDir,
      NETATMO2MQTT_LOG_LEVEL: 'warning',
    };
  });

  afterAll(async () => {
    await sim.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('says when nothing is stored yet', async () => {
    const { code, out } = await run(['--status'], env);
    expect(code).toBe(1);
    expect(out).toContain('No token is stored');
  }, 30_000);

  it('exchanges a pasted refresh token, stores the rotated pair 0600, and never prints it', async () => {
    const pasted = sim.mintTokens().refresh_token;
    const { code, out } = await run(['--refresh-token', pasted], env);
    expect(code, out).toBe(0);
    expect(out).toContain('Stored a new token pair');
    expect(out).not.toContain(pasted);
    const file = join(dataDir, 'token.json');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    const stored = JSON.parse(await readFile(file, 'utf8')) as {
      refresh_token: string;
      access_token: string;
    };
    // Rotated: the pasted token was used once and replaced.
    expect(stored.refresh_token).not.toBe(pasted);
    expect(out).not.toContain(stored.access_token);
    const status = await run(['--status'], env);
    expect(status.code).toBe(0);
    expect(status.out).toContain('A token pair is stored');
    expect(status.out).not.toContain(stored.refresh_token);
  }, 30_000);

  it('refuses a refresh token Netatmo rejects and leaves the stored pair alone', async () => {
    const before = await readFile(join(dataDir, 'token.json'), 'utf8');
    const { code, out } = await run(['--refresh-token', 'not-a-valid-token'], env);
    expect(code).toBe(1);
    expect(out).toContain('did not accept');
    expect(await readFile(join(dataDir, 'token.json'), 'utf8')).toBe(before);
  }, 30_000);

  it('asks for what to do', async () => {
    const { code, out } = await run([], env);
    expect(code).toBe(2);
    expect(out).toContain('Usage: netatmo2mqtt auth');
  }, 30_000);
});
