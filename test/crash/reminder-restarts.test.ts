/**
 * A reminder falls due while nothing is running: the worker was killed (SIGKILL) and the Temporal server stopped. Once
 * both are back (the server on the same database file), the reminder is posted, once. The timer lives in Temporal's
 * history, not in any process, which is what this shows. Own dev server (the shared one must not be restarted), real
 * adapters against the sandboxes, a worker in its own process.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import type { IncidentView } from '../../domain/incident.js';
import { startDevServer, type RunningDevServer } from '../../temporal/dev-server.js';
import type { IncidentWorkflowInput } from '../../workflows/incident.js';
import { incidentViewQuery, incidentWorkflowId, INCIDENT_WORKFLOW_TYPE } from '../../workflows/messages.js';
import { freePort } from '../helpers/free-port.js';
import { startSandboxes } from '../helpers/sandboxes.js';
import { testPlaybook, uniqueIncidentId, uniqueTaskQueue } from '../helpers/temporal.js';
import { waitFor } from '../helpers/wait-for.js';
import { killAll, startWorkerProcess as startWorker } from '../helpers/worker-process.js';

const directory = mkdtempSync(join(tmpdir(), 'reminder-restarts-'));
let sandboxes: Awaited<ReturnType<typeof startSandboxes>>;
let server: RunningDevServer | undefined;
const children: ChildProcess[] = [];
let port: number;
let uiPort: number;

const startServer = () =>
  startDevServer({ cliPath: inject('temporalCliPath'), dbFile: join(directory, 'temporal.sqlite'), port, uiPort, namespace: 'default' });

beforeAll(async () => {
  sandboxes = await startSandboxes();
  port = await freePort();
  uiPort = await freePort();
  server = await startServer();
});

afterAll(async () => {
  killAll(children);
  await server?.stop();
  await sandboxes?.stop();
  rmSync(directory, { recursive: true, force: true });
});

async function startWorkerProcess(taskQueue: string): Promise<ChildProcess> {
  const child = await startWorker({ temporalAddress: `127.0.0.1:${port}`, taskQueue, sandboxUrls: sandboxes.urls });
  children.push(child);
  return child;
}

async function connect(): Promise<{ client: Client; connection: Connection }> {
  const connection = await Connection.connect({ address: `127.0.0.1:${port}` });
  return { client: new Client({ connection }), connection };
}

it('posts a reminder that fell due while the worker was killed and the Temporal server was down, once', async () => {
  const taskQueue = uniqueTaskQueue('reminder-restarts');
  const worker = await startWorkerProcess(taskQueue);
  const id = uniqueIncidentId('rr');
  // "4m" is 16 s here: time enough to stop everything before it falls due, even on a busy machine.
  const playbook = { ...testPlaybook, statusUpdates: { reminder: '4m' } };
  let { client, connection } = await connect();
  const handle = await client.workflow.start(INCIDENT_WORKFLOW_TYPE, {
    workflowId: incidentWorkflowId(id),
    taskQueue,
    args: [{ incident: { id, name: 'Checkout is down', team: 'shop', reporter: 'alice', playbook }, options: { timeScale: 15 } } satisfies IncidentWorkflowInput],
  });
  const launched = await waitFor(() => handle.query(incidentViewQuery), (v: IncidentView) => v.launch.channelHeader.status === 'done', { what: 'the launch', timeoutMs: 30_000 });
  const channelId = launched.links.channelId!;
  const dueAt = Date.parse(launched.reportedAt) + 16_000;

  // Everything goes away before the reminder is due.
  worker.kill('SIGKILL');
  await new Promise((resolve) => worker.once('exit', resolve));
  await connection.close();
  await server!.stop();
  expect(Date.now()).toBeLessThan(dueAt);
  const reminders = () => sandboxes.mattermost.posts(channelId).filter((post) => /a status update is due/.test(post.message));
  // The reminder's moment passes with no server and no worker (waiting on the clock is the point here).
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, dueAt + 1_000 - Date.now())));
  expect(reminders()).toHaveLength(0);

  server = await startServer();
  ({ client, connection } = await connect());
  await startWorkerProcess(taskQueue);
  await waitFor(reminders, (posts) => posts.length === 1, { what: 'the reminder after the restarts', timeoutMs: 60_000 });
  expect(reminders()[0]!.message).toMatch(/^:alarm_clock: @alice, a status update is due: none was posted since the incident was reported/);
  const view = await client.workflow.getHandle(incidentWorkflowId(id)).query(incidentViewQuery);
  expect(view.timeline.filter((e) => e.kind === 'reminder_sent')).toHaveLength(1);
  expect(Date.parse(view.timeline.find((e) => e.kind === 'reminder_sent')!.at)).toBeGreaterThan(dueAt);
  await connection.close();
});
