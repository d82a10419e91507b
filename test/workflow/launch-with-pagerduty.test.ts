/**
 * An incident end to end with PagerDuty on call (ON_CALL_PROVIDER=pagerduty): the real adapters against the sandboxes,
 * the PagerDuty one in place of Opsgenie. Who is on call joins the channel, is paged once through the Events API (a
 * retried page is the same PagerDuty incident), and the page is resolved when the incident is.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { PlaybookDefinition } from '../../domain/playbook/schema.js';
import { commandUpdates, incidentViewQuery } from '../../workflows/messages.js';
import { startSandboxes } from '../helpers/sandboxes.js';
import { connectToTestServer, runTestWorker, startTestIncident, testPlaybook, uniqueTaskQueue } from '../helpers/temporal.js';
import { waitFor } from '../helpers/wait-for.js';

let env: TestWorkflowEnvironment;
let worker: Awaited<ReturnType<typeof runTestWorker>>;
let sandboxes: Awaited<ReturnType<typeof startSandboxes>>;
const taskQueue = uniqueTaskQueue('launch-pagerduty');

// The playbook's on-call section is named after Opsgenie, its first service; its schedule names a PagerDuty one here.
const pagingPlaybook: PlaybookDefinition = { ...testPlaybook, opsgenie: { schedule: 'primary', page: true, priority: 'P3' } };

beforeAll(async () => {
  env = await connectToTestServer();
  sandboxes = await startSandboxes();
  worker = await runTestWorker(env, taskQueue, { integrations: sandboxes.pagerDutyPorts });
});

afterAll(async () => {
  await worker?.stop();
  await sandboxes?.stop();
  await env?.teardown();
});

beforeEach(() => sandboxes.reset());

const launched = (handle: Awaited<ReturnType<typeof startTestIncident>>['handle']) =>
  waitFor(
    () => handle.query(incidentViewQuery),
    (v) => Object.values(v.launch).every((step) => step.status !== 'pending'),
    { timeoutMs: 30_000, what: 'the launch to finish' },
  );

describe('an incident with PagerDuty on call', () => {
  it('invites who is on call, pages them once with the severity the incident has, and resolves the page with the incident', async () => {
    const { id, handle } = await startTestIncident(env.client, taskQueue, { commander: 'bob', playbook: pagingPlaybook, severity: 'sev1' });
    const view = await launched(handle);
    expect(Object.entries(view.launch).filter(([, s]) => s.status !== 'done')).toEqual([]);

    // On call in PagerDuty's "primary" schedule: oscar, who joins the channel.
    expect(view.links.onCall).toEqual(['oscar']);
    const members = await sandboxes.ports.chat.listChannelMembers(view.links.channelId!);
    expect(members).toEqual(expect.arrayContaining(['alice', 'bob', 'oscar']));

    // Paged once: one PagerDuty incident keyed by the incident's alias, sev1 → critical (high urgency), assigned to oscar.
    const incidents = sandboxes.pagerduty.incidents();
    expect(incidents).toEqual([
      expect.objectContaining({
        incidentKey: `incident-${id}`,
        title: '[sev1] Checkout is down',
        severity: 'critical',
        urgency: 'high',
        status: 'triggered',
        alertCount: 1,
        assignees: ['oscar@example.com'],
      }),
    ]);
    expect(sandboxes.pagerduty.receivedEvents().map((e) => [e.action, e.outcome])).toEqual([['trigger', 'created']]);
    expect(view.links.alertId).toBe(incidents[0]!.id);
    expect(view.timeline.find((e) => e.data?.step === 'alert')?.text).toBe(`On-call paged (alert ${incidents[0]!.id})`);
    // Nothing went to Opsgenie.
    expect(sandboxes.opsgenie.server.requests).toEqual([]);

    await handle.executeUpdate(commandUpdates.acknowledge, { args: [{ actor: 'bob' }] });
    await handle.executeUpdate(commandUpdates.resolve, { args: [{ actor: 'bob', summary: 'Rolled back the release' }] });
    const resolved = await waitFor(
      () => handle.query(incidentViewQuery),
      (v) => v.followUps.some((f) => f.kind === 'closeAlert' && f.status !== 'pending'),
      { what: 'the page to be closed' },
    );
    expect(resolved.followUps.find((f) => f.kind === 'closeAlert')?.status).toBe('done');
    expect(sandboxes.pagerduty.incidents()).toEqual([expect.objectContaining({ incidentKey: `incident-${id}`, status: 'resolved' })]);
    expect(sandboxes.pagerduty.receivedEvents().map((e) => [e.action, e.outcome])).toEqual([
      ['trigger', 'created'],
      ['resolve', 'resolved'],
    ]);
  });

  it('opens one PagerDuty incident when the first page attempt timed out after PagerDuty took it', async () => {
    // The trigger is processed, but only after the adapter's 2 s timeout: the activity fails and Temporal retries it.
    sandboxes.pagerduty.events.addFault({ method: 'POST', path: '/v2/enqueue', latencyMs: 2_500, times: 1 });
    const { id, handle } = await startTestIncident(env.client, taskQueue, { playbook: pagingPlaybook, severity: 'sev2' });
    const view = await launched(handle);
    expect(view.launch.alert.status).toBe('done');
    expect(sandboxes.pagerduty.incidents()).toEqual([expect.objectContaining({ incidentKey: `incident-${id}`, severity: 'error', status: 'triggered' })]);
    // The first attempt paged without looking (nothing could exist yet); the retry looked first, and found (or was
    // deduplicated into) the first page.
    const lookups = sandboxes.pagerduty.server.requestsTo('GET', /^\/incidents$/).filter((r) => r.query.incident_key === `incident-${id}`);
    const pages = sandboxes.pagerduty.events.requestsTo('POST', /^\/v2\/enqueue$/).filter((r) => JSON.stringify(r.body).includes(`incident-${id}`));
    expect(lookups.length).toBeGreaterThanOrEqual(1);
    expect(pages.length).toBeGreaterThanOrEqual(1);
    expect(Date.parse(pages[0]!.at)).toBeLessThanOrEqual(Date.parse(lookups[0]!.at));
  });

  it("uses the worker's default schedule when the playbook names none, and goes on without PagerDuty when it is down", async () => {
    const { handle } = await startTestIncident(env.client, taskQueue, { playbook: { ...testPlaybook, opsgenie: {} } });
    expect((await launched(handle)).links.onCall).toEqual(['oscar']);

    sandboxes.pagerduty.server.addFault({ path: '/.*', drop: true });
    // A schedule this worker has not looked up: for the default one it just did, a first launch takes that answer
    // (activities/on-call.ts, ON_CALL_CACHE_MS) and PagerDuty being down would not show.
    const down = await startTestIncident(env.client, taskQueue, { playbook: { ...testPlaybook, opsgenie: { schedule: 'not-asked-yet' } } });
    const view = await launched(down.handle);
    expect(view.launch.oncall.status).toBe('failed');
    expect(view.launch.oncall.error).toMatch(/PagerDuty could not be reached/);
    for (const step of ['channel', 'invite', 'ticket', 'meeting', 'checklistPost', 'channelHeader'] as const) {
      expect(view.launch[step].status, step).toBe('done');
    }
  });
});
