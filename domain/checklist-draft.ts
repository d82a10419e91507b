/**
 * What the pinned checklist post is drawn from, and the roles the playbook gives whoever is on call, applied to it.
 *
 * From incident-v19 a first launch whose checklist shows the on-call (their tasks, or them as commander) hands this
 * draft to the channel's activity, which looks up who is on call while it makes the channel and posts the checklist
 * drawn with them: the workflow learns who is on call from the same answer and gives them the same roles
 * (giveOnCallRoles), so the post shows the incident's state. Should the two ever draw differently, the post's revision
 * differs from the state's and the workflow draws it again, as after any change.
 */
import type { IncidentState } from './incident.js';

/** The part of the incident the checklist post shows (renderChecklistPost draws it). */
export type ChecklistDraft = Pick<IncidentState, 'name' | 'status' | 'severity' | 'commander' | 'checklists'>;

export function checklistDraft(state: IncidentState): ChecklistDraft {
  const { name, status, severity, commander, checklists } = state;
  return { name, status, severity, commander, checklists };
}

/**
 * The draft with the on-call's roles: the commander when `onCallCommands` (the playbook makes the on-call commander and
 * nobody changed the commander yet), and every task the playbook gives the on-call that has no assignee.
 */
export function withOnCallRoles(draft: ChecklistDraft, onCallUser: string | undefined, onCallCommands: boolean): ChecklistDraft {
  if (!onCallUser) return draft;
  return {
    ...draft,
    commander: onCallCommands ? onCallUser : draft.commander,
    checklists: draft.checklists.map((checklist) => ({
      ...checklist,
      tasks: checklist.tasks.map((task) => (task.assigneeRole === 'oncall' && !task.assignee ? { ...task, assignee: onCallUser } : task)),
    })),
  };
}
