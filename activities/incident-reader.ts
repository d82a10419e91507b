/**
 * How activities read the incident they work for: through the workflow's queries (so what they need never travels
 * in the history as activity input) and, for the timeline events the state no longer holds, from the store.
 */
import { Context } from '@temporalio/activity';
import type { ChecklistPost } from '../formats/checklist-message.js';
import type { IncidentProjection } from '../domain/incident-view.js';
import type { IncidentView } from '../domain/incident.js';
import type { TimelineStorePort } from './ports/record-store.js';
import { mergeTimelines } from '../domain/timeline-filter.js';
import { checklistPostQuery, incidentProjectionQuery, incidentViewQuery } from '../workflows/messages.js';

/** The calling workflow's handle, through the worker's own client. */
function ownWorkflow() {
  const context = Context.current();
  const execution = context.info.workflowExecution;
  if (!execution) throw new Error('this activity reads its incident and must be scheduled by the incident workflow');
  return context.client.workflow.getHandle(execution.workflowId);
}

/** The record and the timeline events after `afterSeq` (at most `limit`), as the workflow holds them now. */
export function readProjection(afterSeq: number, limit: number): Promise<IncidentProjection> {
  return ownWorkflow().query(incidentProjectionQuery, { afterSeq, limit });
}

/**
 * The checklist post as the incident renders it now. The query is answered after the workflow task that scheduled the
 * calling activity completed, so it is never older than the state the activity was scheduled in.
 */
export function readChecklistPost(): Promise<ChecklistPost> {
  return ownWorkflow().query(checklistPostQuery);
}

/** The incident's view with its whole timeline: the stored events before the state's, when there is a store. */
export async function readWholeIncident(timeline?: TimelineStorePort): Promise<IncidentView> {
  const view = await ownWorkflow().query(incidentViewQuery);
  if (!timeline || view.timelineDropped === 0) return view;
  const stored = await timeline.list(view.id);
  return { ...view, ...mergeTimelines(stored, view.timeline, view.timelineDropped) };
}
