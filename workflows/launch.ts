/**
 * The launch: the channel, the on-call lookup and invitations, the sidebar, the ticket, the meeting, the page, the
 * pinned checklist and the channel header. Each step starts as soon as what it needs is done (launchInParallel; runs
 * from before incident-parallel-launch-v8 replay launchInStages). Each step's outcome goes into `state.launch` and
 * the timeline; a step that keeps failing is told in the channel and can be retried by command, and never fails the
 * incident.
 */
import { condition, log } from '@temporalio/workflow';
import type { SidebarPlacement } from '../activities/chat.js';
import type { OnCallPeople } from '../activities/on-call.js';
import { bumpRevision } from '../domain/timeline.js';
import type { IncidentState } from '../domain/incident.js';
import type { LaunchStepName } from '../domain/launch-steps.js';
import { renderChannelHeader } from '../formats/checklist-message.js';
import { chat, meetings, onCall, tickets } from './incident-activities.js';
import { headerWaitsFor, type HeaderSource } from './channel-header.js';
import { checklistShowsOnCall } from './checklist-post.js';
import { applyChannelMembers } from '../domain/membership.js';
import { BRIDGE_NOTICE, bridgeMessage, noticeKey, nowIso, tellChannel, type IncidentRun } from './incident-run.js';
import { recordLaunchDuration } from './launch-metrics.js';
import { launchInStages } from './launch-in-stages.js';
import {
  addGroupMembers,
  channelRequest,
  channelWithChecklistRequest,
  channelWithOnCallRequest,
  checklistPostRequest,
  meetingRequest,
  pageRequest,
  recordChannel,
  recordChecklistPost,
  recordInvitations,
  recordMeeting,
  recordOnCall,
  recordPage,
  recordTicket,
  ticketRequest,
} from './launch-requests.js';
import { noGroups, placeChannelInSidebars, runLaunchStep, settled, stepSucceeded, unsettled, type GroupMembers } from './launch-step.js';

/**
 * How long the bridge's link waits, once the meeting has started, for the header to go up and carry it (incident-v20):
 * the header waits for the ticket too, usually a moment behind the meeting, but minutes when the issue tracker is being
 * retried, and nobody should wait that long for the bridge.
 */
const BRIDGE_WAITS_FOR_HEADER = '1 second';

/** The first look at the members, and telling the clocks that the invitations brought it (incident-v13). */
export type MemberLooks = (() => Promise<void>) & { seen: () => void };

export function hasPendingLaunch(state: IncidentState): boolean {
  return Object.values(state.launch).some((step) => step.status === 'pending');
}

/**
 * Runs every pending launch step. `lookAtMembers` takes the first look at the channel's members right after the
 * invitations: the baseline later joins are told apart from; `lookAtMembers.seen` says the invitations brought it.
 */
export function launch(run: IncidentRun, lookAtMembers: MemberLooks): Promise<void> {
  // The promise itself, not awaited here: an extra await would move when the old order's last commands are issued
  // relative to Updates handled in the same activation, and runs from before replay only what they ran.
  return run.parallelLaunch ? launchInParallel(run, lookAtMembers) : launchInStages(run, lookAtMembers);
}

/**
 * Each step starts as soon as what it needs is there. With the channel: who is on call and who is in the playbook's
 * user groups (for the invitations), the page (the sooner someone is paged the better) and the meeting, none of which
 * needs the channel, and from incident-v16 the ticket (it links the channel by the name it is made with). Once it
 * exists: the ticket in runs from before (it linked the channel made), the checklist (since v15 posted by the channel's
 * own activity when it does not show the on-call, and since v19 when it does, the activity looking up who is on call
 * meanwhile), and the invitations as soon as the on-call people are known too (since v18 looking up the groups
 * themselves); then the sidebar (since v17 placed by the invitations' activity) and the first look at the members side
 * by side. The header goes up as soon as what it shows is in (headerWaitsFor: the ticket and bridge links), not after
 * the on-call branch, which used to hold it (and the whole launch) up by its chain of calls; since v20 its activity
 * also posts the bridge's link when it goes up within BRIDGE_WAITS_FOR_HEADER of the meeting (before, and when the
 * ticket holds the header up longer, the link goes up on its own once the meeting has started).
 */
async function launchInParallel(run: IncidentRun, lookAtMembers: MemberLooks): Promise<void> {
  const { state } = run;
  const steps = launchSteps(run, lookAtMembers.seen);
  const channelMade = runLaunchStep(state, 'channel', steps.openChannel);
  // A step begun beside the channel that fails says so in the channel, so its notice waits for the channel.
  const step = (name: LaunchStepName, work: () => Promise<void>) => runLaunchStep(state, name, work, channelMade);
  const onCallKnown = step('oncall', () => steps.lookUpOnCall(channelMade));
  // From incident-v18 the invitations' activity looks the groups up itself.
  const groupsFound = state.launch.invite.status === 'pending' && !run.groupsWithInvite ? settled(steps.findGroupMembers()) : undefined;
  const paged = step('alert', steps.page);
  let meetingStarted = false;
  const meetingDone = step('meeting', async () => {
    await steps.startMeeting();
    meetingStarted = true;
  });
  // From incident-v16 the issue is opened beside the channel (it links the channel by name): it was the longest step
  // after the channel, and the channel's activity also posts the checklist since v15.
  const ticketBeside = run.ticketBesideChannel ? step('ticket', steps.openTicket) : undefined;
  await channelMade;
  const ticketDone = ticketBeside ?? step('ticket', steps.openTicket);
  // Under incident-launch-lean-v10 a checklist that shows who is on call (their tasks, or them as commander) waits for
  // the lookup, as the invitations do: drawn before, it was redrawn a second later in nearly every launch (a timer, an
  // activity and two workflow tasks more). Nobody but the bot is in the channel before the invitations, which wait
  // for the lookup too, so nobody sees it later for that.
  const checklistDone = run.lean
    ? step('checklistPost', async () => {
        if (checklistShowsOnCall(state)) await onCallKnown;
        await steps.postChecklist();
      })
    : step('checklistPost', steps.postChecklist);
  // Runs from before incident-v20 post the bridge's link as soon as the meeting has started (in this order: it decides
  // the order of their commands).
  const bridgeAfterMeeting = run.bridgeWithHeader ? undefined : meetingDone.then(() => (meetingStarted ? steps.postMeetingLink() : undefined));
  const shown: Record<HeaderSource, Promise<boolean>> = { ticket: ticketDone, meeting: meetingDone, oncall: onCallKnown };
  // From incident-v20 the bridge's link goes up with the header (its activity posts it) when the header goes up soon
  // after the meeting, as it does unless the ticket keeps it waiting (an issue tracker being retried): then the link
  // goes up on its own, at most BRIDGE_WAITS_FOR_HEADER after the meeting, and the header does not carry it.
  let bridgeWith: 'undecided' | 'header' | 'itself' = 'undecided';
  const headerSet = Promise.all(headerWaitsFor(state).map((name) => shown[name])).then(() =>
    step('channelHeader', () => {
      const withBridge = run.bridgeWithHeader && meetingStarted && bridgeWith === 'undecided';
      if (withBridge) bridgeWith = 'header';
      return steps.setHeader(withBridge);
    }),
  );
  const bridgePosted = bridgeAfterMeeting ?? postBridge();
  async function postBridge(): Promise<void> {
    await meetingDone;
    if (!meetingStarted) return;
    // A header that is to go up again (a first launch, or the link new to a header drawn before) may carry it.
    if (bridgeWith === 'undecided' && state.launch.channelHeader.status === 'pending') await condition(() => bridgeWith !== 'undecided', BRIDGE_WAITS_FOR_HEADER);
    if (bridgeWith === 'header') {
      await headerSet;
      // Posted with the header, unless the header failed or the post failed beside it.
      if (steps.bridgeShown()) return;
    } else bridgeWith = 'itself';
    await steps.postMeetingLink();
  }
  const peopleIn = (async () => {
    // The on-call people are among those invited.
    await onCallKnown;
    await step('invite', () => steps.invite(groupsFound ? () => groupsFound.then(unsettled) : noGroups));
    if (!run.lifecycle) return;
    // Both need the invitations (a sidebar keeps only channels its owner is in; the look is the baseline of joins),
    // not each other. From incident-v17 the invitations' activity placed the sidebars too, unless it could not.
    await Promise.all([placeChannelInSidebars(state, steps.sidebarWithInvitations()), steps.firstLookAtMembers(lookAtMembers)]);
  })();
  await Promise.all([paged, ticketDone, checklistDone, bridgePosted, headerSet, peopleIn]);
  if (steps.firstLaunch) recordLaunchDuration(state, 'launched');
  bumpRevision(state);
}


/**
 * What each launch step of launchInParallel does (its activities and what it records), apart from when it runs. Each
 * is the work of one step, run by runLaunchStep when the step is pending.
 */
function launchSteps(run: IncidentRun, membersSeen: () => void) {
  const { state, lifecycle } = run;
  const key = (name: LaunchStepName): string => `${state.id}:${name}`;
  // The first launch, not a step retried later (`/incident retry`): only it has a launch duration.
  const firstLaunch = state.launch.channel.status === 'pending';
  // Steps that need the channel fail (and say why) when it could not be made; the others still run.
  const requireChannel = (): string => {
    if (state.launch.channel.status !== 'done' || !state.links.channelId) throw new Error('skipped: the incident channel could not be created');
    return state.links.channelId;
  };
  // The playbook's user groups become people at the start: who is in a group is decided now, not when written.
  const groups = lifecycle ? (state.playbook.invitees?.groups ?? []) : [];
  // From incident-v15 a first launch whose checklist does not wait for who is on call posts it in the channel's own
  // activity: the channel is ready without the workflow task and the activity that came between the two calls (about
  // a third of the time to the channel ready beside the calls, and one task and one activity less per launch).
  const checklistWithChannel =
    run.checklistWithChannel && firstLaunch && state.launch.checklistPost.status === 'pending' && !checklistShowsOnCall(state);
  /** What the channel's activity answered of the checklist: posted, or why not (then postChecklist posts it). */
  let postedWithChannel: { postId: string; revision: string } | { error: string } | undefined;
  /** Whether the header's activity posted the bridge's link (incident-v20). */
  let bridgeShown = false;
  /** What the invitations' activity answered of the sidebar (incident-v17): placed, or why not. */
  let sidebarWithInvitations: SidebarPlacement | undefined;
  // From incident-v19 a first launch whose checklist shows the on-call (their tasks, or them as commander) asks who
  // is on call in the channel's activity too, which posts the checklist drawn with them: no onCallPeople and no
  // postChecklist activity, nor their workflow tasks, when the answer comes (within ON_CALL_WITH_CHANNEL_WAIT_MS).
  const checklistWithOnCall =
    run.checklistWithOnCall &&
    firstLaunch &&
    state.launch.checklistPost.status === 'pending' &&
    state.launch.oncall.status === 'pending' &&
    checklistShowsOnCall(state);
  /** What the channel's activity answered of who is on call (incident-v19), or why it could not say. */
  let onCallWithChannel: OnCallPeople | { error: string } | undefined;
  const onCallLookup = () => ({
    key: key('oncall'),
    ...(state.playbook.opsgenie.schedule ? { schedule: state.playbook.opsgenie.schedule } : {}),
    // A first launch may take who the worker found on call moments ago; `/incident retry oncall` asks again.
    fresh: firstLaunch,
  });

  return {
    firstLaunch,

    async openChannel(): Promise<void> {
      if (checklistWithOnCall) {
        const { checklistPost, onCall: onCallAnswer, ...channel } = await chat.openIncidentChannel(channelWithOnCallRequest(state, onCallLookup()));
        recordChannel(state, channel);
        onCallWithChannel = onCallAnswer ?? { error: 'the channel activity did not look up who is on call' };
        // Drawn and posted only once the on-call was known (else the checklist step posts it after its own lookup,
        // looking first for a post when an earlier try of this activity made the channel, and may have posted).
        if (checklistPost) postedWithChannel = checklistPost;
        else if (channel.reused) postedWithChannel = { error: 'not drawn: who is on call was not known, and an earlier try may have posted' };
        return;
      }
      if (!checklistWithChannel) {
        recordChannel(state, await chat.openIncidentChannel(channelRequest(state, firstLaunch)));
        return;
      }
      const { checklistPost, ...channel } = await chat.openIncidentChannel(channelWithChecklistRequest(state));
      recordChannel(state, channel);
      postedWithChannel = checklistPost ?? { error: 'the channel activity did not post the checklist' };
    },

    /** `channelMade`: the channel step, whose activity looks up who is on call too from incident-v19. */
    async lookUpOnCall(channelMade: Promise<unknown>): Promise<void> {
      if (checklistWithOnCall) {
        await channelMade;
        if (onCallWithChannel && !('error' in onCallWithChannel)) {
          recordOnCall(state, onCallWithChannel);
          return;
        }
        if (onCallWithChannel) log.warn('who is on call was not found with the channel; asking on its own', { error: onCallWithChannel.error });
      }
      const lookup = onCallLookup();
      if (run.fastReady) {
        recordOnCall(state, await onCall.onCallPeople(lookup));
        return;
      }
      const { emails } = await onCall.lookUpOnCall(lookup);
      recordOnCall(state, emails.length ? await chat.usernamesForEmails({ key: key('oncall'), emails }) : { found: [], missing: [] });
    },

    /** Who is in the playbook's user groups (nobody when it names none). */
    findGroupMembers(): Promise<GroupMembers> {
      return groups.length ? chat.groupMembers({ key: key('invite'), groups }) : noGroups();
    },

    /**
     * `fromGroups`: the group members, looked up by then or now; from incident-v18 the invitations' activity looks
     * them up (`groups`) and answers who they were.
     */
    async invite(fromGroups: () => Promise<GroupMembers>): Promise<void> {
      const groupsAlong = run.groupsWithInvite && groups.length > 0;
      const looked = groupsAlong ? undefined : await fromGroups();
      if (looked) addGroupMembers(state, looked);
      // From incident-v13 the invitations bring who is in the channel: the launch's first look at the members.
      const firstLook = run.membersWithInvite && lifecycle && state.members === undefined;
      // From incident-v17 the same activity puts the channel in their sidebar category while that step is to come.
      const category = state.playbook.channel.sidebarCategory;
      const sidebar = run.sidebarWithInvite && lifecycle && state.launch.sidebar.status === 'pending' && typeof category === 'string';
      const invited = await chat.inviteParticipants({
        key: key('invite'),
        channelId: requireChannel(),
        usernames: state.participants,
        ...(firstLook ? { members: true } : {}),
        ...(sidebar ? { sidebar: { key: key('sidebar'), team: state.team, category } } : {}),
        ...(groupsAlong ? { groups } : {}),
      });
      sidebarWithInvitations = invited.sidebar;
      const members = looked ?? invited.groupMembers ?? { found: [], missing: [] };
      if (groupsAlong) addGroupMembers(state, members);
      recordInvitations(state, invited, members, groups);
      if (firstLook && invited.members) {
        applyChannelMembers(state, invited.members, nowIso());
        membersSeen();
      }
    },

    /** What the invitations' activity answered of the sidebar (incident-v17); undefined when it was not asked. */
    sidebarWithInvitations(): SidebarPlacement | undefined {
      return sidebarWithInvitations;
    },

    /**
     * The first look at the channel's members, right after the invitations: the baseline later joins are told from
     * (from incident-v13 the invitations brought it, unless that look failed).
     */
    async firstLookAtMembers(lookAtMembers: () => Promise<void>): Promise<void> {
      if (state.members === undefined && state.launch.channel.status === 'done' && state.links.channelId) await lookAtMembers();
    },

    async openTicket(): Promise<void> {
      recordTicket(run, await tickets.openTicket(ticketRequest(state, firstLaunch, run.ticketBesideChannel)));
    },

    async startMeeting(): Promise<void> {
      recordMeeting(run, await meetings.startMeeting(meetingRequest(state, firstLaunch)));
    },

    /** The bridge's link in the channel, once the meeting has started (and the channel exists). */
    async postMeetingLink(): Promise<void> {
      await tellChannel(state, BRIDGE_NOTICE, bridgeMessage(state));
    },

    /** Whether the header's activity posted the bridge's link (incident-v20). */
    bridgeShown(): boolean {
      return bridgeShown;
    },

    async page(): Promise<void> {
      recordPage(state, await onCall.pageOnCall(pageRequest(state, firstLaunch)));
    },

    async postChecklist(): Promise<void> {
      if (postedWithChannel && 'postId' in postedWithChannel) {
        recordChecklistPost(state, postedWithChannel.postId, postedWithChannel.revision, true);
        return;
      }
      if (postedWithChannel) log.warn('the checklist was not posted with the channel; posting it on its own', { error: postedWithChannel.error });
      if (run.lean) {
        // Under incident-v11 a first launch's post carries what it draws: the query's round trip through the server and
        // the worker was a fifth of the time to the channel ready, and this is once per incident (about 4 KB of
        // history). Redraws and `/incident retry` still read the post through the query.
        if (firstLaunch && run.fastReady) {
          const request = checklistPostRequest(state, requireChannel());
          // After a post tried with the channel, one may have been made (an answer lost): it is looked for first.
          const post = await chat.postChecklist({ ...request, fresh: postedWithChannel === undefined });
          recordChecklistPost(state, post.postId, request.post.revision, true);
          return;
        }
        // The activity reads what it draws through the checklistPost query and says which revision that was (this
        // state's or a newer one), so the history holds a small request and not the post.
        const post = await chat.postChecklist({ key: key('checklistPost'), incidentId: state.id, channelId: requireChannel(), fresh: firstLaunch });
        recordChecklistPost(state, post.postId, post.revision, firstLaunch);
      } else {
        const request = checklistPostRequest(state, requireChannel());
        const post = await chat.postChecklist(request);
        recordChecklistPost(state, post.postId, request.post.revision, firstLaunch);
      }
    },

    /** `withBridge`: the same activity posts the bridge's link beside the header (incident-v20). */
    async setHeader(withBridge = false): Promise<void> {
      const header = renderChannelHeader(state);
      // A first launch's first attempt cannot find a post it has not made yet: no look for it then.
      const bridge = withBridge ? { key: noticeKey(state, BRIDGE_NOTICE), message: bridgeMessage(state), ...(firstLaunch ? { fresh: true } : {}) } : undefined;
      const answer = await chat.setChannelHeader({ key: key('channelHeader'), channelId: requireChannel(), header, ...(bridge ? { notice: bridge } : {}) });
      const notice = answer?.notice;
      if (notice && 'postId' in notice) bridgeShown = true;
      else if (notice) log.warn('the bridge link was not posted with the header; posting it on its own', { error: notice.error });
      // What the channel shows now: the main loop sets it again when the state renders something else.
      state.channelHeaderShown = header;
      stepSucceeded(state, 'channelHeader', 'Channel header set');
    },
  };
}

