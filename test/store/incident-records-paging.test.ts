/**
 * Ordering and paging incident records, on SQLite and on Postgres: every sort either way, keyset pages over 30 seeded
 * records, and the cursors and limits the store refuses.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import type { IncidentStatus } from '../../domain/incident.js';
import { IncidentRecordInputError, InvalidCursorError } from '../../store/incident-record-errors.js';
import type { IncidentRecordQuery } from '../../store/incident-record-query.js';
import type { IncidentRecordSort } from '../../domain/incident-record-sorts.js';
import { EXPECTED_ORDER, seedRecords } from '../helpers/incident-record-seeds.js';
import { describeRecordStore, failure, listedIds } from '../helpers/incident-record-store.js';

describeRecordStore('incident record paging', (store) => {
  const ids = (query?: IncidentRecordQuery) => listedIds(store, query);

  describe('sorts and pages', () => {
    beforeEach(async () => {
      await seedRecords(store.records);
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
  });
});
