/**
 * Who may do what, through the REST door with tokens and through a checklist click, against the Mattermost sandbox:
 *
 * - a token acts as itself: naming another actor or reporter needs act-for (tried with a plain write token);
 * - commanders and assignees are real Mattermost users, never @all/@channel/@here (REST and the slash command);
 * - a restricted playbook is started only by the people it names (or an admin token);
 * - a planted task command ("/kick @alice") never runs: adding one takes a playbook editor (or an admin token), running
 *   one the operator's allow-list (TASK_COMMANDS_ALLOWED).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { generateToken, parseApiTokens, tokenEntry } from '../../../api/auth/api-tokens.js';
import { startApi, type RunningApi } from '../../../api/server.js';
import type { MattermostChat } from '../../../integrations/mattermost/mattermost-chat.js';
import { incidentViewQuery, incidentWorkflowId } from '../../../workflows/messages.js';
import { shippedPlaybooks, startChatStack, type ChatStack } from '../../helpers/chat-stack.js';
import { apiClient } from '../../helpers/stack.js';
import { waitFor } from '../../helpers/wait-for.js';

const SECRET = 'who-may-secret-long-enough-0123456789abcdef';
const tokens = { ci: generateToken(), admin: generateToken() };
let stack: ChatStack;
let api: RunningApi;
let incidentId: string;
let channelId: string;

const as = (token: string) => (method: string, path: string, body?: unknown) => apiClient(api.url)(method, path, body, { authorization: `Bearer ${token}` });
const viewOf = (id: string) => stack.env.client.workflow.getHandle(incidentWorkflowId(id)).query(incidentViewQuery);

beforeAll(async () => {
  stack = await startChatStack({ name: 'who-may', mattermost: { commandTokens: ['tok'], admins: [], actionSecret: SECRET, taskCommandsAllowed: ['/jira', '/zoom'] } });
  // The REST API as production runs it beside the front door: tokens, and Mattermost to ask about people.
  api = await startApi({
    client: stack.env.client,
    taskQueue: stack.taskQueue,
    playbooks: shippedPlaybooks(),
    records: stack.records,
    chat: stack.sandboxes.ports.chat,
    groupDirectory: stack.sandboxes.ports.chat as MattermostChat,
    logger: pino({ level: 'silent' }),
    host: '127.0.0.1',
    port: 0,
    apiTokens: parseApiTokens([tokenEntry('ci', 'write', tokens.ci), tokenEntry('root', 'admin', tokens.admin)].join(',')).tokens,
  });
  const started = await stack.incidents.start({ name: 'Disk full', team: 'default', reporter: 'alice', playbook: (await shippedPlaybooks().get('service-outage'))! });
  incidentId = started.id;
  // Launched: nothing changes the incident by itself from then on, so a revision that moves is a command that got in.
  const view = await waitFor(() => viewOf(incidentId), (v) => Object.values(v.launch).every((step) => step.status !== 'pending') && v.links.checklistPostId !== undefined, { timeoutMs: 30_000, what: 'the launch' });
  channelId = view.links.channelId!;
}, 120_000);

afterAll(async () => {
  await api?.stop();
  await stack?.stop();
});

/** What alice gets back for `/incident <text>` typed in the incident's channel. */
async function aliceTypes(text: string): Promise<string> {
  const response = await fetch(`${stack.api.url}/mattermost/command`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      token: 'tok', team_id: stack.sandboxes.mattermost.teamId('default'), team_domain: 'default', channel_id: channelId,
      user_id: stack.sandboxes.mattermost.userId('alice'), user_name: 'alice', command: '/incident', text,
    }),
  });
  return ((await response.json()) as { text: string }).text;
}

describe('people named in commands', () => {
  it('refuses special mentions and unknown users as commander or assignee, changing nothing', async () => {
    const before = (await viewOf(incidentId)).revision;
    const ci = as(tokens.ci);
    for (const [path, body, pattern] of [
      [`/api/v1/incidents/${incidentId}/commander`, { commander: '@all' }, /special mention/],
      [`/api/v1/incidents/${incidentId}/tasks/triage-bridge/assign`, { assignee: 'here' }, /special mention/],
      [`/api/v1/incidents/${incidentId}/commander`, { commander: 'nobody-such' }, /Mattermost has no user @nobody-such/],
      [`/api/v1/incidents/${incidentId}/tasks/triage-bridge/assign`, { assignee: '@ghost' }, /Mattermost has no user @ghost/],
    ] as const) {
      const answer = await ci('POST', path, body);
      expect(answer.status, path).toBe(400);
      expect(JSON.stringify(answer.body)).toMatch(pattern);
    }
    expect(await aliceTypes('assign 1.1 @channel')).toMatch(/no_entry_sign/);
    expect(await aliceTypes('assign 1.1 @nobody-such')).toMatch(/Mattermost has no user @nobody-such/);
    expect((await viewOf(incidentId)).revision).toBe(before);
    expect((await as(tokens.ci)('POST', `/api/v1/incidents/${incidentId}/tasks/triage-bridge/assign`, { assignee: 'bob' })).status).toBe(200);
  });
});

describe('restricted playbooks', () => {
  it('are started by the people they name or an admin token, not any write token', async () => {
    const restricted = { ...(await shippedPlaybooks().get('blank'))!, id: 'restricted', title: 'Restricted', permissions: { run: { users: ['bob'] }, edit: {} } };
    const refused = await as(tokens.ci)('POST', '/api/v1/incidents', { name: 'Sneaky', playbook: restricted });
    expect(refused.status).toBe(403);
    expect(refused.body.error.message).toMatch(/restricted/);
    const allowed = await as(tokens.admin)('POST', '/api/v1/incidents', { name: 'Allowed', playbook: restricted });
    expect(allowed.status).toBe(201);
    // Its playbook is no stored one anybody may edit: a write token may not add a task that carries a command.
    const planted = await as(tokens.ci)('POST', `/api/v1/incidents/${allowed.body.id}/checklists/1/tasks`, { title: 'Tidy up', command: '/kick @alice' });
    expect(planted.status).toBe(403);
    expect(planted.body.error.message).toMatch(/only by someone who may edit playbook "restricted"/);
  });
});

describe('planted task commands', () => {
  it('a task command off the allow-list never runs, whoever added it', async () => {
    const added = await as(tokens.admin)('POST', `/api/v1/incidents/${incidentId}/checklists/1/tasks`, { title: 'Tidy up', command: '/kick @alice' });
    expect(added.status).toBe(200);
    const task = added.body.checklists[0].tasks.at(-1) as { id: string; command: string };
    expect(task.command).toBe('/kick @alice');
    // The pinned post is redrawn with the new task on its Run menu; alice (a member) picks it.
    const runMenu = await waitFor(
      () => stack.sandboxes.mattermost.posts(channelId).find((p) => p.is_pinned) as unknown as { props: { attachments: Array<{ actions?: Array<{ id: string; options?: Array<{ value: string }>; integration: { url: string; context: Record<string, unknown> } }> }> } },
      (post) => post.props.attachments.flatMap((a) => a.actions ?? []).some((a) => a.id === 'run' && a.options?.some((o) => o.value === task.id)),
      { what: 'the redrawn checklist' },
    );
    const run = runMenu.props.attachments.flatMap((a) => a.actions ?? []).find((a) => a.id === 'run')!;
    const click = await fetch(run.integration.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        user_id: stack.sandboxes.mattermost.userId('alice'), user_name: 'alice', channel_id: channelId, team_id: stack.sandboxes.mattermost.teamId('default'),
        context: { ...run.integration.context, selected_option: task.id },
      }),
    });
    expect(((await click.json()) as { ephemeral_text: string }).ephemeral_text).toMatch(/`\/kick` is not a command this service runs/);
    expect(stack.sandboxes.mattermost.executedCommands()).toEqual([]);
  });
});
