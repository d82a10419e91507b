/**
 * One incident from `POST /api/v1/incidents` to closed, driven the ways people will drive it: the REST API, and the
 * `temporal` CLI that ops use (list by search attribute, signal a command with a JSON payload).
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { IncidentStatusKey } from '../../temporal/search-attributes.js';
import { connectToTestServer } from '../helpers/temporal.js';
import { apiClient, startTestStack, type TestStack } from '../helpers/stack.js';
import { waitFor } from '../helpers/wait-for.js';

const run = promisify(execFile);
let env: TestWorkflowEnvironment;
let stack: TestStack;

beforeAll(async () => {
  env = await connectToTestServer();
  stack = await startTestStack(env);
});

afterAll(async () => {
  await stack?.stop();
  await env?.teardown();
});

async function temporal(...args: string[]): Promise<string> {
  const { stdout } = await run(inject('temporalCliPath'), [...args, '--address', inject('temporalAddress')]);
  return stdout;
}

it('takes an incident from report to close through the API and the temporal CLI', async () => {
  const call = apiClient(stack.api.url);
  const started = await call('POST', '/api/v1/incidents', {
    name: 'Payments timing out',
    summary: 'p99 latency above 5 s on /pay',
    reporter: 'alice',
    team: 'payments',
    playbook: 'service-outage',
  });
  expect(started.status).toBe(201);
  const id: string = started.body.id;
  const workflowId = `incident-${id}`;

  // Ops find it by its search attributes, as in the README.
  const listed = await waitFor(
    () => temporal('workflow', 'list', '--query', `IncidentStatus='reported' AND IncidentTeam='payments'`, '--output', 'json'),
    (out) => out.includes(workflowId),
    { what: 'the CLI to list the reported incident' },
  );
  expect(listed).toContain(workflowId);

  // A command sent as a plain signal from the CLI changes the incident, and the API shows it.
  await temporal('workflow', 'signal', '--workflow-id', workflowId, '--name', 'acknowledge', '--input', '{"actor":"bob"}');
  await temporal('workflow', 'signal', '--workflow-id', workflowId, '--name', 'completeTask', '--input', '{"taskId":"1.1","actor":"bob"}');
  const acknowledged = await waitFor(
    () => call('GET', `/api/v1/incidents/${id}`),
    (r) => r.body.checklists?.[0]?.tasks?.[0]?.state === 'done',
    { what: 'the signalled task to be done' },
  );
  expect(acknowledged.body).toMatchObject({ status: 'active', acknowledgedAt: expect.any(String) });
  expect(acknowledged.body.checklists[0].tasks[0].stateChangedBy).toBe('bob');
  await waitFor(
    () => temporal('workflow', 'list', '--query', `IncidentStatus='active' AND WorkflowId='${workflowId}'`, '--output', 'json'),
    (out) => out.includes(workflowId),
    { what: 'the CLI to find the incident as active' },
  );

  // The rest through the API.
  for (const [path, body] of [
    ['/commander', { commander: 'bob', actor: 'alice' }],
    ['/tasks/1.2/assign', { assignee: 'carol', actor: 'bob' }],
    ['/tasks/1.2/complete', { actor: 'carol' }],
    ['/notes', { text: 'Rolled back release 2026.11.3', actor: 'bob' }],
    ['/resolve', { summary: 'Release 2026.11.3 exhausted the DB pool; rolled back', actor: 'bob' }],
    ['/close', { actor: 'bob' }],
  ] as const) {
    const response = await call('POST', `/api/v1/incidents/${id}${path}`, body);
    expect(response.status, `${path}: ${JSON.stringify(response.body)}`).toBe(200);
  }

  const final = await call('GET', `/api/v1/incidents/${id}`);
  expect(final.body).toMatchObject({
    status: 'closed',
    commander: 'bob',
    summary: 'Release 2026.11.3 exhausted the DB pool; rolled back',
    progress: { done: 2, skipped: 0, total: 9 },
  });
  expect(final.body.timeToAcknowledgeMs).toBeGreaterThanOrEqual(0);
  expect(final.body.timeToResolveMs).toBeGreaterThanOrEqual(final.body.timeToAcknowledgeMs);
  expect(final.body.timeline.map((e: { kind: string }) => e.kind)).toEqual(
    expect.arrayContaining(['incident_reported', 'status_changed', 'task_state_changed', 'commander_changed', 'task_assigned', 'note']),
  );
  // Closing ends the workflow once the last outside work (resolution follow-ups, the final checklist redraw) is done.
  const result = await env.client.workflow.getHandle(workflowId).result();
  expect(result.status).toBe('closed');
  const description = await env.client.workflow.getHandle(workflowId).describe();
  expect(description.status.name).toBe('COMPLETED');
  expect(description.typedSearchAttributes.get(IncidentStatusKey)).toBe('closed');
});
