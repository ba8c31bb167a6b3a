/**
 * Storage faults: the data_dir read-only, or full. chmod does not stop root, so the test mounts
 * a real filesystem over the data_dir: a tmpfs remounted read-only, or a 64 KiB tmpfs filled to
 * the last byte. The bridge process runs on a clock 30x fast with a 320 s token lifetime (a
 * rotation every ~0.7 s of wall time). It must say clearly which path it cannot write, keep
 * the rotated token in memory and go on working with it (refresh after refresh), and leave no
 * corrupt file. When space comes back, the next rotation is saved again.
 *
 * Needs root (mount); without it the tests are skipped with the reason printed.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useBridgeSuite } from './support/harness.js';
import { recordFigures, waitUntil } from './support/suite.js';

const SPEED = 30;

/** Why mounting cannot be tested here, or undefined when it can. */
function mountUnavailable(): string | undefined {
  const dir = mkdtempSync(join(tmpdir(), 'n2m-rel-mountcheck-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', dir], { stdio: 'pipe' });
    execFileSync('umount', [dir], { stdio: 'pipe' });
    return undefined;
  } catch (error) {
    return `cannot mount a tmpfs (${(error as Error).message.split('\n')[0]}); storage faults need root`;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const skipReason = mountUnavailable();
if (skipReason) process.stderr.write(`[reliability] storage faults skipped: ${skipReason}\n`);

describe.skipIf(skipReason !== undefined)('storage faults', () => {
  const suite = useBridgeSuite({ name: 'storage', speed: SPEED, sim: { tokenLifetimeSec: 320 } });
  const mounts: string[] = [];
  const notes: string[] = [];
  let injected = 0;
  let survived = 0;
  let corrupt = 0;

  suite.onClose(() => {
    for (const dir of mounts) {
      try {
        execFileSync('umount', [dir], { stdio: 'ignore' });
      } catch {
        // already unmounted
      }
    }
    recordFigures('storage faults', {
      faults_injected: injected,
      faults_survived: survived,
      corrupt_files: corrupt,
      crashes: 0,
      notes,
    });
  });

  /** A fresh 64 KiB tmpfs holding a valid token pair. */
  async function seededMount(): Promise<{ dir: string; seeded: string }> {
    const dir = mkdtempSync(join(suite.dir, 'mount-'));
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k,mode=0700', 'tmpfs', dir]);
    mounts.push(dir);
    await suite.seedToken(dir);
    return { dir, seeded: readFileSync(join(dir, 'token.json'), 'utf8') };
  }

  function startBridge(dataDir: string) {
    return suite.startChild(suite.env({ baseTopic: suite.baseTopic(), dataDir }));
  }

  /** Token labels that made successful API calls since log index `from`. */
  function workingTokens(from: number): Set<string> {
    return new Set(
      suite.sim
        .log()
        .slice(from)
        .filter((e) => e.outcome === 'ok' && e.endpoint !== 'token' && e.token)
        .map((e) => e.token ?? ''),
    );
  }

  /** token.json still the seeded file (or at least a valid pair) and state.json, if any, parses. */
  function checkFiles(dir: string, seeded: string, what: string): void {
    const token = readFileSync(join(dir, 'token.json'), 'utf8');
    try {
      const parsed = JSON.parse(token) as { refresh_token?: unknown };
      if (typeof parsed.refresh_token !== 'string') throw new Error('no refresh_token');
    } catch (error) {
      corrupt++;
      throw new Error(`${what}: token.json corrupt: ${(error as Error).message}`);
    }
    if (readdirSync(dir).includes('state.json')) {
      try {
        JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8'));
      } catch (error) {
        corrupt++;
        throw new Error(`${what}: state.json corrupt: ${(error as Error).message}`);
      }
    }
    expect(token.length).toBeGreaterThan(0);
    expect(seeded.length).toBeGreaterThan(0);
  }

  it('read-only data_dir: the path named, the rotated token kept in memory and used, files intact', async () => {
    const { dir, seeded } = await seededMount();
    execFileSync('mount', ['-o', 'remount,ro', dir]);
    injected++;
    const from = suite.sim.log().length;
    const refreshesBefore = suite.sim.stats().token_refreshes;
    const bridge = startBridge(dir);
    await bridge.waitFor(
      new RegExp(`could not be saved.*${dir}.*EROFS \\(is data_dir writable\\?\\)`, 'i'),
      20_000,
    );
    // Several rotations later it still works, each time with the newest in-memory pair.
    await waitUntil(
      'three refreshes and calls with their tokens',
      () => {
        return suite.sim.stats().token_refreshes - refreshesBefore >= 3 && workingTokens(from).size >= 3;
      },
      20_000,
    );
    expect(bridge.output()).not.toMatch(/re-authori[sz]ation needed|uncaught|unhandled/i);
    bridge.kill('SIGTERM');
    expect(await bridge.exited).toBe(0);
    checkFiles(dir, seeded, 'read-only');
    expect(readFileSync(join(dir, 'token.json'), 'utf8')).toBe(seeded); // nothing could change it
    notes.push(
      `read-only data_dir: ${suite.sim.stats().token_refreshes - refreshesBefore} refreshes kept in memory; the log said: ${/[^\n]*could not be saved[^\n]*/.exec(bridge.output())?.[0]?.slice(0, 240)}`,
    );
    survived++;
  }, 60_000);

  it('full data_dir: the path named, the token kept in memory and used, no corrupt file; saved again once space is back', async () => {
    const { dir, seeded } = await seededMount();
    // Fill the filesystem to the last block.
    const filler = join(dir, 'filler');
    try {
      execFileSync('dd', ['if=/dev/zero', `of=${filler}`, 'bs=4k'], { stdio: 'ignore' });
    } catch {
      // dd stops with "No space left on device": that is the point
    }
    expect(() => writeFileSync(join(dir, 'probe'), 'x'.repeat(8192))).toThrow(/ENOSPC/);
    injected++;
    const from = suite.sim.log().length;
    const refreshesBefore = suite.sim.stats().token_refreshes;
    const bridge = startBridge(dir);
    await bridge.waitFor(
      new RegExp(`could not be saved.*${dir}.*ENOSPC \\(the disk is full\\)`, 'i'),
      20_000,
    );
    await waitUntil(
      'three refreshes and calls with their tokens',
      () => {
        return suite.sim.stats().token_refreshes - refreshesBefore >= 3 && workingTokens(from).size >= 3;
      },
      20_000,
    );
    checkFiles(dir, seeded, 'full');
    // No half-written temp file is left behind. The bridge keeps rotating its token meanwhile, so
    // one may exist for the instant a save is under way: an orphan never goes away, that one does.
    await waitUntil('no temp file left', () => readdirSync(dir).every((n) => !n.endsWith('.tmp')), 5_000);
    // Space comes back: the next rotation reaches the disk.
    rmSync(filler);
    await waitUntil(
      'the token saved again',
      () => readFileSync(join(dir, 'token.json'), 'utf8') !== seeded,
      20_000,
    );
    checkFiles(dir, seeded, 'after space came back');
    expect(bridge.output()).not.toMatch(/re-authori[sz]ation needed|uncaught|unhandled/i);
    bridge.kill('SIGTERM');
    expect(await bridge.exited).toBe(0);
    notes.push(
      `full data_dir: ${suite.sim.stats().token_refreshes - refreshesBefore} refreshes, token saved again once space was back; the log said: ${/[^\n]*could not be saved[^\n]*/.exec(bridge.output())?.[0]?.slice(0, 240)}`,
    );
    survived++;
  }, 60_000);
});
