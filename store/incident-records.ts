/**
 * Incident records: the store's projection of every incident, written by the incident workflow (through an activity)
 * after each accepted change. Records outlive Temporal's retention and back incident lists, search, alert grouping and
 * stats. This module holds the repository; the record, its schema and rows are in incident-record-row.ts, the queries
 * and their filters in incident-record-query.ts, the list cursors in incident-record-cursor.ts.
 *
 * Writes are a **versioned upsert**: a record carries the view's `revision`, and a write only lands when it is newer
 * than what is stored (see `upsert`), so retried, duplicated or reordered projections never move a record backwards.
 *
 * The activities and the API see it through ports of their own (activities/ports/record-store.ts,
 * api/ports/incident-records.ts), which it meets structurally; only process entries construct it.
 */
import type { Kysely, Transaction } from 'kysely';
import type { StatsRecord } from '../domain/incident-stats.js';
import type { IncidentStatus, IncidentView } from '../domain/incident.js';
import { decodeCursor, encodeCursor } from './incident-record-cursor.js';
import { applyRecordFilters, checkRecordQuery, checkStatsQuery, SORT_COLUMNS, toStatsRecord, type IncidentRecordPage, type IncidentRecordQuery, type IncidentStatsQuery, type RecordSelect } from './incident-record-query.js';
import {
  recordFromView,
  toRecord,
  toRows,
  type IncidentRecord,
  type IncidentRecordTables,
  type RecordRow,
  type RecordsDatabase,
  type StoredIncidentRecord,
} from './incident-record-row.js';
import { IncidentTimelineRepository } from './incident-timeline.js';
import type { Database } from './schema.js';

export interface UpsertOptions {
  /**
   * Replace a record of the same revision too: the incident's confirmation (the record activity, from incident-v14),
   * over what the worker's sink wrote from a workflow task Temporal may then have refused (its revision reached again
   * by other changes).
   */
  replaceSameRevision?: boolean;
}

export interface IncidentRecordRepositoryOptions {
  /** The clock for `updatedAt`; tests pin it. */
  now?: () => Date;
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
   * or older revision changes nothing (`applied: false`), unless `replaceSameRevision` (then only an older one). One
   * statement decides, so concurrent writers cannot move a record backwards:
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
  async upsert(record: IncidentRecord, options: UpsertOptions = {}): Promise<{ applied: boolean }> {
    const { row, members: participants } = toRows(record, this.now().toISOString());
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
            .whereRef('incident_records.revision', options.replaceSameRevision ? '<=' : '<', 'excluded.revision'),
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

  /**
   * `upsert` of the record the view makes (`recordFromView`, its alert group's key included): what the projection
   * activity writes, so the activities need not know the record's shape.
   */
  upsertView(view: IncidentView, options: UpsertOptions = {}): Promise<{ applied: boolean }> {
    return this.upsert(recordFromView(view, view.alertGroup?.groupKey), options);
  }

  async get(id: string): Promise<StoredIncidentRecord | undefined> {
    const row = await this.db.selectFrom('incident_records').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) return undefined;
    const [record] = await withParticipants(this.db, [row]);
    return record;
  }

  /** The stored record's revision alone (one indexed row, one column): how live pages notice a change cheaply. */
  async revisionOf(id: string): Promise<number | undefined> {
    const row = await this.db.selectFrom('incident_records').select('revision').where('id', '=', id).executeTakeFirst();
    return row ? Number(row.revision) : undefined;
  }

  /** A page of records matching every filter given, in `sort` order (ties by id), paged by keyset. */
  async list(input: IncidentRecordQuery = {}): Promise<IncidentRecordPage> {
    const query = checkRecordQuery(input);
    const { sort, limit } = query;
    const descending = sort.startsWith('-');
    const column = SORT_COLUMNS[(descending ? sort.slice(1) : sort) as keyof typeof SORT_COLUMNS];
    const direction = descending ? 'desc' : 'asc';

    let select = applyRecordFilters(this.db.selectFrom('incident_records').selectAll('incident_records'), query);
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

  private async newest(filter: (query: RecordSelect) => RecordSelect): Promise<StoredIncidentRecord | undefined> {
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
  async forStats(input: IncidentStatsQuery): Promise<StatsRecord[]> {
    const query = checkStatsQuery(input);
    const { from, to } = query;
    let select = this.db
      .selectFrom('incident_records')
      .select(['id', 'status', 'severity', 'playbook_id', 'reported_at', 'acknowledged_at', 'resolved_at'])
      .where('reported_at', '<', to)
      .where((eb) => eb.or([eb('resolved_at', 'is', null), eb('resolved_at', '>=', from)]));
    if (query.team !== undefined) select = select.where('team', '=', query.team);
    const rows = await select.orderBy('reported_at').orderBy('id').execute();
    return rows.map(toStatsRecord);
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
