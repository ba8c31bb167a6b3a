import { defineConfig } from 'vitest/config';

/**
 * Test files that need nothing but the code and the file system: no broker, no simulator or
 * other server, no child process, no browser. They make up `npm run test:unit`, and a guard
 * (test/support/unit-guard.ts) fails any of them that opens a socket or starts a process.
 */
const UNIT = [
  'test/unit/**/*.test.ts',
  'test/addon/config.test.ts',
  'test/bridge/*.test.ts',
  'test/commands/*.test.ts',
  'test/config/{addon-options,env,keys-table,load,redacted,validate}.test.ts',
  'test/devices/*.test.ts',
  'test/energy/*.test.ts',
  'test/mqtt/topics.test.ts',
  'test/names/*.test.ts',
  'test/netatmo/{gate,rate-limit-headers,validate}.test.ts',
  'test/poller/{planner,poller-schedule}.test.ts',
  'test/tokens/*.test.ts',
];
/** Outages, kills, fuzzing and hostile input against the running bridge (`npm run test:reliability`). */
const RELIABILITY = ['test/reliability/**/*.test.ts'];

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Integration tests share one broker and spawn processes; two cores do not like more.
    // One pool serves every project, so this bounds the whole run.
    maxWorkers: 2,
    // Bridge logs are noise when a test passes and evidence when it fails.
    silent: 'passed-only',
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: UNIT, setupFiles: ['test/support/unit-guard.ts'] },
      },
      {
        extends: true,
        test: {
          // Broker, simulator over HTTP, browser, child processes.
          name: 'integration',
          include: ['test/**/*.test.ts'],
          exclude: [...UNIT, ...RELIABILITY],
          globalSetup: ['test/support/global-setup.ts'],
        },
      },
      {
        extends: true,
        test: { name: 'reliability', include: RELIABILITY, globalSetup: ['test/support/global-setup.ts'] },
      },
    ],
  },
});
