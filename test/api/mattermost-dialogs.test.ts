/** The start and status-update dialogs: opened through Mattermost, submitted the way Mattermost posts them. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { incidentViewQuery, incidentWorkflowId } from '../../workflows/messages.js';
import { startChatStack, type ChatStack } from '../helpers/chat-stack.js';
import { waitFor } from '../helpers/wait-for.js';

const SECRET = 'dialog-test-secret-long-enough-0123456789';
let stack: ChatStack;
let env: TestWorkflowEnvironment;
let api: ChatStack['api'];
let sandboxes: ChatStack['sandboxes'];
let taskQueue: string;

beforeAll(async () => {
  stack = await startChatStack({ name: 'dialogs', mattermost: { commandTokens: ['tok'], admins: [], actionSecret: SECRET }, withPublicUrl: true });
  ({ env, api, sandboxes, taskQueue } = stack);
});

afterAll(() => stack?.stop());

async function slash(text: string, user = 'alice', channelId = 'somechannel0000000000000000') {
  const form = new URLSearchParams({
    token: 'tok', team_id: sandboxes.mattermost.teamId('default'), team_domain: 'default', channel_id: channelId, channel_name: 'x',
    user_id: sandboxes.mattermost.userId(user), user_name: user, command: '/incident', text, trigger_id: `trigger-${text}`, response_url: '', root_id: '',
  });
  const response = await fetch(`${api.url}/mattermost/command`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form });
  return (await response.json()) as { text: string };
}

/** What Mattermost POSTs to the dialog's URL when the user submits it. */
async function submit(dialog: { url: string; dialog: unknown }, submission: Record<string, unknown>, user = 'alice', channelId = '') {
  const state = (dialog.dialog as { state: string }).state;
  const response = await fetch(dialog.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ type: 'dialog_submission', callback_id: (dialog.dialog as { callback_id: string }).callback_id, state, user_id: sandboxes.mattermost.userId(user), channel_id: channelId, team_id: sandboxes.mattermost.teamId('default'), submission, cancelled: false }),
  });
  return { status: response.status, body: (await response.json()) as { errors?: Record<string, string>; error?: string } };
}

describe('dialogs', () => {
  let incidentId: string;
  let channelId: string;

  it('opens the start dialog for /incident start without arguments, and answers field errors in Mattermost format', async () => {
    expect((await slash('start')).text).toBe('Opening the start dialog…');
    const opened = sandboxes.mattermost.dialogs().at(-1)!;
    expect(opened).toMatchObject({ trigger_id: 'trigger-start', url: `${api.url}/mattermost/dialogs`, dialog: { callback_id: 'start-incident', title: 'Start an incident' } });
    const bad = await submit(opened, { playbook: 'nope', name: '  ', severity: 'sev9' });
    expect(bad).toEqual({ status: 200, body: { errors: { playbook: 'Choose one of: blank, security-incident, service-outage', name: 'An incident needs a name.' } } });
    const badSeverity = await submit(opened, { playbook: 'service-outage', name: 'Payments down', severity: 'sev9' });
    expect(badSeverity.body).toEqual({ errors: { severity: 'Service outage has sev1, sev2, sev3, sev4' } });
    expect((await env.client.workflow.count(`TaskQueue = '${taskQueue}'`)).count).toBe(0);

    const good = await submit(opened, { playbook: 'service-outage', name: 'Payments down', summary: 'Card payments fail', severity: 'sev1' });
    expect(good).toEqual({ status: 200, body: {} });
    // The same dialog submitted again (a double click, Mattermost sending it again): the same incident, not a second.
    expect(await submit(opened, { playbook: 'service-outage', name: 'Payments down', summary: 'Card payments fail', severity: 'sev1' })).toEqual({ status: 200, body: {} });
    const listed = await waitFor(async () => [...(await collect(`TaskQueue = '${taskQueue}'`))], (ids) => ids.length === 1, { what: 'the incident to exist' });
    expect((await env.client.workflow.count(`TaskQueue = '${taskQueue}'`)).count).toBe(1);
    incidentId = listed[0]!;
    const view = await waitFor(() => env.client.workflow.getHandle(incidentWorkflowId(incidentId)).query(incidentViewQuery), (v) => v.launch.channelHeader.status !== 'pending', { timeoutMs: 30_000 });
    expect(view).toMatchObject({ name: 'Payments down', summary: 'Card payments fail', severity: 'sev1', reporter: 'alice' });
    channelId = view.links.channelId!;
  });

  it('opens the start dialog for one playbook with that playbook’s own severities (security-incident: critical…low)', async () => {
    expect((await slash('start security-incident')).text).toBe('Opening the start dialog for *Security incident*…');
    const opened = sandboxes.mattermost.dialogs().at(-1)! as { url: string; dialog: { elements: Array<{ name: string; options?: Array<{ value: string }>; default?: string }> } };
    const severity = opened.dialog.elements.find((element) => element.name === 'severity')!;
    expect(severity.options!.map((option) => option.value)).toEqual(['critical', 'high', 'medium', 'low']);
    expect(severity.default).toBe('high');
    expect(opened.dialog.elements.find((element) => element.name === 'playbook')!.options!.map((option) => option.value)).toEqual(['security-incident']);
    // The dialog for any playbook offers every playbook's levels, and refuses one the chosen playbook lacks, naming its own.
    await slash('start');
    const any = sandboxes.mattermost.dialogs().at(-1)! as typeof opened;
    expect(any.dialog.elements.find((element) => element.name === 'severity')!.options!.map((option) => option.value)).toEqual(expect.arrayContaining(['sev1', 'critical', 'low']));
    expect((await submit(any as never, { playbook: 'security-incident', name: 'Leaked key', severity: 'sev1' })).body.errors).toMatchObject({ severity: 'Security incident has critical, high, medium, low' });
  });

  it('refuses a submission whose state was forged', async () => {
    const opened = sandboxes.mattermost.dialogs().at(-1)!;
    const forged = { ...opened, dialog: { ...(opened.dialog as object), state: 'abc.def' } };
    expect(await submit(forged, { playbook: 'blank', name: 'x' })).toEqual({ status: 403, body: { error: 'This dialog was refused: bad signature.' } });
  });

  it('opens the status dialog from /incident update and posts the update (and resolves) on submit', async () => {
    await waitFor(() => slash('info', 'alice', channelId), (r) => r.text.includes(incidentId), { what: "the channel in the incident's record" });
    expect((await slash('update', 'alice', channelId)).text).toBe('Opening the status update dialog…');
    const opened = sandboxes.mattermost.dialogs().at(-1)!;
    expect(opened.dialog).toMatchObject({ callback_id: 'status-update' });
    expect((await submit(opened, { message: '' }, 'alice', channelId)).body).toEqual({ errors: { message: 'Write what changed, even "no news".' } });
    expect((await submit(opened, { message: 'Card payments recovered', status: 'resolved' }, 'alice', channelId)).body).toEqual({});
    // Submitted twice: one update, one resolution.
    expect((await submit(opened, { message: 'Card payments recovered', status: 'resolved' }, 'alice', channelId)).body).toEqual({});
    const view = await env.client.workflow.getHandle(incidentWorkflowId(incidentId)).query(incidentViewQuery);
    expect(view.status).toBe('resolved');
    expect(view.statusUpdates.map((u) => u.message)).toEqual(['Card payments recovered']);
  });
});

async function collect(query: string): Promise<string[]> {
  const ids: string[] = [];
  for await (const w of env.client.workflow.list({ query: `${query} AND WorkflowType = 'incident'` })) ids.push(w.workflowId.replace(/^incident-/, ''));
  return ids;
}
