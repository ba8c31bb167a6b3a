/** The keys table in src/config/README.md is the one the schema generates: no key undocumented. */
import { describe, expect, it } from 'vitest';
import { readConfigReadme, withConfigTable } from '../../scripts/config-table.js';
import { CONFIG_KEYS, ITEM_KEYS } from '../../src/config/index.js';

describe('the configuration keys table', () => {
  it('is current', async () => {
    const readme = await readConfigReadme();
    expect(readme, 'run `npx tsx scripts/config-table.ts --write`').toBe(withConfigTable(readme));
  });

  it('says what every key does', () => {
    expect([...CONFIG_KEYS, ...ITEM_KEYS].filter((k) => !k.description).map((k) => k.path)).toEqual([]);
  });
});
