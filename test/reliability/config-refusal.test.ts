/**
 * Every invalid option value makes the real CLI refuse to start: exit code 2 and a message on
 * stderr naming the key and the variable it came from. Invalid values are derived from the
 * schema itself (wrong type, out of range, not in the enum, against the pattern), so a key
 * added later is covered without editing this test.
 */
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { CONFIG_KEYS, configSchema } from '../../src/config/index.js';
import { useBundledBridge } from './support/harness.js';
import { FULL, recordFigures } from './support/suite.js';

interface LeafSchema {
  type?: string;
  minimum?: number;
  maximum?: number;
  enum?: readonly string[];
  pattern?: string;
}

function leaf(path: string): LeafSchema {
  let node: unknown = configSchema;
  for (const part of path.split('.'))
    node = (node as { properties: Record<string, unknown> }).properties[part];
  return node as LeafSchema;
}

/** Values that must be refused for one key. */
function invalidValues(path: string): string[] {
  const s = leaf(path);
  if (s.type === 'integer') {
    return [
      'twelve',
      '1.5',
      ...(s.minimum === undefined ? [] : [String(s.minimum - 1)]),
      ...(s.maximum === undefined ? [] : [String(s.maximum + 1)]),
    ];
  }
  if (s.type === 'boolean') return ['maybe'];
  if (s.enum) return ['not-a-choice'];
  // Fails every pattern in the schema: no URL scheme, a wildcard, a space and PEM text.
  if (s.pattern) return ['-----BEGIN #'];
  return [];
}

// CI: one invalid value per key; the full run tries them all.
const cases = CONFIG_KEYS.flatMap((key) =>
  invalidValues(key.path)
    .slice(0, FULL ? undefined : 1)
    .map((value) => ({ key, value })),
);

// Nothing to connect to: every start must stop at the configuration.
const bridge = useBundledBridge('config');

it('derives invalid values for the schema keys', () => {
  expect(cases.length).toBeGreaterThanOrEqual(FULL ? 35 : 20);
});

it('refuses to start on every invalid value, naming the key and its variable', async () => {
  const failures: string[] = [];
  const batch = 4;
  for (let i = 0; i < cases.length; i += batch) {
    await Promise.all(
      cases.slice(i, i + batch).map(async ({ key, value }) => {
        const child = bridge.startCli({
          NETATMO2MQTT_NETATMO_BASE_URL: 'http://127.0.0.1:9',
          NETATMO2MQTT_MQTT_URL: 'mqtt://127.0.0.1:9',
          NETATMO2MQTT_DATA_DIR: join(bridge.dir, 'data'),
          NETATMO2MQTT_WEB_ENABLED: 'false',
          [key.env]: value,
        });
        const code = await child.exited;
        const err = child.stderr();
        // Alone, or one of a list ("  - "): other keys may be missing too (all problems at once).
        const line = err
          .split('\n')
          .map((l) => l.replace(/^\s+- /, ''))
          .find((l) => l.startsWith(`${key.path} (from ${key.env})`));
        if (code !== 2 || !line) failures.push(`${key.env}=${value}: exit ${code}, stderr: ${err.trim()}`);
        else if (!/: \S/.test(line.slice(key.path.length)))
          failures.push(`${key.env}: no reason in '${line}'`);
      }),
    );
  }
  recordFigures('config refusal', { fuzz_inputs: cases.length, crashes: failures.length });
  expect(failures).toEqual([]);
}, 120_000);
