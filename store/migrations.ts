/**
 * The store's schema history, compiled into the code (no migration files are read at run time, so a bundled or installed
 * service migrates the same way as a checkout). Each migration is named `NNNN_what` and runs once, in name order;
 * a migration that shipped is never edited, a change is a new migration.
 */
import { sql, type Kysely } from 'kysely';
import { Migrator, type Migration, type MigrationProvider } from 'kysely';
import { messageOf } from '../domain/errors.js';

export type SqlDialectName = 'sqlite' | 'postgres';

/**
 * Text compared byte by byte. Postgres's default collation depends on how the server was initialised (en_US sorts
 * "a-c" before "ab" and ignores case at first); "C" matches SQLite's BINARY so lists and keyset pages agree across
 * dialects.
 */
function byteOrderedText(dialect: SqlDialectName) {
  return dialect === 'postgres' ? sql`text collate "C"` : sql`text`;
}

function playbooksMigration(dialect: SqlDialectName): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('playbooks')
        .addColumn('id', byteOrderedText(dialect), (column) => column.primaryKey())
        .addColumn('title', 'text', (column) => column.notNull())
        .addColumn('sort_title', byteOrderedText(dialect), (column) => column.notNull())
        .addColumn('team', 'text')
        .addColumn('current_version', 'integer', (column) => column.notNull())
        .addColumn('archived_at', 'text')
        .addColumn('created_at', 'text', (column) => column.notNull())
        .addColumn('updated_at', 'text', (column) => column.notNull())
        .addColumn('created_by', 'text', (column) => column.notNull())
        .addColumn('updated_by', 'text', (column) => column.notNull())
        .execute();
      // Lists read in (sort_title, id) order and page by it.
      await db.schema.createIndex('playbooks_sort_title_id').on('playbooks').columns(['sort_title', 'id']).execute();
      await db.schema.createIndex('playbooks_team').on('playbooks').column('team').execute();

      await db.schema
        .createTable('playbook_versions')
        .addColumn('playbook_id', byteOrderedText(dialect), (column) =>
          column.notNull().references('playbooks.id').onDelete('cascade'),
        )
        .addColumn('version', 'integer', (column) => column.notNull())
        .addColumn('definition', 'text', (column) => column.notNull())
        .addColumn('created_at', 'text', (column) => column.notNull())
        .addColumn('created_by', 'text', (column) => column.notNull())
        // The key is what keeps two concurrent edits from both becoming version N+1.
        .addPrimaryKeyConstraint('playbook_versions_pkey', ['playbook_id', 'version'])
        .execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable('playbook_versions').execute();
      await db.schema.dropTable('playbooks').execute();
    },
  };
}

/**
 * The incident projection (store/incident-records.ts): one row per incident, rewritten by a versioned upsert on every
 * change, plus its members for the member filter. Every column that is compared, sorted or paged on is byte-ordered, so
 * filters and keyset pages agree across dialects; timestamps are ISO 8601 UTC text, which sorts in time order.
 */
function incidentRecordsMigration(dialect: SqlDialectName): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('incident_records')
        .addColumn('id', byteOrderedText(dialect), (column) => column.primaryKey())
        .addColumn('number', 'integer')
        .addColumn('team', byteOrderedText(dialect), (column) => column.notNull())
        .addColumn('name', 'text', (column) => column.notNull())
        .addColumn('summary', 'text', (column) => column.notNull())
        // Lower-cased by the application for the text filter (SQLite's lower() and LIKE only fold ASCII).
        .addColumn('search_name', byteOrderedText(dialect), (column) => column.notNull())
        .addColumn('search_summary', byteOrderedText(dialect), (column) => column.notNull())
        .addColumn('status', byteOrderedText(dialect), (column) => column.notNull())
        .addColumn('severity', byteOrderedText(dialect), (column) => column.notNull())
        .addColumn('commander', byteOrderedText(dialect), (column) => column.notNull())
        .addColumn('reporter', byteOrderedText(dialect), (column) => column.notNull())
        .addColumn('playbook_id', byteOrderedText(dialect), (column) => column.notNull())
        .addColumn('playbook_version', 'integer', (column) => column.notNull())
        .addColumn('reported_at', byteOrderedText(dialect), (column) => column.notNull())
        .addColumn('acknowledged_at', byteOrderedText(dialect))
        .addColumn('resolved_at', byteOrderedText(dialect))
        .addColumn('closed_at', byteOrderedText(dialect))
        .addColumn('alert_group_key', byteOrderedText(dialect))
        .addColumn('revision', 'integer', (column) => column.notNull())
        .addColumn('view', 'text', (column) => column.notNull())
        .addColumn('updated_at', byteOrderedText(dialect), (column) => column.notNull())
        .execute();
      await db.schema
        .createIndex('incident_records_team_reported_at')
        .on('incident_records')
        .columns(['team', 'reported_at'])
        .execute();
      // The default list order (newest first) and its keyset pages.
      await db.schema
        .createIndex('incident_records_reported_at_id')
        .on('incident_records')
        .columns(['reported_at', 'id'])
        .execute();
      await db.schema.createIndex('incident_records_status').on('incident_records').column('status').execute();
      await db.schema
        .createIndex('incident_records_alert_group_key')
        .on('incident_records')
        .column('alert_group_key')
        .execute();

      await db.schema
        .createTable('incident_members')
        .addColumn('incident_id', byteOrderedText(dialect), (column) =>
          column.notNull().references('incident_records.id').onDelete('cascade'),
        )
        .addColumn('username', byteOrderedText(dialect), (column) => column.notNull())
        .addPrimaryKeyConstraint('incident_members_pkey', ['incident_id', 'username'])
        .execute();
      await db.schema.createIndex('incident_members_username').on('incident_members').column('username').execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable('incident_members').execute();
      await db.schema.dropTable('incident_records').execute();
    },
  };
}

/**
 * Every timeline event of every incident (store/incident-timeline.ts). The workflow keeps only its newest events in its
 * state; this table keeps them all, written by the projection, keyed by the event's position so a repeated write is a
 * no-op.
 */
function incidentTimelineMigration(dialect: SqlDialectName): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('incident_timeline')
        .addColumn('incident_id', byteOrderedText(dialect), (column) => column.notNull())
        .addColumn('seq', 'integer', (column) => column.notNull())
        .addColumn('at', byteOrderedText(dialect), (column) => column.notNull())
        .addColumn('kind', byteOrderedText(dialect), (column) => column.notNull())
        .addColumn('actor', 'text', (column) => column.notNull())
        .addColumn('text', 'text', (column) => column.notNull())
        .addColumn('data', 'text')
        .addPrimaryKeyConstraint('incident_timeline_pkey', ['incident_id', 'seq'])
        .execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable('incident_timeline').execute();
    },
  };
}

/** All migrations for a dialect, by name, appended in order. */
export function storeMigrations(dialect: SqlDialectName): Record<string, Migration> {
  return {
    '0001_playbooks': playbooksMigration(dialect),
    '0002_incident_sequences': {
      async up(db) {
        await db.schema
          .createTable('incident_sequences')
          .addColumn('team', 'text', (column) => column.primaryKey())
          .addColumn('last_number', 'integer', (column) => column.notNull())
          .execute();
      },
      async down(db) {
        await db.schema.dropTable('incident_sequences').execute();
      },
    },
    '0003_incident_records': incidentRecordsMigration(dialect),
    '0004_incident_timeline': incidentTimelineMigration(dialect),
    // The channel an incident runs in: how a slash command or a webhook in that channel finds its incident.
    '0005_incident_channel': {
      async up(db) {
        await db.schema.alterTable('incident_records').addColumn('channel_id', byteOrderedText(dialect)).execute();
        await db.schema.createIndex('incident_records_channel_id').on('incident_records').column('channel_id').execute();
      },
      async down(db) {
        await db.schema.dropIndex('incident_records_channel_id').execute();
        await db.schema.alterTable('incident_records').dropColumn('channel_id').execute();
      },
    },
    // Locks every worker process shares (store/shared-locks.ts): one writer at a time of a person's sidebar category.
    '0006_shared_locks': {
      async up(db) {
        await db.schema
          .createTable('shared_locks')
          .addColumn('lock_key', byteOrderedText(dialect), (column) => column.primaryKey())
          .addColumn('holder', 'text', (column) => column.notNull())
          // Milliseconds since the epoch, from the holder's clock.
          .addColumn('expires_at', 'bigint', (column) => column.notNull())
          .execute();
      },
      async down(db) {
        await db.schema.dropTable('shared_locks').execute();
      },
    },
  };
}

export function createMigrationProvider(dialect: SqlDialectName): MigrationProvider {
  return { getMigrations: async () => storeMigrations(dialect) };
}

export class MigrationError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'MigrationError';
  }
}

/**
 * Brings the schema to the latest migration and returns the names of the migrations that ran now (empty when the
 * database was already current). Kysely's migrator takes a lock, so processes starting together migrate once.
 */
export async function migrateToLatest<DB>(db: Kysely<DB>, dialect: SqlDialectName): Promise<string[]> {
  const migrator = new Migrator({ db, provider: createMigrationProvider(dialect) });
  const { error, results = [] } = await migrator.migrateToLatest();
  if (error) {
    const failed = results.find((result) => result.status === 'Error')?.migrationName;
    const reason = messageOf(error);
    throw new MigrationError(
      failed ? `database migration ${failed} failed: ${reason}` : `database migrations could not run: ${reason}`,
      { cause: error },
    );
  }
  return results.filter((result) => result.status === 'Success').map((result) => result.migrationName);
}
