/**
 * How the alert intake hands a group's deliveries over (AlertIntake.deliverAll): to a known incident, those from one
 * caller go as one `recordAlertBatch` Update; the first of a new group, a batch the incident refuses (a worker that
 * does not know the command yet, a closed incident) and a change of caller go one by one; a batch not answered throws
 * so that the activity's retry sends the same Updates again. The incident service is faked; the intake is real.
 */
import { createHash } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/common';
import { WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { AlertIntake } from '../../api/alert-intake.js';
import { parseAlertRules } from '../../api/alert-rules-file.js';
import { HttpError, toHttpError } from '../../api/http-error.js';
import type { IncidentService } from '../../api/incident-service.js';
import { validatePlaybook } from '../../domain/playbook/validation.js';
import type { AlertDelivery } from '../../formats/alert-delivery.js';
import { alertmanagerPayloadSchema, fromAlertmanager } from '../../formats/alertmanager.js';
import { alertmanagerGroup } from '../helpers/alert-fixtures.js';

const checked = validatePlaybook({ id: 'blank', title: 'Blank', checklists: [] });
if (!checked.ok) throw new Error('the test playbook is invalid');
const playbook = checked.playbook;

interface Sent {
  incident: string;
  name: string;
  updateId: string;
  deliveries: number;
}

/** An incident service that records what it was sent; `refuse` decides how a command fails (undefined: applied). */
function fakeIncidents(refuse: (sent: Sent) => Error | undefined = () => undefined) {
  const sent: Sent[] = [];
  const incidents = {
    async command(id: string, name: string, payload: { deliveries?: unknown[] }, options: { updateId: string }) {
      const entry = { incident: id, name, updateId: options.updateId, deliveries: payload.deliveries?.length ?? 1 };
      sent.push(entry);
      const error = refuse(entry);
      if (error) throw error;
      return { incidentId: id, revision: sent.length, status: 'reported', changed: [] };
    },
    async commandWithStart(request: { id: string }, name: string, _payload: unknown, updateId: string) {
      sent.push({ incident: request.id, name: `${name}+start`, updateId, deliveries: 1 });
      return { result: { incidentId: request.id, revision: 1, status: 'reported', changed: [], firstCommand: true }, incident: { id: request.id } };
    },
  } as unknown as IncidentService;
  const intake = new AlertIntake({
    incidents,
    client: {} as Client,
    taskQueue: 'q',
    playbooks: { get: async () => playbook, list: async () => [playbook] },
    rules: parseAlertRules('rules: []\ndefault: { playbook: blank, team: ops }'),
    logger: pino({ level: 'silent' }),
  });
  return { intake, sent };
}

const request = fromAlertmanager(alertmanagerPayloadSchema.parse(alertmanagerGroup('firing', 'batch-group')));
/** The group's first incident, as the intake names it. */
const known = `al-${createHash('sha256').update(request.delivery.groupKey).digest('hex').slice(0, 16)}-1`;
const deliveries = (count: number, caller = 'alertmanager'): AlertDelivery[] =>
  Array.from({ length: count }, (_, i) => ({ deliveryId: `d${i}`, request, caller, receivedAt: '2026-12-01T00:00:00.000Z' }));

/** How the API hears an Update the incident's worker failed (say, one that has no handler for it yet). */
const failedUpdate = () => toHttpError(new WorkflowUpdateFailedError('Workflow Update failed', ApplicationFailure.create({ message: 'No registered handler for update: recordAlertBatch' })));

describe('the alert intake hands a burst to a known incident', () => {
  it('as one Update for the deliveries of one caller, after the first one started the incident', async () => {
    const { intake, sent } = fakeIncidents();
    const outcomes = await intake.deliverAll(deliveries(6), undefined);
    expect(sent.map(({ name, deliveries: n }) => [name, n])).toEqual([
      ['recordAlerts+start', 1],
      ['recordAlertBatch', 5],
    ]);
    expect(sent[1]).toMatchObject({ incident: sent[0]!.incident, updateId: 'alerts-d1-5' });
    expect(outcomes.map((o) => o.outcome)).toEqual(['started', 'joined', 'joined', 'joined', 'joined', 'joined']);
    expect(outcomes.map((o) => o.deliveryId)).toEqual(['d0', 'd1', 'd2', 'd3', 'd4', 'd5']);
    expect(new Set(outcomes.map((o) => o.incidentId))).toEqual(new Set([sent[0]!.incident]));
  });

  it('in batches of one caller each, never mixing whose deliveries they are', async () => {
    const { intake, sent } = fakeIncidents();
    const mixed = [...deliveries(2, 'alertmanager'), ...deliveries(3, 'grafana').map((d, i) => ({ ...d, deliveryId: `g${i}` }))];
    await intake.deliverAll(mixed, known);
    expect(sent.map(({ name, deliveries: n, updateId }) => [name, n, updateId])).toEqual([
      ['recordAlertBatch', 2, 'alerts-d0-2'],
      ['recordAlertBatch', 3, 'alerts-g0-3'],
    ]);
  });

  it('at most 1,000 alerts in one batch: a storm of full groups goes in several', async () => {
    const { intake, sent } = fakeIncidents();
    const full = { ...request, delivery: { ...request.delivery, alerts: Array.from({ length: 200 }, (_, i) => ({ fingerprint: `f${i}`, status: 'firing' as const, name: 'DiskFull' })) } };
    await intake.deliverAll(deliveries(12).map((d) => ({ ...d, request: full })), known);
    expect(sent.map(({ name, deliveries: n }) => [name, n])).toEqual([
      ['recordAlertBatch', 5],
      ['recordAlertBatch', 5],
      ['recordAlertBatch', 2],
    ]);
  });

  it('one by one when the incident refuses the batch (a worker without the command)', async () => {
    const { intake, sent } = fakeIncidents((entry) => (entry.name === 'recordAlertBatch' ? failedUpdate() : undefined));
    const outcomes = await intake.deliverAll(deliveries(3), known);
    expect(sent.map(({ name, updateId }) => [name, updateId])).toEqual([
      ['recordAlertBatch', 'alerts-d0-3'],
      ['recordAlerts', 'alert-d0'],
      ['recordAlerts', 'alert-d1'],
      ['recordAlerts', 'alert-d2'],
    ]);
    expect(outcomes.map((o) => o.outcome)).toEqual(['joined', 'joined', 'joined']);
  });

  it('throws when the batch was not answered (it may have been applied): the retry sends the same ID', async () => {
    const { intake, sent } = fakeIncidents((entry) => (entry.name === 'recordAlertBatch' ? new HttpError(504, 'timeout', 'did not answer in time') : undefined));
    await expect(intake.deliverAll(deliveries(3), known)).rejects.toMatchObject({ status: 504 });
    expect(sent.map(({ name }) => name)).toEqual(['recordAlertBatch']);
  });
});
