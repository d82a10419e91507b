/** Shared plumbing for tests that run workflows on the run's dev server. */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { afterAll, beforeAll, inject } from 'vitest';
import type { Client, WorkflowHandle } from '@temporalio/client';
import type { CommandInput, CommandName } from '../../domain/commands.js';
import type { IncidentView } from '../../domain/incident.js';
import { prepareIncidentStart } from '../../domain/new-incident.js';
import { isUpdateNotApplied } from '../../api/incident-service.js';
import { createIncidentWorker, WORKFLOW_PRELOAD_MODULES, WORKFLOWS_SOURCE_PATH, type WorkerDependencies } from '../../workers/incident-worker.js';
import { REQUEST_TRAIL_WORKFLOW_MODULE } from '../../workers/request-trail.js';
import type { PlaybookDefinition } from '../../domain/playbook/schema.js';
import type { IncidentWorkflowInput } from '../../workflows/incident.js';
import { waitFor } from './wait-for.js';
import { openDatabase } from '../../store/database.js';
import { IncidentRecordRepository } from '../../store/incident-records.js';
import { commandUpdates, incidentViewQuery, incidentWorkflowId, INCIDENT_WORKFLOW_TYPE } from '../../workflows/messages.js';

export async function connectToTestServer(): Promise<TestWorkflowEnvironment> {
  return TestWorkflowEnvironment.createFromExistingServer({ address: inject('temporalAddress') });
}

let bundle: Promise<WorkflowBundleWithSourceMap> | undefined;
/** Bundles the workflow code once per test file (it takes about a second). */
export function workflowBundle(): Promise<WorkflowBundleWithSourceMap> {
  // As the worker bundles it (preloaded modules included), so the tests run the code production runs.
  bundle ??= bundleWorkflowCode({
    workflowsPath: WORKFLOWS_SOURCE_PATH,
    workflowInterceptorModules: [REQUEST_TRAIL_WORKFLOW_MODULE],
    preloadModules: WORKFLOW_PRELOAD_MODULES,
    logger: quietBundlerLogger,
  });
  return bundle;
}

const noop = (): void => undefined;
const quietBundlerLogger = { trace: noop, debug: noop, info: noop, warn: noop, error: console.error, log: noop };

export function uniqueTaskQueue(name: string): string {
  return `${name}-${randomUUID()}`;
}

export function uniqueIncidentId(prefix = 't'): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}

/** A playbook with two checklists, enough to exercise numbering ("2.1") and IDs. */
export const testPlaybook: PlaybookDefinition = {
  id: 'test-outage',
  title: 'Test outage',
  severities: ['sev1', 'sev2', 'sev3'],
  defaultSeverity: 'sev2',
  checklists: [
    {
      id: 'triage',
      title: 'Triage',
      tasks: [
        { id: 'ack', title: 'Acknowledge' },
        { id: 'impact', title: 'Assess impact', assignee: 'carol' },
      ],
    },
    { id: 'fix', title: 'Fix', tasks: [{ id: 'rollback', title: 'Roll back', command: '/deploy rollback' }] },
  ],
};

export async function startTestIncident(
  client: Client,
  taskQueue: string,
  overrides: Record<string, unknown> = {},
  options: IncidentWorkflowInput['options'] = {},
) {
  const id = uniqueIncidentId();
  const incident = { id, name: 'Checkout is down', team: 'shop', reporter: 'alice', playbook: testPlaybook, ...overrides };
  const handle = await client.workflow.start(INCIDENT_WORKFLOW_TYPE, {
    workflowId: incidentWorkflowId(id),
    taskQueue,
    // As the API does: validated and snapshotted here, so the workflow gets the typed start it trusts.
    args: [{ start: prepareIncidentStart(incident), options } satisfies IncidentWorkflowInput],
  });
  return { id, handle };
}

/** A worker on the run's server for one test file; `stop()` drains it. */
/**
 * A test file's incident worker, on a task queue of its own against the run's dev server: started before the file's
 * tests and stopped after them. Read `env` in the tests (it is there once beforeAll has run).
 */
export function workerForTests(name: string, dependencies: WorkerDependencies): { readonly env: TestWorkflowEnvironment; readonly taskQueue: string } {
  const taskQueue = uniqueTaskQueue(name);
  let env: TestWorkflowEnvironment | undefined;
  let worker: Awaited<ReturnType<typeof runTestWorker>> | undefined;
  beforeAll(async () => {
    env = await connectToTestServer();
    worker = await runTestWorker(env, taskQueue, dependencies);
  });
  afterAll(async () => {
    await worker?.stop();
    await env?.teardown();
  });
  return {
    taskQueue,
    get env(): TestWorkflowEnvironment {
      if (!env) throw new Error('the test worker starts in beforeAll: read env inside a test or hook');
      return env;
    },
  };
}

/** The activities the incident scheduled, by type, in the order it scheduled them. */
export async function scheduledActivities(handle: WorkflowHandle): Promise<string[]> {
  const events = (await handle.fetchHistory()).events ?? [];
  return events.flatMap((event) => event.activityTaskScheduledEventAttributes?.activityType?.name ?? []);
}

/**
 * The activities the incident scheduled, in order, each with its input as the history holds it (the payloads' JSON,
 * joined) and that input's size: what a request carried, or which notice a postChannelNotice was.
 */
export async function scheduledActivityInputs(handle: WorkflowHandle): Promise<Array<{ type: string; input: string; inputBytes: number }>> {
  const events = (await handle.fetchHistory()).events ?? [];
  return events.flatMap((event) => {
    const scheduled = event.activityTaskScheduledEventAttributes;
    if (!scheduled) return [];
    const payloads = scheduled.input?.payloads ?? [];
    return [
      {
        type: scheduled.activityType?.name ?? '',
        input: payloads.map((payload) => Buffer.from(payload.data ?? new Uint8Array()).toString('utf8')).join(''),
        inputBytes: payloads.reduce((bytes, payload) => bytes + (payload.data?.length ?? 0), 0),
      },
    ];
  });
}

export async function runTestWorker(env: TestWorkflowEnvironment, taskQueue: string, dependencies: WorkerDependencies): Promise<{ stop(): Promise<void> }> {
  const worker = await createIncidentWorker({
    connection: env.nativeConnection,
    namespace: env.namespace ?? 'default',
    taskQueue,
    dependencies,
    workflowBundle: await workflowBundle(),
  });
  const running = worker.run();
  return {
    async stop() {
      worker.shutdown();
      await running;
    },
  };
}

/** Sends a command as an Update (its answer is small) and reads the view after it, as the REST API does. */
export async function updateThenView<N extends CommandName>(handle: WorkflowHandle, name: N, payload: CommandInput<N>): Promise<IncidentView> {
  await handle.executeUpdate(commandUpdates[name] as never, { args: [payload] as never });
  return handle.query(incidentViewQuery);
}

/**
 * Waits until the incident has nothing left to do (launch over, no activity or workflow task pending, a closed one's
 * record confirmed) and returns its history's size and length as Temporal counts them.
 */
export async function historyAtRest(handle: WorkflowHandle, what = 'the incident at rest'): Promise<{ bytes: number; events: number }> {
  const settled = await waitFor(
    async () => {
      const view = await handle.query(incidentViewQuery);
      const description = await handle.describe();
      const lastSeq = view.timelineDropped + view.timeline.length;
      return {
        idle:
          view.launch.channelHeader.status !== 'pending' &&
          // The record activity runs now and then only (incident-v14: the worker's sink writes the store after each
          // change): an open incident rests without it, a closed one once it has confirmed its last record.
          (view.status !== 'closed' ||
            (view.projectedRevision === view.revision && (view.projectedTimelineSeq === undefined || view.projectedTimelineSeq >= lastSeq))) &&
          (description.raw.pendingActivities ?? []).length === 0 &&
          !description.raw.pendingWorkflowTask,
        bytes: description.historySize ?? 0,
        events: description.historyLength,
      };
    },
    (probe) => probe.idle,
    { what, timeoutMs: 60_000 },
  );
  return { bytes: settled.bytes, events: settled.events };
}

/** The incident's view once its launch is over and it rests (every launch step settled: done, failed or skipped). */
export async function launchedAndAtRest(handle: WorkflowHandle): Promise<IncidentView> {
  await historyAtRest(handle, 'the launch over');
  const view = await handle.query(incidentViewQuery);
  const pending = Object.entries(view.launch).filter(([, step]) => step.status === 'pending');
  if (pending.length) throw new Error(`launch steps still pending at rest: ${pending.map(([name]) => name).join(', ')}`);
  return view;
}

/**
 * Sends a command as an Update the way the API does across continue-as-new: an Update that met the run's end (or the
 * workflow task that carried it failed, or the run refused it while continuing) was not applied, and goes again under
 * the same ID, for up to 30 seconds.
 */
export async function applyUpdate<N extends CommandName>(handle: WorkflowHandle, name: N, payload: CommandInput<N>): Promise<void> {
  const updateId = randomUUID();
  const deadline = Date.now() + 30_000;
  for (let attempt = 1; ; attempt++) {
    try {
      await handle.executeUpdate(commandUpdates[name], { args: [payload as never], updateId });
      return;
    } catch (error) {
      if (Date.now() >= deadline || !isUpdateNotApplied(error)) throw error;
      await new Promise((resolve) => setTimeout(resolve, Math.min(1_000, 100 * attempt)));
    }
  }
}

export { storeCaughtUp } from './command-flood.js';

/**
 * A worker for one test file that writes incident records to a SQLite store of its own (a temporary file), as a
 * production worker does; `stop()` drains the worker, then closes and removes the store.
 */
export async function runTestWorkerWithStore(
  env: TestWorkflowEnvironment,
  taskQueue: string,
  integrations: WorkerDependencies['integrations'],
): Promise<{ records: IncidentRecordRepository; stop(): Promise<void> }> {
  const directory = mkdtempSync(join(tmpdir(), `${taskQueue}-`));
  const database = await openDatabase({ url: `sqlite:${join(directory, 'store.sqlite')}` });
  const records = new IncidentRecordRepository(database.db);
  const worker = await runTestWorker(env, taskQueue, { integrations, records });
  return {
    records,
    async stop() {
      await worker.stop();
      await database.close();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}
