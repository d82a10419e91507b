/**
 * Workflow stack traces (workers/workflow-threads.ts): off by default, so the SDK's workflow threads run without the
 * promise hook that records them and the `__stack_trace` query says they are not enabled; on, the query answers with
 * the incident's stack. This is also the check that the way they are turned off still fits the SDK in use: after an
 * upgrade that moved what workflow-thread-setup.cjs reaches for, the first test fails.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createIncidentWorker } from '../../workers/incident-worker.js';
import { InMemoryWorkspace } from '../fakes/in-memory-workspace.js';
import { incidentViewQuery } from '../../workflows/messages.js';
import { connectToTestServer, startTestIncident, uniqueTaskQueue, workflowBundle } from '../helpers/temporal.js';
import { waitFor } from '../helpers/wait-for.js';

let env: TestWorkflowEnvironment;

beforeAll(async () => {
  env = await connectToTestServer();
});

afterAll(async () => {
  await env?.teardown();
});

/** Runs a worker with stack traces on or off and an incident on it; answers what `__stack_trace` says. */
async function stackTraceQuery(workflowStackTraces: boolean | undefined): Promise<string> {
  const taskQueue = uniqueTaskQueue('stack-traces');
  const kept: string[] = [];
  const worker = await createIncidentWorker({
    connection: env.nativeConnection,
    namespace: env.namespace ?? 'default',
    taskQueue,
    dependencies: { integrations: new InMemoryWorkspace() },
    workflowBundle: await workflowBundle(),
    ...(workflowStackTraces === undefined ? {} : { workflowStackTraces }),
    onStackTracesKept: (why) => kept.push(why),
  });
  return worker.runUntil(async () => {
    const { handle } = await startTestIncident(env.client, taskQueue);
    await waitFor(() => handle.query(incidentViewQuery), (view) => view.launch.checklistPost.status === 'done', { what: 'the launch' });
    expect(kept).toEqual([]);
    return handle.query<string>('__stack_trace').catch((error: Error) => `refused: ${error.message}`);
  });
}

it('leaves them out by default: the query says they are not enabled', async () => {
  expect(await stackTraceQuery(undefined)).toMatch(/^refused: .*stack traces are not enabled/i);
});

it('leaves them out in a worker started with a V8 flag threads may not be given (npm run worker has one)', async () => {
  process.execArgv.push('--max-old-space-size=2048');
  try {
    expect(await stackTraceQuery(false)).toMatch(/^refused: .*stack traces are not enabled/i);
  } finally {
    process.execArgv.pop();
  }
});

it('keeps them when asked: the query shows where the incident waits', async () => {
  const stack = await stackTraceQuery(true);
  expect(stack).not.toMatch(/^refused/);
  expect(stack).toMatch(/mainLoop|incident/);
});
