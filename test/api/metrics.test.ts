/**
 * /metrics and /readyz: after an incident, a note, a refused command, an alert and a repeat of it, a scrape finds each
 * family with the values those requests must have made; the route label is the pattern, never an incident's path.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { alertmanagerGroup } from '../helpers/alert-fixtures.js';
import { apiClient, startTestStack, type TestStack } from '../helpers/stack.js';
import { connectToTestServer } from '../helpers/temporal.js';
import { waitFor } from '../helpers/wait-for.js';

let env: TestWorkflowEnvironment;
let stack: TestStack;
let call: ReturnType<typeof apiClient>;

beforeAll(async () => {
  env = await connectToTestServer();
  stack = await startTestStack(env);
  call = apiClient(stack.api.url);
});

afterAll(async () => {
  await stack?.stop();
  await env?.teardown();
});

/** The value of one series in Prometheus's text format, or undefined when it is not there. */
function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  const wanted = Object.entries(labels).map(([key, value]) => `${key}="${value}"`);
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    const labelText = line.slice(name.length).split(' ')[0]!;
    if (wanted.every((pair) => labelText.includes(pair))) return Number(line.split(' ').at(-1));
  }
  return undefined;
}

describe('metrics', () => {
  it('count requests, commands by door and outcome, alert deliveries, and the incidents in the store', async () => {
    const started = await call('POST', '/api/v1/incidents', { name: 'Checkout is down', reporter: 'alice', playbook: 'service-outage' });
    expect(started.status).toBe(201);
    const id = started.body.id as string;
    expect((await call('POST', `/api/v1/incidents/${id}/notes`, { text: 'looking at it', actor: 'alice' })).status).toBe(200);
    // Resolving a reported incident is refused (acknowledge it first).
    expect((await call('POST', `/api/v1/incidents/${id}/resolve`, { actor: 'alice' })).status).toBe(409);
    const group = alertmanagerGroup('firing', '{}:{alertname="MetricsTest"}');
    expect((await call('POST', '/api/v1/alerts/alertmanager?wait=20', group)).body.outcome).toBe('started');
    expect((await call('POST', '/api/v1/alerts/alertmanager?wait=20', group)).body.outcome).toBe('joined');
    await waitFor(() => call('GET', '/api/v1/incidents?status=reported'), (answer) => (answer.body.items as unknown[]).length >= 2, { what: 'both incidents in the store' });

    const scrape = await fetch(`${stack.api.url}/metrics`);
    expect(scrape.status).toBe(200);
    expect(scrape.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await scrape.text();
    expect(sample(text, 'incident_api_http_requests_total', { method: 'POST', route: '/api/v1/incidents', status: '201' })).toBe(1);
    expect(sample(text, 'incident_api_http_requests_total', { method: 'POST', route: '/api/v1/incidents/:id/notes', status: '200' })).toBe(1);
    // A refusal counts under the same pattern as a success (it left its router for the app's error handler).
    expect(sample(text, 'incident_api_http_requests_total', { method: 'POST', route: '/api/v1/incidents/:id/resolve', status: '409' })).toBe(1);
    expect(text).not.toContain(`/api/v1/incidents/${id}`);
    expect(sample(text, 'incident_api_http_request_duration_seconds_count', { method: 'POST', route: '/api/v1/incidents/:id/notes' })).toBe(1);
    expect(sample(text, 'incident_commands_total', { command: 'addNote', door: 'rest', outcome: 'applied' })).toBe(1);
    expect(sample(text, 'incident_commands_total', { command: 'resolve', door: 'rest', outcome: 'refused' })).toBe(1);
    expect(sample(text, 'incident_commands_total', { command: 'recordAlerts', door: 'alert', outcome: 'applied' })).toBe(2);
    expect(sample(text, 'incident_alert_deliveries_total', { outcome: 'accepted' })).toBe(2);
    expect(sample(text, 'incident_alert_deliveries_total', { outcome: 'started' })).toBe(1);
    expect(sample(text, 'incident_alert_deliveries_total', { outcome: 'joined' })).toBe(1);
    expect(sample(text, 'incident_alerts_total', { outcome: 'started' })).toBe(group.alerts.length);
    expect(sample(text, 'incident_incidents', { status: 'reported', severity: 'sev2' })).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'process_cpu_user_seconds_total', {})).toBeGreaterThan(0);
    // A request no route knows is one series, whatever its path.
    await call('GET', '/no/such/thing/1');
    await call('GET', '/no/such/thing/2');
    const after = await (await fetch(`${stack.api.url}/metrics`)).text();
    expect(sample(after, 'incident_api_http_requests_total', { method: 'GET', route: 'unmatched', status: '404' })).toBe(2);
  });

  it('are ready only while Temporal and the store answer (/readyz); /healthz is the liveness probe', async () => {
    expect(await call('GET', '/readyz')).toEqual({ status: 200, body: { status: 'ready', temporal: 'reachable', store: 'reachable' } });
    expect((await call('GET', '/healthz')).status).toBe(200);
  });
});
