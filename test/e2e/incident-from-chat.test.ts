/**
 * A whole incident run from Mattermost alone, against the Mattermost sandbox: started from the dialog, tasks checked by
 * button and by command, command handed over, a status update posted from its dialog, resolved by button, closed by
 * command; after each step the pinned checklist post shows the current state.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { checklistRevision } from '../../formats/checklist-message.js';
import type { IncidentView } from '../../domain/incident.js';
import { incidentViewQuery, incidentWorkflowId } from '../../workflows/messages.js';
import { startChatStack, type ChatStack } from '../helpers/chat-stack.js';
import { waitFor } from '../helpers/wait-for.js';

const SECRET = 'whole-incident-from-chat-secret-0123456789';
let stack: ChatStack;
let env: TestWorkflowEnvironment;
let api: ChatStack['api'];
let sandboxes: ChatStack['sandboxes'];

beforeAll(async () => {
  stack = await startChatStack({ name: 'from-chat', mattermost: { commandTokens: ['cmd'], admins: [], actionSecret: SECRET }, withPublicUrl: true });
  ({ env, api, sandboxes } = stack);
});

afterAll(() => stack?.stop());

const mm = () => sandboxes.mattermost;

async function slash(text: string, channelId: string, user = 'alice'): Promise<string> {
  const form = new URLSearchParams({
    token: 'cmd', team_id: mm().teamId('default'), team_domain: 'default', channel_id: channelId, channel_name: 'x',
    user_id: mm().userId(user), user_name: user, command: '/incident', text, trigger_id: `trigger-${Date.now()}`, response_url: '', root_id: '',
  });
  const response = await fetch(`${api.url}/mattermost/command`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form });
  return ((await response.json()) as { text: string }).text;
}

async function submitDialog(submission: Record<string, string>, channelId: string, user = 'alice'): Promise<unknown> {
  const opened = mm().dialogs().at(-1)!;
  const dialog = opened.dialog as { state: string; callback_id: string };
  const response = await fetch(opened.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ type: 'dialog_submission', callback_id: dialog.callback_id, state: dialog.state, user_id: mm().userId(user), channel_id: channelId, team_id: mm().teamId('default'), submission, cancelled: false }),
  });
  return response.json();
}

type Attachment = { title: string; text: string; actions?: Array<{ id: string; type: string; integration: { url: string; context: { sig: string } } }> };
const checklistPost = (channelId: string) =>
  mm().posts(channelId).find((p) => p.is_pinned) as unknown as { id: string; message: string; props: { attachments: Attachment[] } };

async function click(channelId: string, actionId: string, selected?: string, user = 'alice'): Promise<string> {
  const action = checklistPost(channelId).props.attachments.flatMap((a) => a.actions ?? []).find((a) => a.id === actionId)!;
  const response = await fetch(action.integration.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      user_id: mm().userId(user), user_name: user, channel_id: channelId, team_id: mm().teamId('default'), post_id: checklistPost(channelId).id,
      trigger_id: `click-${Date.now()}`, type: action.type, context: { ...action.integration.context, ...(selected ? { selected_option: selected } : {}) },
    }),
  });
  return ((await response.json()) as { ephemeral_text: string }).ephemeral_text;
}

it('runs an incident from chat alone, the checklist post always current', async () => {
  // Started from the dialog, typed in town square.
  expect(await slash('start', 'townsquare000000000000000a')).toBe('Opening the start dialog…');
  expect(await submitDialog({ playbook: 'service-outage', name: 'Login fails', severity: 'sev1' }, 'townsquare000000000000000a')).toEqual({});
  const channel = await waitFor(() => mm().channels().find((c) => c.name.includes('login-fails')), (c) => c !== undefined, { what: 'the incident channel' });
  const channelId = channel!.id;
  const incidentId = /^incident-([a-z0-9]+)-/.exec(channel!.name)![1]!;
  const handle = env.client.workflow.getHandle(incidentWorkflowId(incidentId));
  const view = () => handle.query(incidentViewQuery);
  /** The post shows exactly the incident's current state. */
  const current = async (what: string, accept: (v: IncidentView) => boolean = () => true) =>
    waitFor(view, (v) => accept(v) && v.checklistRevisionShown === checklistRevision(v) && checklistPost(channelId) !== undefined, { timeoutMs: 30_000, what });
  await current('the launch', (v) => v.launch.channelHeader.status !== 'pending');
  await waitFor(() => slash('info', channelId), (text) => text.includes(incidentId), { what: 'the channel to be indexed' });

  // A task checked by its button, another by command.
  expect(await click(channelId, 'complete1', 'triage-ack')).toMatch(/completed task 1.1/);
  expect(await slash('check 1.2', channelId)).toMatch(/completed task 1.2/);
  await current('both checks drawn', (v) => v.progress.done === 2);
  expect(checklistPost(channelId).props.attachments[0]!.text).toMatch(/^:white_check_mark: \*\*1.1\*\*[\s\S]*\n:white_check_mark: \*\*1.2\*\*/);

  // A task assigned through the post's user menu.
  expect(await click(channelId, 'assign1', 'triage-bridge')).toBe('Opening the assignment dialog…');
  expect(await submitDialog({ assignee: 'not-a-user-id' }, channelId)).toEqual({ errors: { assignee: 'Choose someone from the list.' } });
  expect(await submitDialog({ assignee: mm().userId('bob') }, channelId)).toEqual({});
  await current('the assignment drawn', (v) => v.checklists[0]!.tasks[2]!.assignee === 'bob');
  expect(checklistPost(channelId).props.attachments[0]!.text).toContain('Join the Zoom bridge · @bob');

  // Command handed over to the on-call engineer, who is in the channel.
  expect(await slash('commander @oscar', channelId)).toMatch(/changed the commander from @alice to @oscar/);
  await current('the new commander drawn', (v) => v.commander === 'oscar');
  expect(checklistPost(channelId).message).toContain('commander @oscar');

  // A status update from its dialog.
  expect(await slash('update', channelId, 'oscar')).toBe('Opening the status update dialog…');
  expect(await submitDialog({ message: 'Session store failed over; logins recovering' }, channelId, 'oscar')).toEqual({});
  await current('active after the update', (v) => v.status === 'active' && v.statusUpdates.length === 1);
  await waitFor(
    () => mm().posts(channelId).map((p) => p.message),
    (messages) => messages.includes('#### Status update 1 from @oscar\nSession store failed over; logins recovering'),
    { what: 'the status update in the channel' },
  );

  // Resolved by the post's button, closed by command.
  expect(await click(channelId, 'resolve', undefined, 'oscar')).toMatch(/changed the status from active to resolved/);
  await current('resolved drawn', (v) => v.status === 'resolved');
  expect(await slash('close', channelId, 'oscar')).toMatch(/from resolved to closed/);
  const final = await handle.result();
  expect(final.status).toBe('closed');
  const post = checklistPost(channelId);
  expect(post.message).toContain('**closed**');
  expect(post.props.attachments.flatMap((a) => a.actions ?? [])).toEqual([]);
});
