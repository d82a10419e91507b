/**
 * What the incident record store's tests share: a repository on a fresh database of each dialect (with a clock that
 * steps one second per write), a record to vary, and small readers of what the store answers.
 */
import { afterEach, beforeEach, expect } from 'vitest';
import type { OpenedDatabase } from '../../store/database.js';
import type { IncidentRecordQuery } from '../../store/incident-record-query.js';
import type { IncidentRecord } from '../../store/incident-record-row.js';
import { IncidentRecordRepository } from '../../store/incident-records.js';
import { describeOnEachDialect } from './store-dialects.js';

/** A clock that moves one second per reading, so every applied write gets a distinct, predictable updatedAt. */
export function steppingClock(start = Date.parse('2026-04-01T00:00:00.000Z')) {
  let tick = 0;
  return () => new Date(start + 1000 * tick++);
}

export function record(overrides: Partial<IncidentRecord> & { id: string }): IncidentRecord {
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

export interface StoreUnderTest {
  database: OpenedDatabase;
  records: IncidentRecordRepository;
}

/**
 * Registers `suite` on SQLite and on Postgres; before each test `store` holds a repository on a new database (pinned
 * clock: `steppingClock()`), closed after it.
 */
export function describeRecordStore(what: string, suite: (store: StoreUnderTest) => void): void {
  describeOnEachDialect(what, (open) => {
    const store = {} as StoreUnderTest;
    beforeEach(async () => {
      store.database = await open();
      store.records = new IncidentRecordRepository(store.database.db, { now: steppingClock() });
    });
    afterEach(async () => {
      await store.database.close();
    });
    suite(store);
  });
}

export async function failure(promise: Promise<unknown>): Promise<Error> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error, 'expected the call to fail').toBeInstanceOf(Error);
  return error as Error;
}

/** The ids of every record the query lists, on one page. */
export async function listedIds(store: StoreUnderTest, query: IncidentRecordQuery = {}): Promise<string[]> {
  const page = await store.records.list({ limit: 200, ...query });
  expect(page.nextCursor).toBeUndefined();
  return page.items.map((item) => item.id);
}
