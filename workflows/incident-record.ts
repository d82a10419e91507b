/**
 * The incident's record in the store: written after changes, versioned by the revision, together with the timeline
 * events the store does not have yet. Since the history budget the activity's input is one number (how far the store's
 * timeline goes) and it reads the record and events through the `incidentProjection` query.
 */
import { log } from '@temporalio/workflow';
import { incidentView } from '../domain/incident-view.js';
import { lastTimelineSeq } from '../domain/timeline.js';
import { records } from './incident-activities.js';
import { failureMessage, type IncidentRun } from './incident-run.js';

export function needsProjection(run: IncidentRun): boolean {
  const { state } = run;
  if (!run.lifecycle) return false;
  if (state.projectedRevision !== state.revision) return true;
  // Events the store does not have yet (a projection that read only the first batch of a flood).
  const stored = state.projectedTimelineSeq;
  return run.budget && stored !== undefined && lastTimelineSeq(state) > stored && state.timeline.some((event) => event.seq > stored);
}

/** Writes the incident's record to the store (the final one, too, before a closed incident's workflow ends). */
export async function projectRecord(run: IncidentRun): Promise<void> {
  const { state } = run;
  const revision = state.revision;
  try {
    if (run.budget) {
      const afterSeq = state.projectedTimelineSeq ?? 0;
      const { stored, timelineSeq } = await records.storeIncidentRecord({ afterSeq });
      if (stored && timelineSeq !== undefined) state.projectedTimelineSeq = Math.max(afterSeq, timelineSeq);
      // No store behind this worker: the state is the only timeline there is, and keeps its usual limits.
      else if (!stored) delete state.projectedTimelineSeq;
    } else {
      await records.projectIncident({ view: incidentView(state) });
    }
  } catch (error) {
    // The next change writes a newer record anyway; the timeline and the query are current meanwhile.
    log.warn('could not write the incident record', { error: failureMessage(error) });
  }
  state.projectedRevision = revision;
}
