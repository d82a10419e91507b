/**
 * The launch as runs from before incident-parallel-launch-v8 ran it (launch.ts runs the newer one). Kept as it was
 * written: those runs replay it, and even the awaits between its commands decide where they fall among Updates handled
 * in the same activation. It goes when that patch is retired (docs/architecture.md, Versioning).
 */
import { bumpRevision } from '../domain/timeline.js';
import type { LaunchStepName } from '../domain/launch-steps.js';
import { renderChannelHeader } from '../formats/checklist-message.js';
import { chat, meetings, onCall, tickets } from './incident-activities.js';
import { BRIDGE_NOTICE, bridgeMessage, tellChannel, type IncidentRun } from './incident-run.js';
import { recordLaunchDuration } from './launch-metrics.js';
import { placeChannelInSidebars, runLaunchStep, stepSucceeded } from './launch-step.js';
import * as requests from './launch-requests.js';
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
    requests.recordChannel(state, await chat.openIncidentChannel(requests.channelRequest(state, firstLaunch)));
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
        requests.recordOnCall(state, emails.length ? await chat.usernamesForEmails({ key: key('oncall'), emails }) : { found: [], missing: [] });
      });
      await step('invite', async () => {
        // The playbook's user groups become people now: who is in a group is decided at the start, not when written.
        const groups = lifecycle ? (state.playbook.invitees?.groups ?? []) : [];
        const fromGroups = groups.length ? await chat.groupMembers({ key: key('invite'), groups }) : { found: [], missing: [] };
        requests.addGroupMembers(state, fromGroups);
        const invited = await chat.inviteParticipants({ key: key('invite'), channelId: requireChannel(), usernames: state.participants });
        requests.recordInvitations(state, invited, fromGroups, groups);
      });
      if (!lifecycle) return;
      await placeChannelInSidebars(state);
      if (state.members === undefined && state.launch.channel.status === 'done' && state.links.channelId) await lookAtMembers();
    })(),
    step('ticket', async () => {
      requests.recordTicket(run, await tickets.openTicket(requests.ticketRequest(state, firstLaunch)));
    }),
    step('meeting', async () => {
      requests.recordMeeting(run, await meetings.startMeeting(requests.meetingRequest(state, firstLaunch)));
      await tellChannel(state, BRIDGE_NOTICE, bridgeMessage(state));
    }),
    step('alert', async () => {
      requests.recordPage(state, await onCall.pageOnCall(requests.pageRequest(state, firstLaunch)));
    }),
    step('checklistPost', async () => {
      const request = requests.checklistPostRequest(state, requireChannel());
      const post = await chat.postChecklist(request);
      requests.recordChecklistPost(state, post.postId, request.post.revision, firstLaunch);
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
