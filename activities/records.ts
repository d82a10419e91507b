/**
 * Projects the incident into the store after its changes: the incident record (what lists, search, alert grouping and
 * stats read, and what outlives Temporal's retention) and every timeline event (the workflow's state keeps only the
 * newest). The upsert is versioned by the view's revision, so a retried or late projection never moves a record
 * backwards; timeline events are keyed by position, so writing one twice changes nothing.
 *
 * The activity's input is only how far the store's timeline goes: it reads the record and the new events through the
 * workflow's projection query, so none of it is written into the workflow's history (a few hundred bytes per write,
 * whatever the incident's size).
 */
import { log } from '@temporalio/activity';
import type { IncidentView } from '../domain/incident.js';
import type { RecordStorePort } from './ports/record-store.js';
import { readProjection } from './incident-reader.js';

/** Timeline events one write stores at most; a bigger flood is stored by the next writes. */
export const PROJECTION_EVENTS_PER_CALL = 1_000;

export interface StoreIncidentRecordResult {
  /** False when this worker has no store: the workflow then keeps its timeline to itself. */
  stored: boolean;
  /** The newest timeline position now in the store (only with `stored`). */
  timelineSeq?: number;
}

/** `records`: the store; a worker without one (workflow tests that need no store) does not project. */
export function createRecordActivities(records?: RecordStorePort) {
  return {
    async storeIncidentRecord({ afterSeq }: { afterSeq: number }): Promise<StoreIncidentRecordResult> {
      if (!records) return { stored: false };
      const { view, events } = await readProjection(afterSeq, PROJECTION_EVENTS_PER_CALL);
      // Events first: a record never claims a revision whose events are not stored.
      await records.timeline.append(view.id, events);
      // What the workflow holds is the record; the worker's sink may have written the same revision from a workflow
      // task Temporal then refused (incident-v14).
      const { applied } = await records.upsertView(view, { replaceSameRevision: true });
      if (!applied) log.debug('a newer revision of the incident record is stored already', { incident: view.id, revision: view.revision });
      return { stored: true, timelineSeq: events.at(-1)?.seq ?? afterSeq };
    },

    /** How runs from before the history budget project (they replay it): the whole view as the activity's input. */
    async projectIncident(request: { view: IncidentView }): Promise<{ applied: boolean; stored: boolean }> {
      if (!records) return { applied: false, stored: false };
      const { applied } = await records.upsertView(request.view);
      return { applied, stored: true };
    },
  };
}
