/**
 * The incident record store as the API uses it (the port it owns): lists, search and stats for the REST routes, the
 * chat's incident directory, the alert intake's group lookups, the stored view when the incident is slow to answer,
 * readiness and metrics. The store (store/incident-records.ts) meets it structurally; the API's composition root
 * (api/backends.ts, for api/main.ts and scripts/start.ts) passes it in. The record and query types are the store's.
 */
import type { StatsRecord } from '../../domain/incident-stats.js';
import type { IncidentStatus } from '../../domain/incident.js';
import type { TimelineEvent } from '../../domain/timeline.js';
import type { IncidentRecordPage, IncidentRecordQuery, IncidentStatsQuery } from '../../store/incident-record-query.js';
import type { StoredIncidentRecord } from '../../store/incident-record-row.js';
import type { TimelineQuery } from '../../store/incident-timeline.js';

/** Every incident's whole timeline, for the events the incident's own state no longer holds. */
export interface StoredTimelinePort {
  /** The incident's stored events, oldest first. */
  list(incidentId: string, query?: TimelineQuery): Promise<TimelineEvent[]>;
  /** How many events the incident has stored (of some kinds, before a position). */
  count(incidentId: string, query?: Pick<TimelineQuery, 'kinds' | 'beforeSeq'>): Promise<number>;
}

export interface IncidentRecordsPort {
  readonly timeline: StoredTimelinePort;
  get(id: string): Promise<StoredIncidentRecord | undefined>;
  /** The stored record's revision, or undefined when there is none yet: a cheap "has it changed?". */
  revisionOf(id: string): Promise<number | undefined>;
  /** A page of records matching every filter given; refuses a bad query with `IncidentRecordInputError`. */
  list(query?: IncidentRecordQuery): Promise<IncidentRecordPage>;
  /** The newest incident whose channel this is, closed ones included. */
  forChannel(channelId: string): Promise<StoredIncidentRecord | undefined>;
  /** The newest incident of the alert group that is not closed yet. */
  openForAlertGroup(key: string): Promise<StoredIncidentRecord | undefined>;
  /** How many incidents the alert group ever had, in any status. */
  countForAlertGroup(key: string): Promise<number>;
  /** The stats columns of every record overlapping [from, to); refuses a bad period with `IncidentRecordInputError`. */
  forStats(query: IncidentStatsQuery): Promise<StatsRecord[]>;
  /** How many incidents the store holds, by status and severity (for the metrics). */
  countsByStatusAndSeverity(): Promise<Array<{ status: IncidentStatus; severity: string; count: number }>>;
  /** Whether the store answers (readiness). */
  ping(): Promise<void>;
}
