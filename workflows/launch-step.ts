/**
 * One launch step's bookkeeping, shared by both launches (launch.ts and, for runs from before
 * incident-parallel-launch-v8, launch-in-stages.ts): running a step when it is pending and recording its outcome, telling
 * the channel when it fails, and the steps both launches run the same way (sidebar, on-call roles).
 */
import { log } from '@temporalio/workflow';
import type { GroupMembers, SidebarPlacement } from '../activities/chat.js';
import { recordEvent } from '../domain/timeline.js';
import type { IncidentState } from '../domain/incident.js';
import type { LaunchStepName } from '../domain/launch-steps.js';
import { chat } from './incident-activities.js';
import { failureMessage, isForbidden, nowIso, syncSearchAttributes, tellChannel, type IncidentRun } from './incident-run.js';

export const STEP_TITLES: Record<LaunchStepName, string> = {
  channel: 'Creating the incident channel',
  oncall: 'Looking up who is on call',
  invite: 'Inviting people to the channel',
  sidebar: 'Putting the channel in the sidebar category',
  ticket: 'Opening the Jira issue',
  meeting: 'Starting the Zoom meeting',
  alert: 'Paging the on-call engineer',
  checklistPost: 'Posting the checklist',
  channelHeader: 'Setting the channel header',
};

/** Who is in the playbook's user groups, as the group lookup (an activity, or the invitations' from v18) answers. */
export type { GroupMembers };

export const noGroups = (): Promise<GroupMembers> => Promise.resolve({ found: [], missing: [] });

/**
 * A promise begun before the step that awaits it: kept as its outcome, so that a failure is that step's (and is not an
 * unhandled rejection, which fails the workflow task, while nothing awaits it yet).
 */
export function settled<T>(promise: Promise<T>): Promise<{ value: T } | { error: unknown }> {
  return promise.then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );
}

export function unsettled<T>(outcome: { value: T } | { error: unknown }): T {
  if ('error' in outcome) throw outcome.error;
  return outcome.value;
}

export function stepSucceeded(state: IncidentState, step: LaunchStepName, text: string, data?: Record<string, unknown>): void {
  state.launch[step] = { status: 'done' };
  recordEvent(state, nowIso(), 'integration_succeeded', 'system', text, { step, ...data });
}

/**
 * Runs one launch step if it is pending; a failure is recorded (timeline, channel), never thrown. `channelMade`: for a
 * step begun while the channel is being made, its failure is told in the channel once that is settled.
 */
export async function runLaunchStep(state: IncidentState, name: LaunchStepName, work: () => Promise<void>, channelMade?: Promise<unknown>): Promise<boolean> {
  if (state.launch[name].status !== 'pending') return state.launch[name].status === 'done';
  try {
    await work();
    return true;
  } catch (error) {
    const message = failureMessage(error);
    state.launch[name] = { status: 'failed', error: message };
    recordEvent(state, nowIso(), 'integration_failed', 'system', `${STEP_TITLES[name]} failed: ${message}`, { step: name });
    if (channelMade) await channelMade;
    await tellChannel(state, `failed-${name}-${state.revision}`, `:warning: ${STEP_TITLES[name]} failed: ${message}\nRetry with \`/incident retry ${name}\`.`);
    return false;
  }
}

/** A ticket or bridge that came after the header was drawn (a task's action) needs the header drawn again. */
export function redrawHeaderLater(run: IncidentRun): void {
  if (run.lifecycle && run.state.launch.channelHeader.status === 'done') run.state.launch.channelHeader = { status: 'pending' };
}

/**
 * The sidebar launch step: skipped with a timeline note (not failed) when the bot may not edit others' sidebars.
 * `withInvitations` (incident-v17): what the invitations' activity answered of the sidebar; placed or refused, no
 * activity of its own runs, and any other failure there is retried here with this step's activity and its retries.
 */
export async function placeChannelInSidebars(state: IncidentState, withInvitations?: SidebarPlacement): Promise<void> {
  const category = state.playbook.channel.sidebarCategory;
  if (typeof category !== 'string') return;
  await runLaunchStep(state, 'sidebar', async () => {
    const placedWith = (placement: { placed: string[]; missing: string[] }) => {
      const { placed, missing } = placement;
      const note = missing.length ? `; not in chat: ${missing.map((u) => `@${u}`).join(', ')}` : '';
      stepSucceeded(state, 'sidebar', `Channel put in the "${category}" sidebar category of ${placed.length} people${note}`, { placed, missing });
    };
    if (withInvitations && 'placed' in withInvitations) return placedWith(withInvitations);
    if (withInvitations?.forbidden) return skipSidebar(state, withInvitations.error);
    if (withInvitations) log.warn('the sidebar was not placed with the invitations; placing it on its own', { error: withInvitations.error });
    try {
      placedWith(
        await chat.placeInSidebar({
          key: `${state.id}:sidebar`,
          team: state.team,
          channelId: state.links.channelId!,
          usernames: state.participants,
          category,
        }),
      );
    } catch (error) {
      if (!isForbidden(error)) throw error;
      skipSidebar(state, error);
    }
  });
}

/** The bot may not edit other people's sidebars: the step is skipped (with a note saying how to allow it), not failed. */
export function skipSidebar(state: IncidentState, error: unknown): void {
  state.launch.sidebar = { status: 'skipped', error: failureMessage(error) };
  recordEvent(
    state,
    nowIso(),
    'integration_failed',
    'system',
    'Sidebar categories skipped: the bot may not edit other people\'s sidebars (give it the system admin role; see the README)',
    { step: 'sidebar' },
  );
}

/** Whether whoever is on call becomes the commander: the playbook says so, and nobody changed the commander yet. */
export function onCallCommands(state: IncidentState): boolean {
  return state.playbook.defaultCommander?.type === 'oncall' && !state.timeline.some((event) => event.kind === 'commander_changed');
}

/** The playbook may make the on-call engineer the commander, or assign them tasks: now we know who that is. */
export function giveOnCallRoles(state: IncidentState, onCallUser: string | undefined): void {
  if (!onCallUser) return;
  if (onCallCommands(state) && state.commander !== onCallUser) {
    const previous = state.commander;
    state.commander = onCallUser;
    recordEvent(state, nowIso(), 'commander_changed', 'system', `@${onCallUser} (on call) is the commander, as the playbook says`, {
      from: previous,
      to: onCallUser,
    });
    syncSearchAttributes(state);
  }
  for (const task of state.checklists.flatMap((checklist) => checklist.tasks)) {
    if (task.assigneeRole === 'oncall' && !task.assignee) task.assignee = onCallUser;
  }
}