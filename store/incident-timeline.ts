/**
 * Every incident's whole timeline. The workflow keeps only the newest events in its state (its history is a budget), so
 * the projection copies each event here once it exists; the timeline route and the post-mortem export read the older
 * ones from here. Events are keyed by (incident, seq): writing an event twice (a retried projection) changes nothing.
 */
import type { Kysely } from 'kysely';
import type { TimelineEvent, TimelineEventKind } from '../domain/timeline.js';
import type { Database } from './schema.js';

/** Row type of `incident_timeline` (migration 0004_incident_timeline). */
export type IncidentTimelineTable = {
  incident_id: string;
  seq: number;
  at: string;
  kind: string;
  actor: string;
  text: string;
  /** The event's data as JSON text, or null. */
  data: string | null;
};

type TimelineDatabase = Database & { incident_timeline: IncidentTimelineTable };

/** Rows per insert statement: SQLite allows 32,766 bound parameters, seven per row. */
const INSERT_CHUNK = 500;

export interface TimelineQuery {
  /** Only events after this position. */
  afterSeq?: number;
  /** Only events before this position. */
  beforeSeq?: number;
  /** Only events of these kinds (an empty list filters nothing). */
  kinds?: readonly TimelineEventKind[];
  /** At most this many: the newest ones with `newest`, else the oldest; always returned oldest first. Default all. */
  limit?: number;
  newest?: boolean;
}

export class IncidentTimelineRepository {
  private readonly db: Kysely<TimelineDatabase>;

  constructor(db: Kysely<Database>) {
    this.db = db.withTables<{ incident_timeline: IncidentTimelineTable }>();
  }

  /** Stores the events; ones already stored (same incident and seq) are left as they are. */
  async append(incidentId: string, events: readonly TimelineEvent[]): Promise<void> {
    for (let start = 0; start < events.length; start += INSERT_CHUNK) {
      const rows = events.slice(start, start + INSERT_CHUNK).map((event) => ({
        incident_id: incidentId,
        seq: event.seq,
        at: event.at,
        kind: event.kind,
        actor: event.actor,
        text: event.text,
        data: event.data === undefined ? null : JSON.stringify(event.data),
      }));
      await this.db
        .insertInto('incident_timeline')
        .values(rows)
        .onConflict((conflict) => conflict.columns(['incident_id', 'seq']).doNothing())
        .execute();
    }
  }

  /** The incident's stored events, oldest first. */
  async list(incidentId: string, query: TimelineQuery = {}): Promise<TimelineEvent[]> {
    let select = this.db.selectFrom('incident_timeline').selectAll().where('incident_id', '=', incidentId);
    if (query.afterSeq !== undefined) select = select.where('seq', '>', query.afterSeq);
    if (query.beforeSeq !== undefined) select = select.where('seq', '<', query.beforeSeq);
    if (query.kinds?.length) select = select.where('kind', 'in', [...query.kinds]);
    select = select.orderBy('seq', query.newest ? 'desc' : 'asc');
    if (query.limit !== undefined) select = select.limit(query.limit);
    const rows = await select.execute();
    if (query.newest) rows.reverse();
    return rows.map((row) => ({
      seq: row.seq,
      at: row.at,
      kind: row.kind as TimelineEventKind,
      actor: row.actor,
      text: row.text,
      ...(row.data !== null ? { data: JSON.parse(row.data) as Record<string, unknown> } : {}),
    }));
  }

  /** How many events the incident has stored (of some kinds, before a position). */
  async count(incidentId: string, query: Pick<TimelineQuery, 'kinds' | 'beforeSeq'> = {}): Promise<number> {
    let select = this.db
      .selectFrom('incident_timeline')
      .select((eb) => eb.fn.countAll().as('count'))
      .where('incident_id', '=', incidentId);
    if (query.kinds?.length) select = select.where('kind', 'in', [...query.kinds]);
    if (query.beforeSeq !== undefined) select = select.where('seq', '<', query.beforeSeq);
    const row = await select.executeTakeFirst();
    return Number(row?.count ?? 0);
  }
}
