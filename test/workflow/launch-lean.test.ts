/**
 * The lean launch (incident-launch-lean-v10): a checklist that shows who is on call is posted once they are known, so a
 * normal launch draws it once (it used to be redrawn a second after the launch, in nearly every launch), while a
 * checklist that does not show them goes up without waiting; and the checklist activities read what they draw through
 * the `checklistPost` query, so the history holds a small request instead of the whole post (all but a first launch's
 * post under incident-v11, which carries what it draws: it is on the way to the channel ready, and once per incident).
 *
 * The on-call lookup is made slow (the in-memory workspace answers it late), so a checklist drawn before it is known
 * would show no assignee and be redrawn: the counts below then differ.
 */
import { expect, it } from 'vitest';
import type { WorkflowHandle } from '@temporalio/client';
import { checklistRevision } from '../../formats/checklist-message.js';
import type { PlaybookDefinition } from '../../domain/playbook/schema.js';
import { InMemoryWorkspace } from '../fakes/in-memory-workspace.js';
import { checklistPostQuery, commandUpdates, incidentViewQuery } from '../../workflows/messages.js';
import { historyAtRest, scheduledActivityInputs, startTestIncident, testPlaybook, workerForTests } from '../helpers/temporal.js';
import { waitFor } from '../helpers/wait-for.js';

// Each test names a schedule of its own: the worker keeps who it found on call per schedule for a while
// (activities/on-call.ts), and a kept answer would make the lookup instant.
const workspace = new InMemoryWorkspace({
  onCall: { 'lean-tasks': ['oscar@example.com'], 'lean-commander': ['oscar@example.com'], 'lean-none': ['oscar@example.com'], 'lean-redraw': ['oscar@example.com'] },
  // Who is on call is known well after the channel exists.
  faults: { whoIsOnCall: { delayAfterMs: 1_000 } },
});
const tested = workerForTests('launch-lean', { integrations: workspace });


const withOnCallTask = (schedule: string): PlaybookDefinition => ({
  ...testPlaybook,
  opsgenie: { schedule },
  checklists: [
    { id: 'triage', title: 'Triage', tasks: [{ id: 'ack', title: 'Acknowledge' }, { id: 'dashboards', title: 'Look at the dashboards', assigneeRole: 'oncall' }] },
    { id: 'fix', title: 'Fix', tasks: [{ id: 'rollback', title: 'Roll back', command: '/deploy rollback' }] },
  ],
});

const launched = (handle: WorkflowHandle) =>
  waitFor(
    () => handle.query(incidentViewQuery),
    (view) => Object.values(view.launch).every((step) => step.status !== 'pending'),
    { timeoutMs: 30_000, what: 'the launch to finish' },
  );

/** The launch over and a moment more than a redraw's pause (CHECKLIST_REFRESH_DELAY): a redraw would have come. */
async function settledAfterLaunch(handle: WorkflowHandle): Promise<void> {
  await launched(handle);
  await historyAtRest(handle);
  await new Promise((resolve) => setTimeout(resolve, 1_500));
  await historyAtRest(handle);
}

/** Each checklist activity the incident scheduled, with the size of its input. */
async function checklistActivities(handle: WorkflowHandle): Promise<Array<{ type: string; inputBytes: number; input: string }>> {
  return (await scheduledActivityInputs(handle)).filter((activity) => activity.type === 'postChecklist' || activity.type === 'refreshChecklist');
}

const checklistPostOf = (channelId: string) => workspace.records.posts.find((post) => post.channelId === channelId && post.key.endsWith(':checklistPost'))!;

it("posts a checklist that gives the on-call tasks once they are known, and does not redraw it after the launch", async () => {
  const { handle } = await startTestIncident(tested.env.client, tested.taskQueue, { playbook: withOnCallTask('lean-tasks') });
  await settledAfterLaunch(handle);
  const view = await handle.query(incidentViewQuery);
  expect(view.checklists[0]!.tasks[1]!.assignee).toBe('oscar');
  // From incident-v19 the channel's activity looked up who is on call (a second late here) and posted it.
  expect((await checklistActivities(handle)).map((activity) => activity.type)).toEqual([]);
  expect(view.checklistRevisionShown).toBe(checklistRevision(view));
  const post = checklistPostOf(view.links.channelId!);
  // Drawn once, with the on-call's task.
  expect(post.edits ?? 0).toBe(0);
  expect(JSON.stringify(post.props)).toContain('Look at the dashboards · @oscar');
});

it('posts the checklist once with the on-call as commander when the playbook says so', async () => {
  const { handle } = await startTestIncident(tested.env.client, tested.taskQueue, { playbook: { ...testPlaybook, opsgenie: { schedule: 'lean-commander' }, defaultCommander: 'oncall' } });
  await settledAfterLaunch(handle);
  const view = await handle.query(incidentViewQuery);
  expect(view.commander).toBe('oscar');
  expect((await checklistActivities(handle)).map((activity) => activity.type)).toEqual([]);
  expect(view.checklistRevisionShown).toBe(checklistRevision(view));
  const post = checklistPostOf(view.links.channelId!);
  expect(post.edits ?? 0).toBe(0);
  expect(post.message).toContain('commander @oscar');
});

it('does not hold up a checklist that does not show who is on call', async () => {
  const { handle } = await startTestIncident(tested.env.client, tested.taskQueue, { playbook: { ...testPlaybook, opsgenie: { schedule: 'lean-none' } } });
  await settledAfterLaunch(handle);
  // From incident-v15 it is posted with the channel (checklist-with-channel.test.ts): no activity of its own.
  expect((await checklistActivities(handle)).map((activity) => activity.type)).toEqual([]);
  const view = await handle.query(incidentViewQuery);
  expect(checklistPostOf(view.links.channelId!).pinned).toBe(true);
  // Posted while the lookup (answered late) was still under way: the channel's activity completed before it.
  const events = (await handle.fetchHistory()).events ?? [];
  const completion = (type: string) => {
    const scheduled = events.find((event) => event.activityTaskScheduledEventAttributes?.activityType?.name === type)!;
    return events.findIndex((event) => String(event.activityTaskCompletedEventAttributes?.scheduledEventId ?? '') === String(scheduled.eventId));
  };
  expect(completion('openIncidentChannel')).toBeGreaterThan(0);
  expect(completion('openIncidentChannel')).toBeLessThan(completion('onCallPeople'));
});

it('gives the checklist activities a small input and has them draw the incident as it is when they run', async () => {
  const { handle } = await startTestIncident(tested.env.client, tested.taskQueue, { playbook: withOnCallTask('lean-redraw') });
  await settledAfterLaunch(handle);
  await handle.executeUpdate(commandUpdates.completeTask, { args: [{ taskId: '1.1', actor: 'bob' }] });
  await handle.executeUpdate(commandUpdates.addTask, { args: [{ checklist: 'fix', title: 'Purge the cache' }] });
  const view = await handle.query(incidentViewQuery);
  const post = await waitFor(
    () => checklistPostOf(view.links.channelId!),
    (found) => found.message.includes('1/4 tasks done') && JSON.stringify(found.props).includes('Purge the cache'),
    { what: 'the checklist redrawn with both changes' },
  );
  expect(post.edits).toBe(1);
  await historyAtRest(handle);
  // What the post shows is what the incident renders now, and the workflow knows it is shown: no redraw is pending.
  expect((await handle.query(checklistPostQuery)).revision).toBe(checklistRevision(view));
  const activities = await checklistActivities(handle);
  // The first post came with the channel (incident-v19), then one redraw.
  expect(activities.map((activity) => activity.type)).toEqual(['refreshChecklist']);
  // A redraw (one per burst of changes, all the incident long): the key, the incident and the post, a couple of hundred
  // bytes, not the post's few KB.
  const redraw = activities[0]!;
  expect(redraw.inputBytes).toBeLessThan(300);
  expect(redraw.input).not.toContain('attachments');
  // The first post (once per incident) carries what it draws, the checklist the activity draws with the on-call: no
  // query on the way to the channel ready, and less than the drawn post.
  const channelInput = (await scheduledActivityInputs(handle)).find((activity) => activity.type === 'openIncidentChannel')!.input;
  expect(channelInput).toContain('"draft"');
  expect(channelInput).toContain('Look at the dashboards');
  expect(channelInput).not.toContain('attachments');
  expect(channelInput.length).toBeLessThan(4_096);
});
