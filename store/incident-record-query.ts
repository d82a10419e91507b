/**
 * How incident records are asked for: the list query (filters, sort, page size, cursor) and the stats query, their zod
 * schemas, and the filters as SQL. Every compared column is byte-ordered on Postgres (see migrations.ts) and the text
 * filter matches columns the application lower-cased, so SQLite and Postgres return the same rows in the same order.
 */
import { sql, type SelectQueryBuilder } from 'kysely';
import { z } from 'zod';
import type { StatsRecord } from '../domain/incident-stats.js';
import type { IncidentStatus } from '../domain/incident.js';
import { INCIDENT_RECORD_SORTS, type IncidentRecordSort } from '../domain/incident-record-sorts.js';
import { parseOrRefuse } from './incident-record-errors.js';
import { instantSchema, statusSchema, type RecordRow, type RecordsDatabase, type StoredIncidentRecord } from './incident-record-row.js';

/** A field to order by, ascending, or descending with a leading "-"; ties are always broken by id in the same direction. */

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

const DEFAULT_PAGE_SIZE = 50;
const MAX_PAGE_SIZE = 200;

/** The list query as the repository runs it: defaults filled in, instants canonical. */
const recordQuerySchema = z.object({
  status: z.array(statusSchema).optional(),
  severity: z.array(z.string()).optional(),
  playbook: z.array(z.string()).optional(),
  commander: z.string().optional(),
  team: z.string().optional(),
  member: z.string().optional(),
  text: z.string().optional(),
  reportedFrom: instantSchema.optional(),
  reportedTo: instantSchema.optional(),
  sort: z
    .enum(INCIDENT_RECORD_SORTS, { error: (issue) => `must be one of ${INCIDENT_RECORD_SORTS.join(', ')}, got "${String(issue.input)}"` })
    .default('-reported_at'),
  limit: z
    .custom<number>((value) => Number.isInteger(value) && (value as number) >= 1 && (value as number) <= MAX_PAGE_SIZE, {
      error: (issue) => `must be a whole number from 1 to ${MAX_PAGE_SIZE}, got ${String(issue.input)}`,
    })
    .default(DEFAULT_PAGE_SIZE),
  cursor: z.string().optional(),
});

export type CheckedRecordQuery = z.output<typeof recordQuerySchema>;

export function checkRecordQuery(query: IncidentRecordQuery): CheckedRecordQuery {
  return parseOrRefuse(recordQuerySchema, query);
}

const statsQuerySchema = z
  .object({ team: z.string().optional(), from: instantSchema, to: instantSchema })
  .refine((query) => query.from < query.to, { error: (issue) => periodOrder(issue.input) });

function periodOrder(input: unknown): string {
  const { from, to } = input as { from: string; to: string };
  return `from (${from}) must be before to (${to})`;
}

/** The stats query with canonical instants, `from` before `to`. */
export function checkStatsQuery(query: IncidentStatsQuery): IncidentStatsQuery {
  return parseOrRefuse(statsQuerySchema, query);
}

/** The column each sort orders by. */
export const SORT_COLUMNS = {
  reported_at: 'reported_at',
  severity: 'severity',
  updated: 'updated_at',
} as const;

export type RecordSelect = SelectQueryBuilder<RecordsDatabase, 'incident_records', RecordRow>;

/** The select narrowed by every filter the query gives (not the sort, page or cursor). */
export function applyRecordFilters(select: RecordSelect, query: CheckedRecordQuery): RecordSelect {
  if (query.status && query.status.length > 0) select = select.where('status', 'in', query.status);
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
  if (query.reportedFrom !== undefined) select = select.where('reported_at', '>=', query.reportedFrom);
  if (query.reportedTo !== undefined) select = select.where('reported_at', '<', query.reportedTo);
  return select;
}

/** The stats columns of a record (what `computeIncidentStats` reads). */
export function toStatsRecord(row: Pick<RecordRow, 'id' | 'status' | 'severity' | 'playbook_id' | 'reported_at' | 'acknowledged_at' | 'resolved_at'>): StatsRecord {
  return {
    id: row.id,
    status: row.status as IncidentStatus,
    severity: row.severity,
    playbookId: row.playbook_id,
    reportedAt: row.reported_at,
    ...(row.acknowledged_at !== null ? { acknowledgedAt: row.acknowledged_at } : {}),
    ...(row.resolved_at !== null ? { resolvedAt: row.resolved_at } : {}),
  };
}

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (character) => `\\${character}`);
}
