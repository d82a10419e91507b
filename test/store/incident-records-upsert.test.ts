/**
 * Writing incident records, on SQLite and on Postgres: the versioned upsert (also under concurrent writers), the
 * refusal of a record the store cannot take, and a record made from an incident view read back.
 */
import { describe, expect, it } from 'vitest';
import type { IncidentStatus } from '../../domain/incident.js';
import { IncidentRecordInputError } from '../../store/incident-record-errors.js';
import type { IncidentRecordQuery } from '../../store/incident-record-query.js';
import { recordFromView, type IncidentRecord } from '../../store/incident-record-row.js';
import { describeRecordStore, failure, listedIds, record } from '../helpers/incident-record-store.js';
import { resolvedIncidentView } from '../helpers/postmortem-fixtures.js';

describeRecordStore('incident record writes', (store) => {
  const ids = (query?: IncidentRecordQuery) => listedIds(store, query);

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

    it('replaces an equal revision only when asked (the record activity over the sink), never an older one', async () => {
      const { records } = store;
      await records.upsert(record({ id: 'same', revision: 5, name: 'from the sink', participants: ['zed'] }));
      expect(await records.upsert(record({ id: 'same', revision: 5, name: 'confirmed', participants: ['alice'] }), { replaceSameRevision: true })).toEqual({
        applied: true,
      });
      expect(await records.get('same')).toMatchObject({ revision: 5, name: 'confirmed', participants: ['alice'] });
      expect(await ids({ member: 'zed' })).toEqual([]);
      expect(await records.upsert(record({ id: 'same', revision: 4, name: 'older' }), { replaceSameRevision: true })).toEqual({ applied: false });
      expect((await records.get('same'))?.name).toBe('confirmed');
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
});
