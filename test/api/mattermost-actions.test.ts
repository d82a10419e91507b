/**
 * The live checklist post: its buttons and menus as Mattermost renders and sends them (the signed context echoed back),
 * a good click, a replayed one, a forged one, a click by someone outside the channel, running a task's command.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { checklistRevision } from '../../formats/checklist-message.js';
import { incidentViewQuery, incidentWorkflowId } from '../../workflows/messages.js';
import { shippedPlaybooks, startChatStack, type ChatStack } from '../helpers/chat-stack.js';
import { waitFor } from '../helpers/wait-for.js';

const SECRET = 'a-test-secret-that-is-long-enough-0123456789';
let stack: ChatStack;
let env: TestWorkflowEnvironment;
let api: ChatStack['api'];
let sandboxes: ChatStack['sandboxes'];
let incidentId: string;
let channelId: string;

interface RenderedAction {
  id: string;
  name: string;
  type: string;
  options?: Array<{ text: string; value: string }>;
  integration: { url: string; context: { sig: string } };
}

beforeAll(async () => {
  stack = await startChatStack({ name: 'actions', mattermost: { commandTokens: ['t'], admins: [], actionSecret: SECRET, taskCommandsAllowed: ['/zoom', '/jira'] } });
  ({ env, api, sandboxes } = stack);
  const started = await stack.incidents.start({
    name: 'Search is slow',
    team: 'default',
    reporter: 'alice',
    playbook: (await shippedPlaybooks().get('service-outage'))!,
  });
  incidentId = started.id;
  // Every launch step (the invitations too: a click needs alice in the channel), not the header, which goes up once
  // its links are in.
  const view = await waitFor(() => incidentView(), (v) => Object.values(v.launch).every((step) => step.status !== 'pending'), { timeoutMs: 30_000, what: 'the launch' });
  channelId = view.links.channelId!;
});

afterAll(() => stack?.stop());

const incidentView = () => env.client.workflow.getHandle(incidentWorkflowId(incidentId)).query(incidentViewQuery);

function checklistPost() {
  const post = sandboxes.mattermost.posts(channelId).find((p) => p.is_pinned)!;
  return post as unknown as { id: string; props: { attachments: Array<{ title: string; text: string; actions?: RenderedAction[] }> } };
}

function action(id: string): RenderedAction {
  const found = checklistPost().props.attachments.flatMap((a) => a.actions ?? []).find((a) => a.id === id);
  if (!found) throw new Error(`no action ${id} on the checklist post`);
  return found;
}

/** What Mattermost POSTs to integration.url when someone clicks (or picks from a menu). */
async function click(target: RenderedAction, options: { user?: string; selected?: string; context?: Record<string, unknown> } = {}) {
  const user = options.user ?? 'alice';
  const response = await fetch(target.integration.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      user_id: sandboxes.mattermost.userId(user),
      user_name: user,
      channel_id: channelId,
      channel_name: 'incident',
      team_id: sandboxes.mattermost.teamId('default'),
      team_domain: 'default',
      post_id: checklistPost().id,
      trigger_id: 'trigger-1',
      type: target.type,
      data_source: '',
      context: { ...target.integration.context, ...(options.selected ? { selected_option: options.selected } : {}), ...options.context },
    }),
  });
  return { status: response.status, body: (await response.json()) as { ephemeral_text?: string } };
}

/** Waits until the pinned post was redrawn for the incident's current state. */
const redrawn = () => waitFor(incidentView, (v) => v.checklistRevisionShown === checklistRevision(v), { what: 'the post to show the current checklist' });

describe('checklist buttons', () => {
  it('draws menus and buttons whose every action calls back to the API with a signed context', () => {
    const post = checklistPost();
    expect(post.props.attachments.map((a) => a.title)).toEqual(['1. Triage', '2. Investigation', '3. Resolution', 'Incident']);
    const complete = action('complete1');
    expect(complete).toMatchObject({ type: 'select', name: 'Complete…', integration: { url: `${api.url}/mattermost/actions` } });
    expect(complete.options?.map((o) => o.value)).toEqual(['triage-ack', 'triage-impact', 'triage-bridge']);
    expect(complete.integration.context.sig).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    for (const a of post.props.attachments.flatMap((x) => x.actions ?? [])) expect(a.id).toMatch(/^[A-Za-z0-9]+$/);
  });

  it('completes a task from the menu, redraws the post, and refuses the same click replayed', async () => {
    // The on-call lookup assigned tasks after the first drawing: wait for the redraw, as a person would see it.
    await redrawn();
    const complete = action('complete1');
    const good = await click(complete, { selected: 'triage-ack' });
    expect(good).toEqual({ status: 200, body: { ephemeral_text: ':white_check_mark: @alice completed task 1.1 "Acknowledge and take command"', skip_slack_parsing: true } });
    await waitFor(() => checklistPost().props.attachments[0]!.text, (text) => text.startsWith(':white_check_mark: **1.1**'), { what: 'the redraw' });
    const replayed = await click(complete, { selected: 'triage-ack' });
    expect(replayed.body.ephemeral_text).toBe('The checklist changed since this post was drawn (it is being redrawn now); try again in a moment.');
    expect((await incidentView()).timeline.filter((e) => e.text.includes('completed task 1.1'))).toHaveLength(1);
  });

  it('refuses a forged or tampered context with 403, and changes nothing', async () => {
    const take = action('take1');
    const [body, signature] = take.integration.context.sig.split('.') as [string, string];
    const forged = await click(take, { selected: 'triage-bridge', context: { sig: `${body}.${signature.slice(0, -2)}AA` } });
    expect(forged).toEqual({ status: 403, body: { ephemeral_text: 'This button was refused: bad signature.', skip_slack_parsing: true } });
    const claims = JSON.parse(Buffer.from(body, 'base64url').toString());
    claims.p.a = 'resolve';
    const tampered = await click(take, { context: { sig: `${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${signature}` } });
    expect(tampered.status).toBe(403);
    const missing = await click(take, { context: { sig: 'nonsense' } });
    expect(missing).toEqual({ status: 403, body: { ephemeral_text: 'This button was refused: missing or malformed signature.', skip_slack_parsing: true } });
    expect((await incidentView()).checklists[0]!.tasks[2]!.assignee).toBeUndefined();
  });

  it('refuses someone outside the channel', async () => {
    const outsider = await click(action('take1'), { user: 'erin', selected: 'triage-bridge' });
    expect(outsider.body.ephemeral_text).toBe('Only members of the incident channel (or incident admins) can change the incident.');
  });

  it('assigns a task to whoever takes it', async () => {
    await redrawn();
    const taken = await click(action('take1'), { selected: 'triage-bridge' });
    expect(taken.body.ephemeral_text).toMatch(/assigned task 1.3 .* to @alice/);
    await waitFor(() => checklistPost().props.attachments[0]!.text, (text) => text.includes('Join the Zoom bridge · @alice'), { what: 'the redraw' });
  });

  it("runs a task's slash command as the bot in the channel and records who ran it", async () => {
    await redrawn();
    const run = await click(action('run'), { selected: 'triage-bridge' });
    expect(run.body.ephemeral_text).toBe(':arrow_forward: Ran `/zoom start`: /zoom start executed in the sandbox');
    expect(sandboxes.mattermost.executedCommands()).toEqual([expect.objectContaining({ command: '/zoom start', channel_id: channelId })]);
    const event = (await incidentView()).timeline.find((e) => e.kind === 'command_run');
    expect(event).toMatchObject({ actor: 'alice', text: '@alice ran `/zoom start` for task 1.3: /zoom start executed in the sandbox' });
  });
});
