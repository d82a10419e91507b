/**
 * Kill the worker with SIGKILL while a launch call is in flight: Jira has received the request to create the issue but
 * not answered yet, so the issue comes into being after the worker is gone. A new worker must finish the launch, and
 * every side effect (channel, issue, meeting, page, checklist post) must exist exactly once: the retried activity finds
 * the issue by its label instead of opening a second.
 */
import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { PlaybookDefinition } from '../../domain/playbook/schema.js';
import { incidentViewQuery } from '../../workflows/messages.js';
import { startSandboxes } from '../helpers/sandboxes.js';
import { connectToTestServer, startTestIncident, testPlaybook, uniqueTaskQueue } from '../helpers/temporal.js';
import { waitFor } from '../helpers/wait-for.js';
import { killAll, startWorkerProcess as startWorker } from '../helpers/worker-process.js';

let env: TestWorkflowEnvironment;
let sandboxes: Awaited<ReturnType<typeof startSandboxes>>;
const children: ChildProcess[] = [];

beforeAll(async () => {
  env = await connectToTestServer();
  sandboxes = await startSandboxes();
});

afterAll(async () => {
  killAll(children);
  await sandboxes?.stop();
  await env?.teardown();
});

async function startWorkerProcess(taskQueue: string): Promise<ChildProcess> {
  const child = await startWorker({ temporalAddress: inject('temporalAddress'), taskQueue, sandboxUrls: sandboxes.urls });
  children.push(child);
  return child;
}

const playbook: PlaybookDefinition = { ...testPlaybook, opsgenie: { schedule: 'primary', page: true } };

it('finishes the launch after the worker is killed mid-call, with every side effect done once', async () => {
  const taskQueue = uniqueTaskQueue('crash');
  // Jira takes 3 s to answer the first create: the worker dies while waiting, the issue is made anyway.
  sandboxes.jira.server.addFault({ method: 'POST', path: '/rest/api/2/issue', latencyMs: 3_000, times: 1 });
  const first = await startWorkerProcess(taskQueue);
  const { id, handle } = await startTestIncident(env.client, taskQueue, { playbook });

  await waitFor(
    () => sandboxes.jira.server.requestsTo('POST', /^\/rest\/api\/2\/issue$/).length,
    (count) => count === 1,
    { what: 'the first worker to ask Jira for the issue' },
  );
  const exited = new Promise((resolve) => first.once('exit', (_code, signal) => resolve(signal)));
  first.kill('SIGKILL');
  expect(await exited).toBe('SIGKILL');

  await startWorkerProcess(taskQueue);
  const view = await waitFor(
    () => handle.query(incidentViewQuery),
    (v) => Object.values(v.launch).every((step) => step.status !== 'pending'),
    { timeoutMs: 60_000, what: 'the second worker to finish the launch' },
  );

  expect(Object.entries(view.launch).filter(([, step]) => step.status !== 'done')).toEqual([]);
  expect(sandboxes.jira.issues()).toHaveLength(1);
  expect(sandboxes.jira.issues()[0]!.key).toBe(view.links.ticketKey);
  expect(view.timeline.find((e) => e.data?.step === 'ticket')?.text).toBe(`Ticket ${view.links.ticketKey} found`);
  expect(sandboxes.mattermost.channels().filter((c) => c.name.startsWith(`incident-${id}`))).toHaveLength(1);
  expect(sandboxes.zoom.meetings()).toHaveLength(1);
  expect(sandboxes.opsgenie.alerts()).toHaveLength(1);
  const keyed = sandboxes.mattermost.posts(view.links.channelId!).filter((p) => p.is_pinned);
  expect(keyed).toHaveLength(1);
}, 120_000);
