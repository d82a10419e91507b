import { defineConfig } from 'vitest/config';

// Five projects: tests that need no Temporal server run without starting one (quick to run alone, e.g.
// `npx vitest run --project fast`); the rest share one real `temporal server start-dev` for the whole run. The security
// suite has both: test/security/ (no server) and test/security/stack/ (through every door of a running stack).
const temporalTests = ['test/workflow/**/*.test.ts', 'test/api/**/*.test.ts', 'test/e2e/**/*.test.ts', 'test/crash/**/*.test.ts', 'test/replay/**/*.test.ts', 'test/security/stack/**/*.test.ts', 'test/contract/**/*.test.ts'];

// Floods of commands into one incident (the second on a Temporal server of its own that takes few Updates per run).
const FLOOD_TESTS = ['test/e2e/command-flood.test.ts', 'test/e2e/update-limit-flood.test.ts'];

/**
 * The Temporal client's gRPC retry (@temporalio/client's grpc-retry interceptor) waits for its next try on a timer
 * that nothing cancels: a query turned away (RESOURCE_EXHAUSTED: the incident's query buffer full, as while a test
 * clicks through a live page) and retried after the test's connection was closed throws "Channel has been shut down"
 * from that timer, once every test has passed. The product's own connections fail such a retry instead
 * (temporal/retry-until-closed.ts); the testing library's, which the tests use, take no interceptors. That one error,
 * from that place, is not a failure of ours; anything else unhandled still fails the run.
 */
function isClientRetryAfterClose(error: { message?: string; stack?: string }): boolean {
  return error.message === 'Channel has been shut down' && /grpc-retry/.test(error.stack ?? '');
}

export default defineConfig({
  test: {
    onUnhandledError: (error) => !isClientRetryAfterClose(error),
    // Temporal's native bridge crashes in worker threads when they are recycled; forks are safe.
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Two cores: more parallel files than this only slows the workflow tests down.
    maxWorkers: 2,
    projects: [
      {
        extends: true,
        test: { name: 'fast', include: ['test/**/*.test.ts'], exclude: [...temporalTests, 'test/cluster/**/*.test.ts', 'test/browser/**/*.test.ts'] },
      },
      {
        extends: true,
        test: {
          name: 'temporal',
          include: temporalTests,
          exclude: FLOOD_TESTS,
          globalSetup: ['./test/global-setup.ts'],
          setupFiles: ['./test/setup-runtime.ts'],
        },
      },
      // 5,000 commands into one incident: it measures how the incident and its readers hold up under a flood, so the
      // floods have the machine and a Temporal server to themselves (`--project flood`, after the others, one file at a
      // time); beside another file on two cores its queries waited up to 30 s.
      {
        extends: true,
        test: { name: 'flood', include: FLOOD_TESTS, fileParallelism: false, globalSetup: ['./test/global-setup.ts'], setupFiles: ['./test/setup-runtime.ts'] },
      },
      // The production topology on a real Temporal cluster: several processes and a server of their own, so `npm test`
      // runs it after the others (`--project cluster`), not beside the flood tests it would slow down.
      {
        extends: true,
        test: { name: 'cluster', include: ['test/cluster/**/*.test.ts'], setupFiles: ['./test/setup-runtime.ts'] },
      },
      // The web app in a real browser (Debian's Chromium through playwright-core): a whole stack and a browser per file,
      // one file at a time (`--project browser`, after the others).
      {
        extends: true,
        test: {
          name: 'browser',
          include: ['test/browser/**/*.test.ts'],
          globalSetup: ['./test/global-setup.ts'],
          setupFiles: ['./test/setup-runtime.ts'],
          fileParallelism: false,
        },
      },
    ],
  },
});
