/** What an outgoing status-update webhook carries: the incident in a stable shape, the update's text, the links. */
import { describe, expect, it } from 'vitest';
import { webhookPayload } from '../../formats/webhook-payload.js';
import { REPORTED_AT, resolvedIncidentView } from '../helpers/postmortem-fixtures.js';

describe('webhookPayload', () => {
  const view = resolvedIncidentView();

  it('describes the incident with its links and the update it is about', () => {
    const payload = webhookPayload('status-update', view, view.statusUpdates[0]);
    expect(payload).toEqual({
      event: 'status-update',
      incident: {
        id: 'pm-7',
        number: 42,
        name: 'Orders database down',
        summary: 'Primary ran out of disk; failed over.',
        status: 'resolved',
        severity: 'sev1',
        commander: 'bob',
        reporter: 'alice',
        team: 'shop',
        playbook: { id: 'db-outage', version: 1, title: 'Database outage' },
        reportedAt: REPORTED_AT,
        acknowledgedAt: '2026-03-02T09:04:00.000Z',
        resolvedAt: '2026-03-02T10:23:00.000Z',
        links: {
          channel: 'http://chat.example.com/shop/channels/incident-pm-7-orders-database-down',
          ticket: 'http://jira.example.com/browse/OPS-12',
          meeting: 'https://zoom.example.com/j/123',
        },
      },
      update: { number: 1, at: '2026-03-02T09:20:00.000Z', author: 'bob', message: 'Primary is out of disk. Failing over.' },
    });
    // JSON-able as it is: what is sent is what was built.
    expect(JSON.parse(JSON.stringify(payload))).toEqual(payload);
  });

  it('falls back to the latest update for a status-update event, and carries none for the others', () => {
    expect(webhookPayload('status-update', view).update).toMatchObject({ number: 2, message: 'Replica promoted; orders flowing.' });
    expect(webhookPayload('incident-resolved', view)).not.toHaveProperty('update');
    expect(webhookPayload('incident-started', view).event).toBe('incident-started');
  });

  it('leaves out what the incident does not have yet', () => {
    const fresh = resolvedIncidentView({ status: 'reported', links: {}, statusUpdates: [] });
    const { acknowledgedAt: _a, resolvedAt: _r, number: _n, ...rest } = fresh;
    const payload = webhookPayload('incident-started', rest as typeof fresh);
    expect(payload.incident.links).toEqual({});
    expect(payload.incident).not.toHaveProperty('acknowledgedAt');
    expect(payload.incident).not.toHaveProperty('resolvedAt');
    expect(payload.incident).not.toHaveProperty('number');
    expect(payload).not.toHaveProperty('update');
    // Internal state stays out: receivers must not come to depend on it.
    expect(Object.keys(payload.incident)).not.toContain('timeline');
    expect(Object.keys(payload.incident)).not.toContain('launch');
  });
});
