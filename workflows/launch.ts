/**
 * The launch: the channel, the on-call lookup and invitations, the sidebar, the ticket, the meeting, the page, the
 * pinned checklist and the channel header. Each step starts as soon as what it needs is done (launchInParallel; runs
 * from before incident-parallel-launch-v8 replay launchInStages). Each step's outcome goes into `state.launch` and
 * the timeline; a step that keeps failing is told in the channel and can be retried by command, and never fails the
 * incident.
 */
import { recordEvent, bumpRevision, type IncidentState, type LaunchStepName } from '../domain/incident.js';
import { incidentChannelDisplayName, slugify } from '../domain/channel-name.js';
import { renderChannelHeader, renderChecklistPost } from '../domain/checklist-message.js';
import { renderChannelPurpose } from '../domain/incident-templates.js';
import { channelNameFromTemplate } from '../domain/playbook/templates.js';
import { DEFAULT_CHANNEL_NAME_TEMPLATE } from '../domain/playbook/defaults.js';
import { chat, meetings, onCall, tickets } from './incident-activities.js';
import { headerWaitsFor, type HeaderSource } from './channel-header.js';
import { checklistShowsOnCall } from './checklist-post.js';
import { alertAlias, failureMessage, isForbidden, nowIso, syncSearchAttributes, tellChannel, type IncidentRun } from './incident-run.js';
import { recordLaunchDuration } from './launch-metrics.js';

const STEP_TITLES: Record<LaunchStepName, string> = {
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

export function hasPendingLaunch(state: IncidentState): boolean {
  return Object.values(state.launch).some((step) => step.status === 'pending');
}

/**
 * Runs every pending launch step. `lookAtMembers` takes the first look at the channel's members right after the
 * invitations: the baseline later joins are told apart from.
 */
export function launch(run: IncidentRun, lookAtMembers: () => Promise<void>): Promise<void> {
  // The promise itself, not awaited here: an extra await would move when the old order's last commands are issued
  // relative to Updates handled in the same activation, and runs from before replay only what they ran.
  return run.parallelLaunch ? launchInParallel(run, lookAtMembers) : launchInStages(run, lookAtMembers);
}

/**
 * Each step starts as soon as what it needs is there. With the channel: who is on call and who is in the playbook's
 * user groups (for the invitations), the page (the sooner someone is paged the better) and the meeting, none of which
 * needs the channel. Once it exists: the ticket (it links the channel), the checklist, and the invitations as soon as
 * the on-call people are known too; then the sidebar and the first look at the members side by side. The header goes
 * up as soon as what it shows is in (headerWaitsFor: the ticket and bridge links), not after the on-call branch, which
 * used to hold it (and the whole launch) up by its chain of calls.
 */
async function launchInParallel(run: IncidentRun, lookAtMembers: () => Promise<void>): Promise<void> {
  const { state } = run;
  const steps = launchSteps(run);
  const channelMade = runLaunchStep(state, 'channel', steps.openChannel);
  // A step begun beside the channel that fails says so in the channel, so its notice waits for the channel.
  const step = (name: LaunchStepName, work: () => Promise<void>) => runLaunchStep(state, name, work, channelMade);
  const onCallKnown = step('oncall', steps.lookUpOnCall);
  const groupsFound = state.launch.invite.status === 'pending' ? settled(steps.findGroupMembers()) : undefined;
  const paged = step('alert', steps.page);
  let meetingStarted = false;
  const meetingDone = step('meeting', async () => {
    await steps.startMeeting();
    meetingStarted = true;
  });
  await channelMade;
  const ticketDone = step('ticket', steps.openTicket);
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
  const bridgePosted = meetingDone.then(() => (meetingStarted ? steps.postMeetingLink() : undefined));
  const shown: Record<HeaderSource, Promise<boolean>> = { ticket: ticketDone, meeting: meetingDone, oncall: onCallKnown };
  const headerSet = Promise.all(headerWaitsFor(state).map((name) => shown[name])).then(() => step('channelHeader', steps.setHeader));
  const peopleIn = (async () => {
    // The on-call people are among those invited.
    await onCallKnown;
    await step('invite', () => steps.invite(groupsFound ? () => groupsFound.then(unsettled) : noGroups));
    if (!run.lifecycle) return;
    // Both need the invitations (a sidebar keeps only channels its owner is in; the look is the baseline of joins),
    // not each other.
    await Promise.all([placeChannelInSidebars(state), steps.firstLookAtMembers(lookAtMembers)]);
  })();
  await Promise.all([paged, ticketDone, checklistDone, bridgePosted, headerSet, peopleIn]);
  if (steps.firstLaunch) recordLaunchDuration(state, 'launched');
  bumpRevision(state);
}

/**
 * The launch as runs from before incident-parallel-launch-v8 ran it, kept as it was written (they replay it, and even
 * the awaits between its commands decide where they fall among Updates handled in the same activation): the channel;
 * then the on-call branch (lookup, group members, invitations, sidebar, first look at the members), the ticket, the
 * meeting (and its link), the page and the checklist; then the header, after all of them.
 */
async function launchInStages(run: IncidentRun, lookAtMembers: () => Promise<void>): Promise<void> {
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

type GroupMembers = { found: string[]; missing: string[]; unavailable?: string };

const noGroups = (): Promise<GroupMembers> => Promise.resolve({ found: [], missing: [] });

/**
 * What each launch step of launchInParallel does (its activities and what it records), apart from when it runs. Each
 * is the work of one step, run by runLaunchStep when the step is pending.
 */
function launchSteps(run: IncidentRun) {
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

  return {
    firstLaunch,

    async openChannel(): Promise<void> {
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
    },

    async lookUpOnCall(): Promise<void> {
      const { emails } = await onCall.lookUpOnCall({
        key: key('oncall'),
        ...(state.playbook.opsgenie.schedule ? { schedule: state.playbook.opsgenie.schedule } : {}),
        // A first launch may take who the worker found on call moments ago; `/incident retry oncall` asks again.
        fresh: firstLaunch,
      });
      const { found, missing } = emails.length ? await chat.usernamesForEmails({ key: key('oncall'), emails }) : { found: [], missing: [] };
      state.links.onCall = found;
      for (const user of found) if (!state.participants.includes(user)) state.participants.push(user);
      giveOnCallRoles(state, found[0]);
      const note = missing.length ? `; not in chat: ${missing.join(', ')}` : '';
      stepSucceeded(state, 'oncall', found.length ? `On call: ${found.map((u) => `@${u}`).join(', ')}${note}` : `Nobody is on call${note}`, {
        users: found,
        missing,
      });
    },

    /** Who is in the playbook's user groups (nobody when it names none). */
    findGroupMembers(): Promise<GroupMembers> {
      return groups.length ? chat.groupMembers({ key: key('invite'), groups }) : noGroups();
    },

    /** `fromGroups`: the group members, looked up by then or now. */
    async invite(fromGroups: () => Promise<GroupMembers>): Promise<void> {
      const members = await fromGroups();
      for (const user of members.found) if (!state.participants.includes(user)) state.participants.push(user);
      const { added, missing } = await chat.inviteParticipants({
        key: key('invite'),
        channelId: requireChannel(),
        usernames: state.participants,
      });
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
    },

    /** The first look at the channel's members, right after the invitations: the baseline later joins are told from. */
    async firstLookAtMembers(lookAtMembers: () => Promise<void>): Promise<void> {
      if (state.members === undefined && state.launch.channel.status === 'done' && state.links.channelId) await lookAtMembers();
    },

    async openTicket(): Promise<void> {
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
    },

    async startMeeting(): Promise<void> {
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
    },

    /** The bridge's link in the channel, once the meeting has started (and the channel exists). */
    async postMeetingLink(): Promise<void> {
      await tellChannel(state, 'meeting-link', `:telephone_receiver: Incident bridge: ${state.links.meetingUrl}`);
    },

    async page(): Promise<void> {
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
    },

    async postChecklist(): Promise<void> {
      if (run.lean) {
        // The activity reads what it draws through the checklistPost query and says which revision that was (this
        // state's or a newer one), so the history holds a small request and not the post.
        const post = await chat.postChecklist({ key: key('checklistPost'), incidentId: state.id, channelId: requireChannel(), fresh: firstLaunch });
        state.links.checklistPostId = post.postId;
        state.checklistRevisionShown = post.revision;
      } else {
        const rendered = renderChecklistPost(state);
        const post = await chat.postChecklist({
          key: key('checklistPost'),
          incidentId: state.id,
          channelId: requireChannel(),
          post: rendered,
        });
        state.links.checklistPostId = post.postId;
        state.checklistRevisionShown = rendered.revision;
      }
      stepSucceeded(state, 'checklistPost', 'Checklist posted and pinned', { postId: state.links.checklistPostId });
      if (firstLaunch) recordLaunchDuration(state, 'channel_ready');
    },

    async setHeader(): Promise<void> {
      const header = renderChannelHeader(state);
      await chat.setChannelHeader({ key: key('channelHeader'), channelId: requireChannel(), header });
      // What the channel shows now: the main loop sets it again when the state renders something else.
      state.channelHeaderShown = header;
      stepSucceeded(state, 'channelHeader', 'Channel header set');
    },
  };
}

/**
 * A promise begun before the step that awaits it: kept as its outcome, so that a failure is that step's (and is not an
 * unhandled rejection, which fails the workflow task, while nothing awaits it yet).
 */
function settled<T>(promise: Promise<T>): Promise<{ value: T } | { error: unknown }> {
  return promise.then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );
}

function unsettled<T>(outcome: { value: T } | { error: unknown }): T {
  if ('error' in outcome) throw outcome.error;
  return outcome.value;
}

function stepSucceeded(state: IncidentState, step: LaunchStepName, text: string, data?: Record<string, unknown>): void {
  state.launch[step] = { status: 'done' };
  recordEvent(state, nowIso(), 'integration_succeeded', 'system', text, { step, ...data });
}

/**
 * Runs one launch step if it is pending; a failure is recorded (timeline, channel), never thrown. `channelMade`: for a
 * step begun while the channel is being made, its failure is told in the channel once that is settled.
 */
async function runLaunchStep(state: IncidentState, name: LaunchStepName, work: () => Promise<void>, channelMade?: Promise<unknown>): Promise<boolean> {
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
function redrawHeaderLater(run: IncidentRun): void {
  if (run.lifecycle && run.state.launch.channelHeader.status === 'done') run.state.launch.channelHeader = { status: 'pending' };
}

/** The sidebar launch step: skipped with a timeline note (not failed) when the bot may not edit others' sidebars. */
async function placeChannelInSidebars(state: IncidentState): Promise<void> {
  const category = state.playbook.channel.sidebarCategory;
  if (typeof category !== 'string') return;
  await runLaunchStep(state, 'sidebar', async () => {
    try {
      const { placed, missing } = await chat.placeInSidebar({
        key: `${state.id}:sidebar`,
        team: state.team,
        channelId: state.links.channelId!,
        usernames: state.participants,
        category,
      });
      const note = missing.length ? `; not in chat: ${missing.map((u) => `@${u}`).join(', ')}` : '';
      stepSucceeded(state, 'sidebar', `Channel put in the "${category}" sidebar category of ${placed.length} people${note}`, { placed, missing });
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

/** The playbook may make the on-call engineer the commander, or assign them tasks: now we know who that is. */
function giveOnCallRoles(state: IncidentState, onCallUser: string | undefined): void {
  if (!onCallUser) return;
  const untouched = !state.timeline.some((event) => event.kind === 'commander_changed');
  if (state.playbook.defaultCommander?.type === 'oncall' && untouched && state.commander !== onCallUser) {
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
