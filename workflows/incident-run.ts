/**
 * What every part of one incident run shares: the state, which patches this run takes, its options, and the few
 * helpers all parts use (search attributes, notices in the channel, how a failure reads). The parts (launch,
 * follow-ups, clocks, record, checklist post, message handlers) are modules that take this.
 */
import { ActivityFailure, ApplicationFailure, log, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import type { SearchAttributeUpdatePair } from '@temporalio/common';
import { IncidentCommandError, FAILURE_TYPE_BY_CODE, messageOf } from '../domain/errors.js';
import type { IncidentState } from '../domain/incident.js';
import {
  IncidentChannelKey,
  IncidentCommanderKey,
  IncidentPlaybookKey,
  IncidentSeverityKey,
  IncidentStatusKey,
  IncidentTeamKey,
} from '../temporal/search-attributes.js';
import { chat } from './incident-activities.js';

export interface IncidentWorkflowOptions {
  /**
   * Continue-as-new once history holds this many events, on top of Temporal's own suggestion. A test hook to exercise
   * continue-as-new without thousands of events; production leaves it unset.
   */
  continueAsNewAfterEvents?: number;
  /**
   * Continue-as-new once the run has handled this many Updates (runs from incident-v12; UPDATES_PER_RUN by default).
   * Below Temporal's `history.maxTotalUpdates` per run, whatever a server sets it to; tests lower it.
   */
  continueAsNewAfterUpdates?: number;
  /**
   * A test hook: every playbook duration (reminders, due times) divided by this, so a "1m" reminder fires after a second
   * with 60. Production leaves it unset.
   */
  timeScale?: number;
  /** How often the channel's member list is looked at (joins, leaves, welcome messages); one minute by default. */
  membershipCheckIntervalMs?: number;
}

export interface IncidentRun {
  /** Mutated in place, never replaced: every part holds the same object. */
  readonly state: IncidentState;
  /** `patched('incident-lifecycle-v2')`: reminders, members, sidebar, webhooks, records, alerts. */
  readonly lifecycle: boolean;
  /** `patched('incident-history-budget-v3')`: small Update results, the record through a query, continue-as-new first. */
  readonly budget: boolean;
  /** `patched('incident-header-follows-v4')`: the channel header is set again whenever what it shows changes. */
  readonly headerFollows: boolean;
  /** `patched('incident-quiet-repeats-v5')`: a follow-up failing the same way again is not told to the channel again. */
  readonly quietRepeats: boolean;
  /** `patched('incident-prompt-continue-v6')`: continue-as-new does not wait for a record write in flight. */
  readonly promptContinue: boolean;
  /**
   * `patched('incident-parallel-launch-v8')`: the launch starts every step as soon as what it needs is there (the
   * header after the links it shows, not after the on-call branch; look-ups, page and meeting beside the channel).
   */
  readonly parallelLaunch: boolean;
  /** `patched('incident-sidebar-leaves-v9')`: closing takes the channel out of its members' sidebar categories. */
  readonly sidebarLeaves: boolean;
  /**
   * `patched('incident-launch-lean-v10')`: the launch posts the checklist once who is on call is known when it shows
   * them (no redraw right after), and the checklist activities read what they draw through the `checklistPost` query.
   */
  readonly lean: boolean;
  /**
   * `patched('incident-v11')` (which also stands for every patch above in the runs it starts): who is on call comes as
   * chat users from one `onCallPeople` activity, not `lookUpOnCall` and then `usernamesForEmails`; and a first launch's
   * checklist post carries what it draws (the revision it shows is the state's when it was scheduled) instead of
   * reading it through the `checklistPost` query: both are on the way to the channel ready.
   */
  readonly fastReady: boolean;
  /** `patched('incident-v12')` (standing for every patch above too): continue-as-new after UPDATES_PER_RUN Updates. */
  readonly updateBound: boolean;
  /**
   * `patched('incident-v13')` (standing for every patch above too): the invitations bring who is in the channel, the
   * launch's first look at the members (no `channelMembers` activity of its own).
   */
  readonly membersWithInvite: boolean;
  /**
   * `patched('incident-v14')` (standing for every patch above too): the store hears of every change from the worker
   * at once (a sink, nothing in the history), and the record activity only stores the timeline, every
   * RECORD_CONFIRM_EVERY_EVENTS events and before the workflow ends (incident-record.ts).
   */
  readonly recordBySink: boolean;
  /**
   * `patched('incident-v15')` (standing for every patch above too): a first launch whose checklist does not wait for
   * who is on call posts it in the channel's activity (`openIncidentChannel` with `checklist`).
   */
  readonly checklistWithChannel: boolean;
  /**
   * `patched('incident-v16')` (standing for every patch above too): the Jira issue is opened beside the channel, not
   * after it (its description links the channel by name).
   */
  readonly ticketBesideChannel: boolean;
  /**
   * `patched('incident-v17')` (standing for every patch above too): the invitations' activity also puts the channel in
   * the people's sidebar category (`inviteParticipants` with `sidebar`).
   */
  readonly sidebarWithInvite: boolean;
  /**
   * `patched('incident-v18')` (standing for every patch above too): the invitations' activity looks up the playbook's
   * user groups and invites their members (`inviteParticipants` with `groups`), without a `groupMembers` activity.
   */
  readonly groupsWithInvite: boolean;
  /**
   * `patched('incident-v19')` (standing for every patch above too): a first launch whose checklist shows the on-call
   * asks who is on call in the channel's activity, which posts the checklist drawn with them (`checklistWithOnCall`).
   */
  readonly checklistWithOnCall: boolean;
  /**
   * `patched('incident-v20')` (standing for every patch above too): the launch's header activity also posts the
   * bridge's link (`setChannelHeader` with `notice`), without a `postChannelNotice` activity.
   */
  readonly bridgeWithHeader: boolean;
  /**
   * `patched('incident-v21')` (standing for every patch above too): the header is drawn again when the incident closes,
   * unless the playbook archives the channel then.
   */
  readonly headerAtClose: boolean;
  /** Updates this run's handlers took (applied, refused by the state or answered as a repeat): counted on replay too. */
  updatesHandled: number;
  /**
   * The run is draining to continue as new (incident-v12): Update validators refuse (the next run takes them), and no
   * follow-up starts (the next run runs it).
   */
  continuing: boolean;
  readonly options: IncidentWorkflowOptions;
  /** True when this run was continued from an earlier one. */
  readonly carried: boolean;
}

export const nowIso = (): string => new Date().toISOString();

/** The message of an activity's failure (its cause), or of any error. */
export function failureMessage(error: unknown): string {
  const cause = error instanceof ActivityFailure && error.cause ? error.cause : error;
  return messageOf(cause);
}

/** Whether an activity failed because chat refused the bot (it may not edit other people's sidebars). */
export function isForbidden(error: unknown): boolean {
  const cause = error instanceof ActivityFailure ? error.cause : error;
  return cause instanceof ApplicationFailure && cause.type === 'ChatForbidden';
}

/**
 * A refused command as a failure of this one message, with the type the API maps to a status. A plain Error thrown from
 * a handler would fail the workflow task and wedge the incident.
 */
export function toFailure(error: unknown): ApplicationFailure {
  if (error instanceof IncidentCommandError) {
    return ApplicationFailure.create({
      type: FAILURE_TYPE_BY_CODE[error.code],
      message: error.message,
      nonRetryable: true,
      details: [{ code: error.code, problems: error.problems }],
    });
  }
  const message = messageOf(error);
  return ApplicationFailure.create({ type: 'IncidentInternalError', message, nonRetryable: true });
}

/** Upserts only the attributes whose value changed, so a task check does not add a history event. */
export function syncSearchAttributes(state: IncidentState): void {
  const wanted: SearchAttributeUpdatePair[] = [
    { key: IncidentStatusKey, value: state.status },
    { key: IncidentSeverityKey, value: state.severity },
    { key: IncidentCommanderKey, value: state.commander },
    { key: IncidentPlaybookKey, value: state.playbook.id },
    { key: IncidentTeamKey, value: state.team },
    ...(state.links.channelId ? [{ key: IncidentChannelKey, value: state.links.channelId }] : []),
  ];
  const current = workflowInfo().typedSearchAttributes;
  const changed = wanted.filter((pair) => current.get(pair.key) !== pair.value);
  if (changed.length > 0) upsertSearchAttributes(changed);
}

/** The bridge's link in the channel: its notice's suffix and its message. */
export const BRIDGE_NOTICE = 'meeting-link';
export const bridgeMessage = (state: IncidentState): string => `:telephone_receiver: Incident bridge: ${state.links.meetingUrl}`;

/** A notice's key in the channel (its post's props): the same notice is found again, never posted twice. */
export function noticeKey(state: IncidentState, suffix: string): string {
  return `${state.id}:notice:${suffix}`;
}

/** Posts a bot notice in the incident channel, if there is one; a failure here is only logged. */
export async function tellChannel(state: IncidentState, suffix: string, message: string): Promise<void> {
  if (state.launch.channel.status !== 'done' || !state.links.channelId) return;
  try {
    await chat.postChannelNotice({ key: noticeKey(state, suffix), channelId: state.links.channelId, message });
  } catch (error) {
    log.warn('could not post a notice in the incident channel', { error: failureMessage(error) });
  }
}

/** The on-call page's alias: the incident's page, found again by it. */
export function alertAlias(state: IncidentState): string {
  return `incident-${state.id}`;
}
