/**
 * Where a workflow task's time goes (issue 16), in one process: a Temporal dev server of its own, the incident worker
 * on the in-memory fakes (no latency at all), and LAUNCHES incidents (30) launched one after another. For the launches
 * after the first three it reports medians of
 *
 *   - each workflow task as the server recorded it, from started to completed (the first task of a run apart: it builds
 *     the workflow), and its dispatch (scheduled to started);
 *   - in the worker, from an activation's arrival in JavaScript to its completion handed back to the SDK's core (the
 *     workflow thread, the sandbox, the sinks), and the completion call itself (core, the RPC, the server's write).
 *
 * What it showed on the 2-core build machine: a task of a cached incident takes 6-10 ms, 3-4.5 of which
 * are JavaScript and 3-5 the completion's round trip; a run's first task 9-13 ms. STORE=off leaves the store out
 * (the record writer's work then costs no task anything).
 *
 *   npx tsx scripts/profile-workflow-tasks.ts
 *   LAUNCHES=60 STORE=off npx tsx scripts/profile-workflow-tasks.ts
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { native } from '@temporalio/core-bridge';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { prepareIncidentStart } from '../domain/new-incident.js';
import { openDatabase } from '../store/database.js';
import { IncidentRecordRepository } from '../store/incident-records.js';
import { INCIDENT_SEARCH_ATTRIBUTES } from '../temporal/search-attributes.js';
import { ensureTemporalCli } from '../temporal/temporal-cli.js';
import { InMemoryWorkspace } from '../test/fakes/in-memory-workspace.js';
import { createIncidentWorker } from '../workers/incident-worker.js';
import { incidentWorkflowId, INCIDENT_WORKFLOW_TYPE } from '../workflows/messages.js';

const WARM_UP = 3;
const LAUNCHES = Number(process.env.LAUNCHES ?? 30);
if (!Number.isInteger(LAUNCHES) || LAUNCHES <= WARM_UP) {
  console.error(`LAUNCHES must be a whole number above ${WARM_UP} (the first ${WARM_UP} launches warm the worker up), got "${process.env.LAUNCHES}"`);
  process.exit(2);
}
const withStore = process.env.STORE !== 'off';

type AsyncFn = (...args: unknown[]) => Promise<unknown>;
const bridge = native as unknown as Record<'workerPollWorkflowActivation' | 'workerCompleteWorkflowActivation', AsyncFn>;

/** When each activation arrived in JavaScript, and when its completion went to core and came back. */
const marks: Array<{ what: 'arrived' | 'completing' | 'completed'; at: number }> = [];
let measuring = false;
// Wrapped before the worker is created: it binds these functions then.
const poll = bridge.workerPollWorkflowActivation;
bridge.workerPollWorkflowActivation = async (...args) => {
  const activation = await poll(...args);
  if (measuring) marks.push({ what: 'arrived', at: performance.now() });
  return activation;
};
const complete = bridge.workerCompleteWorkflowActivation;
bridge.workerCompleteWorkflowActivation = async (...args) => {
  if (measuring) marks.push({ what: 'completing', at: performance.now() });
  const done = await complete(...args);
  if (measuring) marks.push({ what: 'completed', at: performance.now() });
  return done;
};

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;
const ms = (value: number) => `${value.toFixed(2)} ms`;
const millis = (time: { seconds?: unknown; nanos?: number | null } | null | undefined) => Number(time?.seconds ?? 0) * 1000 + (time?.nanos ?? 0) / 1e6;

const storeDirectory = mkdtempSync(join(tmpdir(), 'profile-workflow-tasks-'));
const database = await openDatabase({ url: `sqlite:${join(storeDirectory, 'store.sqlite')}` });
const cli = ensureTemporalCli(console.log);
const env = await TestWorkflowEnvironment.createLocal({
  server: { executable: { type: 'existing-path', path: cli.path }, searchAttributes: [...INCIDENT_SEARCH_ATTRIBUTES] },
});
try {
  const worker = await createIncidentWorker({
    connection: env.nativeConnection,
    namespace: 'default',
    taskQueue: 'profile-workflow-tasks',
    dependencies: {
      integrations: new InMemoryWorkspace({ onCall: { default: ['oscar@example.com'] } }),
      ...(withStore ? { records: new IncidentRecordRepository(database.db) } : {}),
    },
  });
  const first: number[] = [];
  const others: number[] = [];
  const dispatch: number[] = [];
  await worker.runUntil(async () => {
    for (let i = 0; i < LAUNCHES; i++) {
      measuring = i >= WARM_UP;
      const id = `profile-${i}-${Date.now()}`;
      const handle = await env.client.workflow.start(INCIDENT_WORKFLOW_TYPE, {
        workflowId: incidentWorkflowId(id),
        taskQueue: 'profile-workflow-tasks',
        args: [
          {
            start: prepareIncidentStart({
              id,
              name: 'Profiled outage',
              team: 'shop',
              reporter: 'alice',
              playbook: { id: 'profiled', title: 'Profiled', checklists: [{ id: 'triage', title: 'Triage', tasks: [{ id: 'ack', title: 'Acknowledge' }] }] },
            }),
            options: { membershipCheckIntervalMs: 3_600_000 },
          },
        ],
      });
      // The launch is over when its history stops growing for a moment.
      for (let size = -1; ; ) {
        await new Promise((resolve) => setTimeout(resolve, 300));
        const events = (await handle.fetchHistory()).events ?? [];
        if (events.length === size) break;
        size = events.length;
      }
      if (!measuring) continue;
      let scheduled = 0;
      let started = 0;
      let tasks = 0;
      for (const event of (await handle.fetchHistory()).events ?? []) {
        if (event.workflowTaskScheduledEventAttributes) scheduled = millis(event.eventTime);
        if (event.workflowTaskStartedEventAttributes) {
          started = millis(event.eventTime);
          dispatch.push(started - scheduled);
        }
        if (event.workflowTaskCompletedEventAttributes) (tasks++ === 0 ? first : others).push(millis(event.eventTime) - started);
      }
    }
  });
  const inJs: number[] = [];
  const completion: number[] = [];
  let arrived = 0;
  let completing = 0;
  for (const mark of marks) {
    if (mark.what === 'arrived') arrived = mark.at;
    if (mark.what === 'completing') {
      if (arrived) inJs.push(mark.at - arrived);
      completing = mark.at;
    }
    if (mark.what === 'completed' && completing) completion.push(mark.at - completing);
  }
  console.log(`${LAUNCHES - WARM_UP} launches measured, store ${withStore ? 'on' : 'off'}`);
  console.log(`workflow task, started to completed (server's times): a run's first ${ms(median(first))}, the others ${ms(median(others))} (${others.length})`);
  console.log(`workflow task dispatch, scheduled to started: ${ms(median(dispatch))}`);
  console.log(`in the worker: activation arrived to completion handed to core ${ms(median(inJs))}; the completion call ${ms(median(completion))} (${inJs.length})`);
} finally {
  await env.teardown();
  await database.close();
  rmSync(storeDirectory, { recursive: true, force: true });
}
