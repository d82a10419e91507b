/**
 * Kill the worker with SIGKILL while a launch activity is in flight, after its side effect happened but before it
 * reported back. A new worker must finish the launch, and every side effect must exist exactly once: the retried
 * activity finds the channel by its name instead of creating a second one.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { inject } from 'vitest';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { InMemoryWorkspace } from '../../integrations/in-memory/workspace.js';
import { incidentViewQuery } from '../../workflows/messages.js';
import { connectToTestServer, startTestIncident, uniqueTaskQueue } from '../helpers/temporal.js';
import { waitFor } from '../helpers/wait-for.js';

const fixture = fileURLToPath(new URL('../fixtures/crash-worker.ts', import.meta.url));
let env: TestWorkflowEnvironment;
let directory: string;
const children: ChildProcess[] = [];

beforeAll(async () => {
  env = await connectToTestServer();
  directory = mkdtempSync(join(tmpdir(), 'incident-crash-'));
});

afterAll(async () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await env?.teardown();
  rmSync(directory, { recursive: true, force: true });
});

/** Starts a worker process (plain node with tsx's loader: one process, so SIGKILL really kills the worker). */
async function startWorkerProcess(taskQueue: string, journal: string, slowOperation?: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', fixture], {
    env: {
      ...process.env,
      TEMPORAL_ADDRESS: inject('temporalAddress'),
      CRASH_TASK_QUEUE: taskQueue,
      CRASH_JOURNAL: journal,
      ...(slowOperation ? { CRASH_SLOW_OPERATION: slowOperation } : {}),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  await new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('worker ready')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`worker process exited early (${code}): ${stderr}`)));
  });
  return child;
}

it('finishes the launch after the worker is killed mid-activity, with every side effect done once', async () => {
  const taskQueue = uniqueTaskQueue('crash');
  const journal = join(directory, 'workspace.json');
  const first = await startWorkerProcess(taskQueue, journal, 'createChannel');
  const { id, handle } = await startTestIncident(env.client, taskQueue);

  // The channel exists, but the activity that made it is stuck on its way back: now the worker dies.
  await waitFor(
    () => (existsSync(journal) ? InMemoryWorkspace.readJournal(journal).channels.length : 0),
    (count) => count === 1,
    { what: 'the first worker to create the channel' },
  );
  const exited = new Promise((resolve) => first.once('exit', (_code, signal) => resolve(signal)));
  first.kill('SIGKILL');
  expect(await exited).toBe('SIGKILL');

  await startWorkerProcess(taskQueue, journal);
  const view = await waitFor(
    () => handle.query(incidentViewQuery),
    (v) => v.launch.channelHeader.status !== 'pending',
    { timeoutMs: 45_000, what: 'the second worker to finish the launch' },
  );

  expect(Object.entries(view.launch).filter(([, step]) => step.status !== 'done')).toEqual([['alert', { status: 'skipped' }]]);
  const records = InMemoryWorkspace.readJournal(journal);
  const calls = (operation: string) => records.calls.filter((call) => call.operation === operation).length;
  expect(records.channels).toHaveLength(1);
  expect(calls('createChannel')).toBe(1);
  expect(records.channels[0]).toMatchObject({ id: view.links.channelId, name: `incident-${id}-checkout-is-down` });
  expect(records.issues).toHaveLength(1);
  expect(records.meetings).toHaveLength(1);
  expect(records.posts).toHaveLength(1);
  expect(records.posts[0]!.pinned).toBe(true);
  expect(calls('createIssue') + calls('createMeeting') + calls('createPost')).toBe(3);
  expect(records.channels[0]!.members.sort()).toEqual(['alice', 'oscar']);
  expect(view.timeline.filter((e) => e.kind === 'integration_succeeded' && e.data?.step === 'channel')).toHaveLength(1);
  expect(view.timeline.find((e) => e.data?.step === 'channel')?.text).toMatch(/found/);
}, 90_000);
