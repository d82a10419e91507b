/**
 * The launch as runs from before incident-parallel-launch-v8 ran it (launch.ts runs the newer one). Kept as it was
 * written: those runs replay it, and even the awaits between its commands decide where they fall among Updates handled
 * in the same activation. It goes when that patch is retired (docs/architecture.md, Versioning).
 */
import { bumpRevision } from '../domain/timeline.js';
import type { LaunchStepName } from '../domain/launch-steps.js';
import { incidentChannelDisplayName, slugify } from '../domain/channel-name.js';
import { renderChannelHeader, renderChecklistPost } from '../formats/checklist-message.js';
import { renderChannelPurpose } from '../formats/incident-templates.js';
import { channelNameFromTemplate } from '../domain/playbook/templates.js';
import { DEFAULT_CHANNEL_NAME_TEMPLATE } from '../domain/playbook/defaults.js';
import { chat, meetings, onCall, tickets } from './incident-activities.js';
import { alertAlias, syncSearchAttributes, tellChannel, type IncidentRun } from './incident-run.js';
import { recordLaunchDuration } from './launch-metrics.js';
import { giveOnCallRoles, placeChannelInSidebars, redrawHeaderLater, runLaunchStep, stepSucceeded } from './launch-step.js';
/**
 * The launch as runs from before incident-parallel-launch-v8 ran it, kept as it was written (they replay it, and even
 * the awaits between its commands decide where they fall among Updates handled in the same activation): the channel;
 * then the on-call branch (lookup, group members, invitations, sidebar, first look at the members), the ticket, the
 * meeting (and its link), the page and the checklist; then the header, after all of them.
 */
export async function launchInStages(run: IncidentRun, lookAtMembers: () => Promise<void>): Promise<void> {
  const { state, lifecycle } = run;
  const key = (name: LaunchStepName): string => `${state.id}:${name}`;
  const step = (name: LaunchStepName, work: () => Promise<void>) => runLaunchStep(state, name, work);
  // The first launch, not a step retried later (`/incident retry`): only it has a launch duration.
  const firstLaunch = state.launch.channel.status === 'pending';
  const channelReady = await step('channel', async () => {
    const channel = await chat.openIncidentChannel({
      key: key('channel'),
      team: state.team,
      name: channelNameFromTemplate(state.playbook.channel.nameTemplate ?? DEFAULT_CHANNEL_NAME_TEMPLATE, {
        id: state.id,
        // Without a store there are no incident numbers; the ID is unique too.
        seq: state.number ?? state.id,
        date: state.reportedAt.slice(0, 10),
        slug: slugify(state.name),
        severity: state.severity,
      }),
      displayName: incidentChannelDisplayName(state.name),
      purpose: renderChannelPurpose(state),
      private: state.playbook.channel.private,
      // The first launch makes what it needs without looking it up first (retries still do): see mayExistAlready.
      fresh: firstLaunch,
    });
    state.links.channelId = channel.channelId;
    state.links.channelName = channel.channelName;
    state.links.channelUrl = channel.channelUrl;
    syncSearchAttributes(state);
    stepSucceeded(state, 'channel', `Channel ~${channel.channelName} ${channel.reused ? 'found' : 'created'}`, { reused: channel.reused });
  });
  // Steps that need the channel fail (and say why) when it could not be made; the others still run.
  const requireChannel = (): string => {
    if (!channelReady || !state.links.channelId) throw new Error('skipped: the incident channel could not be created');
    return state.links.channelId;
  };

  await Promise.all([
    (async () => {
      await step('oncall', async () => {
        const { emails } = await onCall.lookUpOnCall({
          key: key('oncall'),
          ...(state.playbook.opsgenie.schedule ? { schedule: state.playbook.opsgenie.schedule } : {}),
        });
        const { found, missing } = emails.length
          ? await chat.usernamesForEmails({ key: key('oncall'), emails })
          : { found: [], missing: [] };
        state.links.onCall = found;
        for (const user of found) if (!state.participants.includes(user)) state.participants.push(user);
        giveOnCallRoles(state, found[0]);
        const note = missing.length ? `; not in chat: ${missing.join(', ')}` : '';
        stepSucceeded(state, 'oncall', found.length ? `On call: ${found.map((u) => `@${u}`).join(', ')}${note}` : `Nobody is on call${note}`, {
          users: found,
          missing,
        });
      });
      await step('invite', async () => {
        // The playbook's user groups become people now: who is in a group is decided at the start, not when written.
        const groups = lifecycle ? (state.playbook.invitees?.groups ?? []) : [];
        const fromGroups = groups.length ? await chat.groupMembers({ key: key('invite'), groups }) : { found: [], missing: [] };
        for (const user of fromGroups.found) if (!state.participants.includes(user)) state.participants.push(user);
        const { added, missing } = await chat.inviteParticipants({
          key: key('invite'),
          channelId: requireChannel(),
          usernames: state.participants,
        });
        const note = missing.length ? `; not found in chat: ${missing.map((u) => `@${u}`).join(', ')}` : '';
        // Text only (the timeline's), so old runs replay alike: they never had `unavailable`.
        const unavailable = (fromGroups as { unavailable?: string }).unavailable;
        const groupNote = unavailable
          ? `; groups ${fromGroups.missing.join(', ')} skipped: ${unavailable}`
          : fromGroups.missing.length
            ? `; no such group: ${fromGroups.missing.join(', ')}`
            : '';
        stepSucceeded(state, 'invite', `Invited ${added.map((u) => `@${u}`).join(', ') || 'nobody'}${note}${groupNote}`, {
          added,
          missing,
          ...(groups.length ? { groups, missingGroups: fromGroups.missing } : {}),
        });
      });
      if (!lifecycle) return;
      await placeChannelInSidebars(state);
      if (state.members === undefined && state.launch.channel.status === 'done' && state.links.channelId) await lookAtMembers();
    })(),
    step('ticket', async () => {
      const jira = state.playbook.jira;
      const ticket = await tickets.openTicket({
        key: key('ticket'),
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
        fresh: firstLaunch,
      });
      state.links.ticketKey = ticket.ticketKey;
      state.links.ticketUrl = ticket.url;
      stepSucceeded(state, 'ticket', `Ticket ${ticket.ticketKey} ${ticket.reused ? 'found' : 'opened'}`, { ticketKey: ticket.ticketKey });
      redrawHeaderLater(run);
    }),
    step('meeting', async () => {
      const meeting = await meetings.startMeeting({
        key: key('meeting'),
        topic: `Incident: ${state.name}`.slice(0, 200),
        agenda: `Incident ${state.id}: ${state.summary || state.name}`.slice(0, 1500),
        ...(state.playbook.zoom.host ? { host: state.playbook.zoom.host } : {}),
        fresh: firstLaunch,
      });
      state.links.meetingUrl = meeting.joinUrl;
      stepSucceeded(state, 'meeting', `Meeting ${meeting.reused ? 'found' : 'started'}: ${meeting.joinUrl}`);
      redrawHeaderLater(run);
      await tellChannel(state, 'meeting-link', `:telephone_receiver: Incident bridge: ${meeting.joinUrl}`);
    }),
    step('alert', async () => {
      const alert = await onCall.pageOnCall({
        key: key('alert'),
        alias: alertAlias(state),
        message: `[${state.severity}] ${state.name}`.slice(0, 130),
        description: `${state.summary || state.name}\n\nIncident ${state.id}, reported by ${state.reporter}.`,
        priority: state.playbook.opsgenie.priority,
        fresh: firstLaunch,
      });
      state.links.alertId = alert.alertId;
      stepSucceeded(state, 'alert', `On-call paged (alert ${alert.alertId}${alert.reused ? ', already open' : ''})`);
    }),
    step('checklistPost', async () => {
      const rendered = renderChecklistPost(state);
      const post = await chat.postChecklist({
        key: key('checklistPost'),
        incidentId: state.id,
        channelId: requireChannel(),
        post: rendered,
      });
      state.links.checklistPostId = post.postId;
      state.checklistRevisionShown = rendered.revision;
      stepSucceeded(state, 'checklistPost', 'Checklist posted and pinned', { postId: post.postId });
      if (firstLaunch) recordLaunchDuration(state, 'channel_ready');
    }),
  ]);

  await step('channelHeader', async () => {
    const header = renderChannelHeader(state);
    await chat.setChannelHeader({ key: key('channelHeader'), channelId: requireChannel(), header });
    // What the channel shows now: the main loop sets it again when the state renders something else.
    state.channelHeaderShown = header;
    stepSucceeded(state, 'channelHeader', 'Channel header set');
  });
  if (firstLaunch) recordLaunchDuration(state, 'launched');
  bumpRevision(state);
}
