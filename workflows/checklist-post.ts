/**
 * The pinned checklist post: redrawn when the checklist's revision fingerprint differs from the one it shows. The main
 * loop waits a moment for a burst of changes to end, so ten checks make one redraw.
 */
import { log } from '@temporalio/workflow';
import { checklistRevision, renderChecklistPost } from '../domain/checklist-message.js';
import type { IncidentState } from '../domain/incident.js';
import { chat } from './incident-activities.js';
import { failureMessage } from './incident-run.js';

/** How long the checklist post waits for a burst of changes to end before it is redrawn once. */
export const CHECKLIST_REFRESH_DELAY = '1 second';

export function checklistPostIsStale(state: IncidentState): boolean {
  return (
    state.launch.checklistPost.status === 'done' &&
    state.links.checklistPostId !== undefined &&
    state.checklistRevisionShown !== checklistRevision(state)
  );
}

/** Re-renders the pinned checklist post with the latest state (the caller waited for the burst of changes to end). */
export async function refreshChecklistPost(state: IncidentState): Promise<void> {
  const rendered = renderChecklistPost(state);
  try {
    await chat.refreshChecklist({
      key: `${state.id}:checklistPost`,
      incidentId: state.id,
      postId: state.links.checklistPostId!,
      post: rendered,
    });
  } catch (error) {
    // The next change tries again; meanwhile the timeline and /incident info are current.
    log.warn('could not refresh the checklist post', { error: failureMessage(error) });
  }
  state.checklistRevisionShown = rendered.revision;
}
