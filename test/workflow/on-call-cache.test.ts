/**
 * The worker's memory of who is on call, through whole launches: a first launch takes what the worker found for the
 * same schedule moments ago, incidents of teams on different schedules never get each other's on-call, and a lookup
 * that failed is looked up again by `/incident retry oncall`, which asks the service.
 */
import { expect, it } from 'vitest';
import type { PlaybookDefinition } from '../../domain/playbook/schema.js';
import { InMemoryWorkspace } from '../fakes/in-memory-workspace.js';
import { commandUpdates, incidentViewQuery } from '../../workflows/messages.js';
import { startTestIncident, testPlaybook, workerForTests, scheduledActivities } from '../helpers/temporal.js';
import { waitFor } from '../helpers/wait-for.js';

const workspace = new InMemoryWorkspace({
  users: ['alice', 'pat', 'sam', 'petra'],
  onCall: { 'Payments on-call': ['pat@example.com'], 'Search on-call': ['sam@example.com'] },
});
const tested = workerForTests('on-call-cache', { integrations: workspace });

const teamPlaybook = (schedule: string): PlaybookDefinition => ({ ...testPlaybook, opsgenie: { schedule } });


type Handle = Awaited<ReturnType<typeof startTestIncident>>['handle'];
const onCallSettled = (handle: Handle) =>
  waitFor(() => handle.query(incidentViewQuery), (v) => v.launch.oncall.status !== 'pending' && v.launch.invite.status !== 'pending', { what: 'the on-call lookup and the invitations' });

it("gives each team its own schedule's on-call, and a team's next incident the answer of moments ago", async () => {
  const payments = await startTestIncident(tested.env.client, tested.taskQueue, { team: 'payments', playbook: teamPlaybook('Payments on-call') });
  expect((await onCallSettled(payments.handle)).links.onCall).toEqual(['pat']);
  const search = await startTestIncident(tested.env.client, tested.taskQueue, { team: 'search', playbook: teamPlaybook('Search on-call') });
  expect((await onCallSettled(search.handle)).links.onCall).toEqual(['sam']);
  expect(workspace.callCount('whoIsOnCall')).toBe(2);

  // Payments hands over; an incident started right after still has pat (found moments ago), without asking again.
  workspace.records.onCall['Payments on-call'] = ['petra@example.com'];
  const again = await startTestIncident(tested.env.client, tested.taskQueue, { team: 'payments', playbook: teamPlaybook('Payments on-call') });
  const view = await onCallSettled(again.handle);
  expect(view.links.onCall).toEqual(['pat']);
  expect(view.participants).not.toContain('sam');
  expect(workspace.callCount('whoIsOnCall')).toBe(2);
  // Nor is chat asked who pat is again: the users come with the answer they were found for (incident-v11).
  expect(workspace.callCount('usernamesForEmails')).toBe(2);
  const activities = await scheduledActivities(again.handle);
  expect(activities.filter((name) => /OnCall|onCall|usernames/.test(name))).toEqual(['onCallPeople']);
});

it('starts a run with one patch marker, the newest patch (incident-v21), that stands for every change before it', async () => {
  const { handle } = await startTestIncident(tested.env.client, tested.taskQueue, { team: 'payments', playbook: teamPlaybook('Payments on-call') });
  await onCallSettled(handle);
  const events = (await handle.fetchHistory()).events ?? [];
  const markers = events.filter((event) => event.markerRecordedEventAttributes?.markerName === 'core_patch');
  expect(markers).toHaveLength(1);
  const patch = markers[0]!.markerRecordedEventAttributes?.details?.['patch-data']?.payloads?.[0]?.data;
  expect(JSON.parse(Buffer.from(patch ?? []).toString('utf8'))).toMatchObject({ id: 'incident-v21' });
});

it('asks the service again when the lookup is retried by command', async () => {
  const { handle } = await workspace.withFaults({ whoIsOnCall: { failures: Infinity, retryable: false } }, async () => {
    const started = await startTestIncident(tested.env.client, tested.taskQueue, { team: 'ops', playbook: teamPlaybook('Ops on-call') });
    expect((await onCallSettled(started.handle)).launch.oncall.status).toBe('failed');
    return started;
  });
  workspace.records.onCall['Ops on-call'] = ['petra@example.com'];
  const asked = workspace.callCount('whoIsOnCall');
  await handle.executeUpdate(commandUpdates.retryIntegration, { args: [{ step: 'oncall', actor: 'alice' }] });
  const view = await waitFor(() => handle.query(incidentViewQuery), (v) => v.launch.oncall.status === 'done' && v.launch.invite.status !== 'pending', { what: 'the retried lookup' });
  expect(view.links.onCall).toEqual(['petra']);
  expect(workspace.callCount('whoIsOnCall')).toBe(asked + 1);
});
