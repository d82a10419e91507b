/**
 * The incident's life after the launch, on the real dev server with the in-memory integrations: status updates fanned
 * out (channel, broadcast channels, signed webhooks), reminders and their clock, due tasks, newcomers (timeline,
 * welcome message, sidebar), the retrospective, close with archive, and reminders that survive a worker restart and
 * continue-as-new. Playbook durations are shortened with the workflow's `timeScale` test hook (a "1m" reminder fires
 * after 2 s), so nothing here waits minutes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WorkflowHandle } from '@temporalio/client';
import type { IncidentView } from '../../domain/incident.js';
import type { PlaybookDefinition } from '../../domain/playbook/schema.js';
import { InMemoryWorkspace } from '../fakes/in-memory-workspace.js';
import { outboundAllowList } from '../../security/outbound-address-policy.js';
import { commandUpdates, incidentViewQuery, membersChangedSignal } from '../../workflows/messages.js';
import type { IncidentWorkflowOptions } from '../../workflows/incident.js';
import { connectToTestServer, runTestWorker, startTestIncident, uniqueTaskQueue, updateThenView, applyUpdate } from '../helpers/temporal.js';
import { startWebhookReceiver, type WebhookReceiver } from '../helpers/webhook-receiver.js';
import { waitFor } from '../helpers/wait-for.js';

let env: TestWorkflowEnvironment;
let worker: Awaited<ReturnType<typeof runTestWorker>> | undefined;
let receiver: WebhookReceiver;
const SECRET = 'lifecycle-webhook-secret';
const workspace = new InMemoryWorkspace({ users: ['incident-bot', 'alice', 'bob', 'carol', 'erin'] });
const taskQueue = uniqueTaskQueue('incident-lifecycle');
const startWorker = () => runTestWorker(env, taskQueue, { integrations: workspace, webhooks: { env: { INCIDENT_WEBHOOK_SECRET_LIFECYCLE: SECRET }, allowList: outboundAllowList('127.0.0.1') } });

/** "1m" in a playbook is 2 s here; members are looked at twice a second. */
const FAST: IncidentWorkflowOptions = { timeScale: 30, membershipCheckIntervalMs: 500 };

beforeAll(async () => {
  env = await connectToTestServer();
  receiver = await startWebhookReceiver({ secret: SECRET });
  // The broadcast channel exists before any incident, as in a real team.
  await workspace.chat.createChannel({ team: 'shop', name: 'announcements', displayName: 'Announcements', purpose: '', private: false });
  worker = await startWorker();
});

afterAll(async () => {
  await worker?.stop();
  await receiver?.close();
  await env?.teardown();
});

function lifecyclePlaybook(overrides: Partial<PlaybookDefinition> = {}): PlaybookDefinition {
  return {
    id: 'lifecycle',
    title: 'Lifecycle',
    severities: ['sev1', 'sev2'],
    channel: { headerTemplate: '{{severity}} · commander {{commander}}', purposeTemplate: 'Incident {{id}}: {{name}}' },
    welcomeMessage: 'Welcome to {{channel}}: {{name}}. Ask {{commander}} what to pick up.',
    checklists: [{ title: 'Triage', tasks: [{ id: 'page', title: 'Page the owners', assignee: 'bob' }] }],
    ...overrides,
  };
}

const view = (handle: WorkflowHandle) => handle.query(incidentViewQuery);
const channelOf = async (handle: WorkflowHandle): Promise<string> =>
  (await waitFor(() => view(handle), (v) => v.launch.channelHeader.status === 'done', { what: 'the launch' })).links.channelId!;
const postsIn = (channelId: string) => workspace.records.posts.filter((post) => post.channelId === channelId);
const waitForPost = (channelId: string, pattern: RegExp, what: string, timeoutMs = 20_000) =>
  waitFor(() => postsIn(channelId).filter((post) => pattern.test(post.message)), (found) => found.length > 0, { what, timeoutMs }).then((found) => found[0]!);
const waitForEvent = (handle: WorkflowHandle, accept: (v: IncidentView) => boolean, what: string) => waitFor(() => view(handle), accept, { what });

describe('status updates', () => {
  it('reach the channel, every broadcast channel and a signed webhook; a refused delivery is retried by command', async () => {
    receiver.reset();
    const playbook = lifecyclePlaybook({
      statusUpdates: {
        broadcastChannels: ['announcements'],
        webhooks: [{ url: `${receiver.url}/incidents`, secretEnv: 'INCIDENT_WEBHOOK_SECRET_LIFECYCLE', events: ['incident-started', 'status-update', 'incident-resolved'] }],
      },
    });
    const { id, handle } = await startTestIncident(env.client, taskQueue, { playbook }, FAST);
    const channelId = await channelOf(handle);
    const channel = workspace.records.channels.find((c) => c.id === channelId)!;
    expect(channel.header).toBe('sev2 · commander @alice');
    expect(channel.purpose).toBe(`Incident ${id}: Checkout is down`);

    const [started] = await receiver.waitForDeliveries(1);
    expect(started).toMatchObject({ event: 'incident-started', verified: true });
    expect(started!.json).toMatchObject({ event: 'incident-started', incident: { id, status: 'reported', links: { channel: expect.any(String) } } });

    await handle.executeUpdate(commandUpdates.postStatusUpdate, { args: [{ message: 'Payments fail for EU cards; rolling back.', actor: 'alice' }] });
    await waitForPost(channelId, /^#### Status update 1 from @alice\nPayments fail/, 'the update in the incident channel');
    const announcements = workspace.records.channels.find((c) => c.name === 'announcements')!;
    const copy = await waitForPost(announcements.id, /Status update 1 on incident/, 'the copy in ~announcements');
    expect(copy.message).toContain('Payments fail for EU cards; rolling back.');
    const [, update] = await receiver.waitForDeliveries(2);
    expect(update).toMatchObject({ event: 'status-update', verified: true });
    expect(update!.json).toMatchObject({ event: 'status-update', incident: { id, status: 'active' }, update: { number: 1, author: 'alice', message: 'Payments fail for EU cards; rolling back.' } });

    // The receiver refuses the next one outright (a 400 is not retried): the failure is in the timeline until retried.
    // Its answer's body never reaches the timeline or the channel: only the status and its standard reason do.
    receiver.respondWith(400, { times: 1, body: 'internal answer: db password hunter2' });
    await handle.executeUpdate(commandUpdates.postStatusUpdate, { args: [{ message: 'Rolled back.', actor: 'alice' }] });
    const failed = await waitForEvent(handle, (v) => v.followUps.some((f) => f.kind === 'deliverWebhook' && f.status === 'failed'), 'the refused delivery');
    const failure = failed.timeline.filter((e) => e.kind === 'integration_failed').at(-1)!.text;
    expect(failure).toMatch(/^Telling a webhook failed: .*400: Bad Request/);
    expect(failure).not.toContain('hunter2');
    const notice = await waitForPost(channelId, /Telling a webhook failed[\s\S]*\/incident retry deliverWebhook/, 'the failure notice in the channel');
    expect(notice.message).not.toContain('hunter2');
    await handle.executeUpdate(commandUpdates.retryIntegration, { args: [{ step: 'deliverWebhook', actor: 'alice' }] });
    const deliveries = await receiver.waitForDeliveries(4);
    expect(deliveries[3]).toMatchObject({ event: 'status-update', verified: true, status: 204 });
    // The retry is the same delivery: receivers de-duplicate by its ID.
    expect(deliveries[3]!.deliveryId).toBe(deliveries[2]!.deliveryId);
    expect((deliveries[3]!.json as { update: { number: number } }).update.number).toBe(2);
  });
});

describe('the channel header', () => {
  it('follows the incident: status, commander and severity as they change, one header for a burst of changes', async () => {
    const playbook = lifecyclePlaybook({ channel: { headerTemplate: '{{severity}} · {{status}} · commander {{commander}}' } });
    const { handle } = await startTestIncident(env.client, taskQueue, { playbook }, FAST);
    const channelId = await channelOf(handle);
    const header = () => workspace.records.channels.find((c) => c.id === channelId)!.header;
    expect(header()).toBe('sev2 · reported · commander @alice');
    const setsBefore = workspace.records.calls.filter((call) => call.operation === 'setChannelHeader').length;
    await handle.executeUpdate(commandUpdates.changeCommander, { args: [{ commander: 'bob', actor: 'alice' }] });
    await handle.executeUpdate(commandUpdates.setSeverity, { args: [{ severity: 'sev1', actor: 'bob' }] });
    await waitFor(header, (shown) => shown === 'sev1 · active · commander @bob', { what: 'the header to follow' });
    expect(workspace.records.calls.filter((call) => call.operation === 'setChannelHeader').length - setsBefore).toBe(1);
  });

  it('shows the close too (incident-v21), however quickly it follows, before the workflow ends', async () => {
    const playbook = lifecyclePlaybook({ channel: { headerTemplate: '{{severity}} · {{status}} · commander {{commander}}' }, retrospective: { enabled: false } });
    const { handle } = await startTestIncident(env.client, taskQueue, { playbook }, FAST);
    const channelId = await channelOf(handle);
    const header = () => workspace.records.channels.find((c) => c.id === channelId)!.header;
    expect(header()).toBe('sev2 · reported · commander @alice');
    // Acknowledged, resolved and closed at once: the header must not stay at "reported".
    for (const [command, args] of [
      [commandUpdates.acknowledge, { actor: 'alice' }],
      [commandUpdates.resolve, { actor: 'alice' }],
      [commandUpdates.close, { actor: 'alice' }],
    ] as const) {
      await handle.executeUpdate(command as typeof commandUpdates.close, { args: [args] });
    }
    await handle.result();
    expect(header()).toBe('sev2 · closed · commander @alice');
  });
});

describe('failures told to the channel', () => {
  it('a broadcast channel that does not exist is reported in the channel once, at every update in the timeline', async () => {
    const playbook = lifecyclePlaybook({ statusUpdates: { broadcastChannels: ['nowhere-to-be-found'] } });
    const { handle } = await startTestIncident(env.client, taskQueue, { playbook }, FAST);
    const channelId = await channelOf(handle);
    for (const message of ['First look.', 'Second look.', 'Third look.']) {
      await handle.executeUpdate(commandUpdates.postStatusUpdate, { args: [{ message, actor: 'alice' }] });
    }
    const failed = await waitForEvent(handle, (v) => v.timeline.filter((e) => e.kind === 'integration_failed').length === 3, 'three failed broadcasts');
    expect(failed.timeline.filter((e) => e.kind === 'integration_failed').map((e) => e.data?.step)).toEqual(['broadcastStatusUpdate', 'broadcastStatusUpdate', 'broadcastStatusUpdate']);
    expect(postsIn(channelId).filter((p) => /^:warning: .*failed/.test(p.message))).toHaveLength(1);
  });
});

describe('reminders', () => {
  it('remind the commander when an update is due, and each update resets the clock', async () => {
    const playbook = lifecyclePlaybook({ statusUpdates: { reminder: '1m' } });
    const { handle } = await startTestIncident(env.client, taskQueue, { playbook }, FAST);
    const channelId = await channelOf(handle);
    const first = await waitForPost(channelId, /@alice, a status update is due: none was posted since the incident was reported/, 'the first reminder');
    expect(first.message).toMatch(/\/incident update/);
    const before = postsIn(channelId).filter((p) => /status update is (due|overdue)/.test(p.message)).length;
    const updated = await updateThenView(handle, 'postStatusUpdate', { message: 'Looking into it', actor: 'alice' });
    const updatedAt = Date.parse(updated.statusUpdates.at(-1)!.at);
    const after = await waitFor(
      () => view(handle),
      (v) => v.timeline.some((e) => e.kind === 'reminder_sent' && Date.parse(e.at) > updatedAt),
      { what: 'the reminder after the update' },
    );
    const next = after.timeline.find((e) => e.kind === 'reminder_sent' && Date.parse(e.at) > updatedAt)!;
    // Not before an interval (2 s here) after the update, and it names the update it follows.
    expect(Date.parse(next.at) - updatedAt).toBeGreaterThanOrEqual(1_900);
    expect(next.text).toMatch(/the last one, #1, was posted/);
    // The post follows the timeline event (an activity after the workflow task that recorded it): wait for it.
    await waitFor(() => postsIn(channelId).filter((p) => /status update is (due|overdue)/.test(p.message)).length, (count) => count > before, { what: 'the reminder post after the update' });
    await handle.executeUpdate(commandUpdates.acknowledge, { args: [{ actor: 'alice' }] }).catch(() => undefined);
    await handle.executeUpdate(commandUpdates.resolve, { args: [{ actor: 'alice' }] });
  });

  it('warn the assignee before a task is due, then mark it overdue in the checklist post', async () => {
    const playbook = lifecyclePlaybook({
      checklists: [{ title: 'Triage', tasks: [{ id: 'page', title: 'Page the owners', assignee: 'bob', due: '2m' }, { id: 'fine', title: 'Done in time', due: '2m' }] }],
    });
    const { handle } = await startTestIncident(env.client, taskQueue, { playbook }, FAST);
    const channelId = await channelOf(handle);
    await handle.executeUpdate(commandUpdates.completeTask, { args: [{ taskId: 'fine', actor: 'alice' }] });
    await waitForPost(channelId, /@bob, task 1\.1 "Page the owners" is due in under a minute/, 'the warning');
    await waitForPost(channelId, /@bob, task 1\.1 "Page the owners" is overdue/, 'the overdue reminder');
    const checklist = await waitFor(
      () => workspace.records.posts.find((p) => p.channelId === channelId && p.pinned),
      (post) => JSON.stringify(post?.props ?? {}).includes('**overdue**'),
      { what: 'the overdue mark in the checklist post' },
    );
    expect(JSON.stringify(checklist!.props)).not.toMatch(/Done in time[^"]*overdue/);
    const reminders = (await view(handle)).timeline.filter((e) => e.kind === 'reminder_sent');
    expect(reminders.map((e) => [e.data?.reminder, e.data?.taskId])).toEqual([
      ['taskDueSoon', 'page'],
      ['taskOverdue', 'page'],
    ]);
  });

  it('survive a worker that was down when they fell due: the next worker sends each once', async () => {
    const playbook = lifecyclePlaybook({ statusUpdates: { reminder: '2m' } });
    const { handle } = await startTestIncident(env.client, taskQueue, { playbook }, FAST);
    const channelId = await channelOf(handle);
    await worker!.stop();
    worker = undefined;
    const stoppedAt = Date.now();
    // Nobody is polling the task queue while the reminder (4 s after the start) falls due.
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, 5_000 - (Date.now() - stoppedAt))));
    expect(postsIn(channelId).some((p) => /status update is due/.test(p.message))).toBe(false);
    worker = await startWorker();
    await waitForPost(channelId, /@alice, a status update is due/, 'the reminder after the restart');
    const sent = (await view(handle)).timeline.filter((e) => e.kind === 'reminder_sent');
    expect(sent).toHaveLength(1);
  });

  it('carry over continue-as-new: a run that ends mid-interval does not lose or repeat a reminder', async () => {
    const playbook = lifecyclePlaybook({ statusUpdates: { reminder: '1m' } });
    const { handle } = await startTestIncident(env.client, taskQueue, { playbook }, { ...FAST, continueAsNewAfterEvents: 40 });
    const channelId = await channelOf(handle);
    // Enough changes to roll the history over at least once while reminders keep coming.
    for (let i = 0; i < 12; i++) await applyUpdate(handle, 'addNote', { text: `note ${i}`, actor: 'bob' });
    const later = await waitFor(
      () => view(handle),
      (v) => v.timeline.filter((e) => e.kind === 'reminder_sent').length >= 3,
      { what: 'three reminders', timeoutMs: 30_000 },
    );
    const description = await handle.describe();
    expect(description.runId).not.toBe(handle.firstExecutionRunId);
    expect(later.timeline.filter((e) => e.kind === 'note')).toHaveLength(12);
    // One post per reminder: none repeated by a new run, none lost. Reminders keep coming and each one's post follows
    // its event, so the two are compared at a moment when no reminder came between reading them (events, posts, events).
    const reminders = async () => (await view(handle)).timeline.filter((e) => e.kind === 'reminder_sent').length;
    const counted = await waitFor(
      async () => {
        const before = await reminders();
        const posts = postsIn(channelId).filter((p) => /status update is (due|overdue)/.test(p.message)).length;
        return { before, posts, after: await reminders() };
      },
      (c) => c.before === c.after && c.posts >= c.before,
      { what: 'every reminder posted, read between two reminders', timeoutMs: 30_000 },
    );
    expect(counted.posts).toBe(counted.before);
  });
});

describe('members', () => {
  it('puts the channel in everyone\'s sidebar; newcomers are welcomed, sorted into the sidebar and recorded', async () => {
    const { handle } = await startTestIncident(env.client, taskQueue, { playbook: lifecyclePlaybook() }, FAST);
    const channelId = await channelOf(handle);
    const launched = await waitForEvent(handle, (v) => v.launch.sidebar.status === 'done' && v.members !== undefined, 'the sidebar step and the member baseline');
    expect(workspace.records.sidebars.alice?.find((c) => c.category === 'Incidents')?.channelIds).toContain(channelId);
    expect(workspace.records.sidebars.bob?.find((c) => c.category === 'Incidents')?.channelIds).toContain(channelId);
    expect(launched.members).toEqual(expect.arrayContaining(['alice', 'bob']));

    const channel = workspace.records.channels.find((c) => c.id === channelId)!;
    channel.members.push('erin');
    channel.members.splice(channel.members.indexOf('bob'), 1);
    const after = await waitForEvent(handle, (v) => v.timeline.some((e) => e.kind === 'member_left'), 'the join and the leave');
    expect(after.timeline.filter((e) => e.kind === 'member_joined' || e.kind === 'member_left').map((e) => e.text)).toEqual([
      '@erin joined the channel',
      '@bob left the channel',
    ]);
    const welcome = await waitFor(() => workspace.records.directMessages.filter((dm) => dm.username === 'erin'), (dms) => dms.length > 0, { what: 'the welcome DM' });
    expect(welcome).toHaveLength(1);
    expect(welcome[0]!.message).toBe(`Welcome to ~${channel.name}: Checkout is down. Ask @alice what to pick up.`);
    await waitFor(() => workspace.records.sidebars.erin?.find((c) => c.category === 'Incidents')?.channelIds ?? [], (ids) => ids.includes(channelId), {
      what: "the channel in erin's sidebar",
    });
  });

  it('takes the first look at the members with the invitations (incident-v13), and the joins they announce bring no look at once', async () => {
    const { handle } = await startTestIncident(env.client, taskQueue, { playbook: lifecyclePlaybook() }, { ...FAST, membershipCheckIntervalMs: 3_600_000 });
    const launched = await waitForEvent(handle, (v) => Object.values(v.launch).every((step) => step.status !== 'pending') && v.members !== undefined, 'the launch');
    expect(launched.members).toEqual(expect.arrayContaining(['alice', 'bob']));
    const events = async () => (await handle.fetchHistory()).events!;
    const scheduled = (all: Awaited<ReturnType<typeof events>>, type: string) => all.filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === type);
    // The baseline came with the invitations: no look of its own.
    expect(scheduled(await events(), 'channelMembers')).toHaveLength(0);
    // Mattermost announces each invited member as they are added (its websocket; membersChanged here): the next look
    // is timed from the invitations' look, as from one of its own, not made at once.
    await handle.signal(membersChangedSignal);
    const all = await waitFor(events, (found) => scheduled(found, 'channelMembers').length > 0, { what: 'the look the signal asked for' });
    const invite = scheduled(all, 'inviteParticipants')[0]!;
    const invited = all.find((e) => e.activityTaskCompletedEventAttributes?.scheduledEventId?.toString() === invite.eventId!.toString())!;
    const look = scheduled(all, 'channelMembers')[0]!;
    const gapMs = Number(look.eventTime!.seconds!) * 1000 + look.eventTime!.nanos! / 1e6 - (Number(invited.eventTime!.seconds!) * 1000 + invited.eventTime!.nanos! / 1e6);
    expect(gapMs).toBeGreaterThanOrEqual(1_500);
  });

  it('looks at the members when told they changed (membersChanged), not only at its periodic look, and a burst makes a look or two', async () => {
    // The periodic look is an hour away: only the signal can explain a look within seconds.
    const { handle } = await startTestIncident(env.client, taskQueue, { playbook: lifecyclePlaybook() }, { ...FAST, membershipCheckIntervalMs: 3_600_000 });
    const channelId = await channelOf(handle);
    await waitForEvent(handle, (v) => v.members !== undefined, 'the member baseline');
    const channel = workspace.records.channels.find((c) => c.id === channelId)!;
    channel.members.push('erin');
    const looksBefore = (await handle.fetchHistory()).events!.filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'channelMembers').length;
    for (let i = 0; i < 10; i++) await handle.signal(membersChangedSignal);
    const joined = await waitForEvent(handle, (v) => v.timeline.some((e) => e.kind === 'member_joined'), 'the join');
    expect(joined.timeline.filter((e) => e.kind === 'member_joined').map((e) => e.text)).toEqual(['@erin joined the channel']);
    await waitFor(() => workspace.records.directMessages.filter((dm) => dm.username === 'erin' && dm.message.includes(channel.name)), (dms) => dms.length === 1, { what: 'the welcome DM' });
    // Ten signals at once: one look at once, at most one more two seconds later (MIN_ASKED_LOOK_GAP_MS), not ten.
    const looks = async () => (await handle.fetchHistory()).events!.filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'channelMembers').length - looksBefore;
    expect(await looks()).toBeGreaterThanOrEqual(1);
    expect(await looks()).toBeLessThanOrEqual(2);
  });

  it('skips the sidebar with a timeline note when the bot may not edit other people\'s sidebars', async () => {
    workspace.setSidebarForbidden(true);
    try {
      const { handle } = await startTestIncident(env.client, taskQueue, { playbook: lifecyclePlaybook() }, FAST);
      const launched = await waitForEvent(handle, (v) => v.launch.sidebar.status !== 'pending' && v.launch.channelHeader.status === 'done', 'the launch');
      expect(launched.launch.sidebar.status).toBe('skipped');
      expect(launched.launch.sidebar.error).toMatch(/manage other users' sidebar categories/);
      expect(launched.timeline.find((e) => e.data?.step === 'sidebar')!.text).toMatch(/^Sidebar categories skipped: the bot may not edit other people's sidebars/);
      expect(launched.status).toBe('reported');
    } finally {
      workspace.setSidebarForbidden(false);
    }
  });
});

describe('resolution, retrospective and close', () => {
  it('drafts the retrospective on resolve, reminds until it is published, posts it, then close archives the channel and ends', async () => {
    const playbook = lifecyclePlaybook({ retrospective: { reminder: '1m' }, archiveChannelOnClose: true });
    const { handle } = await startTestIncident(env.client, taskQueue, { playbook }, FAST);
    const channelId = await channelOf(handle);
    await handle.executeUpdate(commandUpdates.completeTask, { args: [{ taskId: 'page', actor: 'bob' }] });
    await handle.executeUpdate(commandUpdates.acknowledge, { args: [{ actor: 'alice' }] });
    const resolved = await updateThenView(handle, 'resolve', { actor: 'alice', summary: 'A bad deploy; rolled back.' });
    expect(resolved.retrospective).toMatchObject({ status: 'draft', reminders: 0 });
    expect(resolved.retrospective!.text).toContain('- [x] 1.1 Page the owners: done by @bob');
    await waitForPost(channelId, /@alice, the retrospective is still a draft/, 'the retrospective reminder');
    await handle.executeUpdate(commandUpdates.editRetrospective, { args: [{ text: '## What happened\nA bad deploy.', actor: 'alice' }] });
    await handle.executeUpdate(commandUpdates.publishRetrospective, { args: [{ actor: 'alice' }] });
    const published = await waitForPost(channelId, /^### :memo: Retrospective, published by @alice/, 'the published retrospective');
    expect(published.message).toContain('## What happened\nA bad deploy.');
    const reminded = (await view(handle)).retrospective!.reminders;

    await handle.executeUpdate(commandUpdates.close, { args: [{ actor: 'alice' }] });
    const final = (await handle.result()) as IncidentView;
    expect(final.status).toBe('closed');
    expect(final.followUps.find((f) => f.kind === 'archiveChannel')).toMatchObject({ status: 'done' });
    expect(workspace.records.channels.find((c) => c.id === channelId)!.archived).toBe(true);
    expect(final.retrospective).toMatchObject({ status: 'published', reminders: reminded });
    expect((await handle.describe()).status.name).toBe('COMPLETED');
  });
});
