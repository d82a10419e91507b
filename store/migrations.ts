/**
 * The store's schema history, compiled into the code (no migration files are read at run time, so a bundled or installed
 * service migrates the same way as a checkout). Each migration is named `NNNN_what` and runs once, in name order;
 * a migration that shipped is never edited, a change is a new migration.
 */
import { sql, type Kysely } from 'kysely';
import { Migrator, type Migration, type MigrationProvider } from 'kysely';

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

/** All migrations for a dialect, by name. Later issues append here (e.g. `0002_incident_records`). */
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
    const reason = error instanceof Error ? error.message : String(error);
    throw new MigrationError(
      failed ? `database migration ${failed} failed: ${reason}` : `database migrations could not run: ${reason}`,
      { cause: error },
    );
  }
  return results.filter((result) => result.status === 'Success').map((result) => result.migrationName);
}
