/**
 * Starts one Temporal dev server (the project's own `temporal` CLI, on a random loopback port, in memory) for the whole
 * test run; each test file connects to it and uses its own task queue.
 */
import { TestWorkflowEnvironment } from '@temporalio/testing';
import type { TestProject } from 'vitest/node';
import { INCIDENT_SEARCH_ATTRIBUTES } from '../temporal/search-attributes.js';
import { ensureTemporalCli } from '../temporal/temporal-cli.js';

declare module 'vitest' {
  export interface ProvidedContext {
    temporalAddress: string;
    temporalCliPath: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const cli = ensureTemporalCli((line) => console.log(`[temporal-cli] ${line}`));
  const env = await TestWorkflowEnvironment.createLocal({
    server: {
      executable: { type: 'existing-path', path: cli.path },
      ip: '127.0.0.1',
      searchAttributes: [...INCIDENT_SEARCH_ATTRIBUTES],
    },
  });
  project.provide('temporalAddress', env.address);
  project.provide('temporalCliPath', cli.path);
  return async () => {
    await env.teardown();
  };
}
