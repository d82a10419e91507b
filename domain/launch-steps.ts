/**
 * The launch of an incident, step by step: the steps, which fail or run again with which, the steps a task's built-in
 * action runs, and which steps a new incident's playbook wants.
 */
import type { IncidentState } from './incident.js';
import type { PlaybookSnapshot } from './playbook/snapshot.js';
import type { TaskActionType } from './playbook/vocabulary.js';

/** The launch, step by step, in the order the checklist of a new incident shows them. */
export const LAUNCH_STEPS = ['channel', 'oncall', 'invite', 'sidebar', 'ticket', 'meeting', 'alert', 'checklistPost', 'channelHeader'] as const;
export type LaunchStepName = (typeof LAUNCH_STEPS)[number];

/** `skipped`: the playbook does not want this step (no Zoom, no paging). */
export type LaunchStepStatus = 'pending' | 'done' | 'failed' | 'skipped';

/** Steps whose failure makes these others fail too; retrying the first retries them. */
export const LAUNCH_STEP_DEPENDENTS: Partial<Record<LaunchStepName, LaunchStepName[]>> = {
  channel: ['invite', 'sidebar', 'checklistPost', 'channelHeader'],
  oncall: ['invite', 'sidebar'],
  invite: ['sidebar'],
};

/** Steps to run again after these succeed on a retry: the header shows the ticket and bridge links. */
export const LAUNCH_STEP_REFRESHES: Partial<Record<LaunchStepName, LaunchStepName[]>> = {
  ticket: ['channelHeader'],
  meeting: ['channelHeader'],
};

/** Launch steps a task's built-in action runs instead, when someone runs the task (not at start). */
export const ACTION_LAUNCH_STEPS = { 'page-oncall': 'alert', 'open-ticket': 'ticket', 'start-meeting': 'meeting' } as const satisfies Record<
  Exclude<TaskActionType, 'post-status-update'>,
  LaunchStepName
>;

export function initialLaunch(playbook: PlaybookSnapshot): IncidentState['launch'] {
  // A playbook with a "Start the Zoom meeting" task means: start it when that task is run, not at once.
  const deferred = new Set<string>(
    playbook.checklists.flatMap((c) => c.tasks.flatMap((t) => (t.action && t.action.type in ACTION_LAUNCH_STEPS ? [ACTION_LAUNCH_STEPS[t.action.type as keyof typeof ACTION_LAUNCH_STEPS]] : []))),
  );
  const wanted = (on: boolean, step?: string) => ({ status: on && !(step && deferred.has(step)) ? ('pending' as const) : ('skipped' as const) });
  return {
    channel: wanted(true),
    oncall: wanted(playbook.opsgenie.inviteOnCall),
    invite: wanted(true),
    // Snapshots from before sidebar categories carry no category: nothing to do for them.
    sidebar: wanted(typeof playbook.channel.sidebarCategory === 'string'),
    ticket: wanted(playbook.jira.enabled, 'ticket'),
    meeting: wanted(playbook.zoom.enabled, 'meeting'),
    alert: wanted(playbook.opsgenie.page, 'alert'),
    checklistPost: wanted(true),
    channelHeader: wanted(true),
  };
}
