/**
 * The image's entrypoint hands the data directory to the unprivileged user as root: a symbolic
 * link planted there must be chowned itself, never the file it points to. Run for real (as root,
 * with real find and chown on real files); only su-exec, which Debian lacks, and node are
 * stand-ins, and the user is `nobody:nogroup` instead of the image's `netatmo2mqtt`.
 */
import { spawnSync } from 'node:child_process';
import { chmod, lstat, mkdir, mkdtemp, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

const ENTRYPOINT = fileURLToPath(
  new URL('../../rootfs/usr/local/bin/netatmo2mqtt-entrypoint', import.meta.url),
);
const NOBODY = 65534;
const asRoot = process.getuid?.() === 0;

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'n2m-entrypoint-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe.runIf(asRoot)('netatmo2mqtt-entrypoint', () => {
  it('hands data_dir to the user without following a planted symbolic link', async () => {
    const data = join(dir, 'data');
    const outside = join(dir, 'outside');
    await mkdir(data);
    await mkdir(outside);
    await writeFile(join(data, 'token.json'), '{}');
    await writeFile(join(outside, 'shadow'), 'root only');
    await symlink(join(outside, 'shadow'), join(data, 'state.json'));

    // Stand-ins: su-exec runs the command as it is (we are root already); node says it started.
    const bin = join(dir, 'bin');
    await mkdir(bin);
    await writeFile(join(bin, 'su-exec'), '#!/bin/sh\nshift\nexec "$@"\n');
    await writeFile(join(bin, 'node'), '#!/bin/sh\necho "node $*"\n');
    await chmod(join(bin, 'su-exec'), 0o755);
    await chmod(join(bin, 'node'), 0o755);
    const script = join(dir, 'entrypoint');
    const text = (await readFile(ENTRYPOINT, 'utf8'))
      .replace(/^RUN_AS=netatmo2mqtt$/m, 'RUN_AS=nobody')
      .replace(/^RUN_GROUP=netatmo2mqtt$/m, 'RUN_GROUP=nogroup');
    expect(text).toContain('RUN_AS=nobody\nRUN_GROUP=nogroup\n');
    await writeFile(script, text, { mode: 0o755 });

    const run = spawnSync('sh', [script, 'start'], {
      env: { PATH: `${bin}:${process.env.PATH}`, NETATMO2MQTT_DATA_DIR: data },
      encoding: 'utf8',
    });
    expect(run.stderr).toBe('');
    expect(run.stdout).toContain('node /app/dist/main.js start');
    expect((await stat(data)).uid).toBe(NOBODY);
    expect((await stat(join(data, 'token.json'))).uid).toBe(NOBODY);
    // The link itself changed hands; the file it points to is still root's.
    expect((await lstat(join(data, 'state.json'))).uid).toBe(NOBODY);
    expect((await stat(join(outside, 'shadow'))).uid).toBe(0);
  });
});
