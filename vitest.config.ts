import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // Temporal's native bridge crashes in worker threads when they are recycled; forks are safe.
    pool: 'forks',
    include: ['test/**/*.test.ts'],
    // One real `temporal server start-dev` for the whole run, shared by every file.
    globalSetup: ['./test/global-setup.ts'],
    setupFiles: ['./test/setup-runtime.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Two cores: more parallel files than this only slows the workflow tests down.
    maxWorkers: 2,
  },
});
