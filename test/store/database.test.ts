/** Opening the store: which URLs mean which database, SQLite's settings, migrations, and passwords kept out of logs. */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_SQLITE_PATH, openDatabase, parseDatabaseUrl, redactDatabaseUrl } from '../../store/database.js';

let directory: string;
beforeAll(() => {
  directory = mkdtempSync(join(tmpdir(), 'incident-store-open-'));
});
afterAll(() => rmSync(directory, { recursive: true, force: true }));

describe('redactDatabaseUrl', () => {
  it('hides the password of a URL and keeps everything else', () => {
    const redacted = redactDatabaseUrl('postgres://incidents:s3cr%40t@db.internal:5432/incidents?sslmode=require');
    expect(redacted).toBe('postgres://incidents:***@db.internal:5432/incidents?sslmode=require');
  });

  it('hides a password given as a query parameter', () => {
    const redacted = redactDatabaseUrl('postgresql://db.internal/incidents?user=app&Password=hunter2');
    expect(redacted).not.toContain('hunter2');
    expect(redacted).toContain('user=app');
  });

  it('leaves a URL without a password as it is, and redacts one it cannot parse', () => {
    expect(redactDatabaseUrl('postgres://app@db.internal/incidents')).toBe('postgres://app@db.internal/incidents');
    expect(redactDatabaseUrl('sqlite:.data/x.sqlite')).toBe('sqlite:.data/x.sqlite');
    expect(redactDatabaseUrl('postgres://app:hunter2@[bad-host/db')).toBe('postgres://app:***@[bad-host/db');
  });
});

describe('parseDatabaseUrl', () => {
  it('reads every accepted form', () => {
    expect(parseDatabaseUrl(undefined)).toEqual({ dialect: 'sqlite', path: DEFAULT_SQLITE_PATH });
    expect(parseDatabaseUrl('  ')).toEqual({ dialect: 'sqlite', path: DEFAULT_SQLITE_PATH });
    expect(parseDatabaseUrl('sqlite:data/x.sqlite')).toEqual({ dialect: 'sqlite', path: 'data/x.sqlite' });
    expect(parseDatabaseUrl('sqlite:///var/lib/x.sqlite')).toEqual({ dialect: 'sqlite', path: '/var/lib/x.sqlite' });
    expect(parseDatabaseUrl('sqlite::memory:')).toEqual({ dialect: 'sqlite', path: ':memory:' });
    expect(parseDatabaseUrl('/srv/incidents.db')).toEqual({ dialect: 'sqlite', path: '/srv/incidents.db' });
    expect(parseDatabaseUrl('postgres://a@h/d')).toEqual({ dialect: 'postgres', url: 'postgres://a@h/d' });
    expect(parseDatabaseUrl('postgresql://a@h/d')).toEqual({ dialect: 'postgres', url: 'postgresql://a@h/d' });
  });

  it('refuses another scheme, naming it and the accepted forms, without the password', () => {
    let message = '';
    try {
      parseDatabaseUrl('mysql://root:hunter2@db/incidents');
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain('unsupported database URL "mysql://root:***@db/incidents" (scheme "mysql")');
    expect(message).toContain('sqlite:<path>');
    expect(message).toContain('postgres://');
    expect(message).not.toContain('hunter2');
  });
});

describe('openDatabase', () => {
  it('rejects an unsupported URL before touching anything', async () => {
    await expect(openDatabase({ url: 'mongodb://x:y@db/z' })).rejects.toThrow(/unsupported database URL .*accepted forms/);
  });

  it('creates the SQLite file and its directory, with WAL and foreign keys on, and logs the migrations it ran', async () => {
    const path = join(directory, 'nested', 'deeper', 'incidents.sqlite');
    const lines: string[] = [];
    const opened = await openDatabase({ url: `sqlite:${path}`, log: (line) => lines.push(line) });
    try {
      expect(opened.dialect).toBe('sqlite');
      expect(existsSync(path)).toBe(true);
      const journal = await sql<{ journal_mode: string }>`pragma journal_mode`.execute(opened.db);
      expect(journal.rows[0]?.journal_mode).toBe('wal');
      const foreignKeys = await sql<{ foreign_keys: number }>`pragma foreign_keys`.execute(opened.db);
      expect(foreignKeys.rows[0]?.foreign_keys).toBe(1);
      expect(lines).toEqual([`database: SQLite ${path}: applied migrations 0001_playbooks, 0002_incident_sequences, 0003_incident_records, 0004_incident_timeline, 0005_incident_channel, 0006_shared_locks`]);
    } finally {
      await opened.close();
    }
  });

  it('migrates once: opening the same file again runs nothing and keeps one migration record', async () => {
    const path = join(directory, 'twice.sqlite');
    const first: string[] = [];
    const second: string[] = [];
    await (await openDatabase({ url: path, log: (line) => first.push(line) })).close();
    const again = await openDatabase({ url: path, log: (line) => second.push(line) });
    try {
      expect(first).toEqual([`database: SQLite ${path}: applied migrations 0001_playbooks, 0002_incident_sequences, 0003_incident_records, 0004_incident_timeline, 0005_incident_channel, 0006_shared_locks`]);
      expect(second).toEqual([`database: SQLite ${path}: schema is up to date`]);
      const recorded = await sql<{ name: string }>`select name from kysely_migration order by name`.execute(again.db);
      expect(recorded.rows.map((row) => row.name)).toEqual(['0001_playbooks', '0002_incident_sequences', '0003_incident_records', '0004_incident_timeline', '0005_incident_channel', '0006_shared_locks']);
    } finally {
      await again.close();
    }
  });

  it('migrates a new SQLite file once when several processes open it at the same moment; the others wait and find it done', async () => {
    const path = join(directory, 'together.sqlite');
    const go = join(directory, 'together.go');
    const fixture = fileURLToPath(new URL('../fixtures/open-store.ts', import.meta.url));
    const processes = Array.from({ length: 4 }, () => {
      const child = spawn(process.execPath, ['--import', 'tsx', fixture, `sqlite:${path}`, go], { stdio: ['ignore', 'pipe', 'inherit'] });
      let output = '';
      const ready = new Promise<void>((resolve) => {
        child.stdout.on('data', (chunk: Buffer) => {
          output += chunk.toString();
          if (output.startsWith('ready\n')) resolve();
        });
      });
      const exited = new Promise<{ code: number | null; said: unknown }>((resolve) =>
        child.once('exit', (code) => resolve({ code, said: JSON.parse(output.split('\n').filter(Boolean).at(-1) ?? 'null') })),
      );
      return { ready, exited };
    });
    await Promise.all(processes.map((child) => child.ready));
    writeFileSync(go, '');
    const outcomes = await Promise.all(processes.map((child) => child.exited));
    expect(outcomes.map((outcome) => outcome.code), JSON.stringify(outcomes.map((outcome) => outcome.said))).toEqual([0, 0, 0, 0]);
    const said = outcomes.map((outcome) => outcome.said as string[]).sort((a, b) => a[0]!.localeCompare(b[0]!));
    expect(said).toEqual([
      [`database: SQLite ${path}: applied migrations 0001_playbooks, 0002_incident_sequences, 0003_incident_records, 0004_incident_timeline, 0005_incident_channel, 0006_shared_locks`],
      ...Array.from({ length: 3 }, () => [`database: SQLite ${path}: schema is up to date`]),
    ]);
  }, 60_000);

  it('opens an in-memory SQLite database with the schema in place', async () => {
    const opened = await openDatabase({ url: 'sqlite::memory:' });
    try {
      const tables = await sql<{ name: string }>`select name from sqlite_master where type = 'table' and name like 'playbook%' order by name`.execute(
        opened.db,
      );
      expect(tables.rows.map((row) => row.name)).toEqual(['playbook_versions', 'playbooks']);
    } finally {
      await opened.close();
    }
  });

  it('enforces the foreign key from versions to playbooks', async () => {
    const opened = await openDatabase({ url: 'sqlite::memory:' });
    try {
      await expect(
        opened.db
          .insertInto('playbook_versions')
          .values({ playbook_id: 'ghost', version: 1, definition: '{}', created_at: 'now', created_by: 'x' })
          .execute(),
      ).rejects.toThrow(/FOREIGN KEY/);
    } finally {
      await opened.close();
    }
  });

  it('never puts a Postgres password into the error or the log when the server cannot be reached', async () => {
    const lines: string[] = [];
    // Port 1 on loopback: nothing listens there, so the connection is refused at once.
    const url = 'postgres://incidents:hunter2@127.0.0.1:1/incidents';
    const error = await openDatabase({ url, log: (line) => lines.push(line) }).then(
      () => undefined,
      (reason: unknown) => reason as Error,
    );
    expect(error?.message).toMatch(/^cannot open the database \(Postgres postgres:\/\/incidents:\*\*\*@127\.0\.0\.1:1\/incidents\): /);
    expect(error?.message).not.toContain('hunter2');
    expect(lines.join('\n')).not.toContain('hunter2');
  });
});
