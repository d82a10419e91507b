/**
 * The incident's record in the store: written after changes, versioned by the revision, together with the timeline
 * events the store does not have yet.
 *
 * From incident-v14 two ways, one fast and one sure:
 * - the sink: after each change the workflow hands its record (the view, with the timeline events the store's
 *   timeline table lacks) to the worker it runs on (`incidentRecords.changed`, workers/incident-record-sink.ts), which
 *   writes it to the store at once. A sink is no command: nothing goes into the history, and no workflow task,
 *   activity or query follows. Per command that was two thirds of the worker's CPU, and the history's largest part.
 * - the record activity (`storeIncidentRecord`) stores the timeline events and confirms, durably, how far the store's
 *   timeline goes: every RECORD_CONFIRM_EVERY_EVENTS events, and once the incident is closed. Until then the state
 *   keeps the events the store lacks, and readers merge the two (the API, the export).
 * Runs from before v14 run the activity after every change, as they did. Since the history budget its input is one
 * number (how far the store's timeline goes) and it reads the record and events through the `incidentProjection` query.
 */
import { condition, isCancellation, log, proxySinks, workflowInfo, type Sinks } from '@temporalio/workflow';
import { incidentView } from '../domain/incident-view.js';
import type { IncidentState, IncidentView } from '../domain/incident.js';
import { lastTimelineSeq } from '../domain/timeline.js';
import { records } from './incident-activities.js';
import { failureMessage, type IncidentRun } from './incident-run.js';

/**
 * Timeline events the state holds for the store before the record activity stores them (incident-v14): an activity
 * per this many, so it costs a command in a hundred, and the state's timeline can let go of what the store holds.
 */
export const RECORD_CONFIRM_EVERY_EVENTS = 100;

/** The sink the worker provides (workers/incident-record-sink.ts). */
export interface IncidentRecordSinks extends Sinks {
  incidentRecords: {
    /** The record as the incident has it now: its view, with the timeline events the store has not been given yet. */
    changed(view: IncidentView): void;
  };
}

const { incidentRecords } = proxySinks<IncidentRecordSinks>();

export function needsProjection(run: IncidentRun): boolean {
  const { state } = run;
  if (!run.lifecycle) return false;
  if (run.recordBySink) return confirmationDue(run);
  if (state.projectedRevision !== state.revision) return true;
  return unconfirmedEvents(run) > 0;
}

/**
 * Timeline events the store has not confirmed (0 without a store). Counted from the state's own events: the ones a
 * flood pushed out of it past the hard limits are gone from it either way.
 */
function unconfirmedEvents(run: IncidentRun): number {
  const { state } = run;
  const stored = state.projectedTimelineSeq;
  if (!run.budget || stored === undefined) return 0;
  // Positions are consecutive: the state holds timelineDropped + 1 up to the last.
  return Math.max(0, lastTimelineSeq(state) - Math.max(stored, state.timelineDropped));
}

/** From incident-v14: every RECORD_CONFIRM_EVERY_EVENTS events, and all of it once the incident is closed. */
function confirmationDue(run: IncidentRun): boolean {
  const { state } = run;
  const unconfirmed = unconfirmedEvents(run);
  if (unconfirmed >= RECORD_CONFIRM_EVERY_EVENTS) return true;
  return state.status === 'closed' && (state.projectedRevision !== state.revision || unconfirmed > 0);
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

/**
 * The record the sink hands over: the view, carrying the timeline events the store's timeline does not have yet (the
 * newest RECORD_CONFIRM_EVERY_EVENTS × 5 at most), so that a view read from the store shows them too. They are part
 * of the record, replaced with it at each write: never kept by their position, which a workflow task Temporal refused
 * may have given another event (see workers/incident-record-sink.ts).
 */
function recordForStore(state: IncidentState): IncidentView {
  const stored = state.projectedTimelineSeq;
  const pending = stored === undefined ? [] : state.timeline.filter((event) => event.seq > stored).slice(-RECORD_CONFIRM_EVERY_EVENTS * 5);
  return incidentView({ ...state, timeline: pending });
}

/**
 * Hands every change to the worker's sink (incident-v14), whatever the main loop is waiting for (a launch whose
 * integrations retry for minutes, say): a coroutine of its own wakes in the activation that changed the revision. It
 * issues no command and changes no state, so it changes nothing on replay.
 */
export function keepRecordSent(run: IncidentRun): void {
  const { state } = run;
  let sentRevision: number | undefined;
  void (async () => {
    for (;;) {
      try {
        await condition(() => sentRevision !== state.revision);
      } catch (error) {
        // The workflow was cancelled (an operator's `temporal workflow cancel`): nothing more to hand over. Anything
        // else is a bug, and fails the workflow task where it shows.
        if (isCancellation(error)) return;
        throw error;
      }
      sentRevision = state.revision;
      // Replaying, the worker that ran this handed it over already (a sink is never called on replay anyway).
      if (!workflowInfo().unsafe.isReplaying) incidentRecords.changed(recordForStore(state));
    }
  })();
}
