/**
 * The launch and the resolution end to end through the real adapters and client libraries against all four sandboxes,
 * and the faults the integrations issue names: Jira 503 three times, Mattermost 429 with Retry-After, Opsgenie down.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { PlaybookDefinition } from '../../domain/playbook/schema.js';
import { IncidentCommanderKey } from '../../temporal/search-attributes.js';
import { commandUpdates, incidentViewQuery } from '../../workflows/messages.js';
import { startSandboxes } from '../helpers/sandboxes.js';
import { connectToTestServer, startTestIncident, testPlaybook, uniqueTaskQueue, runTestWorker, scheduledActivities } from '../helpers/temporal.js';
import { waitFor } from '../helpers/wait-for.js';

let env: TestWorkflowEnvironment;
let worker: Awaited<ReturnType<typeof runTestWorker>>;
let sandboxes: Awaited<ReturnType<typeof startSandboxes>>;
const taskQueue = uniqueTaskQueue('launch-sandboxes');

const pagingPlaybook: PlaybookDefinition = {
  ...testPlaybook,
  jira: { transitionOnResolve: 'Done', labels: ['prod'] },
  opsgenie: { schedule: 'primary', page: true, priority: 'P1' },
};

beforeAll(async () => {
  env = await connectToTestServer();
  sandboxes = await startSandboxes();
  worker = await runTestWorker(env, taskQueue, { integrations: sandboxes.ports });
});

afterAll(async () => {
  await worker?.stop();
  await sandboxes?.stop();
  await env?.teardown();
});

beforeEach(() => sandboxes.reset());

const launched = (handle: Awaited<ReturnType<typeof startTestIncident>>['handle'], timeoutMs = 30_000) =>
  waitFor(
    () => handle.query(incidentViewQuery),
    (v) => Object.values(v.launch).every((step) => step.status !== 'pending'),
    { timeoutMs, what: 'the launch to finish' },
  );

describe('launch and resolution against the sandboxes', () => {
  it('opens one channel with the right people, one issue, one meeting, one page, the pinned checklist and the header', async () => {
    const { id, handle } = await startTestIncident(env.client, taskQueue, { commander: 'bob', playbook: pagingPlaybook, severity: 'sev1' });
    const view = await launched(handle);
    expect(Object.entries(view.launch).filter(([, s]) => s.status !== 'done')).toEqual([]);

    // What the inspection API of each sandbox shows.
    const state = async (url: string) => (await fetch(`${url}/_sandbox/state`)).json() as Promise<any>;
    const chat = await state(sandboxes.urls.mattermost);
    const channels = chat.channels.filter((c: { name: string }) => c.name.startsWith(`incident-${id}`));
    expect(channels).toHaveLength(1);
    const channel = channels[0];
    expect(channel.id).toBe(view.links.channelId);
    for (const person of ['alice', 'bob', 'oscar']) expect(channel.member_usernames ?? channel.members).toContain(person);
    expect(channel.header).toContain(`Ticket: [${view.links.ticketKey}](${view.links.ticketUrl})`);
    expect(channel.header).toContain(`Bridge: ${view.links.meetingUrl}`);
    expect(channel.header).toContain('Commander: @bob');
    const pinned = chat.posts.filter((p: { channel_id: string; is_pinned: boolean }) => p.channel_id === channel.id && p.is_pinned);
    expect(pinned).toHaveLength(1);
    expect(pinned[0].props.attachments[0].text).toContain('**1.1** Acknowledge');

    const issues = sandboxes.jira.issues();
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({ key: view.links.ticketKey, summary: '[sev1] Checkout is down', labels: ['prod', `incident-${id}-ticket`] });
    expect(issues[0]!.description).toContain(`Incident channel: ${sandboxes.urls.mattermost}/shop/channels/${channel.name}`);
    expect(view.links.channelUrl).toBe(`${sandboxes.urls.mattermost}/shop/channels/${channel.name}`);
    expect(chat.posts.filter((p: { channel_id: string; message: string }) => p.channel_id === channel.id && p.message.includes(view.links.meetingUrl!))).toHaveLength(1);
    expect(sandboxes.zoom.meetings()).toHaveLength(1);
    expect(sandboxes.zoom.meetings()[0]!.joinUrl).toBe(view.links.meetingUrl);
    expect(sandboxes.opsgenie.alerts()).toEqual([expect.objectContaining({ alias: `incident-${id}`, priority: 'P1', status: 'open' })]);
    expect(view.links.onCall).toEqual(['oscar']);
    expect(view.participants.sort()).toEqual(['alice', 'bob', 'carol', 'oscar']);
    // A first launch makes each thing without looking for it first (nothing could exist yet): no search before the
    // issue, no meeting list before the meeting, no alert lookup before the page, no channel lookup before the channel.
    expect(sandboxes.jira.server.requestsTo('GET', /\/search$/)).toEqual([]);
    expect(sandboxes.zoom.server.requestsTo('GET', /\/users\/[^/]+\/meetings$/)).toEqual([]);
    expect(sandboxes.opsgenie.server.requestsTo('GET', new RegExp(`/v2/alerts/incident-${id}$`))).toEqual([]);
    expect(sandboxes.mattermost.server.requestsTo('GET', /\/channels\/name\//)).toEqual([]);

    // Resolving comments on and transitions the issue and closes the page, once.
    await handle.executeUpdate(commandUpdates.acknowledge, { args: [{ actor: 'bob' }] });
    await handle.executeUpdate(commandUpdates.resolve, { args: [{ actor: 'bob', summary: 'Rolled back the release' }] });
    const resolved = await waitFor(
      () => handle.query(incidentViewQuery),
      (v) => v.followUps.length === 3 && v.followUps.every((f) => f.status !== 'pending'),
      { what: 'the resolution follow-ups' },
    );
    expect(resolved.followUps.map((f) => [f.kind, f.status])).toEqual([
      ['commentTicket', 'done'],
      ['transitionTicket', 'done'],
      ['closeAlert', 'done'],
    ]);
    expect(sandboxes.jira.comments(view.links.ticketKey!)).toEqual([expect.objectContaining({ body: expect.stringContaining('Rolled back the release') })]);
    expect(sandboxes.jira.issues()[0]!.status).toBe('Done');
    expect(sandboxes.opsgenie.alerts()[0]!.status).toBe('closed');
  });

  it("invites the playbook's user groups, files the issue under its components and has the named user host the meeting", async () => {
    const playbook: PlaybookDefinition = {
      ...testPlaybook,
      invitees: { users: ['dave'], groups: ['sre', 'no-such-group'] },
      jira: { components: ['Payments', 'Checkout'] },
      zoom: { enabled: true, host: 'host@example.com' },
    };
    const { handle } = await startTestIncident(env.client, taskQueue, { playbook });
    const view = await launched(handle);
    expect(view.launch.invite.status).toBe('done');
    // The sandbox's "sre" group is bob and carol.
    expect(view.participants).toEqual(expect.arrayContaining(['alice', 'dave', 'bob', 'carol']));
    const invite = view.timeline.find((e) => e.data?.step === 'invite')!;
    expect(invite.text).toMatch(/; no such group: no-such-group$/);
    const members = await sandboxes.ports.chat.listChannelMembers(view.links.channelId!);
    expect(members).toEqual(expect.arrayContaining(['alice', 'dave', 'bob', 'carol']));
    // From incident-v18 the invitations' activity looked the groups up: no activity of their own.
    const activities = await scheduledActivities(handle);
    expect(activities.filter((type) => type === 'inviteParticipants')).toHaveLength(1);
    expect(activities).not.toContain('groupMembers');
    expect(sandboxes.jira.issues()[0]!.components).toEqual(['Payments', 'Checkout']);
    expect(sandboxes.zoom.meetings()[0]!.hostEmail).toBe('host@example.com');
  });

  it('makes the on-call engineer the commander and gives them their tasks when the playbook says so', async () => {
    const playbook: PlaybookDefinition = {
      ...testPlaybook,
      defaultCommander: 'oncall',
      opsgenie: { schedule: 'primary' },
      checklists: [{ id: 'triage', title: 'Triage', tasks: [{ id: 'page', title: 'Look at the pager', assigneeRole: 'oncall' }] }],
    };
    const { handle } = await startTestIncident(env.client, taskQueue, { playbook });
    const view = await launched(handle);
    expect(view.commander).toBe('oscar');
    expect(view.checklists[0]!.tasks[0]!.assignee).toBe('oscar');
    expect(view.timeline.find((e) => e.kind === 'commander_changed')).toMatchObject({ actor: 'system', text: '@oscar (on call) is the commander, as the playbook says' });
    expect(view.status).toBe('reported');
    expect((await handle.describe()).typedSearchAttributes.get(IncidentCommanderKey)).toBe('oscar');
  });

  it('survives Jira answering 503 three times and opens exactly one issue', async () => {
    sandboxes.jira.server.addFault({ method: 'POST', path: '/rest/api/2/issue', status: 503, times: 3 });
    const { handle } = await startTestIncident(env.client, taskQueue);
    const view = await launched(handle);
    expect(view.launch.ticket.status).toBe('done');
    expect(sandboxes.jira.issues()).toHaveLength(1);
    expect(sandboxes.jira.server.requestsTo('POST', /^\/rest\/api\/2\/issue$/).map((r) => r.status)).toEqual([503, 503, 503, 201]);
  });

  it('waits as long as Mattermost asks with Retry-After before trying again', async () => {
    sandboxes.mattermost.server.addFault({ method: 'POST', path: '/api/v4/channels', status: 429, retryAfterSeconds: 2, times: 1 });
    const { handle } = await startTestIncident(env.client, taskQueue);
    const view = await launched(handle);
    expect(view.launch.channel.status).toBe('done');
    const attempts = sandboxes.mattermost.server.requestsTo('POST', /^\/api\/v4\/channels$/);
    expect(attempts.map((r) => r.status)).toEqual([429, 201]);
    const waitedMs = Date.parse(attempts[1]!.at) - Date.parse(attempts[0]!.at);
    // The default first retry would come after 1 s; Retry-After asked for 2.
    expect(waitedMs).toBeGreaterThanOrEqual(2_000);
  });

  it('goes on without Opsgenie, and says in the timeline and the channel that the on-call lookup failed', async () => {
    sandboxes.opsgenie.server.addFault({ path: '/v2/.*', drop: true });
    // A schedule this worker has not looked up: for one it has, a first launch takes the answer it got moments ago
    // (activities/on-call.ts, ON_CALL_CACHE_MS) and Opsgenie being down would not show.
    const { handle } = await startTestIncident(env.client, taskQueue, { playbook: { ...testPlaybook, opsgenie: { schedule: 'not-asked-yet' } } });
    const view = await launched(handle);
    expect(view.launch.oncall.status).toBe('failed');
    expect(view.launch.oncall.error).toMatch(/Opsgenie could not be reached/);
    for (const step of ['channel', 'invite', 'ticket', 'meeting', 'checklistPost', 'channelHeader'] as const) {
      expect(view.launch[step].status, step).toBe('done');
    }
    expect(view.timeline.find((e) => e.kind === 'integration_failed')?.text).toMatch(/^Looking up who is on call failed: Opsgenie could not be reached/);
    const notices = sandboxes.mattermost.posts(view.links.channelId!).filter((p) => p.message.includes('on call'));
    expect(notices.map((p) => p.message)).toEqual([expect.stringContaining('Retry with `/incident retry oncall`')]);
    expect(sandboxes.mattermost.server.requestsTo('GET', /^\/api\/v4\/channels/).length).toBeGreaterThan(0);
    // Still working: the commander can take over.
    expect((await handle.executeUpdate(commandUpdates.acknowledge, { args: [{}] })).status).toBe('active');
  });
});
