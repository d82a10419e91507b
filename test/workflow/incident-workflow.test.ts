/**
 * The incident workflow on the real dev server: every command through the Update path (and its refusals, with the reason
 * the caller gets), the Signal path reaching the same state, search attributes, the launch, and continue-as-new.
 */
import { describe, expect, it } from 'vitest';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { IncidentView } from '../../domain/incident.js';
import { InMemoryWorkspace } from '../fakes/in-memory-workspace.js';
import {
  IncidentCommanderKey,
  IncidentPlaybookKey,
  IncidentSeverityKey,
  IncidentStatusKey,
  IncidentTeamKey,
} from '../../temporal/search-attributes.js';
import { commandSignals, commandUpdates, incidentViewQuery } from '../../workflows/messages.js';
import { historyAtRest, startTestIncident, updateThenView, applyUpdate, workerForTests } from '../helpers/temporal.js';
import { waitFor } from '../helpers/wait-for.js';

const workspace = new InMemoryWorkspace({ onCall: { default: ['oscar@example.com'] } });
const tested = workerForTests('incident-workflow', { integrations: workspace });


async function refusalOf(promise: Promise<unknown>): Promise<ApplicationFailure> {
  const error = await promise.then(
    () => {
      throw new Error('expected the update to be refused');
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(WorkflowUpdateFailedError);
  const cause = (error as WorkflowUpdateFailedError).cause;
  expect(cause).toBeInstanceOf(ApplicationFailure);
  return cause as ApplicationFailure;
}

/** Comparable part of a view: everything but times and the timeline's wording of who/when. */
function essentials(view: IncidentView) {
  return {
    status: view.status,
    commander: view.commander,
    severity: view.severity,
    summary: view.summary,
    checklists: view.checklists.map((c) => ({ id: c.id, tasks: c.tasks.map((t) => ({ id: t.id, state: t.state, assignee: t.assignee })) })),
    kinds: view.timeline.map((e) => e.kind).filter((k) => !k.startsWith('integration_')),
  };
}

describe('incident workflow', () => {
  it('launches: channel, on-call, invitations, ticket, meeting, pinned checklist and header, each once', async () => {
    const { id, handle } = await startTestIncident(tested.env.client, tested.taskQueue);
    const view = await waitFor(
      () => handle.query(incidentViewQuery),
      // Every step, not the header: it goes up once its links are in, not after the invitations.
      (v) => Object.values(v.launch).every((step) => step.status !== 'pending'),
      { what: 'the launch to finish' },
    );
    expect(Object.entries(view.launch).filter(([, s]) => s.status !== 'done')).toEqual([['alert', { status: 'skipped' }]]);
    const channel = workspace.records.channels.find((c) => c.name.startsWith(`incident-${id}`))!;
    expect(channel).toMatchObject({ name: `incident-${id}-checkout-is-down`, displayName: 'Checkout is down', private: false });
    expect(channel.members.sort()).toEqual(['alice', 'carol', 'oscar']);
    expect(channel.header).toContain('Commander: @alice');
    expect(channel.header).toContain(view.links.ticketKey!);
    // By its key: the bridge's link may be posted first (the checklist waits for who is on call when it shows them).
    const post = workspace.records.posts.find((p) => p.channelId === channel.id && p.key === `${id}:checklistPost`)!;
    expect(post.pinned).toBe(true);
    expect(post.message).toContain('#### :clipboard: Checkout is down');
    const attachments = (post.props as { attachments: Array<{ title: string; text: string }> }).attachments;
    expect(attachments[1]).toMatchObject({ title: '2. Fix', text: ':white_large_square: **2.1** Roll back · `/deploy rollback`' });
    expect(workspace.records.issues.filter((i) => i.labels.includes(`incident-${id}-ticket`))).toHaveLength(1);
    expect(workspace.records.meetings.filter((m) => m.key === `${id}:meeting`)).toHaveLength(1);
    expect(view.links).toMatchObject({ channelId: channel.id, onCall: ['oscar'], meetingUrl: expect.stringContaining('zoom') });
    // Reporter (and commander), the playbook's pre-assigned carol, then the on-call engineer.
    expect(view.participants).toEqual(['alice', 'carol', 'oscar']);
  });

  it('redraws the pinned checklist once for a burst of ten changes, and shows the latest state', async () => {
    const { handle } = await startTestIncident(tested.env.client, tested.taskQueue);
    const launched = await waitFor(() => handle.query(incidentViewQuery), (v) => v.launch.channelHeader.status === 'done', { what: 'the launch' });
    const post = () => workspace.records.posts.find((p) => p.id === launched.links.checklistPostId)!;
    expect(post().edits ?? 0).toBe(0);
    for (let n = 1; n <= 10; n++) await handle.signal(commandSignals.addTask, { checklist: 'fix', title: `Step ${n}` });
    await waitFor(() => handle.query(incidentViewQuery), (v) => v.checklists[1]!.tasks.length === 11 && v.checklistRevisionShown !== launched.checklistRevisionShown, {
      what: 'the post to show all ten new tasks',
    });
    expect(post().edits).toBe(1);
    const text = (post().props as { attachments: Array<{ text: string }> }).attachments[1]!.text;
    expect(text).toContain('**2.11** Step 10');
  });

  it('applies every command as an Update, answering with a small result; the view query shows the change', async () => {
    const { id, handle } = await startTestIncident(tested.env.client, tested.taskQueue);
    const u = commandUpdates;
    let view = await updateThenView(handle, 'acknowledge', { actor: 'bob' });
    expect(view.status).toBe('active');
    // The answer names what changed (texts cut short), never the whole view: Temporal writes it into the history.
    const answer = await handle.executeUpdate(u.addNote, { args: [{ text: `long note ${'x'.repeat(2000)}`, actor: 'bob' }] });
    expect(answer).toEqual({
      incidentId: id,
      revision: expect.any(Number),
      status: 'active',
      changed: [{ seq: expect.any(Number), kind: 'note', text: expect.stringMatching(/^long note x{289}…$/) }],
    });
    expect(JSON.stringify(answer).length).toBeLessThan(600);
    view = await updateThenView(handle, 'completeTask', { taskId: '1.1', actor: 'bob' });
    expect(view.checklists[0]!.tasks[0]!.state).toBe('done');
    view = await updateThenView(handle, 'reopenTask', { taskId: 'ack' });
    expect(view.checklists[0]!.tasks[0]!.state).toBe('open');
    view = await updateThenView(handle, 'skipTask', { taskId: '2.1', reason: 'n/a' });
    expect(view.checklists[1]!.tasks[0]!.state).toBe('skipped');
    view = await updateThenView(handle, 'assignTask', { taskId: '1.1', assignee: 'dave' });
    expect(view.checklists[0]!.tasks[0]!.assignee).toBe('dave');
    view = await updateThenView(handle, 'addTask', { checklist: 'fix', title: 'Purge the CDN' });
    expect(view.checklists[1]!.tasks[1]).toMatchObject({ id: 'added-1', title: 'Purge the CDN', state: 'open' });
    view = await updateThenView(handle, 'changeCommander', { commander: 'bob', actor: 'alice' });
    expect(view.commander).toBe('bob');
    view = await updateThenView(handle, 'setSeverity', { severity: 'sev1' });
    expect(view.severity).toBe('sev1');
    view = await updateThenView(handle, 'addNote', { text: 'rollback started', actor: 'bob' });
    expect(view.timeline.at(-1)).toMatchObject({ kind: 'note', actor: 'bob', text: 'rollback started' });
    view = await updateThenView(handle, 'resolve', { summary: 'bad deploy', actor: 'bob' });
    expect(view).toMatchObject({ status: 'resolved', summary: 'bad deploy' });
    view = await updateThenView(handle, 'reopen', { reason: 'errors again' });
    expect(view.status).toBe('active');
    await handle.executeUpdate(u.resolve, { args: [{}] });
    view = await updateThenView(handle, 'close', { actor: 'bob' });
    expect(view.status).toBe('closed');
    const result = await handle.result();
    expect(result.status).toBe('closed');
    expect(result.closedAt).toBeDefined();
  });

  it('refuses invalid commands with a reason and a type the API maps, leaving no trace', async () => {
    const { handle } = await startTestIncident(tested.env.client, tested.taskQueue);
    const u = commandUpdates;
    const historyBefore = (await historyAtRest(handle, 'the launch to finish, so that history stops growing')).events;

    const transition = await refusalOf(handle.executeUpdate(u.resolve, { args: [{}] }));
    expect(transition.type).toBe('IncidentTransitionNotAllowed');
    expect(transition.message).toMatch(/cannot resolve incident .* it is reported; acknowledge it first/);

    const unknownTask = await refusalOf(handle.executeUpdate(u.completeTask, { args: [{ taskId: '7.7' }] }));
    expect(unknownTask.type).toBe('IncidentNotFound');
    expect(unknownTask.message).toMatch(/task 7.7 does not exist/);

    const badPayload = await refusalOf(handle.executeUpdate(u.assignTask, { args: [{ taskId: '1.1' } as never] }));
    expect(badPayload.type).toBe('IncidentInvalidInput');
    expect(badPayload.message).toMatch(/assignee/);
    expect(badPayload.details?.[0]).toMatchObject({ code: 'invalid_input', problems: [expect.stringMatching(/^assignee:/)] });

    const badSeverity = await refusalOf(handle.executeUpdate(u.setSeverity, { args: [{ severity: 'sev9' }] }));
    expect(badSeverity.type).toBe('IncidentInvalidInput');

    // Refused in the validator, so nothing was written to history and the state is unchanged.
    expect((await handle.describe()).historyLength).toBe(historyBefore);
    expect((await handle.query(incidentViewQuery)).status).toBe('reported');
  });

  it('reaches the same state through Signals as through Updates', async () => {
    const script: Array<[keyof typeof commandUpdates, Record<string, unknown>]> = [
      ['completeTask', { taskId: '1.1', actor: 'bob' }],
      ['assignTask', { taskId: '1.2', assignee: 'erin', actor: 'bob' }],
      ['changeCommander', { commander: 'bob', actor: 'alice' }],
      ['addTask', { checklist: '2', title: 'Warm the cache', actor: 'bob' }],
      ['skipTask', { taskId: '2.1', actor: 'bob' }],
      ['setSeverity', { severity: 'sev3', actor: 'bob' }],
      ['resolve', { summary: 'fixed', actor: 'bob' }],
    ];
    const viaUpdates = await startTestIncident(tested.env.client, tested.taskQueue);
    for (const [name, payload] of script) await viaUpdates.handle.executeUpdate(commandUpdates[name], { args: [payload as never] });
    const viaSignals = await startTestIncident(tested.env.client, tested.taskQueue);
    for (const [name, payload] of script) await viaSignals.handle.signal(commandSignals[name], payload as never);
    const signalled = await waitFor(
      () => viaSignals.handle.query(incidentViewQuery),
      (v) => v.status === 'resolved',
      { what: 'the signalled incident to be resolved' },
    );
    const updated = await viaUpdates.handle.query(incidentViewQuery);
    expect(essentials(signalled)).toEqual(essentials(updated));
    expect(essentials(signalled).kinds).toContain('task_added');
  });

  it('records an invalid Signal as rejected and keeps running', async () => {
    const { handle } = await startTestIncident(tested.env.client, tested.taskQueue);
    await handle.signal(commandSignals.close, { actor: 'mallory' });
    await handle.signal(commandSignals.completeTask, { taskId: 'no-such-task', actor: 'mallory' });
    await handle.signal(commandSignals.assignTask, 'not even an object' as never);
    const view = await waitFor(
      () => handle.query(incidentViewQuery),
      (v) => v.timeline.filter((e) => e.kind === 'command_rejected').length === 3,
      { what: 'three rejected signals in the timeline' },
    );
    const rejected = view.timeline.filter((e) => e.kind === 'command_rejected');
    expect(rejected.map((e) => e.data?.command)).toEqual(['close', 'completeTask', 'assignTask']);
    expect(rejected[0]!.text).toMatch(/signal close rejected: cannot close incident .* resolve it first/);
    expect(rejected[1]!.text).toMatch(/no task "no-such-task"/);
    expect(rejected[0]!.actor).toBe('mallory');
    expect(view.status).toBe('reported');
    // Still alive and taking commands.
    expect((await handle.executeUpdate(commandUpdates.acknowledge, { args: [{}] })).status).toBe('active');
  });

  it('keeps the search attributes current', async () => {
    const { handle } = await startTestIncident(tested.env.client, tested.taskQueue);
    const attributes = async () => (await handle.describe()).typedSearchAttributes;
    await waitFor(attributes, (a) => a.get(IncidentStatusKey) === 'reported', { what: 'initial search attributes' });
    let current = await attributes();
    expect([current.get(IncidentSeverityKey), current.get(IncidentCommanderKey), current.get(IncidentPlaybookKey), current.get(IncidentTeamKey)]).toEqual(
      ['sev2', 'alice', 'test-outage', 'shop'],
    );
    await handle.executeUpdate(commandUpdates.changeCommander, { args: [{ commander: 'bob' }] });
    await handle.executeUpdate(commandUpdates.setSeverity, { args: [{ severity: 'sev1' }] });
    current = await attributes();
    expect([current.get(IncidentStatusKey), current.get(IncidentSeverityKey), current.get(IncidentCommanderKey)]).toEqual([
      'active',
      'sev1',
      'bob',
    ]);
    const found = await waitFor(
      () => tested.env.client.workflow.count(`WorkflowId = '${handle.workflowId}' AND IncidentStatus = 'active' AND IncidentCommander = 'bob'`),
      (c) => c.count === 1,
      { what: 'visibility to index the new values' },
    );
    expect(found.count).toBe(1);
  });

  it('continues as new when history grows, carrying the whole state', async () => {
    const { handle } = await startTestIncident(tested.env.client, tested.taskQueue, {}, { continueAsNewAfterEvents: 40 });
    const firstRun = (await handle.describe()).runId;
    // Updates that meet the continue-as-new go again, as the API sends them.
    for (let n = 1; n <= 12; n++) await applyUpdate(handle, 'addNote', { text: `note ${n}` });
    await applyUpdate(handle, 'completeTask', { taskId: '1.1' });
    await waitFor(async () => (await handle.describe()).runId, (runId) => runId !== firstRun, { what: 'a new run' });
    const view = await handle.query(incidentViewQuery);
    expect(view.timeline.filter((e) => e.kind === 'note').map((e) => e.text)).toEqual(
      Array.from({ length: 12 }, (_, i) => `note ${i + 1}`),
    );
    expect(view.checklists[0]!.tasks[0]!.state).toBe('done');
    expect(view.launch.channel.status).toBe('done');
    // Commands keep working on the new run (the handle follows the workflow ID).
    const after = await updateThenView(handle, 'acknowledge', {});
    expect(after.status).toBe('active');
    expect((await handle.describe()).typedSearchAttributes.get(IncidentStatusKey)).toBe('active');
    // The launch did not run again in the new run.
    expect(workspace.records.channels.filter((c) => c.name.startsWith(`incident-${view.id}`))).toHaveLength(1);
  });
});
