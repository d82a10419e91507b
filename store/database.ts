/**
 * Opens the store's database from one URL: SQLite (the embedded default, a file under `.data/`) or Postgres (production).
 * Both go through Kysely, so repositories are written once. The schema is migrated before the handle is returned, so no
 * caller ever sees a half-made schema.
 */
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import { migrateToLatest, type SqlDialectName } from './migrations.js';
import type { Database } from './schema.js';
import { messageOf } from '../domain/errors.js';
import { OneAtATime } from '../domain/one-at-a-time.js';

export const DEFAULT_SQLITE_PATH = '.data/incidents.sqlite';

const ACCEPTED_FORMS =
  'accepted forms: "sqlite:<path>", "sqlite::memory:", a plain file path, or "postgres://user:password@host:5432/database" ' +
  '("postgresql://" works too)';

export interface OpenDatabaseOptions {
  /** Unset → SQLite at `.data/incidents.sqlite`. */
  url?: string;
  log?: (line: string) => void;
}

export interface OpenedDatabase {
  db: Kysely<Database>;
  dialect: SqlDialectName;
  close(): Promise<void>;
}

type DatabaseTarget = { dialect: 'sqlite'; path: string } | { dialect: 'postgres'; url: string };

/** Replaces the password in a database URL (user-info or `?password=`) with "***", so the URL can be logged. */
export function redactDatabaseUrl(url: string): string {
  try {
    const parsed = new URL(url);
    let changed = false;
    if (parsed.password) {
      parsed.password = '***';
      changed = true;
    }
    for (const key of [...parsed.searchParams.keys()]) {
      if (key.toLowerCase() === 'password') {
        parsed.searchParams.set(key, '***');
        changed = true;
      }
    }
    return changed ? parsed.toString() : url;
  } catch {
    // Not parseable as a URL (e.g. a malformed one in an error message): redact by pattern instead.
    return url.replace(/(\/\/[^/:@]*:)[^@/]*@/, '$1***@').replace(/([?&]password=)[^&]*/gi, '$1***');
  }
}

/** Which database a URL means; an Error naming the accepted forms when it means none we support. */
export function parseDatabaseUrl(url: string | undefined): DatabaseTarget {
  const value = url?.trim();
  if (!value) return { dialect: 'sqlite', path: DEFAULT_SQLITE_PATH };
  if (/^postgres(ql)?:\/\//i.test(value)) return { dialect: 'postgres', url: value };
  if (/^sqlite:/i.test(value)) {
    // "sqlite:data.db", "sqlite:///abs/path.db" and "sqlite::memory:" all name a path after the scheme.
    const path = value.slice('sqlite:'.length).replace(/^\/\//, '');
    if (!path) throw new Error(`database URL "sqlite:" names no file; ${ACCEPTED_FORMS}`);
    return { dialect: 'sqlite', path };
  }
  // A scheme we do not speak (mysql://, file:, http:...). Two letters or more, so "C:\data\x.db" still reads as a path.
  if (/^[a-z][a-z0-9+.-]+:/i.test(value)) {
    const scheme = value.slice(0, value.indexOf(':'));
    throw new Error(`unsupported database URL "${redactDatabaseUrl(value)}" (scheme "${scheme}"); ${ACCEPTED_FORMS}`);
  }
  return { dialect: 'sqlite', path: value };
}

/** How long opening a SQLite file keeps trying to switch it to WAL while another process holds it (starting too). */
const WAL_SWITCH_WAIT_MS = 10_000;

/**
 * WAL lets the API read while the worker writes. Switching a file to it needs the file to itself, and SQLite answers
 * SQLITE_BUSY at once (no busy timeout applies) while another process opening the same new file holds it a moment:
 * one of four processes starting together failed "database is locked". So: tried again after a short pause.
 */
async function switchToWal(sqlite: BetterSqlite3.Database): Promise<void> {
  const deadline = performance.now() + WAL_SWITCH_WAIT_MS;
  for (;;) {
    try {
      sqlite.pragma('journal_mode = WAL');
      return;
    } catch (error) {
      if ((error as { code?: string }).code !== 'SQLITE_BUSY' || performance.now() >= deadline) throw error;
      await new Promise((done) => setTimeout(done, 10 + Math.random() * 40));
    }
  }
}

async function openSqlite(path: string): Promise<{ db: Kysely<Database>; migrate: () => Promise<string[]> }> {
  const inMemory = path === ':memory:';
  if (!inMemory) mkdirSync(dirname(resolve(path)), { recursive: true });
  const sqlite = new BetterSqlite3(path);
  // Foreign keys are off by default in SQLite; the busy timeout makes a second process wait for the write lock instead
  // of failing at once.
  sqlite.pragma('busy_timeout = 5000');
  if (!inMemory) await switchToWal(sqlite);
  sqlite.pragma('foreign_keys = ON');
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });
  // Kysely's migrator takes no lock on SQLite (it counts on a single connection): the worker and the API starting on a
  // new file both made the tables, and one failed ("table playbooks already exists"). Its statements run on this one
  // connection, so one write transaction around them makes the other process wait (the busy timeout), then find every
  // migration done; a migration that fails leaves nothing half made.
  const migrate = () =>
    // Within one process, one after another: a second connection's wait for the lock would block the thread the first
    // needs to finish (better-sqlite3 waits synchronously).
    inMemory ? migrateInOneTransaction() : migrationsPerFile.run(resolve(path), migrateInOneTransaction);
  async function migrateInOneTransaction(): Promise<string[]> {
    sqlite.exec('BEGIN IMMEDIATE');
    try {
      const applied = await migrateToLatest(db, 'sqlite');
      sqlite.exec('COMMIT');
      return applied;
    } catch (error) {
      if (sqlite.inTransaction) sqlite.exec('ROLLBACK');
      throw error;
    }
  }
  return { db, migrate };
}

/** The SQLite files this process migrates, one migration at a time per file. */
const migrationsPerFile = new OneAtATime();

function openPostgres(url: string, log: (line: string) => void): { db: Kysely<Database>; migrate: () => Promise<string[]> } {
  const pool = new pg.Pool({ connectionString: url, max: 10 });
  // An idle client losing its connection (server restart) must not crash the process; the next query reconnects.
  pool.on('error', (error) => log(`database: idle Postgres connection failed: ${error.message}`));
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  // Kysely's migrator locks Postgres itself (a lock table, in one transaction): processes starting together migrate once.
  return { db, migrate: () => migrateToLatest(db, 'postgres') };
}

export async function openDatabase(options: OpenDatabaseOptions = {}): Promise<OpenedDatabase> {
  const log = options.log ?? (() => {});
  const target = parseDatabaseUrl(options.url);
  const { db, migrate } = target.dialect === 'sqlite' ? await openSqlite(target.path) : openPostgres(target.url, log);
  const where = target.dialect === 'sqlite' ? `SQLite ${target.path}` : `Postgres ${redactDatabaseUrl(target.url)}`;
  try {
    const applied = await migrate();
    log(
      applied.length > 0
        ? `database: ${where}: applied migrations ${applied.join(', ')}`
        : `database: ${where}: schema is up to date`,
    );
  } catch (error) {
    await db.destroy();
    const reason = messageOf(error);
    // pg's own messages can quote the connection string; never let the password through.
    const safeReason = target.dialect === 'postgres' ? reason.split(target.url).join(redactDatabaseUrl(target.url)) : reason;
    throw new Error(`cannot open the database (${where}): ${safeReason}`, { cause: error });
  }
  return { db, dialect: target.dialect, close: () => db.destroy() };
}
