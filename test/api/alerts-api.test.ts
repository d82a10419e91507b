/**
 * Alerts from monitoring through the REST API, with a token, against a real worker that projects incident records into
 * a SQLite store: Alertmanager's firing and resolved groups, repeats and concurrent deliveries making one incident, the
 * playbook chosen by the rules, malformed, oversized and unauthenticated deliveries, the generic endpoint, and the
 * records and stats the store then answers with.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { pino } from 'pino';
import { generateToken, parseApiTokens, tokenEntry } from '../../api/auth/api-tokens.js';
import { startApi, type RunningApi } from '../../api/server.js';
import { parseAlertRules } from '../../api/alert-rules-file.js';
import type { PlaybookDefinition } from '../../domain/playbook/schema.js';
import { validatePlaybook } from '../../domain/playbook/validation.js';
import { InMemoryWorkspace } from '../fakes/in-memory-workspace.js';
import { openDatabase, type OpenedDatabase } from '../../store/database.js';
import { IncidentRecordRepository } from '../../store/incident-records.js';
import type { PlaybookLookup } from '../../store/playbook-lookup.js';
import { incidentWorkflowId } from '../../workflows/messages.js';
import { apiClient } from '../helpers/stack.js';
import { connectToTestServer, runTestWorker, uniqueTaskQueue } from '../helpers/temporal.js';
import { waitFor } from '../helpers/wait-for.js';
import { alertmanagerGroup } from '../helpers/alert-fixtures.js';

const directory = mkdtempSync(join(tmpdir(), 'alerts-api-'));
const token = generateToken();
const reader = generateToken();
let env: TestWorkflowEnvironment;
let worker: Awaited<ReturnType<typeof runTestWorker>>;
let database: OpenedDatabase;
let api: RunningApi;

const definitions: PlaybookDefinition[] = [
  { id: 'checkout-alerts', title: 'Checkout alerts', severities: ['sev1', 'sev2', 'sev3'], alerts: { autoResolve: true }, checklists: [] },
  { id: 'blank', title: 'Blank', checklists: [] },
];
const playbooks: PlaybookLookup = {
  get: async (id) => {
    const found = definitions.find((p) => p.id === id);
    if (!found) return undefined;
    const checked = validatePlaybook(found);
    return checked.ok ? checked.playbook : undefined;
  },
  list: async () => (await Promise.all(definitions.map((d) => playbooks.get(d.id)))).flatMap((p) => (p ? [p] : [])),
};
const rules = parseAlertRules(`
rules:
  - name: checkout
    match: { service: checkout }
    playbook: checkout-alerts
    team: shop
default: { playbook: blank, team: ops }
`);

const call = (method: string, path: string, body?: unknown, bearer: string | undefined = token) =>
  apiClient(api.url)(method, path, body, bearer ? { authorization: `Bearer ${bearer}` } : {});
/** A delivery whose caller waits for what its group made of it. */
const deliver = (path: string, body: unknown) => call('POST', `${path}?wait=30`, body);

beforeAll(async () => {
  env = await connectToTestServer();
  database = await openDatabase({ url: `sqlite:${join(directory, 'store.sqlite')}` });
  const records = new IncidentRecordRepository(database.db);
  const taskQueue = uniqueTaskQueue('alerts-api');
  // Oscar is on call: an alert's incident is commanded by him once Opsgenie names him.
  worker = await runTestWorker(env, taskQueue, { integrations: new InMemoryWorkspace({ onCall: { default: ['oscar@example.com'] } }), records });
  const parsed = parseApiTokens([tokenEntry('alertmanager', 'write', token, { alerts: true }), tokenEntry('grafana', 'read', reader)].join(','));
  api = await startApi({
    client: env.client,
    taskQueue,
    playbooks,
    records,
    alertRules: rules,
    logger: pino({ level: 'silent' }),
    host: '127.0.0.1',
    port: 0,
    apiTokens: parsed.tokens,
    alertIntakeWorker: { connection: env.nativeConnection, namespace: env.namespace ?? 'default' },
  });
});

afterAll(async () => {
  await api?.stop();
  await worker?.stop();
  await database?.close();
  await env?.teardown();
  rmSync(directory, { recursive: true, force: true });
});

const group = (key: string, status: 'firing' | 'resolved' = 'firing') => alertmanagerGroup(status, `{}:{alertname="CheckoutErrors", run="${key}"}`);

describe('Alertmanager', () => {
  it('starts one incident with the playbook the rules choose, and each alert reaches its timeline', async () => {
    const response = await deliver('/api/v1/alerts/alertmanager', group('one'));
    expect(response.status).toBe(202);
    expect(response.body).toMatchObject({ outcome: 'started', playbook: 'checkout-alerts', rule: 'checkout' });
    const id: string = response.body.incidentId;
    expect(id).toMatch(/^al-[0-9a-f]{16}-1$/);
    const view = await waitFor(() => call('GET', `/api/v1/incidents/${id}`), (r) => r.status === 200 && r.body.alertGroup?.deliveries === 1, {
      what: 'the incident with its alert group',
    });
    expect(view.body).toMatchObject({ name: 'Checkout 5xx above 5%', team: 'shop', severity: 'sev1', reporter: 'alertmanager', status: 'reported' });
    expect(view.body.timeline.filter((e: { kind: string }) => e.kind === 'alert_received').map((e: { text: string }) => e.text)).toEqual([
      'Alert firing: CheckoutErrors — Checkout 5xx above 5%',
      'Alert firing: CheckoutErrors — Checkout 5xx above 5%',
    ]);
    const alertsOnly = await call('GET', `/api/v1/incidents/${id}/timeline?kind=alerts`, undefined, reader);
    expect(alertsOnly.body).toMatchObject({ incidentId: id, kinds: ['alert_received'], dropped: 0 });
    expect(alertsOnly.body.items.map((e: { kind: string }) => e.kind)).toEqual(['alert_received', 'alert_received']);
    // Reported by its source, commanded by a person: the on-call engineer, not the token.
    const commanded = await waitFor(() => call('GET', `/api/v1/incidents/${id}`), (r) => r.body.launch.oncall.status !== 'pending', { what: 'the on-call step' });
    expect(commanded.body).toMatchObject({ reporter: 'alertmanager', commander: 'oscar' });
  });

  it('makes one incident of a hundred repeats, and of fifty concurrent deliveries of a new group', async () => {
    const first = await deliver('/api/v1/alerts/alertmanager', group('repeats'));
    for (let i = 0; i < 99; i++) {
      const repeat = await deliver('/api/v1/alerts/alertmanager', group('repeats'));
      expect(repeat.body).toMatchObject({ outcome: 'joined', incidentId: first.body.incidentId });
    }
    await waitFor(() => call('GET', `/api/v1/incidents/${first.body.incidentId}`), (r) => r.body.alertGroup?.deliveries === 100, { what: 'a hundred deliveries' });

    const burst = await Promise.all(Array.from({ length: 50 }, () => deliver('/api/v1/alerts/alertmanager', group('burst'))));
    expect(burst.map((r) => r.status)).toEqual(Array(50).fill(202));
    expect(new Set(burst.map((r) => r.body.incidentId)).size).toBe(1);
    expect(burst.filter((r) => r.body.outcome === 'started')).toHaveLength(1);
    const id = burst[0]!.body.incidentId as string;
    const executions: string[] = [];
    for await (const execution of env.client.workflow.list({ query: `WorkflowId = '${incidentWorkflowId(id)}'` })) executions.push(execution.runId);
    expect(executions).toHaveLength(1);
    await waitFor(() => call('GET', `/api/v1/incidents/${id}`), (r) => r.body.alertGroup?.deliveries === 50, { what: 'fifty deliveries' });
    // What piled up in the group while its incident started went over in batches: one Update for several deliveries.
    const accepted = ((await env.client.workflow.getHandle(incidentWorkflowId(id)).fetchHistory()).events ?? []).flatMap((event) => {
      const request = event.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest;
      return request ? [request.input?.name ?? ''] : [];
    });
    expect(accepted).toContain('recordAlertBatch');
    expect(accepted.length).toBeLessThan(50);
  });

  it('auto-resolves on the resolved notification when the playbook says so; a new firing after close opens the next incident', async () => {
    const started = await deliver('/api/v1/alerts/alertmanager', group('lifecycle'));
    const id = started.body.incidentId as string;
    const resolved = await deliver('/api/v1/alerts/alertmanager', group('lifecycle', 'resolved'));
    expect(resolved.body).toMatchObject({ outcome: 'joined', incidentId: id });
    const view = await waitFor(() => call('GET', `/api/v1/incidents/${id}`), (r) => r.body.status === 'resolved', { what: 'the auto-resolution' });
    expect(view.body.timeline.find((e: { kind: string }) => e.kind === 'status_changed').text).toBe(
      '@alertmanager changed the status from reported to resolved (its alerts resolved)',
    );
    expect((await call('POST', `/api/v1/incidents/${id}/close`, {})).status).toBe(200);
    await waitFor(() => env.client.workflow.getHandle(incidentWorkflowId(id)).describe(), (d) => d.status.name === 'COMPLETED', { what: 'the close' });
    const again = await deliver('/api/v1/alerts/alertmanager', group('lifecycle'));
    expect(again.body).toMatchObject({ outcome: 'started', incidentId: id.replace(/-1$/, '-2') });
  });

  it('ignores a resolved notification for a group with no open incident', async () => {
    const response = await deliver('/api/v1/alerts/alertmanager', group('never-fired', 'resolved'));
    expect(response.status).toBe(202);
    expect(response.body).toMatchObject({ outcome: 'ignored', reason: 'no open incident for this alert group; a resolved notification starts none' });
  });

  it('refuses malformed, oversized and unauthenticated deliveries, and a read-only token, with a reason each', async () => {
    const malformed = await call('POST', '/api/v1/alerts/alertmanager', { ...group('bad'), version: '3', alerts: [{ status: 'firing' }] });
    expect(malformed.status).toBe(400);
    expect(malformed.body.error.problems).toEqual(
      expect.arrayContaining([
        'version: expected Alertmanager\'s webhook version "4", got "3"',
        expect.stringMatching(/^alerts\.0\.labels: /),
        expect.stringMatching(/^alerts\.0\.fingerprint: /),
      ]),
    );
    const huge = group('huge');
    huge.alerts[0]!.annotations.description = 'x'.repeat(1_100_000);
    const oversized = await call('POST', '/api/v1/alerts/alertmanager', huge);
    expect(oversized.status).toBe(413);
    expect(oversized.body.error.code).toBe('payload_too_large');
    const notANumber = await call('POST', '/api/v1/alerts/alertmanager?wait=abc', group('wait-abc'));
    expect(notANumber.status).toBe(400);
    expect(notANumber.body.error.problems).toEqual(['wait: expected a number of seconds, like ?wait=10']);
    const tooLong = await call('POST', '/api/v1/alerts/alertmanager?wait=99', group('wait-99'));
    expect(tooLong.body.error.problems).toEqual(['wait: at most 30 seconds']);
    const anonymous = await call('POST', '/api/v1/alerts/alertmanager', group('anon'), '');
    expect(anonymous.status).toBe(401);
    const readOnly = await call('POST', '/api/v1/alerts/alertmanager', group('read-only'), reader);
    expect(readOnly.status).toBe(403);
    // Nothing was started by any of them.
    for (const name of ['huge', 'wait-abc', 'wait-99']) {
      const listed = await call('GET', `/api/v1/incidents?q=${name}`, undefined, reader);
      expect(listed.body.items).toEqual([]);
    }
  });

  it('takes a batch of deliveries to a known incident over REST as its token, refusing a mixed or empty one by name', async () => {
    const first = await deliver('/api/v1/alerts/alertmanager', group('rest-batch'));
    const id = first.body.incidentId as string;
    const { alerts, source, groupKey, status } = (await call('GET', `/api/v1/incidents/${id}`)).body.alertGroup;
    expect({ source, groupKey, status, alerts: alerts.length }).toMatchObject({ source: 'alertmanager', status: 'firing', alerts: 2 });
    const one = { source, groupKey, status: 'firing', alerts: [{ fingerprint: 'f1', status: 'firing', name: 'CheckoutErrors' }] };
    const batch = await call('POST', `/api/v1/incidents/${id}/alerts/batch`, { deliveries: [one, one, one] });
    expect(batch.status).toBe(200);
    expect(batch.body.alertGroup.deliveries).toBe(4);
    // The token is the actor, whatever the body says.
    const named = await call('POST', `/api/v1/incidents/${id}/alerts/batch`, { deliveries: [one], actor: 'mallory' });
    expect(named.status).toBe(403);
    const mixed = await call('POST', `/api/v1/incidents/${id}/alerts/batch`, { deliveries: [one, { ...one, groupKey: 'other' }] });
    expect(mixed.status).toBe(400);
    expect(mixed.body.error.problems).toEqual(['deliveries: every delivery of a batch belongs to one alert group']);
    const empty = await call('POST', `/api/v1/incidents/${id}/alerts/batch`, { deliveries: [] });
    expect(empty.status).toBe(400);
    expect(empty.body.error.problems[0]).toMatch(/^deliveries: /);
    const readOnly = await call('POST', `/api/v1/incidents/${id}/alerts/batch`, { deliveries: [one] }, reader);
    expect(readOnly.status).toBe(403);
    expect((await call('GET', `/api/v1/incidents/${id}`)).body.alertGroup.deliveries).toBe(4);
  });

  it('takes generic alerts with an explicit deduplication key, routed by their labels', async () => {
    const first = await deliver('/api/v1/alerts', { dedupKey: 'db-disk-full-db1', title: 'Disk full on db-1', labels: { service: 'db' }, source: 'nagios' });
    expect(first.body).toMatchObject({ outcome: 'started', playbook: 'blank', rule: 'default' });
    const repeat = await deliver('/api/v1/alerts', { dedupKey: 'db-disk-full-db1', title: 'Disk full on db-1' });
    expect(repeat.body).toMatchObject({ outcome: 'joined', incidentId: first.body.incidentId });
    const invalid = await call('POST', '/api/v1/alerts', { title: 'no key' });
    expect(invalid.status).toBe(400);
    expect(invalid.body.error.problems).toEqual([expect.stringMatching(/^dedupKey: /)]);
  });
});

describe('records and stats', () => {
  it('lists the incidents from the store with filters and a cursor, and counts them', async () => {
    const shop = await waitFor(
      () => call('GET', '/api/v1/incidents?team=shop&limit=2', undefined, reader),
      (r) => r.status === 200 && r.body.items.length === 2 && r.body.nextCursor,
      { what: 'two records of team shop and a cursor' },
    );
    const next = await call('GET', `/api/v1/incidents?team=shop&limit=2&cursor=${encodeURIComponent(shop.body.nextCursor)}`, undefined, reader);
    expect(next.status).toBe(200);
    const ids = [...shop.body.items, ...next.body.items].map((i: { id: string }) => i.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(shop.body.items[0]).not.toHaveProperty('view');
    const bad = await call('GET', '/api/v1/incidents?cursor=not-a-cursor', undefined, reader);
    expect(bad.status).toBe(400);
    // Bad filters, periods and timeline kinds are refused with the problem named.
    const badStatus = await call('GET', '/api/v1/incidents?status=reported,sleeping', undefined, reader);
    expect(badStatus.status).toBe(400);
    expect(badStatus.body.error.problems).toEqual([expect.stringMatching(/^status\.1: /)]);
    const badPeriod = await call('GET', '/api/v1/stats?from=yesterday', undefined, reader);
    expect(badPeriod.status).toBe(400);
    expect(badPeriod.body.error.problems).toEqual([expect.stringMatching(/^from: expected an ISO 8601 date or date-time with a time zone.*got "yesterday"/)]);
    const reversed = await call('GET', '/api/v1/stats?from=2026-03-02&to=2026-03-01', undefined, reader);
    expect(reversed.status).toBe(400);
    const badKind = await call('GET', `/api/v1/incidents/${shop.body.items[0].id}/timeline?kind=updates,gossip`, undefined, reader);
    expect(badKind.status).toBe(400);
    expect(badKind.body.error.message).toMatch(/"gossip" is not a timeline kind; use one of status, updates/);
    // The generic alert's incident is team ops' only one; its record is written a moment after each change.
    const stats = await waitFor(() => call('GET', '/api/v1/stats?team=ops', undefined, reader), (r) => r.status === 200 && r.body.reported === 1, {
      what: "team ops' stats",
    });
    expect(stats.body).toMatchObject({ reported: 1, resolved: 0, active: 1, bySeverity: { sev3: { reported: 1 } }, byPlaybook: { blank: { reported: 1 } } });
  });
});
