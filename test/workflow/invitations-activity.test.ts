/**
 * What the invitations' activity does besides adding the people. From incident-v17 it also puts the channel in their
 * sidebar category once they are in the channel (`inviteParticipants` with `sidebar`): no workflow task and no
 * `placeInSidebar` activity between the two. A placement that fails there does not fail the invitations: refused (the
 * bot may not edit sidebars), the step is skipped as before; any other failure is placed again by `placeInSidebar`
 * with its retries. From incident-v18 it also looks up who is in the playbook's user groups (`groups`), below.
 */
import { expect, it } from 'vitest';
import { InMemoryWorkspace } from '../fakes/in-memory-workspace.js';
import { launchedAndAtRest, scheduledActivities, startTestIncident, testPlaybook, workerForTests } from '../helpers/temporal.js';

const workspace = new InMemoryWorkspace();
const tested = workerForTests('invitations-activity', { integrations: workspace });
const QUIET = { membershipCheckIntervalMs: 3_600_000 };
/** The reporter (alice) and the playbook's assignee (carol) are invited; both are people the workspace knows. */
const INVITED = ['alice', 'carol'];

/** Who has the channel in their "Incidents" sidebar category. */
function placedFor(channelId: string): string[] {
  return Object.entries(workspace.records.sidebars)
    .filter(([, categories]) => categories.some((category) => category.category === 'Incidents' && category.channelIds.includes(channelId)))
    .map(([username]) => username)
    .sort();
}

const sidebarEvent = (view: Awaited<ReturnType<typeof launchedAndAtRest>>) => view.timeline.find((event) => event.data?.step === 'sidebar');

it('places the sidebar in the activity that invites the people', async () => {
  const { handle } = await startTestIncident(tested.env.client, tested.taskQueue, { playbook: testPlaybook }, QUIET);
  const view = await launchedAndAtRest(handle);
  expect(view.launch.invite.status).toBe('done');
  expect(view.launch.sidebar.status).toBe('done');
  const types = await scheduledActivities(handle);
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
    const { handle } = await startTestIncident(tested.env.client, tested.taskQueue, { playbook: testPlaybook }, QUIET);
    const view = await launchedAndAtRest(handle);
    expect(view.launch.invite.status).toBe('done');
    expect(view.launch.sidebar.status).toBe('skipped');
    expect(view.launch.sidebar.error).toMatch(/manage other users' sidebar categories/);
    expect(sidebarEvent(view)!.text).toMatch(/^Sidebar categories skipped: the bot may not edit other people's sidebars/);
    const types = await scheduledActivities(handle);
    expect(types.filter((type) => type === 'inviteParticipants')).toHaveLength(1);
    expect(types).not.toContain('placeInSidebar');
  } finally {
    workspace.setSidebarForbidden(false);
  }
});

it('keeps the invitations when the placement fails with them, and places the sidebar on its own', async () => {
  // The first placement fails (a 503): the invitations' activity answers the invitations and why the sidebar failed.
  await workspace.withFaults({ addToSidebarCategory: { failures: 1 } }, async () => {
    const { handle } = await startTestIncident(tested.env.client, tested.taskQueue, { playbook: testPlaybook }, QUIET);
    const view = await launchedAndAtRest(handle);
    expect(view.launch.invite.status).toBe('done');
    expect(view.launch.sidebar.status).toBe('done');
    const types = await scheduledActivities(handle);
    // One invitations activity (not retried for the sidebar), then the sidebar's own.
    expect(types.filter((type) => type === 'inviteParticipants')).toHaveLength(1);
    expect(types.filter((type) => type === 'placeInSidebar')).toHaveLength(1);
    expect(placedFor(view.links.channelId!)).toEqual(INVITED);
    expect(sidebarEvent(view)).toMatchObject({ kind: 'integration_succeeded', data: { placed: INVITED } });
  });
});

it('leaves the sidebar alone when the playbook puts the channel in no category', async () => {
  const playbook = { ...testPlaybook, channel: { sidebarCategory: false } };
  const { handle } = await startTestIncident(tested.env.client, tested.taskQueue, { playbook }, QUIET);
  const view = await launchedAndAtRest(handle);
  expect(view.launch.invite.status).toBe('done');
  expect(await scheduledActivities(handle)).not.toContain('placeInSidebar');
  expect(placedFor(view.links.channelId!)).toEqual([]);
});

/*
 * From incident-v18 the same activity looks up who is in the playbook's user groups, just before it adds them: no
 * `groupMembers` activity beside the channel.
 */
const groupsWorkspace = new InMemoryWorkspace({ groups: { sre: ['bob', 'carol'] } });
const groupsTested = workerForTests('groups-with-invite', { integrations: groupsWorkspace });
const withGroups = { ...testPlaybook, invitees: { groups: ['sre', 'no-such-group'] } };

it("looks up the playbook's groups in the activity that invites them, and puts the channel in their sidebars too", async () => {
  const { handle } = await startTestIncident(groupsTested.env.client, groupsTested.taskQueue, { playbook: withGroups }, QUIET);
  const view = await launchedAndAtRest(handle);
  expect(view.launch.invite.status).toBe('done');
  expect(view.participants).toEqual(['alice', 'carol', 'bob']);
  const invite = view.timeline.find((event) => event.data?.step === 'invite')!;
  expect(invite.text).toBe('Invited @alice, @carol, @bob; no such group: no-such-group');
  expect(invite.data).toMatchObject({ groups: ['sre', 'no-such-group'], missingGroups: ['no-such-group'] });
  expect(groupsWorkspace.records.channels.find((channel) => channel.id === view.links.channelId)?.members).toEqual(expect.arrayContaining(['alice', 'bob', 'carol']));
  const types = await scheduledActivities(handle);
  expect(types).not.toContain('groupMembers');
  expect(types.filter((type) => type === 'inviteParticipants')).toHaveLength(1);
  expect(view.launch.sidebar.status).toBe('done');
  expect(Object.keys(groupsWorkspace.records.sidebars).sort()).toEqual(['alice', 'bob', 'carol']);
});

it('tries the invitations again when the group lookup fails for a moment, the people known invited meanwhile', async () => {
  await groupsWorkspace.withFaults({ groupMemberUsernames: { failures: 1 } }, async () => {
    const added = groupsWorkspace.callCount('addChannelMembers');
    const { handle } = await startTestIncident(groupsTested.env.client, groupsTested.taskQueue, { playbook: withGroups }, QUIET);
    const view = await launchedAndAtRest(handle);
    expect(view.launch.invite.status).toBe('done');
    expect(view.participants).toContain('bob');
    // The first try added the people known without the groups, the second everyone.
    expect(groupsWorkspace.callCount('addChannelMembers') - added).toBe(2);
    expect(groupsWorkspace.records.channels.find((c) => c.id === view.links.channelId)?.members).toEqual(expect.arrayContaining(['alice', 'bob', 'carol']));
  });
});

it('invites the people known without the groups when the group lookup cannot be made, and says so', async () => {
  await groupsWorkspace.withFaults({ groupMemberUsernames: { failures: Infinity, retryable: false } }, async () => {
    const { handle } = await startTestIncident(groupsTested.env.client, groupsTested.taskQueue, { playbook: withGroups }, QUIET);
    const view = await launchedAndAtRest(handle);
    expect(view.launch.invite).toMatchObject({
      status: 'failed',
      error: expect.stringMatching(/^the user groups sre, no-such-group could not be looked up \(groupMemberUsernames failed .*\); @alice, @carol invited meanwhile$/),
    });
    expect(view.participants).not.toContain('bob');
    // The reporter and the playbook's assignee are in the channel all the same; `/incident retry invite` adds the groups.
    const channel = groupsWorkspace.records.channels.find((c) => c.id === view.links.channelId)!;
    expect(channel.members).toEqual(expect.arrayContaining(['alice', 'carol']));
    expect(channel.members).not.toContain('bob');
  });
});
