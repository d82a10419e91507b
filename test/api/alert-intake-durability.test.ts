/**
 * The alert intake answers at once and loses nothing: a delivery is Temporal's before the caller hears 202, whether or
 * not any API process is working the intake's queue at that moment; a group's deliveries arrive in order across
 * continue-as-new; a group's state can be read. Real Temporal dev server, real workers, the API over HTTP.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { pino } from 'pino';
import { startApi, type RunningApi } from '../../api/server.js';
import { alertGroupWorkflowId } from '../../api/alert-intake.js';
import { parseAlertRules } from '../../api/alert-rules-file.js';
import { validatePlaybook } from '../../domain/playbook/validation.js';
import { InMemoryWorkspace } from '../fakes/in-memory-workspace.js';
import { openDatabase, type OpenedDatabase } from '../../store/database.js';
import { IncidentRecordRepository } from '../../store/incident-records.js';
import type { PlaybookLookup } from '../../store/playbook-lookup.js';
import { alertGroup, ALERT_GROUP_WORKFLOW_TYPE } from '../../workflows/alert-group.js';
import { apiClient } from '../helpers/stack.js';
import { connectToTestServer, runTestWorker, uniqueTaskQueue } from '../helpers/temporal.js';
import { waitFor } from '../helpers/wait-for.js';
import { alertmanagerGroup } from '../helpers/alert-fixtures.js';

const directory = mkdtempSync(join(tmpdir(), 'alert-intake-'));
let env: TestWorkflowEnvironment;
let database: OpenedDatabase;
let worker: Awaited<ReturnType<typeof runTestWorker>>;
const apis: RunningApi[] = [];
let taskQueue: string;

const blank = validatePlaybook({ id: 'blank', title: 'Blank', checklists: [] });
const playbooks: PlaybookLookup = {
  get: async (id) => (id === 'blank' && blank.ok ? blank.playbook : undefined),
  list: async () => (blank.ok ? [blank.playbook] : []),
};
const rules = parseAlertRules('default: { playbook: blank, team: ops }');

let working: ReturnType<typeof apiClient> | undefined;
/** The API that works the intake's queue: one per process (a process may run one worker per task queue). */
async function workingApi(): Promise<ReturnType<typeof apiClient>> {
  working ??= await api({ intakeWorker: true });
  return working;
}

async function api(options: { intakeWorker: boolean }): Promise<ReturnType<typeof apiClient>> {
  const running = await startApi({
    client: env.client,
    taskQueue,
    playbooks,
    records: new IncidentRecordRepository(database.db),
    alertRules: rules,
    logger: pino({ level: 'silent' }),
    host: '127.0.0.1',
    port: 0,
    ...(options.intakeWorker ? { alertIntakeWorker: { connection: env.nativeConnection, namespace: env.namespace ?? 'default' } } : {}),
  });
  apis.push(running);
  return apiClient(running.url);
}

beforeAll(async () => {
  env = await connectToTestServer();
  database = await openDatabase({ url: `sqlite:${join(directory, 'store.sqlite')}` });
  taskQueue = uniqueTaskQueue('alert-intake');
  worker = await runTestWorker(env, taskQueue, { integrations: new InMemoryWorkspace(), records: new IncidentRecordRepository(database.db) });
});

afterAll(async () => {
  for (const running of apis) await running.stop();
  await worker?.stop();
  await database?.close();
  await env?.teardown();
  rmSync(directory, { recursive: true, force: true });
});

const group = (key: string, status: 'firing' | 'resolved' = 'firing') => alertmanagerGroup(status, `{}:{alertname="IntakeTest", run="${key}"}`);

describe('the alert intake', () => {
  it('accepts deliveries while no API works its queue, and an API that comes later hands every one over', async () => {
    // This API takes deliveries but works no intake queue: as if every intake worker were down.
    const door = await api({ intakeWorker: false });
    const answers = await Promise.all(Array.from({ length: 5 }, () => door('POST', '/api/v1/alerts/alertmanager', group('durable'))));
    expect(answers.map((a) => a.status)).toEqual(Array(5).fill(202));
    expect(new Set(answers.map((a) => a.body.outcome))).toEqual(new Set(['accepted']));
    const groupId = alertGroupWorkflowId('{}:{alertname="IntakeTest", run="durable"}');
    expect(answers[0]!.body).toMatchObject({ alertGroup: groupId, alertGroupUrl: `/api/v1/alert-groups/${groupId}` });
    const waiting = await door('GET', `/api/v1/alert-groups/${groupId}`);
    expect(waiting.body).toMatchObject({ waiting: 5, delivered: 0, recent: [] });

    // Another API process starts: it works the queue, and the five make one incident.
    const later = await workingApi();
    const status = await waitFor(() => later('GET', `/api/v1/alert-groups/${groupId}`), (r) => r.body.delivered === 5, { what: 'five deliveries handed over' });
    expect(status.body.waiting).toBe(0);
    expect(status.body.recent.map((o: { outcome: string }) => o.outcome)).toEqual(['started', 'joined', 'joined', 'joined', 'joined']);
    expect(status.body.recent.map((o: { deliveryId: string }) => o.deliveryId).sort()).toEqual(answers.map((a) => a.body.deliveryId).sort());
    const incident = await later('GET', `/api/v1/incidents/${status.body.incidentId}`);
    expect(incident.body.alertGroup).toMatchObject({ deliveries: 5 });
  });

  it("keeps a group's deliveries in order across its runs, with one incident", async () => {
    const door = await workingApi();
    const groupKey = '{}:{alertname="IntakeTest", run="long"}';
    const groupId = alertGroupWorkflowId(groupKey);
    // The group's first run, with a short run length, so that twelve deliveries take several runs.
    await env.client.workflow.start(alertGroup, { workflowId: groupId, taskQueue, args: [{ groupKey, deliveriesPerRun: 4 }] });
    const answers = [];
    for (let i = 0; i < 12; i++) answers.push(await door('POST', '/api/v1/alerts/alertmanager', group('long')));
    const status = await waitFor(() => door('GET', `/api/v1/alert-groups/${groupId}`), (r) => r.body.delivered === 12, { what: 'twelve deliveries' });
    expect(status.body.recent.map((o: { deliveryId: string }) => o.deliveryId)).toEqual(answers.map((a) => a.body.deliveryId));
    expect(status.body.recent.filter((o: { outcome: string }) => o.outcome === 'started')).toHaveLength(1);
    const runs: string[] = [];
    for await (const run of env.client.workflow.list({ query: `WorkflowId = '${groupId}' AND WorkflowType = '${ALERT_GROUP_WORKFLOW_TYPE}'` })) runs.push(run.runId);
    expect(runs.length).toBeGreaterThanOrEqual(3);
    const incident = await door('GET', `/api/v1/incidents/${status.body.incidentId}`);
    expect(incident.body.alertGroup).toMatchObject({ deliveries: 12 });
  });

  it('waits for the outcome only when asked, and refuses what it cannot take with a reason', async () => {
    const door = await workingApi();
    const waited = await door('POST', '/api/v1/alerts/alertmanager?wait=20', group('waited'));
    expect(waited.body).toMatchObject({ outcome: 'started', incidentId: expect.stringMatching(/^al-[0-9a-f]{16}-1$/), url: `/api/v1/incidents/${waited.body.incidentId}` });
    const tooLong = await door('POST', '/api/v1/alerts/alertmanager?wait=600', group('waited'));
    expect(tooLong.status).toBe(400);
    expect(tooLong.body.error.problems).toEqual([expect.stringMatching(/^wait: /)]);
    // Under the 1 MB body limit, but more than a workflow payload should carry: refused whole, with what to do.
    const bulky = group('bulky');
    const alert = bulky.alerts[0]!;
    bulky.alerts = Array.from({ length: 200 }, (_, i) => ({
      ...alert,
      fingerprint: `f${i}`,
      annotations: { summary: 's'.repeat(1_000), description: '' },
      generatorURL: `http://prometheus:9090/graph?g0.expr=${'x'.repeat(950)}`,
    }));
    bulky.commonLabels = { ...bulky.commonLabels, ...Object.fromEntries(Array.from({ length: 60 }, (_, i) => [`label${i}`, 'v'.repeat(2_000)])) };
    const tooBig = await door('POST', '/api/v1/alerts/alertmanager', bulky);
    expect(tooBig.status).toBe(413);
    expect(tooBig.body.error.message).toMatch(/^this delivery carries \d+ KB of alerts and labels; at most 512 KB reach an incident: send fewer alerts per delivery \(Alertmanager: max_alerts/);
    expect((await door('GET', `/api/v1/alert-groups/${alertGroupWorkflowId(bulky.groupKey)}`)).status).toBe(404);
    const badId = await door('GET', '/api/v1/alert-groups/incident-123');
    expect(badId.status).toBe(400);
    expect(badId.body.error.message).toMatch(/is not an alert group ID/);
    const unknown = await door('GET', `/api/v1/alert-groups/${alertGroupWorkflowId('never delivered')}`);
    expect(unknown.status).toBe(404);
  });
});
