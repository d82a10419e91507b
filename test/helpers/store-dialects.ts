/**
 * Runs a store suite on SQLite and on Postgres, since the product promises both behave the same: SQLite always, Postgres
 * when one is found (test/helpers/postgres.ts), and on CI a missing Postgres fails instead of skipping half the suite.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type OpenedDatabase } from '../../store/database.js';
import { findTestPostgres, POSTGRES_MISSING_MESSAGE, startTestPostgres, type TestPostgres } from './postgres.js';

/** A database opened for a test, with the URL it was opened from (to open it a second time). */
export type TestDatabase = OpenedDatabase & { url: string };

/** `suite` registers its tests with `open`, which gives each caller a new, migrated, empty database of one dialect. */
export function describeOnEachDialect(what: string, suite: (open: () => Promise<TestDatabase>) => void): void {
  describe(`${what} on SQLite`, () => {
    let directory: string;
    beforeAll(() => {
      directory = mkdtempSync(join(tmpdir(), 'incident-store-sqlite-'));
    });
    afterAll(() => rmSync(directory, { recursive: true, force: true }));

    let counter = 0;
    suite(async () => {
      const url = `sqlite:${join(directory, `store-${++counter}.sqlite`)}`;
      const opened = await openDatabase({ url });
      expect(opened.dialect).toBe('sqlite');
      return { ...opened, url };
    });
  });

  const postgresSource = findTestPostgres();
  if (!postgresSource) console.warn(POSTGRES_MISSING_MESSAGE);

  describe.skipIf(!postgresSource)(`${what} on Postgres`, () => {
    let server: TestPostgres | undefined;
    beforeAll(async () => {
      server = await startTestPostgres(postgresSource!);
    });
    afterAll(async () => {
      await server?.stop();
    });

    suite(async () => {
      const url = await server!.createDatabase();
      const opened = await openDatabase({ url });
      expect(opened.dialect).toBe('postgres');
      return { ...opened, url };
    });
  });

  // CI installs Postgres (.ci/run); there a missing server is a broken setup, not a reason to skip half the tests.
  describe.runIf(!postgresSource && process.env.CI)(`${what} on Postgres (CI)`, () => {
    it('has a Postgres server to test against', () => {
      expect.fail(POSTGRES_MISSING_MESSAGE);
    });
  });
}
