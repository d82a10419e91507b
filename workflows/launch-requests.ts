/**
 * What the launch asks each system for, and what it records of the answer: the same for both launches (launch.ts and,
 * for runs from before incident-parallel-launch-v8, launch-in-stages.ts). Synchronous on purpose: the launches keep
 * their own awaits, which old runs replay exactly, and these only build an activity's input or write its outcome into
 * the state (no await, no command of their own).
 */
import { incidentChannelDisplayName, slugify } from '../domain/channel-name.js';
import type { IncidentState } from '../domain/incident.js';
import { channelNameFromTemplate } from '../domain/playbook/templates.js';
import { DEFAULT_CHANNEL_NAME_TEMPLATE } from '../domain/playbook/defaults.js';
import { renderChecklistPost } from '../formats/checklist-message.js';
import { renderChannelPurpose } from '../formats/incident-templates.js';
import type { chat, meetings, onCall, tickets } from './incident-activities.js';
import { alertAlias, syncSearchAttributes, type IncidentRun } from './incident-run.js';
import { recordLaunchDuration } from './launch-metrics.js';
import { giveOnCallRoles, onCallCommands, redrawHeaderLater, stepSucceeded, type GroupMembers } from './launch-step.js';
import { checklistDraft } from '../domain/checklist-draft.js';
import type { OnCallLookup } from '../activities/on-call.js';

type InputOf<F extends (...args: never[]) => unknown> = Parameters<F>[0];
type ResultOf<F extends (...args: never[]) => Promise<unknown>> = Awaited<ReturnType<F>>;

/** The incident channel's name, from the playbook's template: what the channel is made with and the ticket links. */
function incidentChannelName(state: IncidentState): string {
  return channelNameFromTemplate(state.playbook.channel.nameTemplate ?? DEFAULT_CHANNEL_NAME_TEMPLATE, {
    id: state.id,
    // Without a store there are no incident numbers; the ID is unique too.
    seq: state.number ?? state.id,
    date: state.reportedAt.slice(0, 10),
    slug: slugify(state.name),
    severity: state.severity,
  });
}

/** `fresh`: a first launch makes what it needs without looking it up first (retries still do): see mayExistAlready. */
export function channelRequest(state: IncidentState, fresh: boolean): InputOf<typeof chat.openIncidentChannel> {
  return {
    key: `${state.id}:channel`,
    team: state.team,
    name: incidentChannelName(state),
    displayName: incidentChannelDisplayName(state.name),
    purpose: renderChannelPurpose(state),
    private: state.playbook.channel.private,
    fresh,
  };
}

/**
 * The channel with the checklist posted in the same activity (incident-v15, a first launch whose checklist does not
 * show who is on call): the post as the state draws it now, which the activity answers as the revision it shows.
 */
export function channelWithChecklistRequest(state: IncidentState): InputOf<typeof chat.openIncidentChannel> {
  return { ...channelRequest(state, true), checklist: { key: `${state.id}:checklistPost`, incidentId: state.id, post: renderChecklistPost(state) } };
}

/**
 * The channel with who is on call looked up meanwhile and the checklist drawn with them (incident-v19, a first launch
 * whose checklist shows the on-call): the draft and the roles the playbook gives the on-call, drawn by the activity.
 */
export function channelWithOnCallRequest(state: IncidentState, lookup: OnCallLookup): InputOf<typeof chat.openIncidentChannel> {
  return {
    ...channelRequest(state, true),
    checklistWithOnCall: { key: `${state.id}:checklistPost`, incidentId: state.id, draft: checklistDraft(state), onCallCommands: onCallCommands(state), lookup },
  };
}

export function recordChannel(state: IncidentState, channel: ResultOf<typeof chat.openIncidentChannel>): void {
  state.links.channelId = channel.channelId;
  state.links.channelName = channel.channelName;
  state.links.channelUrl = channel.channelUrl;
  syncSearchAttributes(state);
  stepSucceeded(state, 'channel', `Channel ~${channel.channelName} ${channel.reused ? 'found' : 'created'}`, { reused: channel.reused });
}

/** Who is on call, as chat users: they join the participants and take the roles the playbook gives the on-call. */
export function recordOnCall(state: IncidentState, { found, missing }: { found: string[]; missing: string[] }): void {
  state.links.onCall = found;
  for (const user of found) if (!state.participants.includes(user)) state.participants.push(user);
  giveOnCallRoles(state, found[0]);
  const note = missing.length ? `; not in chat: ${missing.join(', ')}` : '';
  stepSucceeded(state, 'oncall', found.length ? `On call: ${found.map((u) => `@${u}`).join(', ')}${note}` : `Nobody is on call${note}`, {
    users: found,
    missing,
  });
}

/** The playbook's groups' members join the participants before the invitations. */
export function addGroupMembers(state: IncidentState, members: GroupMembers): void {
  for (const user of members.found) if (!state.participants.includes(user)) state.participants.push(user);
}

export function recordInvitations(
  state: IncidentState,
  { added, missing }: ResultOf<typeof chat.inviteParticipants>,
  members: GroupMembers,
  groups: string[],
): void {
  const note = missing.length ? `; not found in chat: ${missing.map((u) => `@${u}`).join(', ')}` : '';
  // Text only (the timeline's), so old runs replay alike: they never had `unavailable`.
  const groupNote = members.unavailable
    ? `; groups ${members.missing.join(', ')} skipped: ${members.unavailable}`
    : members.missing.length
      ? `; no such group: ${members.missing.join(', ')}`
      : '';
  stepSucceeded(state, 'invite', `Invited ${added.map((u) => `@${u}`).join(', ') || 'nobody'}${note}${groupNote}`, {
    added,
    missing,
    ...(groups.length ? { groups, missingGroups: members.missing } : {}),
  });
}

/**
 * `besideChannel` (incident-v16): the issue is opened while the channel is being made, so without its link yet the
 * request names the channel (team and name) and the activity links it.
 */
export function ticketRequest(state: IncidentState, fresh: boolean, besideChannel = false): InputOf<typeof tickets.openTicket> {
  const jira = state.playbook.jira;
  const linkByName = besideChannel && !state.links.channelUrl;
  return {
    key: `${state.id}:ticket`,
    summary: `[${state.severity}] ${state.name}`.slice(0, 255),
    description: [
      state.summary || state.name,
      '',
      `Incident ${state.id}, severity ${state.severity}, reported by @${state.reporter}, playbook "${state.playbook.title}".`,
      ...(state.links.channelUrl ? [`Incident channel: ${state.links.channelUrl}`] : []),
    ].join('\n'),
    labels: jira.labels,
    ...(jira.project ? { project: jira.project } : {}),
    ...(jira.issueType ? { issueType: jira.issueType } : {}),
    ...(jira.components?.length ? { components: jira.components } : {}),
    fresh,
    ...(linkByName ? { channel: { team: state.team, name: incidentChannelName(state) } } : {}),
  };
}

export function recordTicket(run: IncidentRun, ticket: ResultOf<typeof tickets.openTicket>): void {
  run.state.links.ticketKey = ticket.ticketKey;
  run.state.links.ticketUrl = ticket.url;
  stepSucceeded(run.state, 'ticket', `Ticket ${ticket.ticketKey} ${ticket.reused ? 'found' : 'opened'}`, { ticketKey: ticket.ticketKey });
  redrawHeaderLater(run);
}

export function meetingRequest(state: IncidentState, fresh: boolean): InputOf<typeof meetings.startMeeting> {
  return {
    key: `${state.id}:meeting`,
    topic: `Incident: ${state.name}`.slice(0, 200),
    agenda: `Incident ${state.id}: ${state.summary || state.name}`.slice(0, 1500),
    ...(state.playbook.zoom.host ? { host: state.playbook.zoom.host } : {}),
    fresh,
  };
}

export function recordMeeting(run: IncidentRun, meeting: ResultOf<typeof meetings.startMeeting>): void {
  run.state.links.meetingUrl = meeting.joinUrl;
  stepSucceeded(run.state, 'meeting', `Meeting ${meeting.reused ? 'found' : 'started'}: ${meeting.joinUrl}`);
  redrawHeaderLater(run);
}

export function pageRequest(state: IncidentState, fresh: boolean): InputOf<typeof onCall.pageOnCall> {
  return {
    key: `${state.id}:alert`,
    alias: alertAlias(state),
    message: `[${state.severity}] ${state.name}`.slice(0, 130),
    description: `${state.summary || state.name}\n\nIncident ${state.id}, reported by ${state.reporter}.`,
    priority: state.playbook.opsgenie.priority,
    fresh,
  };
}

export function recordPage(state: IncidentState, alert: ResultOf<typeof onCall.pageOnCall>): void {
  state.links.alertId = alert.alertId;
  stepSucceeded(state, 'alert', `On-call paged (alert ${alert.alertId}${alert.reused ? ', already open' : ''})`);
}

/** The checklist post as drawn now, for runs that send the post itself (before incident-launch-lean-v10). */
export function checklistPostRequest(state: IncidentState, channelId: string): InputOf<typeof chat.postChecklist> & { post: { revision: string } } {
  return { key: `${state.id}:checklistPost`, incidentId: state.id, channelId, post: renderChecklistPost(state) };
}

/** The pinned checklist post, and which revision of the checklist it shows; on a first launch the channel is ready. */
export function recordChecklistPost(state: IncidentState, postId: string, revision: string, firstLaunch: boolean): void {
  state.links.checklistPostId = postId;
  state.checklistRevisionShown = revision;
  stepSucceeded(state, 'checklistPost', 'Checklist posted and pinned', { postId });
  if (firstLaunch) recordLaunchDuration(state, 'channel_ready');
}
