/**
 * A resolved incident's view with every part of a post-mortem filled in by hand (times, people, links, updates, a
 * timeline, tasks done, skipped, open and overdue), and an RFC 4180 CSV reader to check exports against.
 */
import { createIncidentState, type IncidentView } from '../../domain/incident.js';
import { incidentView } from '../../domain/incident-view.js';
import { parseNewIncident } from '../../domain/new-incident.js';
import type { PlaybookDefinition } from '../../domain/playbook/schema.js';

export const REPORTED_AT = '2026-03-02T09:00:00.000Z';

const playbook: PlaybookDefinition = {
  id: 'db-outage',
  title: 'Database outage',
  severities: ['sev1', 'sev2', 'sev3'],
  defaultSeverity: 'sev2',
  checklists: [
    {
      id: 'triage',
      title: 'Triage',
      tasks: [
        { id: 'ack', title: 'Acknowledge the page' },
        { id: 'impact', title: 'Assess impact | customers', assignee: 'carol', due: '30m' },
      ],
    },
    {
      id: 'fix',
      title: 'Fix',
      tasks: [
        { id: 'failover', title: 'Fail over to the replica', due: '1h' },
        { id: 'comms', title: 'Tell support', due: '15m' },
      ],
    },
  ],
};

/** The incident as it stands when resolved at 10:23 (1 h 23 min after the report), not closed. */
export function resolvedIncidentView(overrides: Partial<IncidentView> = {}): IncidentView {
  const state = createIncidentState(
    parseNewIncident({ id: 'pm-7', name: 'Orders database down', summary: 'Primary ran out of disk; failed over.', severity: 'sev1', team: 'shop', reporter: 'alice', commander: 'bob', number: 42, playbook }),
    REPORTED_AT,
  );
  const view = incidentView(state);
  const [triage, fix] = view.checklists;
  Object.assign(triage!.tasks[0]!, { state: 'done', stateChangedBy: 'bob', stateChangedAt: '2026-03-02T09:04:00.000Z' });
  // Due 09:30, done 09:45: late.
  Object.assign(triage!.tasks[1]!, { state: 'done', stateChangedBy: 'carol', stateChangedAt: '2026-03-02T09:45:00.000Z' });
  Object.assign(fix!.tasks[0]!, { state: 'skipped', stateChangedBy: 'bob', stateChangedAt: '2026-03-02T10:00:00.000Z', assignee: 'dave' });
  // Due 09:15 and still open: overdue.
  Object.assign(fix!.tasks[1]!, { state: 'open', assignee: 'erin' });
  return {
    ...view,
    status: 'resolved',
    acknowledgedAt: '2026-03-02T09:04:00.000Z',
    resolvedAt: '2026-03-02T10:23:00.000Z',
    timeToAcknowledgeMs: 4 * 60_000,
    timeToResolveMs: 83 * 60_000,
    links: {
      channelId: 'chan0000000000000000000001',
      channelName: 'incident-pm-7-orders-database-down',
      channelUrl: 'http://chat.example.com/shop/channels/incident-pm-7-orders-database-down',
      ticketKey: 'OPS-12',
      ticketUrl: 'http://jira.example.com/browse/OPS-12',
      meetingUrl: 'https://zoom.example.com/j/123',
    },
    statusUpdates: [
      { number: 1, at: '2026-03-02T09:20:00.000Z', author: 'bob', message: 'Primary is out of disk. Failing over.' },
      { number: 2, at: '2026-03-02T10:20:00.000Z', author: 'bob', message: 'Replica promoted; orders flowing.' },
    ],
    timeline: [
      { seq: 1, at: REPORTED_AT, kind: 'incident_reported', actor: 'alice', text: 'Incident reported by @alice: Orders database down' },
      { seq: 2, at: '2026-03-02T09:04:00.000Z', kind: 'status_changed', actor: 'bob', text: 'Acknowledged | on it' },
      { seq: 3, at: '2026-03-02T10:23:00.000Z', kind: 'status_changed', actor: 'bob', text: 'Resolved' },
    ],
    ...overrides,
  };
}

/** RFC 4180: fields split on commas, quoted fields may hold commas, doubled quotes and line breaks; records end in CRLF. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') {
        quoted = false;
      } else {
        field += c;
      }
    } else if (c === '"' && field === '') {
      quoted = true;
    } else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i++;
    } else if (c === '"' || c === '\n' || c === '\r') {
      throw new Error(`malformed CSV at offset ${i}: ${JSON.stringify(text.slice(Math.max(0, i - 20), i + 20))}`);
    } else {
      field += c;
    }
  }
  if (quoted) throw new Error('malformed CSV: unterminated quoted field');
  if (field !== '' || row.length > 0) throw new Error('malformed CSV: the last record has no CRLF');
  return rows;
}
