/**
 * The bridge's link in the channel. The header and the link both wait for the meeting, so from incident-v20 the
 * launch's header activity posts the link beside the header (`setChannelHeader` with `notice`): no `postChannelNotice`
 * activity, nor the workflow task that scheduled it, in a launch with a meeting. The header also waits for the ticket:
 * when that keeps it waiting, the link goes up on its own about a second after the meeting. The link is posted once
 * whatever fails: a post that fails beside the header is posted by its own activity, a header that fails after the post
 * is tried again and finds the post.
 */
import { expect, it } from 'vitest';
import { InMemoryWorkspace } from '../fakes/in-memory-workspace.js';
import { waitFor } from '../helpers/wait-for.js';
import { incidentViewQuery } from '../../workflows/messages.js';
import { launchedAndAtRest, scheduledActivityInputs, startTestIncident, testPlaybook, workerForTests } from '../helpers/temporal.js';

const workspace = new InMemoryWorkspace();
const tested = workerForTests('bridge-with-header', { integrations: workspace });
const QUIET = { membershipCheckIntervalMs: 3_600_000 };
const playbook = { ...testPlaybook, zoom: { enabled: true } };

/** The bridge's posts in the channel (its link is the meeting's URL). */
function bridgePosts(channelId: string, meetingUrl: string) {
  return workspace.records.posts.filter((post) => post.channelId === channelId && post.message.includes(meetingUrl));
}

const bridgeNotices = (activities: Array<{ type: string; input: string }>) =>
  activities.filter((activity) => activity.type === 'postChannelNotice' && activity.input.includes(':notice:meeting-link'));

it('posts the bridge link in the activity that sets the header', async () => {
  const { handle } = await startTestIncident(tested.env.client, tested.taskQueue, { playbook }, QUIET);
  const view = await launchedAndAtRest(handle);
  expect(view.launch.meeting.status).toBe('done');
  expect(bridgePosts(view.links.channelId!, view.links.meetingUrl!)).toEqual([
    expect.objectContaining({ message: `:telephone_receiver: Incident bridge: ${view.links.meetingUrl}`, key: `${view.id}:notice:meeting-link` }),
  ]);
  const activities = await scheduledActivityInputs(handle);
  expect(bridgeNotices(activities)).toEqual([]);
  const headers = activities.filter((activity) => activity.type === 'setChannelHeader');
  expect(headers).toHaveLength(1);
  expect(JSON.parse(headers[0]!.input)).toMatchObject({ notice: { key: `${view.id}:notice:meeting-link`, fresh: true } });
});

it('posts the link on its own, without waiting for the header, when the ticket keeps the header waiting', async () => {
  // The issue tracker answers seconds late (as while it is being retried): the header waits for the ticket, the
  // bridge's link must not.
  await workspace.withFaults({ createIssue: { delayAfterMs: 4_000 } }, async () => {
    const { handle } = await startTestIncident(tested.env.client, tested.taskQueue, { playbook }, QUIET);
    const view = await launchedAndAtRest(handle);
    expect(view.launch.ticket.status).toBe('done');
    expect(bridgePosts(view.links.channelId!, view.links.meetingUrl!)).toHaveLength(1);
    const activities = await scheduledActivityInputs(handle);
    const types = activities.map((activity) => (activity.type === 'postChannelNotice' && activity.input.includes(':notice:meeting-link') ? 'bridge' : activity.type));
    // On its own, before the header (which waited for the ticket) and so without it.
    expect(types.indexOf('bridge')).toBeGreaterThan(-1);
    expect(types.indexOf('bridge')).toBeLessThan(types.indexOf('setChannelHeader'));
    const header = activities.find((activity) => activity.type === 'setChannelHeader')!;
    expect(JSON.parse(header.input)).not.toHaveProperty('notice');
    // Up about a second after the meeting, not after the ticket's four.
    const events = (await handle.fetchHistory()).events ?? [];
    const at = (event: (typeof events)[number]) => Number(event.eventTime?.seconds ?? 0) * 1000 + (event.eventTime?.nanos ?? 0) / 1e6;
    const bridgeScheduled = events.find((event) => event.activityTaskScheduledEventAttributes?.activityType?.name === 'postChannelNotice')!;
    expect(at(bridgeScheduled) - at(events[0]!)).toBeLessThan(3_000);
  });
});

it('sets the header without a notice when the playbook starts no meeting', async () => {
  const { handle } = await startTestIncident(tested.env.client, tested.taskQueue, { playbook: { ...testPlaybook, zoom: { enabled: false } } }, QUIET);
  const view = await launchedAndAtRest(handle);
  expect(view.launch.meeting.status).toBe('skipped');
  const headers = (await scheduledActivityInputs(handle)).filter((activity) => activity.type === 'setChannelHeader');
  expect(headers).toHaveLength(1);
  expect(JSON.parse(headers[0]!.input)).not.toHaveProperty('notice');
  expect(workspace.records.posts.filter((post) => post.channelId === view.links.channelId && post.message.includes('Incident bridge'))).toEqual([]);
});

it('posts the link on its own when its post fails beside the header, and only once', async () => {
  // The meeting answers late, so the channel and its checklist are in before the post beside the header fails.
  await workspace.withFaults({ createMeeting: { delayAfterMs: 1_500 } }, async () => {
    const { handle } = await startTestIncident(tested.env.client, tested.taskQueue, { playbook }, QUIET);
    await waitFor(() => handle.query(incidentViewQuery), (view) => view.launch.checklistPost.status === 'done', { what: 'the checklist posted' });
    await workspace.withFaults({ createPost: { failures: 1 } }, async () => {
      const view = await launchedAndAtRest(handle);
      expect(view.launch.channelHeader.status).toBe('done');
      expect(bridgePosts(view.links.channelId!, view.links.meetingUrl!)).toHaveLength(1);
      const activities = await scheduledActivityInputs(handle);
      // The header's activity was not tried again for the post; the post's own activity made it.
      expect(activities.filter((activity) => activity.type === 'setChannelHeader')).toHaveLength(1);
      expect(bridgeNotices(activities)).toHaveLength(1);
    });
  });
});

it('finds the link it posted when the header fails beside it, rather than posting it twice', async () => {
  await workspace.withFaults({ setChannelHeader: { failures: 1 } }, async () => {
    const before = workspace.callCount('setChannelHeader');
    const { handle } = await startTestIncident(tested.env.client, tested.taskQueue, { playbook }, QUIET);
    const view = await launchedAndAtRest(handle);
    expect(view.launch.channelHeader.status).toBe('done');
    // Two attempts of one activity: the first set no header but posted the link, the second found it.
    expect(workspace.callCount('setChannelHeader') - before).toBe(2);
    expect(bridgePosts(view.links.channelId!, view.links.meetingUrl!)).toHaveLength(1);
    const activities = await scheduledActivityInputs(handle);
    expect(activities.filter((activity) => activity.type === 'setChannelHeader')).toHaveLength(1);
    expect(bridgeNotices(activities)).toEqual([]);
  });
});
