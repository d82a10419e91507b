/**
 * A failing integration never fails the incident: a permanent failure is written to the timeline at once, a temporary
 * one is retried until it works, and the incident takes commands throughout.
 */
import { expect, it } from 'vitest';
import { InMemoryWorkspace } from '../fakes/in-memory-workspace.js';
import { commandUpdates, incidentViewQuery } from '../../workflows/messages.js';
import { startTestIncident, updateThenView, workerForTests } from '../helpers/temporal.js';
import { waitFor } from '../helpers/wait-for.js';

const workspace = new InMemoryWorkspace({ users: ['alice', 'oscar'], onCall: { default: ['oscar@example.com', 'ghost@example.com'] } });
const tested = workerForTests('launch-failures', { integrations: workspace });


it('records a permanent failure, retries a temporary one, and keeps the incident going', async () => {
  const { id, handle, view } = await workspace.withFaults({ createIssue: { failures: Infinity, retryable: false }, createMeeting: { failures: 2, retryable: true } }, async () => {
    const started = await startTestIncident(tested.env.client, tested.taskQueue);
    const launched = await waitFor(
      () => started.handle.query(incidentViewQuery),
      // Every step, not the header: it goes up once its links are in, not after the invitations.
      (v) => Object.values(v.launch).every((step) => step.status !== 'pending'),
      { timeoutMs: 30_000, what: 'the launch to finish' },
    );
    return { ...started, view: launched };
  });

  expect(view.launch.ticket).toEqual({ status: 'failed', error: 'createIssue failed (injected permanent fault)' });
  expect(workspace.callCount('createIssue')).toBe(1); // non-retryable: tried once
  expect(view.launch.meeting.status).toBe('done'); // retryable: third attempt worked
  expect(workspace.records.meetings.filter((m) => m.key === `${id}:meeting`)).toHaveLength(1);
  expect(view.timeline.find((e) => e.kind === 'integration_failed')).toMatchObject({
    actor: 'system',
    text: 'Opening the Jira issue failed: createIssue failed (injected permanent fault)',
    data: { step: 'ticket' },
  });
  // The team hears about it in the channel, with the command that retries it.
  const notice = workspace.records.posts.find((p) => p.channelId === view.links.channelId && p.message.includes('Jira'));
  expect(notice?.message).toBe(
    ':warning: Opening the Jira issue failed: createIssue failed (injected permanent fault)\nRetry with `/incident retry ticket`.',
  );
  // The header went up without a ticket link; everyone the chat knows was invited, the unknown on-call reported.
  const channel = workspace.records.channels.find((c) => c.id === view.links.channelId)!;
  expect(channel.header).not.toContain('Ticket');
  expect(channel.members.sort()).toEqual(['alice', 'oscar']);
  expect(view.timeline.find((e) => e.data?.step === 'oncall')?.text).toBe('On call: @oscar; not in chat: ghost@example.com');
  // carol is pre-assigned a task by the playbook, so she is invited too; this chat does not know her.
  expect(view.timeline.find((e) => e.data?.step === 'invite')?.text).toBe('Invited @alice, @oscar; not found in chat: @carol');

  expect(view.status).toBe('reported');
  const after = await updateThenView(handle, 'acknowledge', { actor: 'alice' });
  expect(after.status).toBe('active');

  // Jira is back: a retry by command opens the issue and puts its link in the header.
  const retried = await handle.executeUpdate(commandUpdates.retryIntegration, { args: [{ step: 'ticket', actor: 'alice' }] });
  expect(retried).toMatchObject({ changed: [{ kind: 'integration_retried' }] });
  const fixed = await waitFor(
    () => handle.query(incidentViewQuery),
    (v) => v.launch.ticket.status === 'done' && v.launch.channelHeader.status === 'done',
    { what: 'the retried ticket and the refreshed header' },
  );
  expect(channel.header).toContain(`Ticket: [${fixed.links.ticketKey}]`);
  const refused = await updateThenView(handle, 'retryIntegration', { step: 'ticket' }).catch((e: unknown) => e);
  expect((refused as { cause?: Error }).cause?.message).toBe('ticket is done; only a failed step can be retried');
});

it('skips the steps that need a channel when the channel cannot be made, and says why', async () => {
  await workspace.withFaults({ createChannel: { failures: Infinity, retryable: false } }, async () => {
    const { handle } = await startTestIncident(tested.env.client, tested.taskQueue);
    const view = await waitFor(
      () => handle.query(incidentViewQuery),
      (v) => v.launch.channelHeader.status !== 'pending' && v.launch.ticket.status !== 'pending',
      { timeoutMs: 30_000, what: 'the launch to finish' },
    );
    expect(view.launch.channel.status).toBe('failed');
    for (const step of ['invite', 'checklistPost', 'channelHeader'] as const) {
      expect(view.launch[step], step).toEqual({ status: 'failed', error: 'skipped: the incident channel could not be created' });
    }
    expect(view.launch.ticket.status).toBe('done');
    expect(view.launch.meeting.status).toBe('done');
  });
});
