/** Incident numbers per team: consecutive, per team, and unique under concurrent starts, on SQLite and Postgres. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type OpenedDatabase } from '../../store/database.js';
import { nextIncidentNumber } from '../../store/incident-sequence.js';
import { findTestPostgres, startTestPostgres } from '../helpers/postgres.js';

const directory = mkdtempSync(join(tmpdir(), 'sequence-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

async function numbersOn(database: OpenedDatabase): Promise<void> {
  expect(await nextIncidentNumber(database.db, 'shop')).toBe(1);
  expect(await nextIncidentNumber(database.db, 'shop')).toBe(2);
  expect(await nextIncidentNumber(database.db, 'payments')).toBe(1);
  const concurrent = await Promise.all(Array.from({ length: 20 }, () => nextIncidentNumber(database.db, 'shop')));
  expect([...concurrent].sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i + 3));
}

describe('incident numbers', () => {
  it('on SQLite', async () => {
    const database = await openDatabase({ url: `sqlite:${join(directory, 'store.sqlite')}` });
    try {
      await numbersOn(database);
    } finally {
      await database.close();
    }
  });

  const source = findTestPostgres();
  describe.skipIf(!source)('on Postgres', () => {
    let postgres: Awaited<ReturnType<typeof startTestPostgres>>;
    beforeAll(async () => {
      postgres = await startTestPostgres(source!);
    }, 60_000);
    afterAll(() => postgres?.stop());
    it('gives the same answers', async () => {
      const database = await openDatabase({ url: await postgres.createDatabase() });
      try {
        await numbersOn(database);
      } finally {
        await database.close();
      }
    });
  });
});
