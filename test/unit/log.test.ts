/**
 * The log format keeps one event on one line whatever the message quotes (payloads, Netatmo
 * names), and the add-on's log directory is private.
 */
import { mkdtemp, rm, stat, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import winston from 'winston';
import { addFileLog, childLogger, logger } from '../../src/log.js';
import { escapeLogText } from '../../src/util/log-escape.js';
import { captureLog } from '../support/log-capture.js';

describe('log lines', () => {
  let dir: string | undefined;
  afterEach(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
    dir = undefined;
  });

  it('escapes newlines, carriage returns, ANSI escapes and Unicode line separators', () => {
    expect(escapeLogText('a\nb\rc\u001b[31md\u2028e\u0000f\tg')).toBe(
      'a\\nb\\rc\\u001b[31md\\u2028e\\u0000f\tg',
    );
  });

  it('a Netatmo name with a newline cannot add a line that looks like an error', () => {
    const out = captureLog();
    try {
      const name = 'Living room\n2026-01-01T00:00:00.000Z error [auth]: token stolen';
      childLogger('commands').warning(`command storm on 12_34 (${name})`);
      childLogger(`web\nerror`).info('namespace too');
      const lines = out.text().split('\n').filter(Boolean);
      expect(lines).toHaveLength(2);
      expect(lines[0]).toMatch(/warning \[commands\]: command storm on 12_34 \(Living room\\n2026-01-01/);
      expect(lines[1]).toContain('[web\\nerror]');
    } finally {
      out.stop();
    }
  });

  it('an error message inside a debug stack stays on its line; the frames keep theirs', () => {
    const out = captureLog('debug');
    try {
      childLogger('t').debug('failed', {
        stack: 'Error: bad\nerror [auth]: forged\n    at frame (file.js:1:1)',
      });
      const lines = out.text().split('\n').filter(Boolean);
      expect(lines.some((l) => l.startsWith('error [auth]'))).toBe(false);
      expect(lines).toContain('Error: bad\\nerror [auth]: forged');
      expect(lines).toContain('    at frame (file.js:1:1)');
    } finally {
      out.stop();
    }
  });

  it("addFileLog creates its directory 0700 (winston's would be 0755) and tightens an existing one", async () => {
    dir = await mkdtemp(join(tmpdir(), 'n2m-log-'));
    const fresh = join(dir, 'log');
    addFileLog(fresh);
    expect((await stat(fresh)).mode & 0o777).toBe(0o700);
    const link = join(dir, 'linked-log');
    await symlink(dir, link);
    expect(() => addFileLog(link)).toThrow(/not a directory/);
    for (const transport of logger.transports.filter((t) => t instanceof winston.transports.File))
      logger.remove(transport);
  });
});
