/**
 * Projects the incident into the store's incident records after its changes: what lists, search, alert grouping and
 * stats read, and what outlives Temporal's retention. The upsert is versioned by the view's revision, so a retried or
 * late projection never moves a record backwards.
 */
import { log } from '@temporalio/activity';
import type { IncidentView } from '../domain/incident.js';
import { recordFromView, type IncidentRecordRepository } from '../store/incident-records.js';

/** `records`: the store; a worker without one (workflow tests that need no store) does not project. */
export function createRecordActivities(records?: IncidentRecordRepository) {
  return {
    async projectIncident(request: { view: IncidentView }): Promise<{ applied: boolean; stored: boolean }> {
      if (!records) return { applied: false, stored: false };
      const { applied } = await records.upsert(recordFromView(request.view, request.view.alertGroup?.groupKey));
      if (!applied) log.debug('a newer revision of the incident record is stored already', { incident: request.view.id, revision: request.view.revision });
      return { applied, stored: true };
    },
  };
}
