/**
 * Listing incident records, on SQLite and on Postgres: the default list and every filter (status, severity, playbook,
 * commander, team, member, text, report time) against 30 seeded records whose answers are written out by hand.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { IncidentRecordInputError } from '../../store/incident-record-errors.js';
import type { IncidentRecordQuery } from '../../store/incident-record-query.js';
import { NEWEST_FIRST, seedRecords } from '../helpers/incident-record-seeds.js';
import { describeRecordStore, failure, listedIds } from '../helpers/incident-record-store.js';

describeRecordStore('incident record filters', (store) => {
  const ids = (query?: IncidentRecordQuery) => listedIds(store, query);

  describe('lists', () => {
    beforeEach(async () => {
      await seedRecords(store.records);
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
  });
});
