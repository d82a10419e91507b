/**
 * When each launch step starts (incident-parallel-launch-v8), against the sandboxes with the real adapters: the header
 * waits for what it shows (the ticket and bridge links, and the on-call lookup only when that names the commander),
 * never for the on-call branch or the page; who is on call is looked up, the page sent and the meeting started while
 * the channel is made; and a step begun beside the channel that fails still says so in the channel.
 *
 * Instead of timing races, an adapter call is held until the test lets it go (a gate), so what must happen meanwhile
 * either happens or the test times out waiting for it. Each test has a worker of its own: no on-call answer a worker
 * kept from another test (activities/on-call.ts) can stand in for a held lookup.
 */
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { ChatPort } from '../../activities/ports/chat.js';
import type { IntegrationPorts } from '../../activities/ports/integration-ports.js';
import type { OnCallPort } from '../../activities/ports/on-call.js';
import type { PlaybookDefinition } from '../../domain/playbook/schema.js';
import { incidentViewQuery } from '../../workflows/messages.js';
import { startSandboxes } from '../helpers/sandboxes.js';
import { connectToTestServer, runTestWorker, startTestIncident, testPlaybook, uniqueTaskQueue } from '../helpers/temporal.js';
import { waitFor } from '../helpers/wait-for.js';

let env: TestWorkflowEnvironment;
let sandboxes: Awaited<ReturnType<typeof startSandboxes>>;

const playbook: PlaybookDefinition = {
  ...testPlaybook,
  // The sandbox's schedule; paging on, so the page is held too.
  opsgenie: { schedule: 'primary', page: true },
  zoom: { enabled: true },
};

beforeAll(async () => {
  env = await connectToTestServer();
  sandboxes = await startSandboxes();
});

afterAll(async () => {
  await sandboxes?.stop();
  await env?.teardown();
});

beforeEach(() => sandboxes.reset());

/** A call held until `open()`. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { opened, open };
}

/** The real adapter, but these of its methods wait for the gate first. */
function held<T extends object>(real: T, methods: Array<keyof T>, until: Promise<void>): T {
  const wrapper = Object.create(real) as T;
  for (const method of methods) {
    const original = real[method] as (...args: unknown[]) => Promise<unknown>;
    (wrapper as Record<keyof T, unknown>)[method] = async (...args: unknown[]) => {
      await until;
      return original.apply(real, args);
    };
  }
  return wrapper;
}

async function withWorker<T>(name: string, ports: IntegrationPorts, run: (taskQueue: string) => Promise<T>): Promise<T> {
  const taskQueue = uniqueTaskQueue(name);
  const worker = await runTestWorker(env, taskQueue, { integrations: ports });
  try {
    return await run(taskQueue);
  } finally {
    await worker.stop();
  }
}

type Handle = Awaited<ReturnType<typeof startTestIncident>>['handle'];
const viewOf = (handle: Handle) => handle.query(incidentViewQuery);
const launchedView = (handle: Handle) =>
  waitFor(
    () => viewOf(handle),
    (v) => Object.values(v.launch).every((step) => step.status !== 'pending'),
    { timeoutMs: 30_000, what: 'the launch to finish' },
  );

it('sets the header with the ticket and bridge links while Opsgenie has not yet said who is on call nor taken the page', async () => {
  const opsgenie = gate();
  const ports = { ...sandboxes.ports, onCall: held<OnCallPort>(sandboxes.ports.onCall, ['whoIsOnCall', 'createAlert'], opsgenie.opened) };
  await withWorker('launch-order-header', ports, async (taskQueue) => {
    const { handle } = await startTestIncident(env.client, taskQueue, { playbook });
    try {
      const headed = await waitFor(() => viewOf(handle), (v) => v.launch.channelHeader.status !== 'pending', { what: 'the header, with Opsgenie held' });
      expect(headed.launch.channelHeader.status).toBe('done');
      // What waits for Opsgenie is still under way: the lookup (and so the invitations), and the page.
      expect(headed.launch.oncall.status).toBe('pending');
      expect(headed.launch.invite.status).toBe('pending');
      expect(headed.launch.alert.status).toBe('pending');
      const header = sandboxes.mattermost.channels().find((c) => c.id === headed.links.channelId)!.header;
      expect(header).toContain(`Ticket: [${headed.links.ticketKey}](${headed.links.ticketUrl})`);
      expect(header).toContain(`Bridge: ${headed.links.meetingUrl}`);
    } finally {
      opsgenie.open();
    }
    // The rest follows once Opsgenie answers.
    const view = await launchedView(handle);
    expect(Object.entries(view.launch).filter(([, s]) => s.status !== 'done' && s.status !== 'skipped')).toEqual([]);
    expect(view.links.onCall).toEqual(['oscar']);
    const members = await sandboxes.ports.chat.listChannelMembers(view.links.channelId!);
    expect(members).toEqual(expect.arrayContaining(['alice', 'oscar']));
  });
});

it('waits for the on-call lookup before the header when the on-call is the commander, and shows them at once', async () => {
  const opsgenie = gate();
  const ports = { ...sandboxes.ports, onCall: held<OnCallPort>(sandboxes.ports.onCall, ['whoIsOnCall'], opsgenie.opened) };
  await withWorker('launch-order-commander', ports, async (taskQueue) => {
    const { handle } = await startTestIncident(env.client, taskQueue, { playbook: { ...playbook, defaultCommander: 'oncall' } });
    try {
      // Everything else the header shows is in: a header that did not wait would be set now, with the reporter.
      await waitFor(() => viewOf(handle), (v) => v.launch.ticket.status === 'done' && v.launch.meeting.status === 'done', { what: 'the ticket and the meeting' });
    } finally {
      opsgenie.open();
    }
    const view = await launchedView(handle);
    expect(view.commander).toBe('oscar');
    const headers = sandboxes.mattermost.server
      .requestsTo('PUT', new RegExp(`^/api/v4/channels/${view.links.channelId}/patch$`))
      .map((r) => (r.body as { header?: string }).header)
      .filter((header) => header !== undefined);
    // Drawn with the on-call commander the first time, not with the reporter and then again.
    expect(headers[0]).toContain('Commander: @oscar');
  });
});

it('looks up who is on call, pages, starts the meeting and opens the ticket while the channel is being made', async () => {
  const mattermost = gate();
  const ports = { ...sandboxes.ports, chat: held<ChatPort>(sandboxes.ports.chat, ['createChannel'], mattermost.opened) };
  await withWorker('launch-order-beside', ports, async (taskQueue) => {
    const { handle } = await startTestIncident(env.client, taskQueue, { playbook });
    try {
      const asked = () => ({
        lookup: sandboxes.opsgenie.server.requestsTo('GET', /^\/v2\/schedules\/primary\/on-calls$/).length,
        page: sandboxes.opsgenie.server.requestsTo('POST', /^\/v2\/alerts\/?$/).length,
        meeting: sandboxes.zoom.server.requestsTo('POST', /^\/v2\/users\/[^/]+\/meetings$/).length,
        // From incident-v16 the ticket links the channel by the name it is being made with: it does not wait for it.
        ticket: sandboxes.jira.server.requestsTo('POST', /^\/rest\/api\/2\/issue$/).length,
      });
      await waitFor(asked, (calls) => calls.lookup > 0 && calls.page > 0 && calls.meeting > 0 && calls.ticket > 0, {
        what: 'the lookup, the page, the meeting and the ticket, with no channel yet',
      });
      expect(sandboxes.mattermost.server.requestsTo('POST', /^\/api\/v4\/channels$/)).toEqual([]);
    } finally {
      mattermost.open();
    }
    const view = await launchedView(handle);
    expect(Object.entries(view.launch).filter(([, s]) => s.status !== 'done' && s.status !== 'skipped')).toEqual([]);
    // The bridge's link is posted in the channel once there is one.
    expect(sandboxes.mattermost.posts(view.links.channelId!).filter((p) => p.message.includes(view.links.meetingUrl!))).toHaveLength(1);
    // The issue opened before the channel existed links the channel that was made.
    const issue = sandboxes.jira.server.requestsTo('POST', /^\/rest\/api\/2\/issue$/)[0]!;
    expect(JSON.stringify(issue.body)).toContain(`Incident channel: ${view.links.channelUrl}`);
  });
});

it('tells the channel about a step begun beside it that failed before the channel existed', async () => {
  const mattermost = gate();
  const ports = { ...sandboxes.ports, chat: held<ChatPort>(sandboxes.ports.chat, ['createChannel'], mattermost.opened) };
  await withWorker('launch-order-notice', ports, async (taskQueue) => {
    // Opsgenie has no such schedule: the lookup fails for good at once, while the channel is held.
    const { handle } = await startTestIncident(env.client, taskQueue, { playbook: { ...playbook, opsgenie: { schedule: 'nobody-has-this' } } });
    try {
      await waitFor(() => viewOf(handle), (v) => v.launch.oncall.status === 'failed', { what: 'the lookup to fail, with no channel yet' });
    } finally {
      mattermost.open();
    }
    const view = await launchedView(handle);
    const notices = await waitFor(
      () => sandboxes.mattermost.posts(view.links.channelId!).filter((p) => p.message.includes('Looking up who is on call failed')),
      (found) => found.length > 0,
      { what: 'the failure told in the channel' },
    );
    expect(notices.map((p) => p.message)).toEqual([expect.stringContaining('Retry with `/incident retry oncall`')]);
  });
});
