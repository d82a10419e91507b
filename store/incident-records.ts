/**
 * Incident records: the store's projection of every incident, written by the incident workflow (through an activity)
 * after each accepted change. Records outlive Temporal's retention and back incident lists, search, alert grouping and
 * stats.
 *
 * Writes are a **versioned upsert**: a record carries the view's `revision`, and a write only lands when it is newer
 * than what is stored (see `upsert`), so retried, duplicated or reordered projections never move a record backwards.
 *
 * Timestamps are kept as canonical ISO 8601 UTC text (`2026-03-01T09:00:00.000Z`), which sorts and compares in time
 * order on both dialects; the text filter matches columns lower-cased by the application, and every compared column is
 * byte-ordered on Postgres (see migrations.ts), so SQLite and Postgres return the same rows in the same order.
 */
import { createHash } from 'node:crypto';
import { sql, type Kysely, type Selectable, type SelectQueryBuilder, type Transaction } from 'kysely';
import { canonicalInstant, type StatsRecord } from '../domain/incident-stats.js';
import { INCIDENT_STATUSES, type IncidentStatus, type IncidentView } from '../domain/incident.js';
import { IncidentTimelineRepository } from './incident-timeline.js';
import type { Database } from './schema.js';

/** One incident as the store keeps it. */
export interface IncidentRecord {
  id: string;
  /** The team's incident number, when the store gave one. */
  number?: number;
  team: string;
  name: string;
  summary: string;
  status: IncidentStatus;
  severity: string;
  commander: string;
  reporter: string;
  playbookId: string;
  playbookVersion: number;
  /** ISO 8601 instants; the store keeps (and returns) them as canonical UTC text. */
  reportedAt: string;
  acknowledgedAt?: string;
  resolvedAt?: string;
  closedAt?: string;
  /** Usernames; the store returns them in byte order, without duplicates. */
  participants: string[];
  /** Set for incidents opened by an alert: which group of alerts the incident belongs to. */
  alertGroupKey?: string;
  /** The Mattermost channel the incident runs in, once it has one. */
  channelId?: string;
  /** The view's revision: a write only lands over a lower one. */
  revision: number;
  /** The whole incident view, as JSON. */
  view: unknown;
}

/** A record as read back: what was written, plus when the store last applied a write to it. */
export interface StoredIncidentRecord extends IncidentRecord {
  updatedAt: string;
}

export const INCIDENT_RECORD_SORTS = ['reported_at', '-reported_at', 'severity', '-severity', 'updated', '-updated'] as const;
/** A field to order by, ascending, or descending with a leading "-"; ties are always broken by id in the same direction. */
export type IncidentRecordSort = (typeof INCIDENT_RECORD_SORTS)[number];

export interface IncidentRecordQuery {
  /** Any of these statuses (an empty list filters nothing). */
  status?: IncidentStatus[];
  /** Any of these severities (an empty list filters nothing). */
  severity?: string[];
  /** Any of these playbook IDs (an empty list filters nothing). */
  playbook?: string[];
  commander?: string;
  team?: string;
  /** Incidents this username participates in. */
  member?: string;
  /** Case-insensitive substring of the name, the summary or the id; `%`, `_` and `\` match themselves. */
  text?: string;
  /** Reported at or after this instant (ISO 8601)... */
  reportedFrom?: string;
  /** ...and before this one: the range is half-open, [reportedFrom, reportedTo). */
  reportedTo?: string;
  /** Default `-reported_at` (newest first). Severity sorts by the severity's text in byte order ("sev1" < "sev2"). */
  sort?: IncidentRecordSort;
  /** 1..200, default 50. */
  limit?: number;
  /** `nextCursor` of the previous page, with the same sort. */
  cursor?: string;
}

export interface IncidentRecordPage {
  items: StoredIncidentRecord[];
  /** Present when more items follow. */
  nextCursor?: string;
}

export interface IncidentStatsQuery {
  team?: string;
  from: string;
  to: string;
}

export interface IncidentRecordRepositoryOptions {
  /** The clock for `updatedAt`; tests pin it. */
  now?: () => Date;
}

/** A record or query the store cannot take (the API answers 400). */
export class IncidentRecordInputError extends Error {
  readonly code = 'invalid_input';
  constructor(message: string) {
    super(message);
    this.name = 'IncidentRecordInputError';
  }
}

/** A list cursor this service did not issue, that was altered, or that belongs to another sort order. */
export class InvalidCursorError extends IncidentRecordInputError {
  constructor(message = 'cursor: not a cursor this service issued for this sort order; start again without one') {
    super(message);
    this.name = 'InvalidCursorError';
  }
}

/** Row types of the two tables (migration 0003_incident_records); type aliases, as `Kysely.withTables` requires. */
export type IncidentRecordsTable = {
  id: string;
  number: number | null;
  team: string;
  name: string;
  summary: string;
  /** `name` and `summary` lower-cased by the application, for the text filter. */
  search_name: string;
  search_summary: string;
  status: string;
  severity: string;
  commander: string;
  reporter: string;
  playbook_id: string;
  playbook_version: number;
  reported_at: string;
  acknowledged_at: string | null;
  resolved_at: string | null;
  closed_at: string | null;
  alert_group_key: string | null;
  /** Migration 0005. */
  channel_id: string | null;
  revision: number;
  /** The incident view as JSON text. */
  view: string;
  updated_at: string;
};

export type IncidentMembersTable = {
  incident_id: string;
  username: string;
};

export type IncidentRecordTables = {
  incident_records: IncidentRecordsTable;
  incident_members: IncidentMembersTable;
};

type RecordsDatabase = Database & IncidentRecordTables;
type RecordRow = Selectable<IncidentRecordsTable>;

const DEFAULT_PAGE_SIZE = 50;
const MAX_PAGE_SIZE = 200;

const SORT_COLUMNS = {
  reported_at: 'reported_at',
  severity: 'severity',
  updated: 'updated_at',
} as const;

/** The store record for an incident view (`alertGroupKey` when the incident was opened by an alert). */
export function recordFromView(view: IncidentView, alertGroupKey?: string): IncidentRecord {
  return {
    id: view.id,
    ...(view.number !== undefined ? { number: view.number } : {}),
    team: view.team,
    name: view.name,
    summary: view.summary,
    status: view.status,
    severity: view.severity,
    commander: view.commander,
    reporter: view.reporter,
    playbookId: view.playbook.id,
    playbookVersion: view.playbook.version,
    reportedAt: view.reportedAt,
    ...(view.acknowledgedAt !== undefined ? { acknowledgedAt: view.acknowledgedAt } : {}),
    ...(view.resolvedAt !== undefined ? { resolvedAt: view.resolvedAt } : {}),
    ...(view.closedAt !== undefined ? { closedAt: view.closedAt } : {}),
    participants: [...view.participants],
    ...(alertGroupKey !== undefined ? { alertGroupKey } : {}),
    ...(view.links.channelId !== undefined ? { channelId: view.links.channelId } : {}),
    revision: view.revision,
    view,
  };
}

export class IncidentRecordRepository {
  private readonly db: Kysely<RecordsDatabase>;
  private readonly now: () => Date;
  /** Every incident's whole timeline (the workflow's state keeps the newest events only). */
  readonly timeline: IncidentTimelineRepository;

  constructor(db: Kysely<Database>, options: IncidentRecordRepositoryOptions = {}) {
    this.db = db.withTables<IncidentRecordTables>();
    this.timeline = new IncidentTimelineRepository(db);
    this.now = options.now ?? (() => new Date());
  }

  /**
   * Inserts the record, or replaces the stored one when the stored revision is lower than `record.revision`; an equal
   * or older revision changes nothing (`applied: false`). One statement decides, so concurrent writers cannot move a
   * record backwards:
   *
   *     insert into incident_records (...) values (...)
   *     on conflict (id) do update set ... = excluded....
   *       where incident_records.revision < excluded.revision
   *     returning id
   *
   * A row comes back only when the insert or the update happened. Postgres evaluates the condition against the latest
   * committed row (a concurrent writer of the same id waits for the row lock); SQLite serialises writers. The members
   * are rewritten in the same transaction, only when the record was applied.
   */
  async upsert(record: IncidentRecord): Promise<{ applied: boolean }> {
    const row = toRow(record, this.now().toISOString());
    const participants = uniqueSorted(record.participants);
    return this.db.transaction().execute(async (trx) => {
      const written = await trx
        .insertInto('incident_records')
        .values(row)
        .onConflict((conflict) =>
          conflict
            .column('id')
            .doUpdateSet((eb) => ({
              number: eb.ref('excluded.number'),
              team: eb.ref('excluded.team'),
              name: eb.ref('excluded.name'),
              summary: eb.ref('excluded.summary'),
              search_name: eb.ref('excluded.search_name'),
              search_summary: eb.ref('excluded.search_summary'),
              status: eb.ref('excluded.status'),
              severity: eb.ref('excluded.severity'),
              commander: eb.ref('excluded.commander'),
              reporter: eb.ref('excluded.reporter'),
              playbook_id: eb.ref('excluded.playbook_id'),
              playbook_version: eb.ref('excluded.playbook_version'),
              reported_at: eb.ref('excluded.reported_at'),
              acknowledged_at: eb.ref('excluded.acknowledged_at'),
              resolved_at: eb.ref('excluded.resolved_at'),
              closed_at: eb.ref('excluded.closed_at'),
              alert_group_key: eb.ref('excluded.alert_group_key'),
              channel_id: eb.ref('excluded.channel_id'),
              revision: eb.ref('excluded.revision'),
              view: eb.ref('excluded.view'),
              updated_at: eb.ref('excluded.updated_at'),
            }))
            .whereRef('incident_records.revision', '<', 'excluded.revision'),
        )
        .returning('id')
        .executeTakeFirst();
      if (!written) return { applied: false };
      await trx.deleteFrom('incident_members').where('incident_id', '=', row.id).execute();
      if (participants.length > 0) {
        await trx
          .insertInto('incident_members')
          .values(participants.map((username) => ({ incident_id: row.id, username })))
          .execute();
      }
      return { applied: true };
    });
  }

  async get(id: string): Promise<StoredIncidentRecord | undefined> {
    const row = await this.db.selectFrom('incident_records').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) return undefined;
    const [record] = await withParticipants(this.db, [row]);
    return record;
  }

  /** A page of records matching every filter given, in `sort` order (ties by id), paged by keyset. */
  async list(query: IncidentRecordQuery = {}): Promise<IncidentRecordPage> {
    const limit = query.limit ?? DEFAULT_PAGE_SIZE;
    if (!(Number.isInteger(limit) && limit >= 1 && limit <= MAX_PAGE_SIZE)) {
      throw new IncidentRecordInputError(`limit: must be a whole number from 1 to ${MAX_PAGE_SIZE}, got ${limit}`);
    }
    const sort = query.sort ?? '-reported_at';
    if (!(INCIDENT_RECORD_SORTS as readonly string[]).includes(sort)) {
      throw new IncidentRecordInputError(`sort: must be one of ${INCIDENT_RECORD_SORTS.join(', ')}, got "${sort}"`);
    }
    const descending = sort.startsWith('-');
    const column = SORT_COLUMNS[(descending ? sort.slice(1) : sort) as keyof typeof SORT_COLUMNS];
    const direction = descending ? 'desc' : 'asc';

    let select = this.db.selectFrom('incident_records').selectAll('incident_records');
    if (query.status && query.status.length > 0) {
      for (const status of query.status) {
        if (!(INCIDENT_STATUSES as readonly string[]).includes(status)) {
          throw new IncidentRecordInputError(`status: must be one of ${INCIDENT_STATUSES.join(', ')}, got "${status}"`);
        }
      }
      select = select.where('status', 'in', query.status);
    }
    if (query.severity && query.severity.length > 0) select = select.where('severity', 'in', query.severity);
    if (query.playbook && query.playbook.length > 0) select = select.where('playbook_id', 'in', query.playbook);
    if (query.commander !== undefined) select = select.where('commander', '=', query.commander);
    if (query.team !== undefined) select = select.where('team', '=', query.team);
    if (query.member !== undefined) {
      const member = query.member;
      select = select.where((eb) =>
        eb.exists(
          eb
            .selectFrom('incident_members')
            .select('incident_members.username')
            .whereRef('incident_members.incident_id', '=', 'incident_records.id')
            .where('incident_members.username', '=', member),
        ),
      );
    }
    const text = query.text?.trim();
    if (text) {
      // Lower-cased here, not by the database, so both dialects fold the same letters (ids are ASCII slugs).
      const pattern = `%${escapeLike(text.toLowerCase())}%`;
      select = select.where((eb) =>
        eb.or([
          eb('search_name', 'like', sql<string>`${pattern} escape '\\'`),
          eb('search_summary', 'like', sql<string>`${pattern} escape '\\'`),
          eb(sql`lower(${eb.ref('incident_records.id')})`, 'like', sql`${pattern} escape '\\'`),
        ]),
      );
    }
    if (query.reportedFrom !== undefined) select = select.where('reported_at', '>=', instant(query.reportedFrom, 'reportedFrom'));
    if (query.reportedTo !== undefined) select = select.where('reported_at', '<', instant(query.reportedTo, 'reportedTo'));
    if (query.cursor !== undefined) {
      const after = decodeCursor(query.cursor, sort);
      const beyond = descending ? '<' : '>';
      select = select.where((eb) =>
        eb.or([
          eb(column, beyond, after.key),
          eb.and([eb(column, '=', after.key), eb('incident_records.id', beyond, after.id)]),
        ]),
      );
    }
    // One extra row tells whether another page exists without counting.
    const rows = await select
      .orderBy(column, direction)
      .orderBy('incident_records.id', direction)
      .limit(limit + 1)
      .execute();
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    return {
      items: await withParticipants(this.db, page),
      ...(rows.length > limit && last ? { nextCursor: encodeCursor(sort, last[column], last.id) } : {}),
    };
  }

  /** The newest (by reportedAt, then id) incident of the alert group that is not closed yet. */
  openForAlertGroup(key: string): Promise<StoredIncidentRecord | undefined> {
    return this.newest((query) => query.where('alert_group_key', '=', key).where('status', '!=', 'closed'));
  }

  /** Whether the store answers (readiness). */
  async ping(): Promise<void> {
    await this.db.selectFrom('incident_records').select('id').limit(1).execute();
  }

  /** How many incidents the store holds, by status and severity (for the metrics). */
  async countsByStatusAndSeverity(): Promise<Array<{ status: IncidentStatus; severity: string; count: number }>> {
    const rows = await this.db
      .selectFrom('incident_records')
      .select(['status', 'severity', (eb) => eb.fn.countAll<number | string | bigint>().as('count')])
      .groupBy(['status', 'severity'])
      .execute();
    return rows.map((row) => ({ status: row.status as IncidentStatus, severity: row.severity, count: Number(row.count) }));
  }

  /** The newest incident (by reportedAt, then id) whose channel this is, closed ones included. */
  forChannel(channelId: string): Promise<StoredIncidentRecord | undefined> {
    return this.newest((query) => query.where('channel_id', '=', channelId));
  }

  private async newest(
    filter: (query: SelectQueryBuilder<RecordsDatabase, 'incident_records', RecordRow>) => SelectQueryBuilder<RecordsDatabase, 'incident_records', RecordRow>,
  ): Promise<StoredIncidentRecord | undefined> {
    const row = await filter(this.db.selectFrom('incident_records').selectAll())
      .orderBy('reported_at', 'desc')
      .orderBy('id', 'desc')
      .limit(1)
      .executeTakeFirst();
    if (!row) return undefined;
    const [record] = await withParticipants(this.db, [row]);
    return record;
  }

  /** How many incidents the alert group ever had, in any status. */
  async countForAlertGroup(key: string): Promise<number> {
    const row = await this.db
      .selectFrom('incident_records')
      .select((eb) => eb.fn.countAll().as('count'))
      .where('alert_group_key', '=', key)
      .executeTakeFirstOrThrow();
    return Number(row.count);
  }

  /**
   * What `computeIncidentStats` needs for the period [from, to): every record (of the team, if given) that overlaps
   * it, i.e. reported before `to` and not resolved before `from`. Only the stats columns are read (no view JSON).
   * Ordered by reportedAt, then id.
   */
  async forStats(query: IncidentStatsQuery): Promise<StatsRecord[]> {
    const from = instant(query.from, 'from');
    const to = instant(query.to, 'to');
    if (!(from < to)) throw new IncidentRecordInputError(`from (${from}) must be before to (${to})`);
    let select = this.db
      .selectFrom('incident_records')
      .select(['id', 'status', 'severity', 'playbook_id', 'reported_at', 'acknowledged_at', 'resolved_at'])
      .where('reported_at', '<', to)
      .where((eb) => eb.or([eb('resolved_at', 'is', null), eb('resolved_at', '>=', from)]));
    if (query.team !== undefined) select = select.where('team', '=', query.team);
    const rows = await select.orderBy('reported_at').orderBy('id').execute();
    return rows.map((row) => ({
      id: row.id,
      status: row.status as IncidentStatus,
      severity: row.severity,
      playbookId: row.playbook_id,
      reportedAt: row.reported_at,
      ...(row.acknowledged_at !== null ? { acknowledgedAt: row.acknowledged_at } : {}),
      ...(row.resolved_at !== null ? { resolvedAt: row.resolved_at } : {}),
    }));
  }
}

type Executor = Kysely<RecordsDatabase> | Transaction<RecordsDatabase>;

/** The rows as records, with their members read in one query. */
async function withParticipants(db: Executor, rows: RecordRow[]): Promise<StoredIncidentRecord[]> {
  if (rows.length === 0) return [];
  const members = await db
    .selectFrom('incident_members')
    .select(['incident_id', 'username'])
    .where(
      'incident_id',
      'in',
      rows.map((row) => row.id),
    )
    .orderBy('incident_id')
    .orderBy('username')
    .execute();
  const byIncident = new Map<string, string[]>();
  for (const member of members) {
    const list = byIncident.get(member.incident_id) ?? [];
    list.push(member.username);
    byIncident.set(member.incident_id, list);
  }
  return rows.map((row) => toRecord(row, byIncident.get(row.id) ?? []));
}

function toRecord(row: RecordRow, participants: string[]): StoredIncidentRecord {
  return {
    id: row.id,
    ...(row.number !== null ? { number: Number(row.number) } : {}),
    team: row.team,
    name: row.name,
    summary: row.summary,
    status: row.status as IncidentStatus,
    severity: row.severity,
    commander: row.commander,
    reporter: row.reporter,
    playbookId: row.playbook_id,
    playbookVersion: Number(row.playbook_version),
    reportedAt: row.reported_at,
    ...(row.acknowledged_at !== null ? { acknowledgedAt: row.acknowledged_at } : {}),
    ...(row.resolved_at !== null ? { resolvedAt: row.resolved_at } : {}),
    ...(row.closed_at !== null ? { closedAt: row.closed_at } : {}),
    participants,
    ...(row.alert_group_key !== null ? { alertGroupKey: row.alert_group_key } : {}),
    ...(row.channel_id !== null ? { channelId: row.channel_id } : {}),
    revision: Number(row.revision),
    view: JSON.parse(row.view) as unknown,
    updatedAt: row.updated_at,
  };
}

function toRow(record: IncidentRecord, updatedAt: string): IncidentRecordsTable {
  if (!record || typeof record !== 'object') throw new IncidentRecordInputError('an incident record must be an object');
  for (const field of ['id', 'team', 'severity', 'commander', 'reporter', 'playbookId'] as const) {
    if (typeof record[field] !== 'string' || record[field] === '') {
      throw new IncidentRecordInputError(`${field}: incident record ${record.id} needs a non-empty string`);
    }
  }
  for (const field of ['name', 'summary'] as const) {
    if (typeof record[field] !== 'string') throw new IncidentRecordInputError(`${field}: incident record ${record.id} needs a string`);
  }
  if (!(INCIDENT_STATUSES as readonly string[]).includes(record.status)) {
    throw new IncidentRecordInputError(`status: must be one of ${INCIDENT_STATUSES.join(', ')}, got "${record.status}"`);
  }
  const wholeNumber = (value: unknown, field: string, min: number) => {
    if (!(Number.isInteger(value) && (value as number) >= min)) {
      throw new IncidentRecordInputError(`${field}: incident record ${record.id} needs a whole number from ${min}, got ${String(value)}`);
    }
    return value as number;
  };
  if (!Array.isArray(record.participants) || record.participants.some((name) => typeof name !== 'string')) {
    throw new IncidentRecordInputError(`participants: incident record ${record.id} needs a list of usernames`);
  }
  const optionalInstant = (value: string | undefined, field: string) => (value === undefined ? null : instant(value, field));
  return {
    id: record.id,
    number: record.number === undefined ? null : wholeNumber(record.number, 'number', 1),
    team: record.team,
    name: record.name,
    summary: record.summary,
    search_name: record.name.toLowerCase(),
    search_summary: record.summary.toLowerCase(),
    status: record.status,
    severity: record.severity,
    commander: record.commander,
    reporter: record.reporter,
    playbook_id: record.playbookId,
    playbook_version: wholeNumber(record.playbookVersion, 'playbookVersion', 1),
    reported_at: instant(record.reportedAt, 'reportedAt'),
    acknowledged_at: optionalInstant(record.acknowledgedAt, 'acknowledgedAt'),
    resolved_at: optionalInstant(record.resolvedAt, 'resolvedAt'),
    closed_at: optionalInstant(record.closedAt, 'closedAt'),
    alert_group_key: record.alertGroupKey ?? null,
    channel_id: record.channelId ?? null,
    revision: wholeNumber(record.revision, 'revision', 0),
    view: JSON.stringify(record.view ?? null),
    updated_at: updatedAt,
  };
}

/** Canonical UTC text for an ISO 8601 instant, so that text comparison is time comparison. */
function instant(value: string, field: string): string {
  const canonical = canonicalInstant(value);
  if (canonical === undefined) {
    throw new IncidentRecordInputError(`${field}: expected an ISO 8601 date or date-time with a time zone, got "${value}"`);
  }
  return canonical;
}

function uniqueSorted(names: string[]): string[] {
  return [...new Set(names)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (character) => `\\${character}`);
}

/*
 * Cursors: base64url of the JSON array [1, sort, key, id, check], where key is the last row's sort-column value, id its
 * id, and check the first 16 base64url characters of SHA-256 over the JSON of [1, sort, key, id]. The check is not a
 * secret signature; it makes an edited, truncated or foreign cursor fail loudly instead of silently paging from
 * somewhere else. The sort is part of the cursor, so a cursor cannot continue a list in another order.
 */
const CURSOR_FORMAT = 1;

function cursorCheck(body: unknown[]): string {
  return createHash('sha256').update(`incident-records-cursor:${JSON.stringify(body)}`).digest('base64url').slice(0, 16);
}

function encodeCursor(sort: IncidentRecordSort, key: string, id: string): string {
  const body = [CURSOR_FORMAT, sort, key, id];
  return Buffer.from(JSON.stringify([...body, cursorCheck(body)]), 'utf8').toString('base64url');
}

function decodeCursor(cursor: string, sort: IncidentRecordSort): { key: string; id: string } {
  let value: unknown;
  try {
    if (typeof cursor !== 'string' || !/^[A-Za-z0-9_-]+$/.test(cursor)) throw new InvalidCursorError();
    value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw new InvalidCursorError();
  }
  if (
    !Array.isArray(value) ||
    value.length !== 5 ||
    value[0] !== CURSOR_FORMAT ||
    typeof value[1] !== 'string' ||
    typeof value[2] !== 'string' ||
    typeof value[3] !== 'string' ||
    value[4] !== cursorCheck(value.slice(0, 4))
  ) {
    throw new InvalidCursorError();
  }
  if (value[1] !== sort) {
    throw new InvalidCursorError(`cursor: was issued for sort "${value[1]}", not "${sort}"; start again without one`);
  }
  return { key: value[2], id: value[3] };
}
