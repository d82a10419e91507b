/**
 * From incident-v17 the invitations' activity also puts the channel in the people's sidebar category once they are in
 * the channel (`inviteParticipants` with `sidebar`): no workflow task and no `placeInSidebar` activity between the two.
 * A placement that fails there does not fail the invitations: refused (the bot may not edit sidebars), the step is
 * skipped as before; any other failure is placed again by `placeInSidebar` with its retries.
 */
import type { WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { InMemoryWorkspace } from '../fakes/in-memory-workspace.js';
import { connectToTestServer, launchedAndAtRest, runTestWorker, startTestIncident, testPlaybook, uniqueTaskQueue } from '../helpers/temporal.js';

let env: TestWorkflowEnvironment;
let worker: Awaited<ReturnType<typeof runTestWorker>>;
const workspace = new InMemoryWorkspace();
const taskQueue = uniqueTaskQueue('sidebar-with-invite');
const QUIET = { membershipCheckIntervalMs: 3_600_000 };
/** The reporter (alice) and the playbook's assignee (carol) are invited; both are people the workspace knows. */
const INVITED = ['alice', 'carol'];

beforeAll(async () => {
  env = await connectToTestServer();
  worker = await runTestWorker(env, taskQueue, { integrations: workspace });
});

afterAll(async () => {
  await worker?.stop();
  await env?.teardown();
});

async function activityTypes(handle: WorkflowHandle): Promise<string[]> {
  const events = (await handle.fetchHistory()).events ?? [];
  return events.flatMap((event) => event.activityTaskScheduledEventAttributes?.activityType?.name ?? []);
}

/** Who has the channel in their "Incidents" sidebar category. */
function placedFor(channelId: string): string[] {
  return Object.entries(workspace.records.sidebars)
    .filter(([, categories]) => categories.some((category) => category.category === 'Incidents' && category.channelIds.includes(channelId)))
    .map(([username]) => username)
    .sort();
}

const sidebarEvent = (view: Awaited<ReturnType<typeof launchedAndAtRest>>) => view.timeline.find((event) => event.data?.step === 'sidebar');

it('places the sidebar in the activity that invites the people', async () => {
  const { handle } = await startTestIncident(env.client, taskQueue, { playbook: testPlaybook }, QUIET);
  const view = await launchedAndAtRest(handle);
  expect(view.launch.invite.status).toBe('done');
  expect(view.launch.sidebar.status).toBe('done');
  const types = await activityTypes(handle);
  expect(types).toContain('inviteParticipants');
  expect(types).not.toContain('placeInSidebar');
  expect(placedFor(view.links.channelId!)).toEqual(INVITED);
  // Recorded as the step's own activity recorded it, after the invitations.
  expect(sidebarEvent(view)).toMatchObject({ kind: 'integration_succeeded', text: 'Channel put in the "Incidents" sidebar category of 2 people', data: { placed: INVITED, missing: [] } });
  const steps = view.timeline.filter((event) => event.kind === 'integration_succeeded').map((event) => event.data?.step);
  expect(steps.indexOf('sidebar')).toBeGreaterThan(steps.indexOf('invite'));
});

it('skips the sidebar, without an activity of its own, when the bot may not edit people\'s sidebars', async () => {
  workspace.setSidebarForbidden(true);
  try {
    const { handle } = await startTestIncident(env.client, taskQueue, { playbook: testPlaybook }, QUIET);
    const view = await launchedAndAtRest(handle);
    expect(view.launch.invite.status).toBe('done');
    expect(view.launch.sidebar.status).toBe('skipped');
    expect(view.launch.sidebar.error).toMatch(/manage other users' sidebar categories/);
    expect(sidebarEvent(view)!.text).toMatch(/^Sidebar categories skipped: the bot may not edit other people's sidebars/);
    const types = await activityTypes(handle);
    expect(types.filter((type) => type === 'inviteParticipants')).toHaveLength(1);
    expect(types).not.toContain('placeInSidebar');
  } finally {
    workspace.setSidebarForbidden(false);
  }
});

it('keeps the invitations when the placement fails with them, and places the sidebar on its own', async () => {
  // The first placement fails (a 503): the invitations' activity answers the invitations and why the sidebar failed.
  workspace.setFault('addToSidebarCategory', { failures: 1 });
  try {
    const { handle } = await startTestIncident(env.client, taskQueue, { playbook: testPlaybook }, QUIET);
    const view = await launchedAndAtRest(handle);
    expect(view.launch.invite.status).toBe('done');
    expect(view.launch.sidebar.status).toBe('done');
    const types = await activityTypes(handle);
    // One invitations activity (not retried for the sidebar), then the sidebar's own.
    expect(types.filter((type) => type === 'inviteParticipants')).toHaveLength(1);
    expect(types.filter((type) => type === 'placeInSidebar')).toHaveLength(1);
    expect(placedFor(view.links.channelId!)).toEqual(INVITED);
    expect(sidebarEvent(view)).toMatchObject({ kind: 'integration_succeeded', data: { placed: INVITED } });
  } finally {
    workspace.setFault('addToSidebarCategory', undefined);
  }
});

it('leaves the sidebar alone when the playbook puts the channel in no category', async () => {
  const playbook = { ...testPlaybook, channel: { sidebarCategory: false } };
  const { handle } = await startTestIncident(env.client, taskQueue, { playbook }, QUIET);
  const view = await launchedAndAtRest(handle);
  expect(view.launch.invite.status).toBe('done');
  expect(await activityTypes(handle)).not.toContain('placeInSidebar');
  expect(placedFor(view.links.channelId!)).toEqual([]);
});
