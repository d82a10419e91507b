/**
 * The pinned checklist post: redrawn when the checklist's revision fingerprint differs from the one it shows. The main
 * loop waits a moment for a burst of changes to end, so ten checks make one redraw.
 */
import { log } from '@temporalio/workflow';
import { checklistRevision, renderChecklistPost } from '../formats/checklist-message.js';
import type { IncidentState } from '../domain/incident.js';
import { chat } from './incident-activities.js';
import { failureMessage, type IncidentRun } from './incident-run.js';

/** How long the checklist post waits for a burst of changes to end before it is redrawn once. */
export const CHECKLIST_REFRESH_DELAY = '1 second';

export function checklistPostIsStale(state: IncidentState): boolean {
  return (
    state.launch.checklistPost.status === 'done' &&
    state.links.checklistPostId !== undefined &&
    state.checklistRevisionShown !== checklistRevision(state)
  );
}

/**
 * Whether the post changes once who is on call is known: the playbook makes the on-call the commander (the post shows
 * the commander) or gives them tasks (the post shows each task's assignee). The same cases giveOnCallRoles handles.
 */
export function checklistShowsOnCall(state: IncidentState): boolean {
  return (
    state.playbook.defaultCommander?.type === 'oncall' ||
    state.checklists.some((checklist) => checklist.tasks.some((task) => task.assigneeRole === 'oncall' && !task.assignee))
  );
}

/**
 * Re-renders the pinned checklist post with the latest state (the caller waited for the burst of changes to end).
 * Under incident-launch-lean-v10 the activity reads the post through the `checklistPost` query, so the history holds
 * its key and post ID only; it answers with the revision it drew, which is this state's or a newer one.
 */
export async function refreshChecklistPost(run: IncidentRun): Promise<void> {
  const { state } = run;
  const key = `${state.id}:checklistPost`;
  const postId = state.links.checklistPostId!;
  if (!run.lean) {
    const rendered = renderChecklistPost(state);
    try {
      await chat.refreshChecklist({ key, incidentId: state.id, postId, post: rendered });
    } catch (error) {
      // The next change tries again; meanwhile the timeline and /incident info are current.
      log.warn('could not refresh the checklist post', { error: failureMessage(error) });
    }
    state.checklistRevisionShown = rendered.revision;
    return;
  }
  // What a failed redraw counts as shown, as above: the next change tries again.
  let shown = checklistRevision(state);
  try {
    shown = (await chat.refreshChecklist({ key, incidentId: state.id, postId })).revision;
  } catch (error) {
    log.warn('could not refresh the checklist post', { error: failureMessage(error) });
  }
  state.checklistRevisionShown = shown;
}
