/**
 * Netatmo's quota figures live in one table (src/netatmo/quota.ts) and are said in one way
 * (src/netatmo/quota-plan.ts): code derives them, and the documents a user reads — README,
 * DOCS, the add-on's option texts, the configuration schema — use exactly those sentences and
 * no other quota figure.
 */
import { readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { configSchema } from '../../src/config/schema.js';
import { gateLimitsForProfile } from '../../src/netatmo/gate.js';
import { NETATMO_PROFILES, PROFILE_ALLOWANCE } from '../../src/netatmo/quota.js';
import { allowanceSentence, appLimitSentence, splitSentence } from '../../src/netatmo/quota-plan.js';
import { sourceFiles } from '../support/import-graph.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../..');
const SRC = join(ROOT, 'src');
/** `500/h`, `50/10 s`, `20 per hour`, `2 calls per 10 s`: a quota figure written out. */
const QUOTA_FIGURE = /\d\s*\/\s*(?:h|hour|10\s?s)\b|\d\s+(?:calls\s+)?per\s+(?:hour|10\s?s)\b/i;
/** The same, wider: also `400 requests per hour`, `16 calls/h`, `500 per user`. */
const DOCUMENT_FIGURE =
  /\d[\d,.]*\s*(?:calls\s*|requests\s*)?(?:\/\s*(?:h|hour|10\s?s)\b|per\s+(?:hour|10\s?s|user)\b)/gi;
/** Where users read about the quota. */
const DOCUMENTS = ['README.md', 'DOCS.md', 'translations/en.yaml'];

const CANONICAL = [
  ...NETATMO_PROFILES.flatMap((p) => [allowanceSentence(p), splitSentence(p)]),
  appLimitSentence(),
];

const normalized = (text: string): string => text.replace(/\s+/g, ' ');

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

  it.each(DOCUMENTS)(
    '%s says what Netatmo allows and what the bridge plans for, in the one wording',
    (file) => {
      const text = normalized(readFileSync(join(ROOT, file), 'utf8'));
      for (const profile of NETATMO_PROFILES)
        expect(text.includes(allowanceSentence(profile)), `${file} says: ${allowanceSentence(profile)}`).toBe(
          true,
        );
      // Any other quota figure is one the sentences do not say: a contradiction waiting to happen.
      let rest = text;
      for (const sentence of CANONICAL) rest = rest.split(sentence).join('…');
      expect(rest.match(DOCUMENT_FIGURE) ?? []).toEqual([]);
    },
  );

  it('the configuration schema (its description of netatmo.profile) says the same', () => {
    const description = configSchema.properties.netatmo.properties.profile.description;
    for (const profile of NETATMO_PROFILES) expect(description).toContain(allowanceSentence(profile));
  });
});
