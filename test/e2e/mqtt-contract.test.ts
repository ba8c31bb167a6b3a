/**
 * The MQTT contract of the fixtures scenario: what a fresh subscriber finds retained after the
 * bridge's first round of polls (state, availability, discovery, bridge/info, bridge/devices)
 * equals the committed record. A change to the output is deliberate: review the diff this test
 * prints, then record it with `npm run snapshot -- --out test/e2e/fixtures/fixtures-retained.json`.
 */
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { captureSnapshot, diffSnapshots, type Snapshot } from '../../scripts/mqtt-snapshot.js';

describe('retained MQTT output of the fixtures scenario', () => {
  it('equals the committed record (topics and payloads)', async () => {
    const recorded = JSON.parse(
      await readFile(new URL('./fixtures/fixtures-retained.json', import.meta.url), 'utf8'),
    ) as Snapshot;
    const now = await captureSnapshot('fixtures');
    const diff = diffSnapshots(recorded, now);
    expect(diff, `the retained output changed:\n${diff.join('\n')}`).toEqual([]);
  }, 60_000);
});
