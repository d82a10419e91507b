/**
 * A worker's memory follows its sticky cache, not the number of open incidents (docs/benchmarks.md, Capacity), so
 * the cache size is ours to set: WORKER_MAX_CACHED_WORKFLOWS, or DEFAULT_WORKER_MAX_CACHED_WORKFLOWS when unset. Left
 * to the SDK, it is sized from the heap limit (2,310 on a 4 GB heap), which let a worker grow past 2 GB.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { InMemoryWorkspace } from '../fakes/in-memory-workspace.js';
import { createIncidentWorker } from '../../workers/incident-worker.js';
import { DEFAULT_WORKER_MAX_CACHED_WORKFLOWS, loadWorkerConfig } from '../../workers/worker-config.js';
import { connectToTestServer, workflowBundle } from '../helpers/temporal.js';

let env: TestWorkflowEnvironment;
beforeAll(async () => {
  env = await connectToTestServer();
});
afterAll(async () => {
  await env?.teardown();
});

/** The cache size a worker made by createIncidentWorker ends up with (run and stopped at once, so nothing is left). */
async function cacheOf(tuning?: { maxCachedWorkflows: number }): Promise<number> {
  const worker = await createIncidentWorker({
    connection: env.nativeConnection,
    namespace: env.namespace ?? 'default',
    taskQueue: 'worker-cache-test',
    dependencies: { integrations: new InMemoryWorkspace() },
    workflowBundle: await workflowBundle(),
    ...(tuning ? { tuning } : {}),
  });
  const running = worker.run();
  worker.shutdown();
  await running;
  return worker.options.maxCachedWorkflows;
}

it('keeps 1,500 incidents in memory unless told otherwise, whatever the heap limit', async () => {
  expect(DEFAULT_WORKER_MAX_CACHED_WORKFLOWS).toBe(1_500);
  expect(loadWorkerConfig({}).WORKER_MAX_CACHED_WORKFLOWS).toBe(DEFAULT_WORKER_MAX_CACHED_WORKFLOWS);
  expect(await cacheOf()).toBe(DEFAULT_WORKER_MAX_CACHED_WORKFLOWS);
});

it('keeps the number WORKER_MAX_CACHED_WORKFLOWS gives', async () => {
  const { WORKER_MAX_CACHED_WORKFLOWS } = loadWorkerConfig({ WORKER_MAX_CACHED_WORKFLOWS: '120' });
  expect(await cacheOf({ maxCachedWorkflows: WORKER_MAX_CACHED_WORKFLOWS })).toBe(120);
});
