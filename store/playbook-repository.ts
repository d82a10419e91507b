/**
 * Playbooks with their full version history. Editing a playbook writes a new version and never touches an old one: an
 * incident records the playbook's id and version it started from, and that version must stay readable forever.
 *
 * Definitions arrive already validated by the caller (the domain schema owns their shape); the store only relies on
 * `id`, `title` and an optional `team`.
 */
import { sql, type Kysely, type Selectable, type Transaction } from 'kysely';
import type { Database, PlaybooksTable } from './schema.js';
import { PlaybookStoreError } from './playbook-store-errors.js';
import type { PlaybookSummary, PlaybookVersionInfo } from '../domain/playbook/stored.js';

export type PlaybookDefinition = { id: string; title: string; team?: string | null; [key: string]: unknown };

export type { PlaybookSummary, PlaybookVersionInfo } from '../domain/playbook/stored.js';

/**
 * A playbook at one version. `title`, `team` and `definition` are that version's; `currentVersion` says whether a newer
 * one exists. The remaining fields describe the playbook as a whole.
 */
export interface StoredPlaybook<T extends PlaybookDefinition = PlaybookDefinition> extends PlaybookSummary {
  currentVersion: number;
  definition: T;
  versionCreatedAt: string;
  versionCreatedBy: string;
}

export interface ListPlaybooksOptions {
  /** Matches id or title, case-insensitively, anywhere in the text. */
  search?: string;
  team?: string;
  includeArchived?: boolean;
  /** 1..200, default 50. */
  limit?: number;
  /** `nextCursor` of the previous page. */
  cursor?: string;
}

export interface PlaybookPage {
  items: PlaybookSummary[];
  /** Present when more items follow. */
  nextCursor?: string;
}

export interface PlaybookRepositoryOptions {
  /** The clock for timestamps; tests pin it. */
  now?: () => Date;
}

const DEFAULT_PAGE_SIZE = 50;
const MAX_PAGE_SIZE = 200;

type PlaybookRow = Selectable<PlaybooksTable>;

export class PlaybookRepository<T extends PlaybookDefinition = PlaybookDefinition> {
  private readonly now: () => Date;

  constructor(
    private readonly db: Kysely<Database>,
    options: PlaybookRepositoryOptions = {},
  ) {
    this.now = options.now ?? (() => new Date());
  }

  /** Stores a new playbook at version 1; `conflict` when its id is taken (archived playbooks included). */
  async create(definition: T, actor: string): Promise<StoredPlaybook<T>> {
    checkDefinition(definition);
    checkActor(actor);
    const at = this.timestamp();
    try {
      return await this.db.transaction().execute(async (trx) => {
        if (await findRow(trx, definition.id)) throw alreadyExists(definition.id);
        await trx.insertInto('playbooks').values(newPlaybookRow(definition, 1, at, actor)).execute();
        await insertVersion(trx, definition, 1, at, actor);
        return mustRead<T>(trx, definition.id);
      });
    } catch (error) {
      // Two creates of the same id racing: the loser hits the primary key.
      if (isUniqueViolation(error)) throw alreadyExists(definition.id);
      throw error;
    }
  }

  /** The playbook at its current version, or at `version`; undefined when either does not exist. */
  async get(id: string, version?: number): Promise<StoredPlaybook<T> | undefined> {
    if (version !== undefined && !(Number.isInteger(version) && version >= 1)) {
      throw new PlaybookStoreError('invalid_input', `playbook version must be a whole number from 1, got ${version}`);
    }
    return readPlaybook<T>(this.db, id, version);
  }

  /**
   * Writes `definition` as the next version. With `expectedVersion`, refuses (`conflict`) unless that is still the
   * current version, so an editor never silently overwrites an edit they did not see. Writing a definition equal to the
   * current one adds no version and returns `changed: false`.
   */
  async replace(
    id: string,
    definition: T,
    actor: string,
    options: { expectedVersion?: number } = {},
  ): Promise<StoredPlaybook<T> & { changed: boolean }> {
    checkDefinition(definition);
    checkActor(actor);
    if (definition.id !== id) {
      throw new PlaybookStoreError(
        'invalid_input',
        `definition id "${definition.id}" does not match playbook "${id}"; a playbook's id cannot change (duplicate it instead)`,
      );
    }
    const at = this.timestamp();
    try {
      // Read back inside the transaction: afterwards a concurrent edit may already have moved the playbook on, and the
      // caller must learn the version it wrote.
      return await this.db.transaction().execute(async (trx) => {
        const row = await findRow(trx, id);
        if (!row) throw notFound(id);
        if (row.archived_at !== null) {
          throw new PlaybookStoreError('conflict', `playbook ${id} is archived; restore it before editing`);
        }
        if (options.expectedVersion !== undefined && options.expectedVersion !== row.current_version) {
          throw versionConflict(id, row.current_version, options.expectedVersion);
        }
        const current = await trx
          .selectFrom('playbook_versions')
          .select('definition')
          .where('playbook_id', '=', id)
          .where('version', '=', row.current_version)
          .executeTakeFirstOrThrow();
        if (canonicalJson(JSON.parse(current.definition)) === canonicalJson(definition)) {
          return { ...(await mustRead<T>(trx, id)), changed: false };
        }

        const next = row.current_version + 1;
        // The version's primary key refuses a second "next" from a concurrent edit...
        await insertVersion(trx, definition, next, at, actor);
        // ...and the compare-and-set on current_version covers a writer that read before we committed.
        const updated = await trx
          .updateTable('playbooks')
          .set({
            title: definition.title,
            sort_title: sortKey(definition.title),
            team: teamOf(definition),
            current_version: next,
            updated_at: at,
            updated_by: actor,
          })
          .where('id', '=', id)
          .where('current_version', '=', row.current_version)
          .executeTakeFirst();
        if (updated.numUpdatedRows !== 1n) throw concurrentEdit(id);
        return { ...(await mustRead<T>(trx, id)), changed: true };
      });
    } catch (error) {
      if (isUniqueViolation(error)) throw concurrentEdit(id);
      throw error;
    }
  }

  /** Every version, newest first. */
  async versions(id: string): Promise<PlaybookVersionInfo[]> {
    if (!(await findRow(this.db, id))) throw notFound(id);
    const rows = await this.db
      .selectFrom('playbook_versions')
      .select(['version', 'created_at', 'created_by'])
      .where('playbook_id', '=', id)
      .orderBy('version', 'desc')
      .execute();
    return rows.map((row) => ({ version: row.version, createdAt: row.created_at, createdBy: row.created_by }));
  }

  /** A page of playbooks ordered by title (case-insensitively) then id, archived ones only when asked for. */
  async list(options: ListPlaybooksOptions = {}): Promise<PlaybookPage> {
    const limit = options.limit ?? DEFAULT_PAGE_SIZE;
    if (!(Number.isInteger(limit) && limit >= 1 && limit <= MAX_PAGE_SIZE)) {
      throw new PlaybookStoreError('invalid_input', `limit must be a whole number from 1 to ${MAX_PAGE_SIZE}, got ${limit}`);
    }
    let query = this.db.selectFrom('playbooks').selectAll();
    if (!options.includeArchived) query = query.where('archived_at', 'is', null);
    if (options.team !== undefined) query = query.where('team', '=', options.team);
    const search = options.search?.trim();
    if (search) {
      // Both sides lower-cased here, not by the database, so SQLite and Postgres match the same rows (ids are stored
      // as given, hence lower(id); slugs are ASCII, which every lower() folds).
      const pattern = `%${escapeLike(sortKey(search))}%`;
      query = query.where((eb) =>
        eb.or([
          eb(sql`lower(${eb.ref('id')})`, 'like', sql`${pattern} escape '\\'`),
          eb('sort_title', 'like', sql<string>`${pattern} escape '\\'`),
        ]),
      );
    }
    if (options.cursor !== undefined) {
      const after = decodeCursor(options.cursor);
      query = query.where((eb) =>
        eb.or([
          eb('sort_title', '>', after.sortTitle),
          eb.and([eb('sort_title', '=', after.sortTitle), eb('id', '>', after.id)]),
        ]),
      );
    }
    // One extra row tells whether another page exists without counting.
    const rows = await query.orderBy('sort_title').orderBy('id').limit(limit + 1).execute();
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    return {
      items: page.map(toSummary),
      ...(rows.length > limit && last ? { nextCursor: encodeCursor({ sortTitle: last.sort_title, id: last.id }) } : {}),
    };
  }

  /** Hides a playbook from lists and from new incidents; its versions stay readable. */
  async archive(id: string, actor: string): Promise<StoredPlaybook<T>> {
    return this.setArchived(id, actor, true);
  }

  async restore(id: string, actor: string): Promise<StoredPlaybook<T>> {
    return this.setArchived(id, actor, false);
  }

  /** A new playbook at version 1 whose definition copies `id`'s current one under a new id (and title, if given). */
  async duplicate(id: string, newId: string, actor: string, newTitle?: string): Promise<StoredPlaybook<T>> {
    const source = await readPlaybook<T>(this.db, id);
    if (!source) throw notFound(id);
    const title = newTitle ?? `${source.definition.title} (copy)`;
    return this.create({ ...source.definition, id: newId, title }, actor);
  }

  private async setArchived(id: string, actor: string, archive: boolean): Promise<StoredPlaybook<T>> {
    checkActor(actor);
    const at = this.timestamp();
    return this.db.transaction().execute(async (trx) => {
      const row = await findRow(trx, id);
      if (!row) throw notFound(id);
      if ((row.archived_at !== null) === archive) {
        throw new PlaybookStoreError('conflict', `playbook ${id} is ${archive ? 'already archived' : 'not archived'}`);
      }
      // The condition on archived_at makes a concurrent archive/restore pair leave exactly one of them in effect.
      const updated = await trx
        .updateTable('playbooks')
        .set({ archived_at: archive ? at : null, updated_at: at, updated_by: actor })
        .where('id', '=', id)
        .where('archived_at', archive ? 'is' : 'is not', null)
        .executeTakeFirst();
      if (updated.numUpdatedRows !== 1n) throw concurrentEdit(id);
      return mustRead<T>(trx, id);
    });
  }

  private timestamp(): string {
    return this.now().toISOString();
  }
}

type Executor = Kysely<Database> | Transaction<Database>;

async function findRow(db: Executor, id: string): Promise<PlaybookRow | undefined> {
  return db.selectFrom('playbooks').selectAll().where('id', '=', id).executeTakeFirst();
}

async function readPlaybook<T extends PlaybookDefinition>(
  db: Executor,
  id: string,
  version?: number,
): Promise<StoredPlaybook<T> | undefined> {
  const row = await findRow(db, id);
  if (!row) return undefined;
  const stored = await db
    .selectFrom('playbook_versions')
    .selectAll()
    .where('playbook_id', '=', id)
    .where('version', '=', version ?? row.current_version)
    .executeTakeFirst();
  if (!stored) return undefined;
  const definition = JSON.parse(stored.definition) as T;
  return {
    ...toSummary(row),
    title: definition.title,
    team: teamOf(definition),
    version: stored.version,
    currentVersion: row.current_version,
    definition,
    versionCreatedAt: stored.created_at,
    versionCreatedBy: stored.created_by,
  };
}

/** Reads what a write inside `trx` just made; its absence would mean a broken invariant, not a caller's mistake. */
async function mustRead<T extends PlaybookDefinition>(trx: Transaction<Database>, id: string): Promise<StoredPlaybook<T>> {
  const stored = await readPlaybook<T>(trx, id);
  if (!stored) throw new Error(`playbook ${id} vanished inside the transaction that wrote it`);
  return stored;
}

async function insertVersion(trx: Transaction<Database>, definition: PlaybookDefinition, version: number, at: string, actor: string) {
  await trx
    .insertInto('playbook_versions')
    .values({ playbook_id: definition.id, version, definition: JSON.stringify(definition), created_at: at, created_by: actor })
    .execute();
}

function newPlaybookRow(definition: PlaybookDefinition, version: number, at: string, actor: string): PlaybooksTable {
  return {
    id: definition.id,
    title: definition.title,
    sort_title: sortKey(definition.title),
    team: teamOf(definition),
    current_version: version,
    archived_at: null,
    created_at: at,
    updated_at: at,
    created_by: actor,
    updated_by: actor,
  };
}

function toSummary(row: PlaybookRow): PlaybookSummary {
  return {
    id: row.id,
    title: row.title,
    team: row.team,
    version: row.current_version,
    archived: row.archived_at !== null,
    archivedAt: row.archived_at,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    createdBy: row.created_by,
    updatedBy: row.updated_by,
  };
}

function teamOf(definition: PlaybookDefinition): string | null {
  return typeof definition.team === 'string' && definition.team !== '' ? definition.team : null;
}

function sortKey(text: string): string {
  return text.toLowerCase();
}

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (character) => `\\${character}`);
}

/** JSON with object keys sorted, so two definitions that differ only in key order compare equal. */
function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, inner: unknown) =>
    inner && typeof inner === 'object' && !Array.isArray(inner)
      ? Object.fromEntries(Object.entries(inner as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : inner,
  );
}

function checkDefinition(definition: PlaybookDefinition): void {
  if (!definition || typeof definition !== 'object') {
    throw new PlaybookStoreError('invalid_input', 'a playbook definition must be an object');
  }
  if (typeof definition.id !== 'string' || definition.id.trim() === '') {
    throw new PlaybookStoreError('invalid_input', 'id: a playbook needs an id (its slug, e.g. "service-outage")');
  }
  if (typeof definition.title !== 'string' || definition.title.trim() === '') {
    throw new PlaybookStoreError('invalid_input', `title: playbook ${definition.id} needs a title`);
  }
}

function checkActor(actor: string): void {
  if (typeof actor !== 'string' || actor.trim() === '') {
    throw new PlaybookStoreError('invalid_input', 'every playbook change needs the name of who made it');
  }
}

function notFound(id: string): PlaybookStoreError {
  return new PlaybookStoreError('not_found', `playbook ${id} does not exist`);
}

function alreadyExists(id: string): PlaybookStoreError {
  return new PlaybookStoreError('conflict', `playbook ${id} already exists`);
}

function versionConflict(id: string, current: number, expected: number): PlaybookStoreError {
  return new PlaybookStoreError('conflict', `playbook ${id} is at version ${current}, not ${expected}`);
}

function concurrentEdit(id: string): PlaybookStoreError {
  return new PlaybookStoreError('conflict', `playbook ${id} was changed by someone else at the same time; read it again and retry`);
}

/** A primary-key or unique violation from either driver: Postgres SQLSTATE 23505, better-sqlite3's SQLITE_CONSTRAINT_*. */
function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: unknown } | undefined)?.code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === 'SQLITE_CONSTRAINT_UNIQUE';
}

interface ListCursor {
  sortTitle: string;
  id: string;
}

function encodeCursor(cursor: ListCursor): string {
  return Buffer.from(JSON.stringify([cursor.sortTitle, cursor.id]), 'utf8').toString('base64url');
}

function decodeCursor(cursor: string): ListCursor {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(value) && value.length === 2 && typeof value[0] === 'string' && typeof value[1] === 'string') {
      return { sortTitle: value[0], id: value[1] };
    }
  } catch {
    // fall through to the error below
  }
  throw new PlaybookStoreError('invalid_input', 'cursor: not a cursor this service issued; start again without one');
}
