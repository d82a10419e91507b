/**
 * The /incident slash command, driven by requests shaped exactly like Mattermost's (form-encoded, every field, the
 * command token), against a real worker whose integrations are the sandboxes; membership is asked of the Mattermost
 * sandbox.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { incidentViewQuery, incidentWorkflowId } from '../../workflows/messages.js';
import { startChatStack, type ChatStack } from '../helpers/chat-stack.js';
import { waitFor } from '../helpers/wait-for.js';

const TOKEN = 'slash-token-team-a';
let stack: ChatStack;
let env: TestWorkflowEnvironment;
let api: ChatStack['api'];
let sandboxes: ChatStack['sandboxes'];
let incidentId: string;
let incidentChannel: string;

beforeAll(async () => {
  stack = await startChatStack({
    name: 'slash',
    // Generous: this machine runs many test files at once; Mattermost's own limit is what the 2.5 s default protects.
    mattermost: { commandTokens: ['another-teams-token', TOKEN], admins: ['carol'], commandTimeoutMs: 15_000 },
  });
  ({ env, api, sandboxes } = stack);
});

afterAll(() => stack?.stop());

/** A slash command as Mattermost sends it: every form field, and the token in both places it puts it. */
async function slash(text: string, options: { user?: string; channelId?: string; token?: string } = {}) {
  const user = options.user ?? 'alice';
  const form = new URLSearchParams({
    token: options.token ?? TOKEN,
    team_id: sandboxes.mattermost.teamId('default'),
    team_domain: 'default',
    channel_id: options.channelId ?? 'townsquare0000000000000000a',
    channel_name: 'town-square',
    user_id: sandboxes.mattermost.userId(user),
    user_name: user,
    command: '/incident',
    text,
    trigger_id: 'trigger-abc',
    response_url: 'http://mattermost.invalid/hooks/commands/x',
    root_id: '',
  });
  const response = await fetch(`${api.url}/mattermost/command`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json', authorization: `Token ${options.token ?? TOKEN}` },
    body: form.toString(),
  });
  return { status: response.status, body: (await response.json()) as { response_type?: string; text?: string; error?: { message: string } } };
}

const view = () => env.client.workflow.getHandle(incidentWorkflowId(incidentId)).query(incidentViewQuery);

describe('/incident', () => {
  it('refuses a wrong token without saying anything about incidents', async () => {
    const response = await slash('list', { token: 'forged' });
    expect(response.status).toBe(401);
    expect(response.body.error?.message).toBe('the slash command token is missing or not one this service accepts');
  });

  it('answers help, playbooks and unknown sub-commands ephemerally', async () => {
    const help = await slash('help');
    expect(help).toMatchObject({ status: 200, body: { response_type: 'ephemeral' } });
    expect(help.body.text).toContain('/incident check <task>');
    expect((await slash('playbooks')).body.text).toContain('`service-outage` Service outage');
    const unknown = await slash('dance');
    expect(unknown.body.text).toBe('unknown sub-command "dance"\nTry `/incident help`.');
  });

  it('starts an incident from the playbook and name, with unicode in the name', async () => {
    const response = await slash('start service-outage Checkout is down 🔥 für alle');
    expect(response.body.text).toMatch(/^:rotating_light: Incident \*\*Checkout is down 🔥 für alle\*\* \(`([a-z0-9]{10})`\) started with playbook \*Service outage\*/);
    incidentId = /`([a-z0-9]{10})`/.exec(response.body.text!)![1]!;
    // Every launch step (the invitations too: commands in the channel need alice in it), not the header alone.
    const launched = await waitFor(view, (v) => Object.values(v.launch).every((step) => step.status !== 'pending'), { timeoutMs: 30_000, what: 'the launch' });
    incidentChannel = launched.links.channelId!;
    expect(launched).toMatchObject({ reporter: 'alice', commander: 'alice', team: 'default' });
    // The channel must be findable by the search attribute before commands in it work.
    await waitFor(() => slash('info', { channelId: incidentChannel }), (r) => r.body.text?.includes(incidentId) ?? false, { what: 'the channel to be indexed' });
  });

  it('refuses a misspelt playbook rather than start a Blank incident, and takes one written in another case', async () => {
    const before = (await env.client.workflow.count(`WorkflowType = 'incident'`)).count;
    const typo = await slash('start servce-outage Checkout is down again');
    expect(typo.body.text).toBe(
      ':no_entry_sign: No playbook `servce-outage`; did you mean `service-outage`? Nothing was started.\n' +
        'Type `/incident start service-outage Checkout is down again`, or `/incident start blank servce-outage Checkout is down again` for an incident named "servce-outage Checkout is down again" with the Blank playbook.\n' +
        'Playbooks: `blank`, `security-incident`, `service-outage`',
    );
    const cased = await slash('start Service_Outage Payments slow', { user: 'bob' });
    expect(cased.body.text).toMatch(/^:rotating_light: Incident \*\*Payments slow\*\* \(`[a-z0-9]{10}`\) started with playbook \*Service outage\*/);
    // A plain word that merely resembles one ("black" for "blank") names a Blank incident, as before.
    const plain = await slash('start black friday checkout slow', { user: 'bob' });
    expect(plain.body.text).toMatch(/^:rotating_light: Incident \*\*black friday checkout slow\*\* \(`[a-z0-9]{10}`\) started with playbook \*Blank\*/);
    // Only those two started: the typo started none.
    await waitFor(async () => (await env.client.workflow.count(`WorkflowType = 'incident'`)).count, (count) => count >= before + 2, { what: 'the two incidents to be listed' });
    expect((await env.client.workflow.count(`WorkflowType = 'incident'`)).count).toBe(before + 2);
  });

  it('logs what chat did as the REST door does: the start and each command, with the incident and who', () => {
    const logged = stack.logLines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(logged).toContainEqual(expect.objectContaining({ msg: 'incident started', incident: incidentId, playbook: 'service-outage', reporter: 'alice', door: 'chat' }));
  });

  it('takes a last word that is one of the playbook\'s levels as the severity, and quotes as the name\'s bounds', async () => {
    const quoted = await slash('start service-outage "Payments API 500s" sev1', { user: 'bob' });
    expect(quoted.body.text).toMatch(/^:rotating_light: Incident \*\*Payments API 500s\*\* \(`[a-z0-9]{10}`\) started with playbook \*Service outage\*, severity sev1,/);
    // The chosen playbook's own levels.
    const named = await slash('start security-incident Token leaked high', { user: 'carol' });
    expect(named.body.text).toMatch(/Incident \*\*Token leaked\*\* .* severity high,/);
    // A level word inside the name, or no level of this playbook: the name's, and the playbook's default severity.
    const plain = await slash('start service-outage Checkout slow for sev9 customers', { user: 'bob' });
    expect(plain.body.text).toMatch(/Incident \*\*Checkout slow for sev9 customers\*\* .* severity sev2,/);
  });

  it('refuses to start a restricted playbook for someone it does not name', async () => {
    const response = await slash('start security-incident Leaked token');
    expect(response.body.text).toBe(':no_entry_sign: The playbook *Security incident* is restricted; ask its owners or an incident admin to start it.');
    const admin = await slash('start security-incident Leaked token', { user: 'carol' });
    expect(admin.body.text).toMatch(/^:rotating_light: Incident \*\*Leaked token\*\*/);
  });

  it('refuses incident commands outside an incident channel', async () => {
    const response = await slash('check 1.1');
    expect(response.body.text).toBe("`/incident check <task>` works in an incident's channel, and this channel is not one. `/incident list` shows the open incidents.");
  });

  it('checks, unchecks, skips and assigns tasks by number or ID, and reports bad task names with usage', async () => {
    const at = { channelId: incidentChannel };
    expect((await slash('check 1.1', at)).body.text).toBe(':white_check_mark: @alice completed task 1.1 "Acknowledge and take command"');
    expect((await slash('uncheck triage-ack', at)).body.text).toBe(':white_check_mark: @alice reopened task 1.1 "Acknowledge and take command"');
    expect((await slash('skip 2.3 no status page for internal tools', at)).body.text).toMatch(/skipped task 2.3 .*: no status page for internal tools$/);
    expect((await slash('assign 1.2 @oscar', at)).body.text).toMatch(/assigned task 1.2 .* to @oscar/);
    expect((await slash('add Triage Check the CDN logs 🌍', at)).body.text).toBe(':white_check_mark: @alice added task 1.4 "Check the CDN logs 🌍"');
    expect((await slash('retry ticket', at)).body.text).toBe(':no_entry_sign: ticket is done; only a failed step can be retried');
    expect((await slash('retry everything', at)).body.text).toMatch(/^"everything" is not a step that can be retried\nUsage: /);
    expect((await slash('check 1.x', at)).body.text).toBe('"1.x" is not a task number like 2.3 or a task ID\nUsage: `/incident check <task>  (a task number like 2.3, or its ID)`');
    expect((await slash('check 9.9', at)).body.text).toMatch(/^:no_entry_sign: task 9.9 does not exist: checklist 1 has 4 task\(s\)/);
    expect((await slash('check', at)).body.text).toMatch(/^name the task by its number/);
    const current = await view();
    expect(current.checklists[0]!.tasks.map((t) => [t.state, t.assignee ?? null])).toEqual([
      ['open', 'alice'],
      ['open', 'oscar'],
      ['open', null],
      ['open', null],
    ]);
  });

  it('refuses a caller who is not in the incident channel, but not an incident admin', async () => {
    const outsider = await slash('ack', { channelId: incidentChannel, user: 'erin' });
    expect(outsider.body.text).toBe(':no_entry_sign: only members of the incident channel (or incident admins) can change the incident');
    expect((await view()).status).toBe('reported');
  });

  it('hands command only to someone in the channel', async () => {
    const at = { channelId: incidentChannel };
    expect((await slash('commander @dave', at)).body.text).toBe(':no_entry_sign: @dave is not in this channel; add them first, then hand over command.');
    expect((await slash('commander @nobody-here', at)).body.text).toBe(':no_entry_sign: Mattermost has no user @nobody-here.');
    expect((await slash('commander @oscar', at)).body.text).toMatch(/changed the commander from @alice to @oscar/);
    expect((await view()).status).toBe('active');
  });

  it('takes 4,000 characters of text but not one more', async () => {
    const at = { channelId: incidentChannel };
    const note = 'ü'.repeat(4_000 - 'note '.length);
    // The reply echoes the start of a long note; the timeline has all of it.
    expect((await slash(`note ${note}`, at)).body.text).toBe(`:white_check_mark: ${note.slice(0, 299)}…`);
    const tooLong = await slash(`note ${note}x`, at);
    expect(tooLong.body.text).toBe('the command text is 4001 characters; Mattermost allows at most 4000\nTry `/incident help`.');
  });

  it('posts a status update, changes severity, shows info and timeline, resolves, reopens and closes', async () => {
    const at = { channelId: incidentChannel, user: 'oscar' };
    expect((await slash('update Rolled back 2026.11.3; error rate falling', at)).body.text).toMatch(/posted status update 1: Rolled back/);
    expect((await slash('severity SEV1', at)).body.text).toMatch(/changed the severity from sev2 to sev1/);
    expect((await slash('severity 1', at)).body.text).toMatch(/severity "1" is not one of sev1, sev2, sev3, sev4/);
    const info = (await slash('info', at)).body.text!;
    expect(info).toContain('**active** · severity **sev1** · commander @oscar');
    expect((await slash('timeline', at)).body.text).toContain('posted status update 1');
    // The list reads the store's records, written a moment after each change.
    const listed = await waitFor(() => slash('list', at), (r) => r.body.text?.includes(`(\`${incidentId}\`) · active · sev1`) ?? false, { what: 'the active sev1 incident in the list' });
    // Which incident it is and where to go: its name and its channel's link.
    const channelName = (await view()).links.channelName!;
    expect(stack.logLines.map((line) => JSON.parse(line) as Record<string, unknown>)).toContainEqual(
      expect.objectContaining({ msg: 'command applied', incident: incidentId, command: 'setSeverity', actor: 'oscar', door: 'chat' }),
    );
    expect(listed.body.text).toContain(`- **Checkout is down 🔥 für alle** (\`${incidentId}\`) · active · sev1 · commander @oscar · ~${channelName}`);
    expect((await slash('close', at)).body.text).toMatch(/cannot close incident .*: it is active; resolve it first/);
    expect((await slash('resolve Bad release rolled back', at)).body.text).toMatch(/changed the status from active to resolved/);
    expect((await slash('reopen errors are back', at)).body.text).toMatch(/from resolved to active: errors are back/);
    await slash('resolve', at);
    expect((await slash('close', at)).body.text).toMatch(/from resolved to closed/);
    // The update reaches the channel through the workflow's outbox, independently of this reply.
    const posts = await waitFor(
      () => sandboxes.mattermost.posts(incidentChannel).map((p) => p.message),
      (messages) => messages.some((m) => m.startsWith('#### Status update 1')),
      { what: 'the status update in the channel' },
    );
    expect(posts).toContainEqual('#### Status update 1 from @oscar\nRolled back 2026.11.3; error rate falling');
    // Closed: the channel still belongs to the incident, which says it takes no more changes.
    expect((await slash('ack', at)).body.text).toMatch(/incident [a-z0-9]+ is closed; nothing can change any more/);
  });

  it('lets an incident admin act without being in the channel', async () => {
    const started = await slash('start blank Admin drill', { user: 'bob' });
    const id = /`([a-z0-9]{10})`/.exec(started.body.text!)![1]!;
    const launched = await waitFor(
      () => env.client.workflow.getHandle(incidentWorkflowId(id)).query(incidentViewQuery),
      (v) => v.launch.channelHeader.status !== 'pending',
      { timeoutMs: 30_000 },
    );
    const channelId = launched.links.channelId!;
    await waitFor(() => slash('info', { channelId }), (r) => r.body.text?.includes(id) ?? false, { what: "the channel in the incident's record" });
    expect(sandboxes.mattermost.members(channelId)).not.toContain(sandboxes.mattermost.userId('carol'));
    expect((await slash('ack', { channelId, user: 'carol' })).body.text).toBe(':white_check_mark: @carol changed the status from reported to active (acknowledged)');
  });
});
