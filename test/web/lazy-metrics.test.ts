/**
 * prom-client is loaded by the first /metrics scrape, not when the bridge and its web UI
 * start (it costs about 10 MB of resident memory in a bridge nobody scrapes). Checked in a
 * fresh Node process, where the module cache shows what really got loaded.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);

const PROBE = `
import { createRequire } from 'node:module';
const loaded = () => Object.keys(createRequire(import.meta.url).cache).some((p) => p.includes('/node_modules/prom-client/'));
await import('./src/bridge/controller.ts');
await import('./src/cli/start.ts');
const atStart = loaded();
const { lazyBridgeMetrics } = await import('./src/web/lazy-metrics.ts');
const endpoint = lazyBridgeMetrics({ running: false, health: () => { throw new Error('not running'); } });
const scrape = await endpoint.scrape().then(() => 'ok', (e) => e.message);
console.log(JSON.stringify({ atStart, afterScrape: loaded(), aedes: Object.keys(createRequire(import.meta.url).cache).some((p) => p.includes('/node_modules/aedes/')), scrape }));
`;

describe('lazy imports', () => {
  it('neither prom-client nor aedes is loaded by the bridge and `start` until needed', async () => {
    const { stdout } = await run(
      process.execPath,
      ['--import', 'tsx', '--input-type=module', '--eval', PROBE],
      { cwd: new URL('../..', import.meta.url).pathname, timeout: 30_000 },
    );
    const result = JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as Record<string, unknown>;
    expect(result).toMatchObject({ atStart: false, aedes: false, afterScrape: true });
  });
});
