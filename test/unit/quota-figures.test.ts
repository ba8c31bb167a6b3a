/** Netatmo's quota figures live in one table; code and its texts derive from it. */
import { readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { gateLimitsForProfile } from '../../src/netatmo/gate.js';
import { NETATMO_PROFILES, PROFILE_ALLOWANCE } from '../../src/netatmo/quota.js';
import { sourceFiles } from '../support/import-graph.js';

const SRC = join(dirname(fileURLToPath(import.meta.url)), '../../src');
/** `500/h`, `50/10 s`, `20 per hour`, `2 calls per 10 s`: a quota figure written out. */
const QUOTA_FIGURE = /\d\s*\/\s*(?:h|hour|10\s?s)\b|\d\s+(?:calls\s+)?per\s+(?:hour|10\s?s)\b/i;

describe('quota figures', () => {
  it('are written out nowhere in src/ but src/netatmo/quota.ts', () => {
    const written = sourceFiles(SRC)
      .filter((file) => relative(SRC, file) !== 'netatmo/quota.ts')
      .flatMap((file) =>
        readFileSync(file, 'utf8')
          .split('\n')
          .flatMap((line, i) =>
            QUOTA_FIGURE.test(line) ? [`${relative(SRC, file)}:${i + 1}: ${line.trim()}`] : [],
          ),
      );
    expect(written).toEqual([]);
  });

  it.each(NETATMO_PROFILES)(
    'the gate plans %s within what Netatmo allows, keeping a fifth of the hour',
    (profile) => {
      const allowed = PROFILE_ALLOWANCE[profile];
      const planned = gateLimitsForProfile(profile);
      expect(planned.per10s).toBeGreaterThan(0);
      expect(planned.per10s).toBeLessThanOrEqual(allowed.per10s);
      expect(planned.perHour).toBe(Math.floor(allowed.perHour * 0.8));
    },
  );
});
