import { existsSync } from 'node:fs';
import {
  chmod,
  lstat,
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  rm,
  stat,
  symlink,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileTokenStore } from '../../src/tokens/file-store.js';
import { resolveInitialToken } from '../../src/tokens/initial-token.js';
import { type StoredToken, TokenStoreError } from '../../src/tokens/stored-token.js';

function token(n: number): StoredToken {
  return {
    access_token: `access-${n}-aaaaaaaa`,
    refresh_token: `refresh-${n}-bbbbbbbb`,
    expires_at: new Date(Date.UTC(2026, 0, 1, n)).toISOString(),
    scope: ['read_station'],
    obtained_at: new Date(Date.UTC(2026, 0, 1, n) - 10_800_000).toISOString(),
  };
}

/** A directory this process cannot write to, even as root (where chmod does not stop writes). */
async function unwritableDir(dir: string): Promise<string | undefined> {
  if (process.getuid?.() !== 0) {
    await chmod(dir, 0o500);
    return dir;
  }
  return existsSync('/sys/kernel') ? '/sys/kernel/netatmo2mqtt-test' : undefined;
}

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'n2m-tokens-'));
});
afterEach(async () => {
  await chmod(dir, 0o700).catch(() => {});
  await rm(dir, { recursive: true, force: true });
});

describe('FileTokenStore', () => {
  it('round-trips a pair into token.json with mode 0600 and leaves no temp file', async () => {
    const store = new FileTokenStore(join(dir, 'data'));
    expect(await store.load()).toBeUndefined();
    await store.save(token(1));
    await store.save(token(2));
    expect(await store.load()).toEqual(token(2));
    const info = await stat(join(dir, 'data', 'token.json'));
    expect(info.mode & 0o777).toBe(0o600);
    expect(await readdir(join(dir, 'data'))).toEqual(['token.json']);
    expect(store.describe()).toContain(join(dir, 'data', 'token.json'));
  });

  it('tightens an existing token file that others can read', async () => {
    const store = new FileTokenStore(dir);
    await writeFile(join(dir, 'token.json'), JSON.stringify(token(1)), { mode: 0o644 });
    await chmod(join(dir, 'token.json'), 0o644);
    expect(await store.load()).toEqual(token(1));
    expect((await stat(join(dir, 'token.json'))).mode & 0o777).toBe(0o600);
  });

  it.each([
    ['a partial write', '{"access_token":"abc","refresh_tok'],
    ['an empty file', ''],
    ['a pair without refresh token', JSON.stringify({ ...token(1), refresh_token: '' })],
  ])('reports %s clearly and never falls back to the bootstrap token', async (_name, content) => {
    const store = new FileTokenStore(dir);
    await writeFile(join(dir, 'token.json'), content);
    const failure = await resolveInitialToken(store, 'bootstrap-refresh-token').catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(TokenStoreError);
    expect((failure as TokenStoreError).kind).toBe('corrupt');
    expect((failure as TokenStoreError).message).toContain(join(dir, 'token.json'));
    // The damaged file is still there for a human to repair.
    expect(await readFile(join(dir, 'token.json'), 'utf8')).toBe(content);
  });

  it('keeps a copy of a corrupt file when a new pair is saved over it', async () => {
    const store = new FileTokenStore(dir);
    await writeFile(join(dir, 'token.json'), '{"broken');
    await store.save(token(3));
    expect(await store.load()).toEqual(token(3));
    const names = await readdir(dir);
    const copy = names.find((n) => n.startsWith('token.json.corrupt-'));
    expect(copy).toBeDefined();
    expect(await readFile(join(dir, copy!), 'utf8')).toBe('{"broken');
  });

  it('promotes a complete temp file newer than token.json (crash between fsync and rename)', async () => {
    const store = new FileTokenStore(dir);
    await store.save(token(1));
    await writeFile(join(dir, '.token.json.999.abcd.tmp'), JSON.stringify(token(2)));
    await writeFile(join(dir, '.token.json.998.abcd.tmp'), '{"access_token":"tor');
    expect(await store.load()).toEqual(token(2));
    expect(await readdir(dir)).toEqual(['token.json']);
    expect(JSON.parse(await readFile(join(dir, 'token.json'), 'utf8'))).toEqual(token(2));
  });

  it('ignores a stale temp file older than token.json', async () => {
    const store = new FileTokenStore(dir);
    await store.save(token(5));
    await writeFile(join(dir, '.token.json.999.abcd.tmp'), JSON.stringify(token(4)));
    expect(await store.load()).toEqual(token(5));
    expect(await readdir(dir)).toEqual(['token.json']);
  });

  it('fails a save into an unwritable data_dir with an error naming the path', async () => {
    const target = await unwritableDir(dir);
    if (!target) {
      console.warn('skipped: no unwritable directory available for this user');
      return;
    }
    const store = new FileTokenStore(target);
    const failure = await store.save(token(1)).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(TokenStoreError);
    expect((failure as TokenStoreError).kind).toBe('write_failed');
    expect((failure as TokenStoreError).message).toContain(target);
  });
});

describe('refresh journal', () => {
  it('records a refresh in flight even before data_dir exists, by fingerprint only, and clears it', async () => {
    const store = new FileTokenStore(join(dir, 'not-yet'));
    await store.beginRefresh('refresh-token-value-123', Date.parse('2026-01-01T00:00:00Z'));
    const interrupted = await store.interruptedRefresh();
    expect(interrupted?.startedAt).toBe('2026-01-01T00:00:00.000Z');
    const files = await readdir(join(dir, 'not-yet'));
    for (const file of files)
      expect(await readFile(join(dir, 'not-yet', file), 'utf8')).not.toContain('refresh-token-value-123');
    await store.endRefresh();
    expect(await store.interruptedRefresh()).toBeUndefined();
  });
});

describe('resolveInitialToken', () => {
  it('uses the bootstrap refresh token only while the store is empty', async () => {
    const store = new FileTokenStore(dir);
    expect(await resolveInitialToken(store, ' bootstrap-rt ')).toEqual({
      source: 'bootstrap',
      refreshToken: 'bootstrap-rt',
    });
    expect(await resolveInitialToken(store)).toEqual({ source: 'none' });
    await store.save(token(7));
    expect(await resolveInitialToken(store, 'bootstrap-rt')).toEqual({ source: 'store', token: token(7) });
  });
});

describe('FileTokenStore and symbolic links in data_dir', () => {
  /** A file outside data_dir that a planted link points to, like /etc/passwd (0644). */
  async function outsideFile(text: string): Promise<string> {
    const target = join(dir, 'outside', 'passwd');
    await mkdir(join(dir, 'outside'));
    await writeFile(target, text, { mode: 0o644 });
    await chmod(target, 0o644);
    return target;
  }

  const mode = async (path: string): Promise<number> => (await stat(path)).mode & 0o777;

  it('refuses a token.json that is a link, naming it, without touching or copying the target', async () => {
    const data = join(dir, 'data');
    await mkdir(data, { mode: 0o700 });
    const target = await outsideFile(JSON.stringify(token(1)));
    await symlink(target, join(data, 'token.json'));
    const store = new FileTokenStore(data);

    const error = await store.load().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TokenStoreError);
    expect((error as Error).message).toContain(`${join(data, 'token.json')} is a symbolic link`);
    // The target was neither chmodded nor adopted.
    expect(await mode(target)).toBe(0o644);

    // A save does not write through it nor copy the target beside it.
    await expect(store.save(token(2))).rejects.toThrow(/symbolic link/);
    expect(await readFile(target, 'utf8')).toBe(JSON.stringify(token(1)));
    expect(await mode(target)).toBe(0o644);
    expect((await readdir(data)).sort()).toEqual(['token.json']);
  });

  it('a link to a file that is not a token is not copied into data_dir as a "corrupt copy"', async () => {
    const data = join(dir, 'data');
    await mkdir(data, { mode: 0o700 });
    const target = await outsideFile('root:x:0:0:root:/root:/bin/bash\n');
    await symlink(target, join(data, 'token.json'));
    const store = new FileTokenStore(data);
    await expect(store.save(token(1))).rejects.toThrow(/is a symbolic link/);
    const names = await readdir(data);
    expect(names.filter((n) => n.includes('corrupt'))).toEqual([]);
    // The only entry left is the link itself (still pointing at the untouched target).
    expect(names).toEqual(['token.json']);
    expect((await lstat(join(data, 'token.json'))).isSymbolicLink()).toBe(true);
  });

  it('the copy kept of a corrupt token.json is 0600 even when the file was 0644', async () => {
    const data = join(dir, 'data');
    await mkdir(data, { mode: 0o700 });
    await writeFile(join(data, 'token.json'), '{"access_token": "half a', { mode: 0o644 });
    await chmod(join(data, 'token.json'), 0o644);
    await new FileTokenStore(data).save(token(1));
    const copy = (await readdir(data)).find((n) => n.startsWith('token.json.corrupt-'));
    expect(copy).toBeDefined();
    expect(await mode(join(data, copy!))).toBe(0o600);
    expect(await readFile(join(data, copy!), 'utf8')).toBe('{"access_token": "half a');
  });

  it('never writes the refresh journal through a link', async () => {
    const data = join(dir, 'data');
    await mkdir(data, { mode: 0o700 });
    const target = await outsideFile('do not overwrite');
    await symlink(target, join(data, 'token.refresh-pending.json'));
    const store = new FileTokenStore(data);
    await store.beginRefresh('refresh-token-being-spent', Date.now());
    expect(await readFile(target, 'utf8')).toBe('do not overwrite');
    expect(await store.interruptedRefresh()).toBeUndefined();
  });
});
