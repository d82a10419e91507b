/**
 * Who acts in chat is who Mattermost says the user ID is, never the `user_name` a request carries: a slash command,
 * a checklist click, a dialog submission and a `#timeline` message each tried with someone else's name (an incident
 * admin's), a dialog submitted by someone it was not opened for, and one submitted from another incident's channel
 * by a user who left the incident's own. Each is refused (or recorded under the real author) and nothing changes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { IncidentView } from '../../../domain/incident.js';
import { incidentViewQuery, incidentWorkflowId } from '../../../workflows/messages.js';
import { shippedPlaybooks, startChatStack, type ChatStack } from '../../helpers/chat-stack.js';
import { waitFor } from '../../helpers/wait-for.js';

const SECRET = 'chat-identity-secret-long-enough-0123456789';
let stack: ChatStack;
let env: TestWorkflowEnvironment;
let sandboxes: ChatStack['sandboxes'];
let incident: IncidentView;
let other: IncidentView;

const viewOf = (id: string) => env.client.workflow.getHandle(incidentWorkflowId(id)).query(incidentViewQuery);

async function launched(reporter: string, name: string): Promise<IncidentView> {
  const started = await stack.incidents.start({ name, team: 'default', reporter, playbook: (await shippedPlaybooks().get('service-outage'))! });
  // Every launch step (the invitations too), not the header: it goes up once its links are in.
  return waitFor(() => viewOf(started.id), (v) => Object.values(v.launch).every((step) => step.status !== 'pending') && v.links.checklistPostId !== undefined, { timeoutMs: 30_000, what: 'the launch' });
}

beforeAll(async () => {
  // erin is an incident admin (INCIDENT_ADMINS) who is in no incident channel; dave is an ordinary user in none.
  stack = await startChatStack({
    name: 'chat-identity',
    mattermost: { commandTokens: ['tok'], admins: ['erin'], actionSecret: SECRET, webhookTokens: ['hook'] },
    withPublicUrl: true,
  });
  ({ env, sandboxes } = stack);
  incident = await launched('alice', 'Checkout down');
  other = await launched('dave', 'Search slow');
  const members = sandboxes.mattermost.members(incident.links.channelId!);
  expect(members).toContain(sandboxes.mattermost.userId('alice'));
  expect(members).not.toContain(sandboxes.mattermost.userId('dave'));
  expect(members).not.toContain(sandboxes.mattermost.userId('erin'));
}, 120_000);

afterAll(() => stack?.stop());

async function slash(text: string, as: { id: string; name: string }, channelId = incident.links.channelId!) {
  const form = new URLSearchParams({
    token: 'tok', team_id: sandboxes.mattermost.teamId('default'), team_domain: 'default', channel_id: channelId, channel_name: 'x',
    user_id: sandboxes.mattermost.userId(as.id), user_name: as.name, command: '/incident', text, trigger_id: `trigger-${text}-${as.id}`,
  });
  const response = await fetch(`${stack.api.url}/mattermost/command`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form });
  expect(response.status).toBe(200);
  return ((await response.json()) as { text: string }).text;
}

const notes = async (id: string) => (await viewOf(id)).timeline.filter((e) => e.kind === 'note');

describe('chat identity', () => {
  it('a slash command acts as the user ID’s user, whatever user_name says', async () => {
    // dave, outside the channel, writing as erin (an admin): refused as dave.
    expect(await slash('note from a stranger', { id: 'dave', name: 'erin' })).toMatch(/only members of the incident channel/);
    // alice, a member, writing as bob: the note is alice's.
    expect(await slash('note as myself', { id: 'alice', name: 'bob' })).not.toMatch(/no_entry/);
    const written = await notes(incident.id);
    expect(written.map((n) => [n.actor, n.text])).toEqual([['alice', 'as myself']]);
  });

  it('a checklist click acts as the user ID’s user: another person’s user_name (an admin’s) is no key', async () => {
    const post = sandboxes.mattermost.posts(incident.links.channelId!).find((p) => p.is_pinned)! as unknown as {
      id: string;
      props: { attachments: Array<{ actions?: Array<{ id: string; integration: { url: string; context: { sig: string } } }> }> };
    };
    const complete = post.props.attachments.flatMap((a) => a.actions ?? []).find((a) => a.id === 'complete1')!;
    const before = await viewOf(incident.id);
    const taskId = before.checklists[0]!.tasks[0]!.id;
    const response = await fetch(complete.integration.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        user_id: sandboxes.mattermost.userId('dave'), user_name: 'erin', channel_id: incident.links.channelId, team_id: sandboxes.mattermost.teamId('default'),
        post_id: post.id, context: { ...complete.integration.context, selected_option: taskId },
      }),
    });
    expect(((await response.json()) as { ephemeral_text: string }).ephemeral_text).toMatch(/Only members of the incident channel/);
    const after = await viewOf(incident.id);
    expect(after.checklists[0]!.tasks[0]!.state).toBe(before.checklists[0]!.tasks[0]!.state);
    expect(after.revision).toBe(before.revision);
  });

  it('a dialog is submitted only by whom it was opened for, and changes only an incident whose channel they are in', async () => {
    expect(await slash('update', { id: 'alice', name: 'alice' })).toBe('Opening the status update dialog…');
    const dialog = sandboxes.mattermost.dialogs().at(-1)! as { url: string; dialog: { state: string; callback_id: string } };
    const submit = (user: string, channelId: string) =>
      fetch(dialog.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          type: 'dialog_submission', callback_id: dialog.dialog.callback_id, state: dialog.dialog.state, user_id: sandboxes.mattermost.userId(user),
          channel_id: channelId, team_id: sandboxes.mattermost.teamId('default'), submission: { message: 'all good', status: 'active' }, cancelled: false,
        }),
      });
    // dave (reporter of the other incident, so in its channel) with alice's dialog: refused.
    const stolen = await submit('dave', other.links.channelId!);
    expect(stolen.status).toBe(403);
    expect(((await stolen.json()) as { error: string }).error).toMatch(/opened for someone else/);
    // alice leaves the incident's channel, then submits from a channel she is in: membership is the incident's own.
    const left = await fetch(`${sandboxes.urls.mattermost}/api/v4/channels/${incident.links.channelId}/members/${sandboxes.mattermost.userId('alice')}`, {
      method: 'DELETE',
      headers: { authorization: 'Bearer mm-bot-token' },
    });
    expect(left.status).toBe(200);
    const elsewhere = await submit('alice', 'town-square-channel-id-00000');
    expect(((await elsewhere.json()) as { error?: string }).error).toMatch(/Only members of the incident channel/);
    expect((await viewOf(incident.id)).statusUpdates).toEqual([]);
  });

  it('a #timeline message is recorded under its author’s name from Mattermost, not the user_name sent', async () => {
    const form = new URLSearchParams({
      token: 'hook', team_id: sandboxes.mattermost.teamId('default'), team_domain: 'default', channel_id: other.links.channelId!, channel_name: 'x',
      user_id: sandboxes.mattermost.userId('dave'), user_name: 'erin', post_id: 'p1', text: '#timeline rolled back the deploy',
    });
    const response = await fetch(`${stack.api.url}/mattermost/webhook`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form });
    expect(response.status).toBe(200);
    const written = await waitFor(() => notes(other.id), (n) => n.length > 0, { what: 'the note' });
    expect(written.map((n) => n.actor)).toEqual(['dave']);
  });
});
