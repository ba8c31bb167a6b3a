import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Integration tests share one broker and spawn processes; two cores do not like more.
    maxWorkers: 2,
    globalSetup: ['test/support/global-setup.ts'],
    // Bridge logs are noise when a test passes and evidence when it fails.
    silent: 'passed-only',
  },
});
