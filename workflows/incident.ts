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
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { SearchAttributeUpdatePair } from '@temporalio/common';
import type { IncidentActivities } from '../activities/index.js';
import { incidentChannelDisplayName, incidentChannelName } from '../domain/channel-name.js';
import { renderChannelHeader, renderChecklistMessage } from '../domain/checklist-message.js';
import { COMMAND_NAMES, executeCommand, validateCommand, type CommandName } from '../domain/commands.js';
import { FAILURE_TYPE_BY_CODE, IncidentCommandError } from '../domain/errors.js';
import {
  createIncidentState,
  incidentView,
  recordEvent,
  type IncidentState,
  type IncidentView,
  type LaunchStepName,
  type NewIncident,
} from '../domain/incident.js';
import { parseNewIncident } from '../domain/new-incident.js';
import {
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

// Each integration has its own retry policy: chat is what people see first, so it retries longest; the rest give up
// sooner and record the failure in the timeline rather than hold up the incident.
const chat = proxyActivities<IncidentActivities>({
  startToCloseTimeout: '30 seconds',
  heartbeatTimeout: '5 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds', maximumAttempts: 10 },
});
const thirdParty = proxyActivities<IncidentActivities>({
  startToCloseTimeout: '30 seconds',
  heartbeatTimeout: '5 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds', maximumAttempts: 6 },
});

const nowIso = (): string => new Date().toISOString();

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
  const launching = launch().catch((error: unknown) => {
    // launch() records its own step failures; anything reaching here is a bug, kept out of the workflow's fate.
    log.error('launch failed unexpectedly', { error: error instanceof Error ? error.message : String(error) });
  });
  let launched = false;
  void launching.then(() => (launched = true));

  await condition(() => state.status === 'closed' || (launched && shouldContinueAsNew()));
  await condition(allHandlersFinished);
  if (state.status === 'closed') return incidentView(state);
  return await continueAsNew<typeof incident>({ incident: input.incident, options: input.options ?? {}, carried: state });

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
    ];
    const current = workflowInfo().typedSearchAttributes;
    const changed = wanted.filter((pair) => current.get(pair.key) !== pair.value);
    if (changed.length > 0) upsertSearchAttributes(changed);
  }

  function stepSucceeded(step: LaunchStepName, text: string, data?: Record<string, unknown>): void {
    state.launch[step] = { status: 'done' };
    recordEvent(state, nowIso(), 'integration_succeeded', 'system', text, { step, ...data });
  }

  function stepFailed(step: LaunchStepName, error: unknown): void {
    const cause = error instanceof ActivityFailure && error.cause ? error.cause : error;
    const message = cause instanceof Error ? cause.message : String(cause);
    state.launch[step] = { status: 'failed', error: message };
    recordEvent(state, nowIso(), 'integration_failed', 'system', `${step} failed: ${message}`, { step });
  }

  /** Runs one launch step unless an earlier run already finished it; a failure is recorded, never thrown. */
  async function step(name: LaunchStepName, work: () => Promise<void>): Promise<boolean> {
    if (state.launch[name].status === 'done') return true;
    try {
      await work();
      return true;
    } catch (error) {
      stepFailed(name, error);
      return false;
    }
  }

  async function launch(): Promise<void> {
    const key = (step: LaunchStepName): string => `${state.id}:${step}`;
    const channelOpen = await step('channel', async () => {
      const channel = await chat.openIncidentChannel({
        key: key('channel'),
        team: state.team,
        name: incidentChannelName(state.id, state.name),
        displayName: incidentChannelDisplayName(state.name),
        purpose: `Incident ${state.id}: ${state.summary || state.name}`.slice(0, 250),
        private: state.playbook.channel.private,
      });
      state.links.channelId = channel.channelId;
      state.links.channelName = channel.channelName;
      stepSucceeded('channel', `Channel ~${channel.channelName} ${channel.reused ? 'found' : 'created'}`, { reused: channel.reused });
    });
    // Steps that need the channel fail (and say why) when it could not be made; the others still run.
    const requireChannel = (): string => {
      if (!channelOpen || !state.links.channelId) throw new Error('skipped: the incident channel could not be created');
      return state.links.channelId;
    };

    await Promise.all([
      (async () => {
        await step('oncall', async () => {
          const { users } = await thirdParty.lookUpOnCall({ key: key('oncall') });
          state.links.onCall = users;
          for (const user of users) if (!state.participants.includes(user)) state.participants.push(user);
          stepSucceeded('oncall', users.length ? `On call: ${users.map((u) => `@${u}`).join(', ')}` : 'Nobody is on call', { users });
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
        const ticket = await thirdParty.openTicket({
          key: key('ticket'),
          summary: `[${state.severity}] ${state.name}`,
          description: `${state.summary || state.name}\n\nIncident ${state.id}, reported by ${state.reporter}.`,
        });
        state.links.ticketKey = ticket.ticketKey;
        state.links.ticketUrl = ticket.url;
        stepSucceeded('ticket', `Ticket ${ticket.ticketKey} ${ticket.reused ? 'found' : 'opened'}`, { ticketKey: ticket.ticketKey });
      }),
      step('meeting', async () => {
        const meeting = await thirdParty.startMeeting({ key: key('meeting'), topic: `Incident: ${state.name}`.slice(0, 200) });
        state.links.meetingUrl = meeting.joinUrl;
        stepSucceeded('meeting', `Meeting ${meeting.reused ? 'found' : 'started'}: ${meeting.joinUrl}`);
      }),
      step('checklistPost', async () => {
        const post = await chat.postChecklist({
          key: key('checklistPost'),
          channelId: requireChannel(),
          message: renderChecklistMessage(state),
        });
        state.links.checklistPostId = post.postId;
        stepSucceeded('checklistPost', 'Checklist posted and pinned', { postId: post.postId });
      }),
    ]);

    await step('channelHeader', async () => {
      await chat.setChannelHeader({ key: key('channelHeader'), channelId: requireChannel(), header: renderChannelHeader(state) });
      stepSucceeded('channelHeader', 'Channel header set');
    });
    state.revision += 1;
  }
}
