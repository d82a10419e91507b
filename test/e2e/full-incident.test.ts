/**
 * A full incident from start to closed, from Mattermost, against the sandboxes over real HTTP and a real worker that
 * keeps the incident's record in a SQLite store: reminders for a missing status update and a due task, status updates
 * copied to a broadcast channel and a signed webhook, a newcomer welcomed, the retrospective drafted, reminded and
 * published, the post-mortem exported into the channel (Markdown, JSON, CSV), `/incident stats` agreeing with the
 * stats endpoint, and close archiving the channel. Playbook durations are shortened 60 times ("1m" is a second).
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { IncidentView } from '../../domain/incident.js';
import type { PlaybookDefinition } from '../../domain/playbook/schema.js';
import { validatePlaybook } from '../../domain/playbook/validation.js';
import type { PlaybookLookup } from '../../store/playbook-lookup.js';
import { incidentViewQuery, incidentWorkflowId } from '../../workflows/messages.js';
import { parseCsv } from '../helpers/postmortem-fixtures.js';
import { startChatStack, type ChatStack } from '../helpers/chat-stack.js';
import { startWebhookReceiver, type WebhookReceiver } from '../helpers/webhook-receiver.js';
import { waitFor } from '../helpers/wait-for.js';

const SECRET = 'full-incident-action-secret-0123456789abcdef';
const HOOK_SECRET = 'full-incident-webhook-secret';
let stack: ChatStack;
let receiver: WebhookReceiver;

function playbook(hookUrl: string): PlaybookDefinition {
  return {
    id: 'full',
    title: 'Full lifecycle',
    severities: ['sev1', 'sev2', 'sev3'],
    defaultSeverity: 'sev2',
    channel: { headerTemplate: '{{severity}} · {{status}} · commander {{commander}}', sidebarCategory: 'Incidents' },
    welcomeMessage: 'Welcome to {{channel}}. {{commander}} leads; read the pinned checklist first.',
    checklists: [
      {
        title: 'Triage',
        tasks: [
          { id: 'ack', title: 'Acknowledge and take command', assigneeRole: 'commander' },
          { id: 'impact', title: 'Assess customer impact', assignee: 'bob', due: '2m' },
        ],
      },
      { title: 'Resolution', tasks: [{ id: 'fix', title: 'Roll back the release' }] },
    ],
    statusUpdates: {
      reminder: '3m',
      template: 'Impact: ... Next update in 30 minutes.',
      broadcastChannels: ['announcements'],
      webhooks: [{ url: hookUrl, secretEnv: 'INCIDENT_WEBHOOK_SECRET_FULL', events: ['status-update', 'incident-resolved'] }],
    },
    retrospective: { reminder: '2m' },
    archiveChannelOnClose: true,
  };
}

beforeAll(async () => {
  receiver = await startWebhookReceiver({ secret: HOOK_SECRET });
  const definition = playbook(`${receiver.url}/status`);
  const checked = validatePlaybook(definition);
  if (!checked.ok) throw new Error(JSON.stringify(checked.problems));
  const playbooks: PlaybookLookup = { get: async (id) => (id === 'full' ? checked.playbook : undefined), list: async () => [checked.playbook] };
  stack = await startChatStack({
    name: 'full-incident',
    mattermost: { commandTokens: ['cmd'], admins: [], actionSecret: SECRET },
    withPublicUrl: true,
    playbooks,
    workflowOptions: { timeScale: 60, membershipCheckIntervalMs: 500 },
    webhookEnv: { INCIDENT_WEBHOOK_SECRET_FULL: HOOK_SECRET },
    // The receiver runs on loopback, which webhooks may call only when opened.
    webhookAllowedHosts: '127.0.0.1',
  });
  await stack.sandboxes.ports.chat.createChannel({ team: 'default', name: 'announcements', displayName: 'Announcements', purpose: '', private: false });
});

afterAll(async () => {
  await stack?.stop();
  await receiver?.close();
});

const mm = () => stack.sandboxes.mattermost;

async function slash(text: string, channelId: string, user = 'alice'): Promise<string> {
  const form = new URLSearchParams({
    token: 'cmd', team_id: mm().teamId('default'), team_domain: 'default', channel_id: channelId, channel_name: 'x',
    user_id: mm().userId(user), user_name: user, command: '/incident', text, trigger_id: `trigger-${Date.now()}`, response_url: '', root_id: '',
  });
  const response = await fetch(`${stack.api.url}/mattermost/command`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form });
  return ((await response.json()) as { text: string }).text;
}

const messages = (channelId: string) => mm().posts(channelId).map((post) => post.message);
const waitForMessage = (channelId: string, pattern: RegExp, what: string) =>
  waitFor(() => messages(channelId).filter((m) => pattern.test(m)), (found) => found.length > 0, { what, timeoutMs: 30_000 }).then((found) => found[0]!);

it('runs an incident from start to closed with updates, reminders, a due task, a published retrospective and an export', async () => {
  expect(await slash('start full Checkout is failing', 'townsquare000000000000000a')).toMatch(/Incident \*\*Checkout is failing\*\*/);
  const channel = await waitFor(() => mm().channels().find((c) => c.name.includes('checkout-is-failing')), (c) => c !== undefined, { what: 'the channel' });
  const channelId = channel!.id;
  const incidentId = /^incident-([a-z0-9]+)-/.exec(channel!.name)![1]!;
  const handle = stack.env.client.workflow.getHandle(incidentWorkflowId(incidentId));
  const view = (): Promise<IncidentView> => handle.query(incidentViewQuery);
  await waitFor(view, (v) => v.launch.channelHeader.status === 'done' && v.members !== undefined, { what: 'the launch' });
  await waitFor(() => slash('info', channelId), (text) => text.includes(incidentId), { what: 'the channel to be indexed' });
  expect(mm().channels().find((c) => c.id === channelId)!.header).toBe('sev2 · reported · commander @alice');

  // Nobody posts an update: the commander is reminded. The due task warns, then goes overdue in the checklist.
  await waitForMessage(channelId, /@alice, a status update is due/, 'the status reminder');
  await waitForMessage(channelId, /@bob, task 1\.2 "Assess customer impact" is overdue/, 'the overdue task');
  await waitFor(() => mm().posts(channelId).find((p) => p.is_pinned)?.props, (props) => JSON.stringify(props).includes('**overdue**'), { what: 'the overdue mark' });

  // A newcomer is welcomed by direct message.
  const erin = mm().userId('erin');
  await stack.sandboxes.ports.chat.addChannelMembers(channelId, ['erin']);
  await waitFor(
    () => mm().posts().filter((p) => p.channel_id !== channelId && p.message.startsWith('Welcome to ~')),
    (dms) => dms.length === 1,
    { what: 'the welcome message' },
  );
  expect(mm().members(channelId)).toContain(erin);

  // A status update reaches the channel, the broadcast channel and the signed webhook.
  expect(await slash('update Rolling back release 4.2; EU checkouts failing', channelId)).toMatch(/posted status update 1/);
  await waitForMessage(channelId, /^#### Status update 1 from @alice\nRolling back/, 'the update in the channel');
  const announcements = mm().channels().find((c) => c.name === 'announcements')!;
  await waitForMessage(announcements.id, /Status update 1 on incident \[Checkout is failing\]/, 'the broadcast copy');
  const [hook] = await receiver.waitForDeliveries(1);
  expect(hook).toMatchObject({ event: 'status-update', verified: true });

  expect(await slash('check 1.1', channelId)).toMatch(/completed task 1.1/);
  expect(await slash('check 1.2', channelId, 'bob')).toMatch(/completed task 1.2/);
  expect(await slash('skip 2.1 rolled forward instead', channelId)).toMatch(/skipped task 2.1/);
  expect(await slash('resolve Rolled forward to 4.3; checkouts normal', channelId)).toMatch(/from active to resolved/);

  // The retrospective: drafted on resolve, reminded about, published.
  expect(await slash('retro', channelId)).toMatch(/^\*\*Retrospective draft\.\*\*[\s\S]*## Retrospective: Checkout is failing/);
  await waitForMessage(channelId, /@alice, the retrospective is still a draft/, 'the retrospective reminder');
  expect(await slash('retro publish', channelId)).toMatch(/published the retrospective/);
  const published = await waitForMessage(channelId, /^### :memo: Retrospective, published by @alice/, 'the published retrospective');
  expect(published).toContain('- [x] 1.2 Assess customer impact: done by @bob (went overdue)');

  // The post-mortem export, uploaded to the channel.
  expect(await slash('export', channelId)).toMatch(/Exporting the post-mortem/);
  const exported = await waitFor(
    () => mm().posts(channelId).find((p) => (p as { file_ids?: string[] }).file_ids?.length === 3),
    (post) => post !== undefined,
    { what: 'the export post', timeoutMs: 60_000 },
  );
  const files = mm().files().filter((f) => (exported as { file_ids: string[] }).file_ids.includes(f.id));
  expect(files.map((f) => f.name).sort()).toEqual([`incident-${incidentId}-postmortem.csv`, `incident-${incidentId}-postmortem.json`, `incident-${incidentId}-postmortem.md`]);
  const markdown = mm().fileContent(files.find((f) => f.name.endsWith('.md'))!.id)!.toString('utf8');
  for (const section of ['Checkout is failing', 'Status updates', 'Timeline', 'Checklists', 'Retrospective', 'Conversation']) expect(markdown).toContain(section);
  expect(markdown).toContain('Rolling back release 4.2; EU checkouts failing');
  const csv = parseCsv(mm().fileContent(files.find((f) => f.name.endsWith('.csv'))!.id)!.toString('utf8'));
  expect(csv[0]).toEqual(['Post Creation Time', 'User Id', 'User Email', 'User Type', 'User Name', 'Post Id', 'Parent Post Id', 'Post Message', 'Post Type']);
  expect(csv.length - 1).toBeGreaterThanOrEqual(mm().posts(channelId).length - 1);

  // Stats in chat agree with the stats endpoint (both from the store's records).
  const api = await waitFor(
    () => fetch(`${stack.api.url}/api/v1/stats?team=default`).then((r) => r.json() as Promise<{ reported: number; resolved: number; timeToResolve: { count: number } }>),
    (stats) => stats.resolved === 1,
    { what: 'the resolved incident in the stats' },
  );
  const chat = await slash('stats', channelId);
  expect(chat).toContain(`**${api.reported}** reported · **${api.resolved}** resolved`);
  expect(chat).toMatch(new RegExp(`Time to resolve: median [^,]+, mean [^,]+, p90 [^(]+\\(${api.timeToResolve.count} incidents\\)`));

  // Close: the channel is archived, the workflow ends, the record says closed.
  expect(await slash('close', channelId)).toMatch(/from resolved to closed/);
  const final = (await handle.result()) as IncidentView;
  expect(final.status).toBe('closed');
  expect(mm().channels().find((c) => c.id === channelId)!.delete_at).toBeGreaterThan(0);
  const record = await waitFor(
    () => fetch(`${stack.api.url}/api/v1/incidents?q=${incidentId}`).then((r) => r.json() as Promise<{ items: Array<{ status: string }> }>),
    (list) => list.items[0]?.status === 'closed',
    { what: 'the closed record' },
  );
  expect(record.items).toHaveLength(1);
});
