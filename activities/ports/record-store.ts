/**
 * The incident record store as the worker's activities use it (the port they own): the projection writes the record
 * and appends timeline events, the post-mortem export reads the events the incident's state no longer holds. The store
 * (store/incident-records.ts) meets it structurally; the worker's process entry passes it in.
 */
import type { IncidentView } from '../../domain/incident.js';
import type { TimelineEvent } from '../../domain/timeline.js';

/** Every incident's whole timeline, keyed by (incident, seq). */
export interface TimelineStorePort {
  /** Stores the events; ones already stored (same incident and seq) are left as they are. */
  append(incidentId: string, events: readonly TimelineEvent[]): Promise<void>;
  /** The incident's stored events, oldest first. */
  list(incidentId: string): Promise<TimelineEvent[]>;
}

export interface RecordStorePort {
  readonly timeline: TimelineStorePort;
  /**
   * Writes the record the view makes, versioned by its revision: an equal or older revision changes nothing
   * (`applied: false`), so a retried or late projection never moves a record backwards. `replaceSameRevision`: an
   * equal one is replaced (the record activity's confirmation over the worker's sink, incident-v14).
   */
  upsertView(view: IncidentView, options?: { replaceSameRevision?: boolean }): Promise<{ applied: boolean }>;
}
