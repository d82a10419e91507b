/**
 * 30 seeded incident records whose list answers the tests write out by hand: every filter, sort and page is checked
 * against these.
 */
import type { IncidentStatus } from '../../domain/incident.js';
import type { IncidentRecordSort } from '../../domain/incident-record-sorts.js';
import type { IncidentRecord } from '../../store/incident-record-row.js';
import type { IncidentRecordRepository } from '../../store/incident-records.js';
import { expect } from 'vitest';

export type Seed = [
  n: string,
  team: string,
  status: IncidentStatus,
  severity: string,
  playbook: string,
  commander: string,
  participants: string[],
  name: string,
  summary: string,
  alertGroup?: string,
];

/**
 * 30 incidents, `inc-NN` reported on March NN at 10:00 UTC, except: inc-12 shares inc-11's time, inc-21 and inc-22
 * share inc-20's, and inc-30 was reported on February 28 (before all others). Names and summaries carry the cases the
 * text filter must get right: mixed case, a non-ASCII capital ("Über"), "%", "_", and "100" without "%".
 */
export const SEEDS: Seed[] = [
  ['01', 'shop', 'closed', 'sev1', 'service-outage', 'alice', ['alice', 'bob'], 'Checkout is down', 'Card payments fail at checkout', 'grp-checkout'],
  ['02', 'shop', 'closed', 'sev2', 'service-outage', 'bob', ['bob'], 'Checkout slow', 'p99 latency over 2 s', 'grp-checkout'],
  ['03', 'payments', 'resolved', 'sev1', 'service-outage', 'carol', ['carol', 'dave'], 'Card declines spike', 'Issuer timeouts'],
  ['04', 'data', 'closed', 'sev3', 'blank', 'dave', ['dave'], 'ETL backlog', 'Nightly load_job stuck'],
  ['05', 'shop', 'resolved', 'sev2', 'security-incident', 'alice', ['alice', 'erin'], 'Phishing mail', 'Suspicious login links'],
  ['06', 'payments', 'closed', 'sev2', 'service-outage', 'bob', ['bob', 'carol'], 'Refunds delayed', 'Queue consumer crashed', 'grp-refunds'],
  ['07', 'data', 'resolved', 'sev3', 'blank', 'carol', ['carol'], 'Dashboard at 100% CPU', 'Grafana host saturated'],
  ['08', 'shop', 'active', 'sev1', 'service-outage', 'dave', ['dave', 'alice', 'bob'], 'Search returns nothing', 'Index rebuild failed'],
  ['09', 'payments', 'closed', 'sev3', 'security-incident', 'alice', ['alice', 'frank'], 'Leaked API key', 'Key found in a public repo'],
  ['10', 'data', 'reported', 'sev2', 'blank', 'bob', ['bob'], 'Über-slow reports', 'Report builder times out'],
  ['11', 'shop', 'active', 'sev2', 'service-outage', 'carol', ['carol', 'erin'], 'Checkout errors again', '500s from cart service', 'grp-checkout'],
  ['12', 'payments', 'reported', 'sev1', 'service-outage', 'dave', ['dave'], 'Payouts missing', 'Batch did not run'],
  ['13', 'data', 'closed', 'sev2', 'blank', 'alice', ['alice'], 'Warehouse disk full', 'disk_full alarms on dw-3'],
  ['14', 'shop', 'resolved', 'sev3', 'service-outage', 'bob', ['bob', 'dave'], 'Images not loading', 'CDN purge stuck'],
  ['15', 'payments', 'active', 'sev2', 'security-incident', 'carol', ['carol', 'erin'], 'Fraud rule misfire', 'Legit cards flagged'],
  ['16', 'data', 'resolved', 'sev1', 'service-outage', 'dave', ['dave', 'erin'], 'Replication lag', 'Replica 100 minutes behind'],
  ['17', 'shop', 'closed', 'sev3', 'blank', 'alice', ['alice'], 'Typo on landing page', 'Marketing copy'],
  ['18', 'payments', 'active', 'sev1', 'service-outage', 'bob', ['bob', 'frank'], 'Refund API down', 'Timeouts from processor', 'grp-refunds'],
  ['19', 'data', 'reported', 'sev3', 'blank', 'carol', ['carol'], 'Stale metrics', 'Exporter stopped'],
  ['20', 'shop', 'active', 'sev1', 'service-outage', 'dave', ['dave', 'alice'], 'Login failures', 'Auth service 503'],
  ['21', 'payments', 'resolved', 'sev2', 'security-incident', 'alice', ['alice', 'erin'], 'Suspicious transfers', 'Unusual payout pattern'],
  ['22', 'data', 'active', 'sev2', 'blank', 'bob', ['bob'], 'Schema drift', 'Column renamed upstream'],
  ['23', 'shop', 'reported', 'sev2', 'service-outage', 'carol', ['carol'], 'Checkout timeouts', 'Gateway latency', 'grp-checkout'],
  ['24', 'payments', 'closed', 'sev3', 'service-outage', 'dave', ['dave'], 'Invoice PDFs blank', 'Renderer crash'],
  ['25', 'data', 'resolved', 'sev1', 'security-incident', 'alice', ['alice', 'frank'], 'Unauthorized query', 'Service account misuse'],
  ['26', 'shop', 'active', 'sev3', 'blank', 'bob', ['bob', 'erin'], 'Wishlist broken', 'JS error on wishlist'],
  ['27', 'payments', 'reported', 'sev2', 'service-outage', 'carol', ['carol', 'dave'], 'Currency rates stale', 'FX feed 2 h old'],
  ['28', 'data', 'active', 'sev1', 'service-outage', 'dave', ['dave'], 'Kafka cluster down', 'Brokers unreachable'],
  ['29', 'shop', 'reported', 'sev1', 'security-incident', 'alice', ['alice'], 'Credential stuffing', 'Login spike from botnet'],
  ['30', 'payments', 'closed', 'sev3', 'blank', 'bob', ['bob'], 'Old incident', 'Imported from the previous tool', 'grp-old'],
];

export const REPORTED_AT_OVERRIDES: Record<string, string> = {
  '12': '2026-03-11T10:00:00.000Z',
  '21': '2026-03-20T10:00:00.000Z',
  '22': '2026-03-20T10:00:00.000Z',
  '30': '2026-02-28T10:00:00.000Z',
};

export function seededRecord([n, team, status, severity, playbookId, commander, participants, name, summary, alertGroupKey]: Seed): IncidentRecord {
  const reportedAt = REPORTED_AT_OVERRIDES[n] ?? `2026-03-${n}T10:00:00.000Z`;
  const at = (minutes: number) => new Date(Date.parse(reportedAt) + minutes * 60_000).toISOString();
  return {
    id: `inc-${n}`,
    number: Number(n),
    team,
    name,
    summary,
    status,
    severity,
    commander,
    reporter: commander,
    playbookId,
    playbookVersion: 1,
    reportedAt,
    ...(status !== 'reported' ? { acknowledgedAt: at(5) } : {}),
    ...(status === 'resolved' || status === 'closed' ? { resolvedAt: at(60) } : {}),
    ...(status === 'closed' ? { closedAt: at(120) } : {}),
    participants,
    ...(alertGroupKey ? { alertGroupKey } : {}),
    revision: 3,
    view: { id: `inc-${n}`, name },
  };
}

/** Written in this order, one at a time, so updatedAt (a stepping clock) orders them: evens first, then odds. */
export const INSERT_ORDER = [
  '02', '04', '06', '08', '10', '12', '14', '16', '18', '20', '22', '24', '26', '28', '30',
  '01', '03', '05', '07', '09', '11', '13', '15', '17', '19', '21', '23', '25', '27', '29',
].map((n) => `inc-${n}`);

/** Newest report first, ties by id descending: inc-29 down to inc-01 (inc-22, 21, 20 and inc-12, 11 tie), then inc-30. */
export const NEWEST_FIRST = [
  'inc-29', 'inc-28', 'inc-27', 'inc-26', 'inc-25', 'inc-24', 'inc-23', 'inc-22', 'inc-21', 'inc-20',
  'inc-19', 'inc-18', 'inc-17', 'inc-16', 'inc-15', 'inc-14', 'inc-13', 'inc-12', 'inc-11', 'inc-10',
  'inc-09', 'inc-08', 'inc-07', 'inc-06', 'inc-05', 'inc-04', 'inc-03', 'inc-02', 'inc-01', 'inc-30',
];

/** Severity's text ascending (sev1, sev2, sev3), ties by id ascending. */
export const BY_SEVERITY = [
  'inc-01', 'inc-03', 'inc-08', 'inc-12', 'inc-16', 'inc-18', 'inc-20', 'inc-25', 'inc-28', 'inc-29',
  'inc-02', 'inc-05', 'inc-06', 'inc-10', 'inc-11', 'inc-13', 'inc-15', 'inc-21', 'inc-22', 'inc-23', 'inc-27',
  'inc-04', 'inc-07', 'inc-09', 'inc-14', 'inc-17', 'inc-19', 'inc-24', 'inc-26', 'inc-30',
];

export const EXPECTED_ORDER: Record<IncidentRecordSort, string[]> = {
  '-reported_at': NEWEST_FIRST,
  reported_at: [...NEWEST_FIRST].reverse(),
  severity: BY_SEVERITY,
  '-severity': [...BY_SEVERITY].reverse(),
  updated: INSERT_ORDER,
  '-updated': [...INSERT_ORDER].reverse(),
};

/** Writes every seed, in INSERT_ORDER, each applied. */
export async function seedRecords(records: IncidentRecordRepository): Promise<void> {
  const byId = new Map(SEEDS.map((seed) => [`inc-${seed[0]}`, seed]));
  for (const id of INSERT_ORDER) {
    expect(await records.upsert(seededRecord(byId.get(id)!))).toEqual({ applied: true });
  }
}
