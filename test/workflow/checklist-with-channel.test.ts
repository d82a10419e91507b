/**
 * From incident-v15 a first launch whose checklist does not show who is on call posts it in the channel's own activity
 * (`openIncidentChannel` with `checklist`): no workflow task and no second activity between making the channel and
 * posting the checklist. From incident-v19 one whose checklist shows the on-call (their tasks, or them as commander)
 * does too: the activity looks up who is on call while it makes the channel and posts the checklist drawn with them
 * (`checklistWithOnCall`), and the workflow takes who is on call from the same answer. A post that fails with the
 * channel does not fail the channel: `postChecklist` posts it on its own, looking first for a post the failed try may
 * have made; an on-call lookup that fails or is slow there is made again by the on-call's own activity.
 */
import { expect, it } from 'vitest';
import type { PlaybookDefinition } from '../../domain/playbook/schema.js';
import { ON_CALL_WITH_CHANNEL_WAIT_MS } from '../../activities/chat.js';
import { checklistRevision } from '../../formats/checklist-message.js';
import { InMemoryWorkspace } from '../fakes/in-memory-workspace.js';
import { launchedAndAtRest, startTestIncident, testPlaybook, workerForTests, scheduledActivities, scheduledActivityInputs } from '../helpers/temporal.js';

const workspace = new InMemoryWorkspace({ onCall: { 'with-channel': ['oscar@example.com'], 'slow-on-call': ['oscar@example.com'], 'failing-on-call': ['oscar@example.com'], 'reused-channel': ['oscar@example.com'] } });
const tested = workerForTests('checklist-with-channel', { integrations: workspace });
const QUIET = { membershipCheckIntervalMs: 3_600_000 };

const checklistPostsIn = (channelId: string) => workspace.records.posts.filter((post) => post.channelId === channelId && post.key.endsWith(':checklistPost'));

it('posts and pins the checklist in the activity that makes the channel', async () => {
  const { handle } = await startTestIncident(tested.env.client, tested.taskQueue, { playbook: testPlaybook }, QUIET);
  const view = await launchedAndAtRest(handle);
  expect(view.launch.channel.status).toBe('done');
  expect(view.launch.checklistPost.status).toBe('done');
  const types = await scheduledActivities(handle);
  expect(types).toContain('openIncidentChannel');
  expect(types).not.toContain('postChecklist');
  const posts = checklistPostsIn(view.links.channelId!);
  expect(posts).toHaveLength(1);
  expect(posts[0]!.pinned).toBe(true);
  expect(view.links.checklistPostId).toBe(posts[0]!.id);
  expect(posts[0]!.message).toContain('0/3 tasks done');
  expect(JSON.stringify(posts[0]!.props)).toContain('Assess impact');
  // Recorded as before: the channel, then the checklist (the channel ready, in the same workflow task).
  const steps = view.timeline.filter((event) => event.kind === 'integration_succeeded').map((event) => event.data?.step);
  expect(steps.indexOf('channel')).toBeGreaterThanOrEqual(0);
  expect(steps.indexOf('checklistPost')).toBeGreaterThan(steps.indexOf('channel'));
});

it('looks up who is on call while it makes the channel, and posts the checklist drawn with them (incident-v19)', async () => {
  const playbook: PlaybookDefinition = { ...testPlaybook, opsgenie: { schedule: 'with-channel' }, defaultCommander: 'oncall' };
  const { handle } = await startTestIncident(tested.env.client, tested.taskQueue, { playbook }, QUIET);
  const view = await launchedAndAtRest(handle);
  expect(view.commander).toBe('oscar');
  expect(view.launch.oncall.status).toBe('done');
  const types = await scheduledActivities(handle);
  expect(types).not.toContain('onCallPeople');
  expect(types).not.toContain('postChecklist');
  expect(types).not.toContain('refreshChecklist');
  const posts = checklistPostsIn(view.links.channelId!);
  expect(posts).toHaveLength(1);
  expect(posts[0]!.pinned).toBe(true);
  expect(posts[0]!.message).toContain('commander @oscar');
  // What it shows is the incident as the workflow has it: nothing to draw again.
  expect(view.checklistRevisionShown).toBe(checklistRevision(view));
  const texts = view.timeline.filter((event) => event.kind === 'integration_succeeded').map((event) => event.text);
  expect(texts).toEqual(expect.arrayContaining(['On call: @oscar', 'Checklist posted and pinned']));
});

it('asks who is on call on its own, then posts the checklist, when the lookup with the channel fails', async () => {
  await workspace.withFaults({ whoIsOnCall: { failures: 1 } }, async () => {
    const playbook: PlaybookDefinition = { ...testPlaybook, opsgenie: { schedule: 'failing-on-call' }, defaultCommander: 'oncall' };
    const { handle } = await startTestIncident(tested.env.client, tested.taskQueue, { playbook }, QUIET);
    const view = await launchedAndAtRest(handle);
    expect(view.commander).toBe('oscar');
    const types = await scheduledActivities(handle);
    expect(types.filter((type) => type === 'openIncidentChannel')).toHaveLength(1);
    expect(types).toContain('onCallPeople');
    expect(types).toContain('postChecklist');
    const posts = checklistPostsIn(view.links.channelId!);
    expect(posts).toHaveLength(1);
    expect(posts[0]!.message).toContain('commander @oscar');
    expect(view.checklistRevisionShown).toBe(checklistRevision(view));
  });
});

it('looks for an earlier try\'s post when the channel was made by that try and who is on call is not known with it', async () => {
  // The channel's first try makes the channel but never hears so; its second finds the channel (made by an earlier
  // try, which may have posted the checklist) while the on-call service fails both tries' lookups. The launch then
  // asks who is on call with its own activity and posts the checklist, looking first for that earlier post.
  await workspace.withFaults({ createChannel: { failures: 1, afterEffect: true }, whoIsOnCall: { failures: 2 } }, async () => {
    // A schedule of its own: the worker keeps who was on call for a schedule for a while (ON_CALL_CACHE_MS).
    const playbook: PlaybookDefinition = { ...testPlaybook, opsgenie: { schedule: 'reused-channel' }, defaultCommander: 'oncall' };
    const { handle } = await startTestIncident(tested.env.client, tested.taskQueue, { playbook }, QUIET);
    const view = await launchedAndAtRest(handle);
    expect(view.commander).toBe('oscar');
    // One channel under the incident's channel name: the second try found it.
    expect(view.links.channelName).toBeDefined();
    expect(workspace.records.channels.filter((channel) => channel.name === view.links.channelName)).toHaveLength(1);
    const scheduled = await scheduledActivityInputs(handle);
    const input = (type: string) => scheduled.filter((activity) => activity.type === type).map((activity) => JSON.parse(activity.input) as Record<string, unknown>);
    expect(input('openIncidentChannel')).toHaveLength(1);
    expect(input('onCallPeople')).toHaveLength(1);
    // Not a fresh post: the earlier try may have made one.
    expect(input('postChecklist')).toEqual([expect.objectContaining({ fresh: false })]);
    const posts = checklistPostsIn(view.links.channelId!);
    expect(posts).toHaveLength(1);
    expect(posts[0]!.message).toContain('commander @oscar');
  });
});

it('does not hold the channel up for a slow on-call service: the on-call activity waits for it instead', async () => {
  // Answered after the channel's activity stopped waiting (ON_CALL_WITH_CHANNEL_WAIT_MS). Each test asks for a schedule
  // of its own: the worker keeps who was on call for a schedule for a while (ON_CALL_CACHE_MS).
  await workspace.withFaults({ whoIsOnCall: { failures: 0, delayAfterMs: ON_CALL_WITH_CHANNEL_WAIT_MS + 3_000 } }, async () => {
    const playbook: PlaybookDefinition = { ...testPlaybook, opsgenie: { schedule: 'slow-on-call' }, defaultCommander: 'oncall' };
    const { handle } = await startTestIncident(tested.env.client, tested.taskQueue, { playbook }, QUIET);
    const view = await launchedAndAtRest(handle);
    const channelDone = view.timeline.find((event) => event.data?.step === 'channel')!;
    expect(Date.parse(channelDone.at) - Date.parse(view.reportedAt)).toBeLessThan(ON_CALL_WITH_CHANNEL_WAIT_MS + 2_000);
    expect(view.launch.oncall.status).toBe('done');
    expect(await scheduledActivities(handle)).toEqual(expect.arrayContaining(['onCallPeople', 'postChecklist']));
    expect(checklistPostsIn(view.links.channelId!)).toHaveLength(1);
  });
});

it('keeps the channel when the post fails with it, and posts the checklist on its own', async () => {
  // The first post fails (a 503): the channel's activity answers the channel and why the post failed.
  await workspace.withFaults({ createPost: { failures: 1 } }, async () => {
    const { handle } = await startTestIncident(tested.env.client, tested.taskQueue, { playbook: testPlaybook }, QUIET);
    const view = await launchedAndAtRest(handle);
    expect(view.launch.channel.status).toBe('done');
    expect(view.launch.checklistPost.status).toBe('done');
    const types = await scheduledActivities(handle);
    // One channel activity (not retried for the post), then the checklist's own.
    expect(types.filter((type) => type === 'openIncidentChannel')).toHaveLength(1);
    expect(types).toContain('postChecklist');
    const posts = checklistPostsIn(view.links.channelId!);
    expect(posts).toHaveLength(1);
    expect(posts[0]!.pinned).toBe(true);
    expect(view.links.checklistPostId).toBe(posts[0]!.id);
    expect(view.timeline.some((event) => event.kind === 'integration_failed')).toBe(false);
  });
});

it('says in the timeline why the checklist could not be posted when it cannot be, and keeps the channel', async () => {
  // Refused for good (a 400): with the channel, and again on its own.
  await workspace.withFaults({ createPost: { failures: 2, retryable: false } }, async () => {
    const { handle } = await startTestIncident(tested.env.client, tested.taskQueue, { playbook: testPlaybook }, QUIET);
    const view = await launchedAndAtRest(handle);
    expect(view.launch.channel.status).toBe('done');
    expect(view.launch.checklistPost).toMatchObject({ status: 'failed', error: expect.stringContaining('createPost failed') });
    expect(view.launch.channelHeader.status).toBe('done');
    expect(checklistPostsIn(view.links.channelId!)).toHaveLength(0);
  });
});
