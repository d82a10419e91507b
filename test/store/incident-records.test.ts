/**
 * Incident records, run on SQLite and on Postgres: the versioned upsert (also under concurrent writers), every list
 * filter and sort against 30 seeded records whose answers are written out by hand, keyset paging, alert-group lookups
 * and the stats read.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { IncidentStatus } from '../../domain/incident.js';
import { openDatabase, type OpenedDatabase } from '../../store/database.js';
import {
  IncidentRecordInputError,
  IncidentRecordRepository,
  InvalidCursorError,
  recordFromView,
  type IncidentRecord,
  type IncidentRecordQuery,
  type IncidentRecordSort,
} from '../../store/incident-records.js';
import { resolvedIncidentView } from '../helpers/postmortem-fixtures.js';
import { findTestPostgres, POSTGRES_MISSING_MESSAGE, startTestPostgres, type TestPostgres } from '../helpers/postgres.js';

/** A clock that moves one second per reading, so every applied write gets a distinct, predictable updatedAt. */
function steppingClock(start = Date.parse('2026-04-01T00:00:00.000Z')) {
  let tick = 0;
  return () => new Date(start + 1000 * tick++);
}

function record(overrides: Partial<IncidentRecord> & { id: string }): IncidentRecord {
  return {
    team: 'shop',
    name: `Incident ${overrides.id}`,
    summary: '',
    status: 'active',
    severity: 'sev2',
    commander: 'alice',
    reporter: 'alice',
    playbookId: 'service-outage',
    playbookVersion: 1,
    reportedAt: '2026-03-01T10:00:00.000Z',
    participants: ['alice'],
    revision: 1,
    view: { id: overrides.id },
    ...overrides,
  };
}

type Seed = [
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
const SEEDS: Seed[] = [
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

const REPORTED_AT_OVERRIDES: Record<string, string> = {
  '12': '2026-03-11T10:00:00.000Z',
  '21': '2026-03-20T10:00:00.000Z',
  '22': '2026-03-20T10:00:00.000Z',
  '30': '2026-02-28T10:00:00.000Z',
};

function seededRecord([n, team, status, severity, playbookId, commander, participants, name, summary, alertGroupKey]: Seed): IncidentRecord {
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
const INSERT_ORDER = [
  '02', '04', '06', '08', '10', '12', '14', '16', '18', '20', '22', '24', '26', '28', '30',
  '01', '03', '05', '07', '09', '11', '13', '15', '17', '19', '21', '23', '25', '27', '29',
].map((n) => `inc-${n}`);

/** Newest report first, ties by id descending: inc-29 down to inc-01 (inc-22, 21, 20 and inc-12, 11 tie), then inc-30. */
const NEWEST_FIRST = [
  'inc-29', 'inc-28', 'inc-27', 'inc-26', 'inc-25', 'inc-24', 'inc-23', 'inc-22', 'inc-21', 'inc-20',
  'inc-19', 'inc-18', 'inc-17', 'inc-16', 'inc-15', 'inc-14', 'inc-13', 'inc-12', 'inc-11', 'inc-10',
  'inc-09', 'inc-08', 'inc-07', 'inc-06', 'inc-05', 'inc-04', 'inc-03', 'inc-02', 'inc-01', 'inc-30',
];

/** Severity's text ascending (sev1, sev2, sev3), ties by id ascending. */
const BY_SEVERITY = [
  'inc-01', 'inc-03', 'inc-08', 'inc-12', 'inc-16', 'inc-18', 'inc-20', 'inc-25', 'inc-28', 'inc-29',
  'inc-02', 'inc-05', 'inc-06', 'inc-10', 'inc-11', 'inc-13', 'inc-15', 'inc-21', 'inc-22', 'inc-23', 'inc-27',
  'inc-04', 'inc-07', 'inc-09', 'inc-14', 'inc-17', 'inc-19', 'inc-24', 'inc-26', 'inc-30',
];

const EXPECTED_ORDER: Record<IncidentRecordSort, string[]> = {
  '-reported_at': NEWEST_FIRST,
  reported_at: [...NEWEST_FIRST].reverse(),
  severity: BY_SEVERITY,
  '-severity': [...BY_SEVERITY].reverse(),
  updated: INSERT_ORDER,
  '-updated': [...INSERT_ORDER].reverse(),
};

interface StoreUnderTest {
  database: OpenedDatabase;
  records: IncidentRecordRepository;
}

async function failure(promise: Promise<unknown>): Promise<Error> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error, 'expected the call to fail').toBeInstanceOf(Error);
  return error as Error;
}

function incidentRecordSuite(open: () => Promise<OpenedDatabase>) {
  let store: StoreUnderTest;

  beforeEach(async () => {
    const database = await open();
    store = { database, records: new IncidentRecordRepository(database.db, { now: steppingClock() }) };
  });
  afterEach(async () => {
    await store.database.close();
  });

  async function ids(query: IncidentRecordQuery = {}): Promise<string[]> {
    const page = await store.records.list({ limit: 200, ...query });
    expect(page.nextCursor).toBeUndefined();
    return page.items.map((item) => item.id);
  }

  describe('versioned upsert', () => {
    it('inserts, then applies only higher revisions; an older or equal one changes nothing, members included', async () => {
      const { records } = store;
      expect(await records.upsert(record({ id: 'i1', revision: 3, name: 'three', participants: ['alice', 'bob'] }))).toEqual({ applied: true });
      const stored = await records.get('i1');
      expect(stored).toMatchObject({ id: 'i1', name: 'three', revision: 3, participants: ['alice', 'bob'], updatedAt: '2026-04-01T00:00:00.000Z' });

      expect(await records.upsert(record({ id: 'i1', revision: 2, name: 'two', participants: ['zed'] }))).toEqual({ applied: false });
      expect(await records.upsert(record({ id: 'i1', revision: 3, name: 'three again', participants: ['zed'] }))).toEqual({ applied: false });
      expect(await records.get('i1')).toEqual(stored);
      expect(await ids({ member: 'zed' })).toEqual([]);

      expect(await records.upsert(record({ id: 'i1', revision: 4, name: 'four', status: 'resolved', resolvedAt: '2026-03-01T11:00:00Z', participants: ['carol', 'alice'] }))).toEqual({ applied: true });
      expect(await records.get('i1')).toMatchObject({
        name: 'four',
        status: 'resolved',
        // Stored as canonical UTC text.
        resolvedAt: '2026-03-01T11:00:00.000Z',
        revision: 4,
        participants: ['alice', 'carol'],
        updatedAt: '2026-04-01T00:00:03.000Z',
      });
      expect(await ids({ member: 'bob' })).toEqual([]);
      expect(await ids({ member: 'carol' })).toEqual(['i1']);
    });

    it('ends at the highest revision whatever order concurrent writers land in', async () => {
      // A fixed shuffle of revisions 1..40.
      const revisions = [17, 3, 40, 22, 9, 31, 1, 28, 14, 36, 6, 25, 11, 39, 19, 2, 33, 8, 27, 15, 38, 5, 21, 12, 30, 24, 4, 35, 18, 10, 29, 7, 37, 16, 23, 32, 13, 26, 34, 20];
      expect([...revisions].sort((a, b) => a - b)).toEqual(Array.from({ length: 40 }, (_, index) => index + 1));
      const results = await Promise.all(
        revisions.map((revision) =>
          store.records.upsert(record({ id: 'race', revision, name: `rev ${revision}`, participants: [`user-${revision}`, 'alice'] })),
        ),
      );
      // The highest revision is always applied, whenever it lands; which of the others were depends on the interleaving.
      expect(results[revisions.indexOf(40)]).toEqual({ applied: true });
      expect(await store.records.get('race')).toMatchObject({ revision: 40, name: 'rev 40', participants: ['alice', 'user-40'] });
      expect(await ids({ member: 'user-40' })).toEqual(['race']);
      expect(await ids({ member: 'user-39' })).toEqual([]);
      // Replaying any of them later changes nothing.
      expect(await store.records.upsert(record({ id: 'race', revision: 40, name: 'replayed' }))).toEqual({ applied: false });
      expect(await store.records.upsert(record({ id: 'race', revision: 39, name: 'replayed' }))).toEqual({ applied: false });
      expect((await store.records.get('race'))?.name).toBe('rev 40');
    });

    it('refuses a record it cannot store, naming the field', async () => {
      const { records } = store;
      const bad = async (overrides: Partial<IncidentRecord>) => {
        const error = await failure(records.upsert(record({ id: 'bad', ...overrides })));
        expect(error).toBeInstanceOf(IncidentRecordInputError);
        return error.message;
      };
      expect(await bad({ reportedAt: 'yesterday' })).toMatch(/^reportedAt: expected an ISO 8601/);
      expect(await bad({ reportedAt: '2026-03-01T10:00:00' })).toMatch(/^reportedAt: /);
      expect(await bad({ status: 'open' as IncidentStatus })).toMatch(/^status: must be one of reported, active, resolved, closed/);
      expect(await bad({ revision: 1.5 })).toMatch(/^revision: /);
      expect(await records.get('bad')).toBeUndefined();
    });
  });

  describe('get and recordFromView', () => {
    it('round-trips a record made from an incident view', async () => {
      const base = resolvedIncidentView();
      const view = resolvedIncidentView({
        id: 'pm-7',
        number: 42,
        team: 'shop',
        name: 'Orders database down',
        summary: 'Primary ran out of disk',
        status: 'closed',
        severity: 'sev1',
        commander: 'bob',
        reporter: 'alice',
        playbook: { ...base.playbook, id: 'db-outage', version: 3 },
        reportedAt: '2026-03-02T09:00:00.000Z',
        acknowledgedAt: '2026-03-02T09:04:00.000Z',
        resolvedAt: '2026-03-02T10:23:00.000Z',
        closedAt: '2026-03-02T11:00:00.000Z',
        participants: ['bob', 'alice', 'carol'],
        revision: 12,
      });
      const made = recordFromView(view, 'grp-db');
      expect(made).toEqual({
        id: 'pm-7',
        number: 42,
        team: 'shop',
        name: 'Orders database down',
        summary: 'Primary ran out of disk',
        status: 'closed',
        severity: 'sev1',
        commander: 'bob',
        reporter: 'alice',
        playbookId: 'db-outage',
        playbookVersion: 3,
        reportedAt: '2026-03-02T09:00:00.000Z',
        acknowledgedAt: '2026-03-02T09:04:00.000Z',
        resolvedAt: '2026-03-02T10:23:00.000Z',
        closedAt: '2026-03-02T11:00:00.000Z',
        participants: ['bob', 'alice', 'carol'],
        alertGroupKey: 'grp-db',
        channelId: 'chan0000000000000000000001',
        revision: 12,
        view,
      });
      expect('alertGroupKey' in recordFromView(view)).toBe(false);
      expect('channelId' in recordFromView({ ...view, links: {} })).toBe(false);

      await store.records.upsert(made);
      expect(await store.records.get('pm-7')).toEqual({
        ...made,
        participants: ['alice', 'bob', 'carol'],
        view: JSON.parse(JSON.stringify(view)),
        updatedAt: '2026-04-01T00:00:00.000Z',
      });
      expect(await store.records.get('nope')).toBeUndefined();
      // A slash command in the channel finds the incident by it.
      expect((await store.records.forChannel('chan0000000000000000000001'))?.id).toBe('pm-7');
      expect(await store.records.forChannel('chan-of-nobody')).toBeUndefined();
    });
  });

  describe('lists', () => {
    beforeEach(async () => {
      const byId = new Map(SEEDS.map((seed) => [`inc-${seed[0]}`, seed]));
      for (const id of INSERT_ORDER) {
        expect(await store.records.upsert(seededRecord(byId.get(id)!))).toEqual({ applied: true });
      }
    });

    it('lists newest first by default, 50 to a page, with full records', async () => {
      const page = await store.records.list();
      expect(page.items.map((item) => item.id)).toEqual(NEWEST_FIRST);
      expect(page.nextCursor).toBeUndefined();
      expect(page.items[7]).toEqual({
        id: 'inc-22',
        number: 22,
        team: 'data',
        name: 'Schema drift',
        summary: 'Column renamed upstream',
        status: 'active',
        severity: 'sev2',
        commander: 'bob',
        reporter: 'bob',
        playbookId: 'blank',
        playbookVersion: 1,
        reportedAt: '2026-03-20T10:00:00.000Z',
        acknowledgedAt: '2026-03-20T10:05:00.000Z',
        participants: ['bob'],
        revision: 3,
        view: { id: 'inc-22', name: 'Schema drift' },
        // Written 11th (inc-22 is the 11th of INSERT_ORDER).
        updatedAt: '2026-04-01T00:00:10.000Z',
      });
    });

    it('filters by status, severity, playbook, commander, team and member', async () => {
      expect(await ids({ status: ['active'] })).toEqual(['inc-28', 'inc-26', 'inc-22', 'inc-20', 'inc-18', 'inc-15', 'inc-11', 'inc-08']);
      expect(await ids({ status: ['reported'] })).toEqual(['inc-29', 'inc-27', 'inc-23', 'inc-19', 'inc-12', 'inc-10']);
      expect(await ids({ status: ['resolved', 'closed'] })).toEqual([
        'inc-25', 'inc-24', 'inc-21', 'inc-17', 'inc-16', 'inc-14', 'inc-13', 'inc-09', 'inc-07', 'inc-06', 'inc-05', 'inc-04', 'inc-03', 'inc-02', 'inc-01', 'inc-30',
      ]);
      expect(await ids({ status: [] })).toEqual(NEWEST_FIRST);
      expect(await ids({ severity: ['sev1'] })).toEqual(['inc-29', 'inc-28', 'inc-25', 'inc-20', 'inc-18', 'inc-16', 'inc-12', 'inc-08', 'inc-03', 'inc-01']);
      expect(await ids({ severity: ['sev4'] })).toEqual([]);
      expect(await ids({ playbook: ['security-incident'] })).toEqual(['inc-29', 'inc-25', 'inc-21', 'inc-15', 'inc-09', 'inc-05']);
      expect(await ids({ playbook: ['security-incident', 'blank'] })).toEqual([
        'inc-29', 'inc-26', 'inc-25', 'inc-22', 'inc-21', 'inc-19', 'inc-17', 'inc-15', 'inc-13', 'inc-10', 'inc-09', 'inc-07', 'inc-05', 'inc-04', 'inc-30',
      ]);
      expect(await ids({ commander: 'bob' })).toEqual(['inc-26', 'inc-22', 'inc-18', 'inc-14', 'inc-10', 'inc-06', 'inc-02', 'inc-30']);
      expect(await ids({ commander: 'Bob' })).toEqual([]);
      expect(await ids({ team: 'data' })).toEqual(['inc-28', 'inc-25', 'inc-22', 'inc-19', 'inc-16', 'inc-13', 'inc-10', 'inc-07', 'inc-04']);
      expect(await ids({ member: 'erin' })).toEqual(['inc-26', 'inc-21', 'inc-16', 'inc-15', 'inc-11', 'inc-05']);
      expect(await ids({ member: 'frank' })).toEqual(['inc-25', 'inc-18', 'inc-09']);
      // Member, not commander: dave commands 04, 08, 12, 16, 20, 24, 28 and is also in 03, 14 and 27.
      expect(await ids({ member: 'dave' })).toEqual(['inc-28', 'inc-27', 'inc-24', 'inc-20', 'inc-16', 'inc-14', 'inc-12', 'inc-08', 'inc-04', 'inc-03']);
      expect(await ids({ member: 'nobody' })).toEqual([]);
    });

    it('combines filters', async () => {
      expect(await ids({ team: 'shop', status: ['active'] })).toEqual(['inc-26', 'inc-20', 'inc-11', 'inc-08']);
      expect(await ids({ team: 'shop', severity: ['sev1'] })).toEqual(['inc-29', 'inc-20', 'inc-08', 'inc-01']);
      expect(await ids({ member: 'erin', status: ['active', 'reported'], sort: 'reported_at' })).toEqual(['inc-11', 'inc-15', 'inc-26']);
    });

    it('matches text case-insensitively in name, summary or id, with LIKE wildcards taken literally', async () => {
      expect(await ids({ text: 'checkout' })).toEqual(['inc-23', 'inc-11', 'inc-02', 'inc-01']);
      expect(await ids({ text: 'CHECKOUT' })).toEqual(['inc-23', 'inc-11', 'inc-02', 'inc-01']);
      // Name of inc-20, summaries of inc-05 and inc-29.
      expect(await ids({ text: 'LOGIN' })).toEqual(['inc-29', 'inc-20', 'inc-05']);
      // Not ASCII: SQLite's own lower() would not fold "Ü".
      expect(await ids({ text: 'über' })).toEqual(['inc-10']);
      expect(await ids({ text: 'ÜBER-SLOW' })).toEqual(['inc-10']);
      // "%" matches itself only (inc-16's summary has "100" without "%").
      expect(await ids({ text: '100%' })).toEqual(['inc-07']);
      expect(await ids({ text: '100' })).toEqual(['inc-16', 'inc-07']);
      // "_" matches itself only.
      expect(await ids({ text: '_' })).toEqual(['inc-13', 'inc-04']);
      expect(await ids({ text: 'INC-07' })).toEqual(['inc-07']);
      expect(await ids({ text: '\\' })).toEqual([]);
      expect(await ids({ text: '   ' })).toEqual(NEWEST_FIRST);
    });

    it('filters reports by a half-open time range, accepting any ISO 8601 offset', async () => {
      // From inc-11/12's exact time (in) to inc-20/21/22's (out).
      const inRange = ['inc-19', 'inc-18', 'inc-17', 'inc-16', 'inc-15', 'inc-14', 'inc-13', 'inc-12', 'inc-11'];
      expect(await ids({ reportedFrom: '2026-03-11T10:00:00.000Z', reportedTo: '2026-03-20T10:00:00.000Z' })).toEqual(inRange);
      expect(await ids({ reportedFrom: '2026-03-11T11:00:00+01:00', reportedTo: '2026-03-20' })).toEqual(inRange);
      expect(await ids({ reportedFrom: '2026-03-11T10:00:00.001Z', reportedTo: '2026-03-20T10:00:00.001Z' })).toEqual([
        'inc-22', 'inc-21', 'inc-20', 'inc-19', 'inc-18', 'inc-17', 'inc-16', 'inc-15', 'inc-14', 'inc-13',
      ]);
      expect(await ids({ reportedTo: '2026-03-01' })).toEqual(['inc-30']);
      expect(await ids({ reportedFrom: '2026-03-29T10:00Z' })).toEqual(['inc-29']);

      const error = await failure(store.records.list({ reportedFrom: 'last week' }));
      expect(error).toBeInstanceOf(IncidentRecordInputError);
      expect(error.message).toBe('reportedFrom: expected an ISO 8601 date or date-time with a time zone, got "last week"');
    });

    it('sorts by report time, severity and last update, either way, ties by id', async () => {
      for (const [sort, expected] of Object.entries(EXPECTED_ORDER) as Array<[IncidentRecordSort, string[]]>) {
        expect(await ids({ sort }), sort).toEqual(expected);
      }
    });

    it('pages through every sort 7 at a time: the pages join into the full list, nothing repeated or skipped', async () => {
      for (const [sort, expected] of Object.entries(EXPECTED_ORDER) as Array<[IncidentRecordSort, string[]]>) {
        const pages: string[][] = [];
        let cursor: string | undefined;
        do {
          const page = await store.records.list({ sort, limit: 7, ...(cursor ? { cursor } : {}) });
          pages.push(page.items.map((item) => item.id));
          cursor = page.nextCursor;
          if (cursor !== undefined) expect(cursor, sort).toMatch(/^[A-Za-z0-9_-]+$/);
        } while (cursor !== undefined);
        expect(pages.map((page) => page.length), sort).toEqual([7, 7, 7, 7, 2]);
        expect(pages.flat(), sort).toEqual(expected);
        expect(new Set(pages.flat()).size, sort).toBe(30);
      }
    });

    it('pages a filtered list, and a page that ends exactly at the last row has no cursor', async () => {
      const first = await store.records.list({ status: ['active'], limit: 3 });
      expect(first.items.map((item) => item.id)).toEqual(['inc-28', 'inc-26', 'inc-22']);
      const second = await store.records.list({ status: ['active'], limit: 3, cursor: first.nextCursor! });
      expect(second.items.map((item) => item.id)).toEqual(['inc-20', 'inc-18', 'inc-15']);
      const third = await store.records.list({ status: ['active'], limit: 3, cursor: second.nextCursor! });
      expect(third.items.map((item) => item.id)).toEqual(['inc-11', 'inc-08']);
      expect(third.nextCursor).toBeUndefined();
      const exact = await store.records.list({ status: ['active'], limit: 8 });
      expect(exact.items).toHaveLength(8);
      expect(exact.nextCursor).toBeUndefined();
    });

    it('refuses a tampered, foreign or other-sort cursor, and a limit out of range', async () => {
      const { nextCursor } = await store.records.list({ limit: 7 });
      const cursor = nextCursor!;
      const refused = async (query: IncidentRecordQuery) => {
        const error = await failure(store.records.list(query));
        expect(error).toBeInstanceOf(InvalidCursorError);
        expect(error).toBeInstanceOf(IncidentRecordInputError);
        return error.message;
      };

      // Decoded, the cursor names the last row of the page: inc-23 (NEWEST_FIRST[6]).
      const decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown[];
      expect(decoded.slice(0, 4)).toEqual([1, '-reported_at', '2026-03-23T10:00:00.000Z', 'inc-23']);
      // Same shape, another position: the check no longer matches.
      const moved = Buffer.from(JSON.stringify([1, '-reported_at', '2026-03-23T10:00:00.000Z', 'inc-99', decoded[4]])).toString('base64url');
      expect(await refused({ cursor: moved })).toBe('cursor: not a cursor this service issued for this sort order; start again without one');
      // One character changed.
      const flipped = cursor.slice(0, 10) + (cursor[10] === 'A' ? 'B' : 'A') + cursor.slice(11);
      await refused({ cursor: flipped });
      await refused({ cursor: cursor.slice(0, -4) });
      await refused({ cursor: 'not-a-cursor' });
      await refused({ cursor: '' });
      await refused({ cursor: 'a+b/c=' });
      // A playbook list cursor: base64url JSON, but not ours.
      await refused({ cursor: Buffer.from(JSON.stringify(['service outage', 'service-outage'])).toString('base64url') });
      expect(await refused({ cursor, sort: 'severity' })).toBe('cursor: was issued for sort "-reported_at", not "severity"; start again without one');

      for (const limit of [0, 201, 2.5]) {
        const error = await failure(store.records.list({ limit }));
        expect(error).toBeInstanceOf(IncidentRecordInputError);
        expect(error).not.toBeInstanceOf(InvalidCursorError);
      }
      expect((await failure(store.records.list({ sort: 'name' as IncidentRecordSort }))).message).toMatch(/^sort: must be one of/);
      expect((await failure(store.records.list({ status: ['open' as IncidentStatus] }))).message).toMatch(/^status: must be one of/);
    });

    it('finds the open incident of an alert group and counts the group', async () => {
      // grp-checkout: inc-01 and inc-02 closed, inc-11 active, inc-23 reported (the newest).
      expect((await store.records.openForAlertGroup('grp-checkout'))?.id).toBe('inc-23');
      expect(await store.records.countForAlertGroup('grp-checkout')).toBe(4);
      // grp-refunds: inc-06 closed, inc-18 active.
      expect((await store.records.openForAlertGroup('grp-refunds'))?.id).toBe('inc-18');
      expect(await store.records.countForAlertGroup('grp-refunds')).toBe(2);
      // grp-old: only inc-30, closed.
      expect(await store.records.openForAlertGroup('grp-old')).toBeUndefined();
      expect(await store.records.countForAlertGroup('grp-old')).toBe(1);
      expect(await store.records.openForAlertGroup('grp-none')).toBeUndefined();
      expect(await store.records.countForAlertGroup('grp-none')).toBe(0);

      // Closing inc-23 leaves inc-11 as the group's open incident; a resolved one still counts as open.
      const inc23 = seededRecord(SEEDS.find(([n]) => n === '23')!);
      await store.records.upsert({ ...inc23, status: 'closed', revision: 4 });
      expect((await store.records.openForAlertGroup('grp-checkout'))?.id).toBe('inc-11');
      const inc11 = seededRecord(SEEDS.find(([n]) => n === '11')!);
      await store.records.upsert({ ...inc11, status: 'resolved', revision: 4 });
      expect((await store.records.openForAlertGroup('grp-checkout'))?.id).toBe('inc-11');
      expect(await store.records.countForAlertGroup('grp-checkout')).toBe(4);
    });
  });

  describe('stats read', () => {
    it('returns every record overlapping the period, only the stats columns, by report time', async () => {
      const write = (id: string, team: string, reportedAt: string, resolvedAt?: string) =>
        store.records.upsert(
          record({
            id,
            team,
            reportedAt,
            acknowledgedAt: reportedAt,
            status: resolvedAt ? 'resolved' : 'active',
            ...(resolvedAt ? { resolvedAt } : {}),
            severity: 'sev1',
            playbookId: 'pb',
          }),
        );
      await write('s1', 'shop', '2026-03-05T10:00:00.000Z'); // open since before the period: in
      await write('s2', 'shop', '2026-03-05T10:00:00.000Z', '2026-03-09T23:59:59.999Z'); // resolved just before from: out
      await write('s3', 'shop', '2026-03-05T10:00:00.000Z', '2026-03-10T00:00:00.000Z'); // resolved exactly at from: in
      await write('s4', 'shop', '2026-03-12T10:00:00.000Z', '2026-03-13T10:00:00.000Z'); // inside: in
      await write('s5', 'shop', '2026-03-19T23:59:59.999Z'); // reported just before to: in
      await write('s6', 'shop', '2026-03-20T00:00:00.000Z'); // reported exactly at to: out
      await write('s7', 'payments', '2026-03-15T10:00:00.000Z'); // another team
      await write('s8', 'shop', '2026-03-01T10:00:00.000Z', '2026-03-25T10:00:00.000Z'); // resolved after the period: in
      await write('s9', 'shop', '2026-03-25T10:00:00.000Z'); // after the period: out

      const period = { from: '2026-03-10T00:00:00.000Z', to: '2026-03-20T00:00:00.000Z' };
      const all = await store.records.forStats(period);
      expect(all.map((row) => row.id)).toEqual(['s8', 's1', 's3', 's4', 's7', 's5']);
      expect(all[3]).toEqual({
        id: 's4',
        status: 'resolved',
        severity: 'sev1',
        playbookId: 'pb',
        reportedAt: '2026-03-12T10:00:00.000Z',
        acknowledgedAt: '2026-03-12T10:00:00.000Z',
        resolvedAt: '2026-03-13T10:00:00.000Z',
      });
      expect(all[1]).toEqual({
        id: 's1',
        status: 'active',
        severity: 'sev1',
        playbookId: 'pb',
        reportedAt: '2026-03-05T10:00:00.000Z',
        acknowledgedAt: '2026-03-05T10:00:00.000Z',
      });
      expect((await store.records.forStats({ ...period, team: 'shop' })).map((row) => row.id)).toEqual(['s8', 's1', 's3', 's4', 's5']);
      expect((await store.records.forStats({ from: '2026-03-10', to: '2026-03-20T01:00:00+01:00' })).map((row) => row.id)).toEqual([
        's8', 's1', 's3', 's4', 's7', 's5',
      ]);

      expect(await failure(store.records.forStats({ from: 'soon', to: period.to }))).toBeInstanceOf(IncidentRecordInputError);
      expect((await failure(store.records.forStats({ from: period.to, to: period.from }))).message).toBe(
        'from (2026-03-20T00:00:00.000Z) must be before to (2026-03-10T00:00:00.000Z)',
      );
    });
  });
}

describe('incident records on SQLite', () => {
  let directory: string;
  beforeAll(() => {
    directory = mkdtempSync(join(tmpdir(), 'incident-records-sqlite-'));
  });
  afterAll(() => rmSync(directory, { recursive: true, force: true }));

  let counter = 0;
  incidentRecordSuite(async () => {
    const opened = await openDatabase({ url: `sqlite:${join(directory, `store-${++counter}.sqlite`)}` });
    expect(opened.dialect).toBe('sqlite');
    return opened;
  });
});

const postgresSource = findTestPostgres();
if (!postgresSource) console.warn(POSTGRES_MISSING_MESSAGE);

describe.skipIf(!postgresSource)('incident records on Postgres', () => {
  let server: TestPostgres | undefined;
  beforeAll(async () => {
    server = await startTestPostgres(postgresSource!);
  });
  afterAll(async () => {
    await server?.stop();
  });

  incidentRecordSuite(async () => {
    const opened = await openDatabase({ url: await server!.createDatabase() });
    expect(opened.dialect).toBe('postgres');
    return opened;
  });
});

// CI installs Postgres; there a missing server is a broken setup, not a reason to skip half the tests.
describe.runIf(!postgresSource && process.env.CI)('incident records on Postgres (CI)', () => {
  it('has a Postgres server to test against', () => {
    expect.fail(POSTGRES_MISSING_MESSAGE);
  });
});
