/**
 * The incident workflow: one durable execution per incident, from report to close. It holds the incident's state, applies
 * every command (as Update or Signal), keeps the search attributes current, runs the launch, and continues-as-new when
 * its history grows long. Deterministic code only: all I/O happens in activities.
 */
import {
  ActivityFailure,
  ApplicationFailure,
  allHandlersFinished,
  condition,
  continueAsNew,
  log,
  proxyActivities,
  setHandler,
  sleep,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { SearchAttributeUpdatePair } from '@temporalio/common';
import type { ChatActivities, MeetingActivities, OnCallActivities, TicketActivities } from '../activities/index.js';
import { incidentChannelDisplayName, slugify } from '../domain/channel-name.js';
import { channelNameFromTemplate, DEFAULT_CHANNEL_NAME_TEMPLATE } from '../domain/playbook.js';
import { checklistRevision, renderChannelHeader, renderChecklistPost } from '../domain/checklist-message.js';
import { COMMAND_NAMES, executeCommand, validateCommand, type CommandName } from '../domain/commands.js';
import { FAILURE_TYPE_BY_CODE, IncidentCommandError } from '../domain/errors.js';
import {
  createIncidentState,
  incidentView,
  recordEvent,
  type IncidentState,
  type IncidentView,
  type FollowUpKind,
  type LaunchStepName,
  type NewIncident,
} from '../domain/incident.js';
import { parseNewIncident } from '../domain/new-incident.js';
import {
  IncidentChannelKey,
  IncidentCommanderKey,
  IncidentPlaybookKey,
  IncidentSeverityKey,
  IncidentStatusKey,
  IncidentTeamKey,
} from '../temporal/search-attributes.js';
import { commandSignals, commandUpdates, incidentViewQuery } from './messages.js';

export interface IncidentWorkflowOptions {
  /**
   * Continue-as-new once history holds this many events, on top of Temporal's own suggestion. A test hook to exercise
   * continue-as-new without thousands of events; production leaves it unset.
   */
  continueAsNewAfterEvents?: number;
}

export interface IncidentWorkflowInput {
  /** The start request; validated (again) by the workflow so a bare `temporal workflow start` cannot skip validation. */
  incident: unknown;
  options?: IncidentWorkflowOptions;
  /** State carried over by continue-as-new. */
  carried?: IncidentState;
}

// Each system has its own timeouts and retry policy. Chat is what people see first, so it retries longest; the others
// give up sooner and record the failure in the timeline (and the channel) rather than hold up the incident. Every
// activity heartbeats each second, so a dead worker's call is retried elsewhere within the 5-second heartbeat timeout.
const retry = (maximumAttempts: number) => ({
  initialInterval: '1 second',
  backoffCoefficient: 2,
  maximumInterval: '30 seconds',
  maximumAttempts,
});
const chat = proxyActivities<ChatActivities>({ startToCloseTimeout: '30 seconds', heartbeatTimeout: '5 seconds', retry: retry(10) });
const tickets = proxyActivities<TicketActivities>({ startToCloseTimeout: '30 seconds', heartbeatTimeout: '5 seconds', retry: retry(6) });
const meetings = proxyActivities<MeetingActivities>({ startToCloseTimeout: '30 seconds', heartbeatTimeout: '5 seconds', retry: retry(6) });
// On-call lookups matter in the first minutes only: after three tries the team is told and can retry by command.
const onCall = proxyActivities<OnCallActivities>({ startToCloseTimeout: '30 seconds', heartbeatTimeout: '5 seconds', retry: retry(3) });

const nowIso = (): string => new Date().toISOString();

/** How long the checklist post waits for a burst of changes to end before it is redrawn once. */
const CHECKLIST_REFRESH_DELAY = '1 second';

function toFailure(error: unknown): ApplicationFailure {
  if (error instanceof IncidentCommandError) {
    return ApplicationFailure.create({
      type: FAILURE_TYPE_BY_CODE[error.code],
      message: error.message,
      nonRetryable: true,
      details: [{ code: error.code, problems: error.problems }],
    });
  }
  // A plain Error thrown from a handler would fail the workflow task and wedge the incident; turn it into a failure of
  // this one message instead.
  const message = error instanceof Error ? error.message : String(error);
  return ApplicationFailure.create({ type: 'IncidentInternalError', message, nonRetryable: true });
}

export async function incident(input: IncidentWorkflowInput): Promise<IncidentView> {
  let state: IncidentState;
  if (input.carried) {
    state = input.carried;
  } else {
    let start: NewIncident;
    try {
      start = parseNewIncident(input.incident);
    } catch (error) {
      throw toFailure(error);
    }
    state = createIncidentState(start, nowIso());
  }

  // Handlers first: signals and updates that arrived with the start are delivered as soon as they exist.
  setHandler(incidentViewQuery, () => incidentView(state));
  for (const name of COMMAND_NAMES) registerCommand(name);

  syncSearchAttributes();

  // The main loop: run whatever outside work is pending (launch steps, resolution follow-ups, retries asked for by
  // command), one batch at a time; end when closed and nothing is left; continue-as-new when history grows long.
  for (;;) {
    await condition(
      () =>
        hasPendingLaunch() ||
        hasPendingFollowUps() ||
        checklistPostIsStale() ||
        (state.status === 'closed' && allHandlersFinished()) ||
        shouldContinueAsNew(),
    );
    if (hasPendingLaunch()) {
      await launch();
      continue;
    }
    if (hasPendingFollowUps()) {
      await runFollowUps();
      continue;
    }
    if (checklistPostIsStale()) {
      await refreshChecklistPost();
      continue;
    }
    if (state.status === 'closed') break;
    await condition(allHandlersFinished);
    return await continueAsNew<typeof incident>({ incident: input.incident, options: input.options ?? {}, carried: state });
  }
  await condition(allHandlersFinished);
  return incidentView(state);

  function hasPendingLaunch(): boolean {
    return Object.values(state.launch).some((step) => step.status === 'pending');
  }

  function checklistPostIsStale(): boolean {
    return (
      state.launch.checklistPost.status === 'done' &&
      state.links.checklistPostId !== undefined &&
      state.checklistRevisionShown !== checklistRevision(state)
    );
  }

  /** One post update for a burst of changes: wait a moment for the burst to end, then render the latest state. */
  async function refreshChecklistPost(): Promise<void> {
    await sleep(CHECKLIST_REFRESH_DELAY);
    const rendered = renderChecklistPost(state);
    try {
      await chat.refreshChecklist({
        key: `${state.id}:checklistPost`,
        incidentId: state.id,
        postId: state.links.checklistPostId!,
        post: rendered,
      });
    } catch (error) {
      // The next change tries again; meanwhile the timeline and /incident info are current.
      log.warn('could not refresh the checklist post', { error: failureMessage(error) });
    }
    state.checklistRevisionShown = rendered.revision;
  }

  function hasPendingFollowUps(): boolean {
    return state.followUps.some((followUp) => followUp.status === 'pending');
  }

  function shouldContinueAsNew(): boolean {
    const info = workflowInfo();
    const limit = input.options?.continueAsNewAfterEvents;
    return info.continueAsNewSuggested || (limit !== undefined && info.historyLength >= limit);
  }

  function registerCommand(name: CommandName): void {
    setHandler(
      commandUpdates[name],
      (payload: unknown) => {
        try {
          executeCommand(state, name, payload, nowIso());
        } catch (error) {
          throw toFailure(error);
        }
        afterChange();
        return incidentView(state);
      },
      {
        // Runs before the update is accepted: a refused command leaves no trace in history.
        validator: (payload: unknown) => {
          try {
            validateCommand(state, name, payload);
          } catch (error) {
            throw toFailure(error);
          }
        },
      },
    );
    setHandler(commandSignals[name], (payload: unknown) => {
      try {
        executeCommand(state, name, payload, nowIso());
        afterChange();
      } catch (error) {
        // A signal has nobody to answer, so a refused one is written to the timeline instead of failing anything.
        const reason = error instanceof Error ? error.message : String(error);
        const actor = typeof (payload as { actor?: unknown } | null)?.actor === 'string' ? (payload as { actor: string }).actor : 'unknown';
        recordEvent(state, nowIso(), 'command_rejected', actor, `signal ${name} rejected: ${reason}`, { command: name, reason });
      }
    });
  }

  function afterChange(): void {
    syncSearchAttributes();
  }

  /** Upserts only the attributes whose value changed, so a task check does not add a history event. */
  function syncSearchAttributes(): void {
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

  function failureMessage(error: unknown): string {
    const cause = error instanceof ActivityFailure && error.cause ? error.cause : error;
    return cause instanceof Error ? cause.message : String(cause);
  }

  function stepSucceeded(step: LaunchStepName, text: string, data?: Record<string, unknown>): void {
    state.launch[step] = { status: 'done' };
    recordEvent(state, nowIso(), 'integration_succeeded', 'system', text, { step, ...data });
  }

  /** Runs one launch step if it is pending; a failure is recorded (timeline, channel), never thrown. */
  async function step(name: LaunchStepName, work: () => Promise<void>): Promise<boolean> {
    if (state.launch[name].status !== 'pending') return state.launch[name].status === 'done';
    try {
      await work();
      return true;
    } catch (error) {
      const message = failureMessage(error);
      state.launch[name] = { status: 'failed', error: message };
      recordEvent(state, nowIso(), 'integration_failed', 'system', `${STEP_TITLES[name]} failed: ${message}`, { step: name });
      await tellChannel(
        `failed-${name}-${state.revision}`,
        `:warning: ${STEP_TITLES[name]} failed: ${message}\nRetry with \`/incident retry ${name}\`.`,
      );
      return false;
    }
  }

  /** Posts a bot notice in the incident channel, if there is one; a failure here is only logged. */
  async function tellChannel(suffix: string, message: string): Promise<void> {
    if (state.launch.channel.status !== 'done' || !state.links.channelId) return;
    try {
      await chat.postChannelNotice({ key: `${state.id}:notice:${suffix}`, channelId: state.links.channelId, message });
    } catch (error) {
      log.warn('could not post a notice in the incident channel', { error: failureMessage(error) });
    }
  }

  async function launch(): Promise<void> {
    const key = (name: LaunchStepName): string => `${state.id}:${name}`;
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
        purpose: `Incident ${state.id}: ${state.summary || state.name}`.slice(0, 250),
        private: state.playbook.channel.private,
      });
      state.links.channelId = channel.channelId;
      state.links.channelName = channel.channelName;
      state.links.channelUrl = channel.channelUrl;
      syncSearchAttributes();
      stepSucceeded('channel', `Channel ~${channel.channelName} ${channel.reused ? 'found' : 'created'}`, { reused: channel.reused });
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
          giveOnCallRoles(found[0]);
          const note = missing.length ? `; not in chat: ${missing.join(', ')}` : '';
          stepSucceeded('oncall', found.length ? `On call: ${found.map((u) => `@${u}`).join(', ')}${note}` : `Nobody is on call${note}`, {
            users: found,
            missing,
          });
        });
        await step('invite', async () => {
          const { added, missing } = await chat.inviteParticipants({
            key: key('invite'),
            channelId: requireChannel(),
            usernames: state.participants,
          });
          const note = missing.length ? `; not found in chat: ${missing.map((u) => `@${u}`).join(', ')}` : '';
          stepSucceeded('invite', `Invited ${added.map((u) => `@${u}`).join(', ') || 'nobody'}${note}`, { added, missing });
        });
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
        });
        state.links.ticketKey = ticket.ticketKey;
        state.links.ticketUrl = ticket.url;
        stepSucceeded('ticket', `Ticket ${ticket.ticketKey} ${ticket.reused ? 'found' : 'opened'}`, { ticketKey: ticket.ticketKey });
      }),
      step('meeting', async () => {
        const meeting = await meetings.startMeeting({
          key: key('meeting'),
          topic: `Incident: ${state.name}`.slice(0, 200),
          agenda: `Incident ${state.id}: ${state.summary || state.name}`.slice(0, 1500),
        });
        state.links.meetingUrl = meeting.joinUrl;
        stepSucceeded('meeting', `Meeting ${meeting.reused ? 'found' : 'started'}: ${meeting.joinUrl}`);
        await tellChannel('meeting-link', `:telephone_receiver: Incident bridge: ${meeting.joinUrl}`);
      }),
      step('alert', async () => {
        const alert = await onCall.pageOnCall({
          key: key('alert'),
          alias: alertAlias(),
          message: `[${state.severity}] ${state.name}`.slice(0, 130),
          description: `${state.summary || state.name}\n\nIncident ${state.id}, reported by ${state.reporter}.`,
          priority: state.playbook.opsgenie.priority,
        });
        state.links.alertId = alert.alertId;
        stepSucceeded('alert', `On-call paged (alert ${alert.alertId}${alert.reused ? ', already open' : ''})`);
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
        stepSucceeded('checklistPost', 'Checklist posted and pinned', { postId: post.postId });
      }),
    ]);

    await step('channelHeader', async () => {
      await chat.setChannelHeader({ key: key('channelHeader'), channelId: requireChannel(), header: renderChannelHeader(state) });
      stepSucceeded('channelHeader', 'Channel header set');
    });
    state.revision += 1;
  }

  /** The playbook may make the on-call engineer the commander, or assign them tasks: now we know who that is. */
  function giveOnCallRoles(onCallUser: string | undefined): void {
    if (!onCallUser) return;
    const untouched = !state.timeline.some((event) => event.kind === 'commander_changed');
    if (state.playbook.defaultCommander?.type === 'oncall' && untouched && state.commander !== onCallUser) {
      const previous = state.commander;
      state.commander = onCallUser;
      recordEvent(state, nowIso(), 'commander_changed', 'system', `@${onCallUser} (on call) is the commander, as the playbook says`, {
        from: previous,
        to: onCallUser,
      });
      syncSearchAttributes();
    }
    for (const task of state.checklists.flatMap((checklist) => checklist.tasks)) {
      if (task.assigneeRole === 'oncall' && !task.assignee) task.assignee = onCallUser;
    }
  }

  function alertAlias(): string {
    return `incident-${state.id}`;
  }

  /** Resolution work (comment and transition the ticket, close the page), each once per resolution. */
  async function runFollowUps(): Promise<void> {
    for (const followUp of state.followUps) {
      if (followUp.status !== 'pending') continue;
      const key = `${state.id}:${followUp.id}`;
      try {
        if (followUp.kind === 'postStatusUpdate') {
          const number = Number(followUp.id.split('-').at(-1));
          const update = state.statusUpdates.find((u) => u.number === number);
          if (!update || state.launch.channel.status !== 'done' || !state.links.channelId) {
            followUp.status = 'skipped';
            continue;
          }
          await chat.postChannelNotice({
            key,
            channelId: state.links.channelId,
            message: `#### Status update ${number} from @${update.author}\n${update.message}`,
          });
        } else if (followUp.kind === 'commentTicket' || followUp.kind === 'transitionTicket') {
          if (!state.links.ticketKey) {
            followUp.status = 'skipped';
            continue;
          }
          if (followUp.kind === 'commentTicket') {
            await tickets.commentOnTicket({
              key,
              ticketKey: state.links.ticketKey,
              body: `Incident ${state.id} was resolved by @${state.commander}'s team.${state.summary ? `\n\n${state.summary}` : ''}`,
            });
            recordEvent(state, nowIso(), 'integration_succeeded', 'system', `Resolution noted on ${state.links.ticketKey}`, { step: followUp.kind });
          } else {
            const transition = state.playbook.jira.transitionOnResolve!;
            const { moved } = await tickets.transitionTicket({ key, ticketKey: state.links.ticketKey, transition });
            if (!moved) throw new Error(`${state.links.ticketKey} has no transition "${transition}"`);
            recordEvent(state, nowIso(), 'integration_succeeded', 'system', `${state.links.ticketKey} moved to ${transition}`, { step: followUp.kind });
          }
        } else {
          if (state.launch.alert.status !== 'done') {
            followUp.status = 'skipped';
            continue;
          }
          const { alreadyClosed } = await onCall.closeAlert({ key, alias: alertAlias(), note: `Incident ${state.id} resolved.` });
          recordEvent(state, nowIso(), 'integration_succeeded', 'system', alreadyClosed ? 'The page was already closed' : 'The page was closed', {
            step: followUp.kind,
          });
        }
        followUp.status = 'done';
      } catch (error) {
        const message = failureMessage(error);
        followUp.status = 'failed';
        followUp.error = message;
        recordEvent(state, nowIso(), 'integration_failed', 'system', `${FOLLOW_UP_TITLES[followUp.kind]} failed: ${message}`, {
          step: followUp.kind,
        });
        await tellChannel(
          `failed-${followUp.id}-${state.revision}`,
          `:warning: ${FOLLOW_UP_TITLES[followUp.kind]} failed: ${message}\nRetry with \`/incident retry ${followUp.kind}\`.`,
        );
      }
    }
    state.revision += 1;
  }
}

const STEP_TITLES: Record<LaunchStepName, string> = {
  channel: 'Creating the incident channel',
  oncall: 'Looking up who is on call',
  invite: 'Inviting people to the channel',
  ticket: 'Opening the Jira issue',
  meeting: 'Starting the Zoom meeting',
  alert: 'Paging the on-call engineer',
  checklistPost: 'Posting the checklist',
  channelHeader: 'Setting the channel header',
};

const FOLLOW_UP_TITLES: Record<FollowUpKind, string> = {
  commentTicket: 'Commenting on the Jira issue',
  transitionTicket: 'Transitioning the Jira issue',
  closeAlert: 'Closing the Opsgenie alert',
  postStatusUpdate: 'Posting the status update',
};
