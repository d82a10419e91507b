/**
 * The incident record reads beside the list, on SQLite and on Postgres: an alert group's open incident and its count,
 * and the stats read of a period.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { IncidentRecordInputError } from '../../store/incident-record-errors.js';
import { SEEDS, seededRecord, seedRecords } from '../helpers/incident-record-seeds.js';
import { describeRecordStore, failure, record } from '../helpers/incident-record-store.js';

describeRecordStore('incident record lookups', (store) => {
  describe('alert groups', () => {
    beforeEach(async () => {
      await seedRecords(store.records);
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
});
