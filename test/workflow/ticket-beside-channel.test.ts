/**
 * From incident-v16 the Jira issue is opened beside the channel, in the incident's first workflow task, not once the
 * channel is made: its description links the channel by the name it is being made with (the chat integration's URL
 * for it), so the issue, the longest step of a launch, no longer waits for the channel (and, since v15, its checklist).
 */
import type { WorkflowHandle } from '@temporalio/client';
import { expect, it } from 'vitest';
import { InMemoryWorkspace } from '../fakes/in-memory-workspace.js';
import { launchedAndAtRest, startTestIncident, testPlaybook, workerForTests } from '../helpers/temporal.js';

const workspace = new InMemoryWorkspace();
const tested = workerForTests('ticket-beside-channel', { integrations: workspace });
const QUIET = { membershipCheckIntervalMs: 3_600_000 };


/** The workflow task (its completed event's ID) that scheduled each activity type, first of each. */
async function scheduledBy(handle: WorkflowHandle): Promise<Map<string, string>> {
  const events = (await handle.fetchHistory()).events ?? [];
  const byType = new Map<string, string>();
  for (const event of events) {
    const scheduled = event.activityTaskScheduledEventAttributes;
    const type = scheduled?.activityType?.name;
    if (type && !byType.has(type)) byType.set(type, String(scheduled.workflowTaskCompletedEventId));
  }
  return byType;
}


const issueOf = (ticketKey: string) => workspace.records.issues.find((issue) => issue.key === ticketKey)!;

it('opens the issue in the first workflow task, beside the channel, and links the channel it made', async () => {
  const { handle } = await startTestIncident(tested.env.client, tested.taskQueue, { playbook: testPlaybook }, QUIET);
  const view = await launchedAndAtRest(handle);
  expect(view.launch.ticket.status).toBe('done');
  const by = await scheduledBy(handle);
  expect(by.get('openTicket')).toBeDefined();
  expect(by.get('openTicket')).toBe(by.get('openIncidentChannel'));
  expect(issueOf(view.links.ticketKey!).description).toContain(`\nIncident channel: ${view.links.channelUrl}`);
});

it('links the channel even when the issue is opened before the channel is made', async () => {
  // Chat answers the channel's creation a second late: Jira is done first.
  await workspace.withFaults({ createChannel: { failures: 0, delayAfterMs: 1_000 } }, async () => {
    const { handle } = await startTestIncident(tested.env.client, tested.taskQueue, { playbook: testPlaybook }, QUIET);
    const view = await launchedAndAtRest(handle);
    const done = view.timeline.filter((event) => event.kind === 'integration_succeeded').map((event) => event.data?.step);
    expect(done.indexOf('ticket')).toBeGreaterThanOrEqual(0);
    expect(done.indexOf('ticket')).toBeLessThan(done.indexOf('channel'));
    expect(issueOf(view.links.ticketKey!).description).toContain(`\nIncident channel: ${view.links.channelUrl}`);
    // The header, which shows the issue, still went on the channel once it was there.
    expect(view.launch.channelHeader.status).toBe('done');
  });
});
