/**
 * The incident workflow: one durable execution per incident, from report to close. It holds the incident's state, applies
 * every command (as Update or Signal), keeps the search attributes current, runs the launch, and continues-as-new when
 * its history grows long. Deterministic code only: all I/O happens in activities.
 */
import {
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  allHandlersFinished,
  condition,
  continueAsNew,
  currentUpdateInfo,
  log,
  patched,
  proxyActivities,
  setDefaultSignalHandler,
  setHandler,
  sleep,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { SearchAttributeUpdatePair } from '@temporalio/common';
import type {
  ChatActivities,
  GroupActivities,
  MeetingActivities,
  OnCallActivities,
  PostmortemActivities,
  RecordActivities,
  TicketActivities,
  WebhookActivities,
} from '../activities/index.js';
import { incidentChannelDisplayName, slugify } from '../domain/channel-name.js';
import { channelNameFromTemplate, DEFAULT_CHANNEL_NAME_TEMPLATE } from '../domain/playbook.js';
import { checklistRevision, renderChannelHeader, renderChecklistPost } from '../domain/checklist-message.js';
import { COMMAND_NAMES, executeCommand, isCommandName, validateCommand, type CommandName } from '../domain/commands.js';
import { FAILURE_TYPE_BY_CODE, IncidentCommandError } from '../domain/errors.js';
import {
  commandResult,
  createIncidentState,
  incidentProjection,
  incidentView,
  lastTimelineSeq,
  recordEvent,
  rememberUpdateId,
  type IncidentState,
  type IncidentView,
  type FollowUp,
  type FollowUpKind,
  type LaunchStepName,
  type NewIncident,
} from '../domain/incident.js';
import { renderChannelPurpose, renderWelcomeMessage } from '../domain/incident-templates.js';
import { applyChannelMembers } from '../domain/membership.js';
import { checkIncidentStart, parseNewIncident, type IncidentStart } from '../domain/new-incident.js';
import { nextReminderAt, reminderMessage, scalePlaybookDurations, takeDueReminders } from '../domain/reminders.js';
import { webhookPayload } from '../domain/webhook-payload.js';
import {
  IncidentChannelKey,
  IncidentCommanderKey,
  IncidentPlaybookKey,
  IncidentSeverityKey,
  IncidentStatusKey,
  IncidentTeamKey,
} from '../temporal/search-attributes.js';
import { commandSignals, commandUpdates, incidentProjectionQuery, incidentViewQuery } from './messages.js';

export interface IncidentWorkflowOptions {
  /**
   * Continue-as-new once history holds this many events, on top of Temporal's own suggestion. A test hook to exercise
   * continue-as-new without thousands of events; production leaves it unset.
   */
  continueAsNewAfterEvents?: number;
  /**
   * A test hook: every playbook duration (reminders, due times) divided by this, so a "1m" reminder fires after a second
   * with 60. Production leaves it unset.
   */
  timeScale?: number;
  /** How often the channel's member list is looked at (joins, leaves, welcome messages); one minute by default. */
  membershipCheckIntervalMs?: number;
}

export interface IncidentWorkflowInput {
  /**
   * The start snapshot, validated by the client (prepareIncidentStart); the workflow checks its shape only, so changes
   * to validation rules never change how an incident replays.
   */
  start?: IncidentStart;
  /**
   * How incidents were started before the snapshot: the raw start request, validated by the workflow itself. Only
   * runs started that way still read it (see docs/architecture.md on retiring it); new starts never send it.
   */
  incident?: unknown;
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
const chat = proxyActivities<ChatActivities & GroupActivities>({ startToCloseTimeout: '30 seconds', heartbeatTimeout: '5 seconds', retry: retry(10) });
const tickets = proxyActivities<TicketActivities>({ startToCloseTimeout: '30 seconds', heartbeatTimeout: '5 seconds', retry: retry(6) });
const meetings = proxyActivities<MeetingActivities>({ startToCloseTimeout: '30 seconds', heartbeatTimeout: '5 seconds', retry: retry(6) });
// On-call lookups matter in the first minutes only: after three tries the team is told and can retry by command.
const onCall = proxyActivities<OnCallActivities>({ startToCloseTimeout: '30 seconds', heartbeatTimeout: '5 seconds', retry: retry(3) });
// Webhook receivers belong to other teams and may be down for a while: back off up to five minutes, for about half an
// hour in all, then record the failure (retry by command).
const webhooks = proxyActivities<WebhookActivities>({
  startToCloseTimeout: '30 seconds',
  heartbeatTimeout: '10 seconds',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '5 minutes', maximumAttempts: 10 },
});
// An export pages through the whole conversation (20,000 posts take a while); it heartbeats on every page.
const postmortem = proxyActivities<PostmortemActivities>({ startToCloseTimeout: '30 minutes', heartbeatTimeout: '30 seconds', retry: retry(3) });

// The store may be briefly away (a restart, a failover): keep trying for a few minutes, then leave it to the next change.
const records = proxyActivities<RecordActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 8 },
});
// (Not a local activity, though its input would then stay out of the history: a local activity's result can reach the
// workflow in the same activation as Updates that came later, and the replay then orders them differently. Seen under a
// flood of commands as a nondeterminism error. The activity reads what it needs through a query instead.)

/** Members are looked at this often while the incident is open, ten times less often once it is resolved. */
const DEFAULT_MEMBERSHIP_CHECK_MS = 60_000;
/** Finished follow-ups kept in the state (the timeline has them all); pending and failed ones are always kept. */
const FINISHED_FOLLOW_UPS_KEPT = 30;

const nowIso = (): string => new Date().toISOString();

/** How long the checklist post waits for a burst of changes to end before it is redrawn once. */
const CHECKLIST_REFRESH_DELAY = '1 second';
/**
 * Before continuing as new, follow-ups under way get this long to finish; any still running are carried over as pending
 * and run again in the next run (their idempotency keys make that safe), so a webhook retrying for half an hour never
 * holds up continue-as-new while commands keep growing the history.
 */
const FOLLOW_UP_DRAIN_BEFORE_CONTINUE = '20 seconds';

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
      start = input.start !== undefined ? checkIncidentStart(input.start) : parseNewIncident(input.incident);
    } catch (error) {
      throw toFailure(error);
    }
    if (input.options?.timeScale) start = { ...start, playbook: scalePlaybookDurations(start.playbook, input.options.timeScale) };
    state = createIncidentState(start, nowIso());
  }

  // Reminders, membership, sidebar, webhooks and the rest of the lifecycle came after the first incidents ran: those
  // replay exactly as they ran, without any of it.
  const lifecycle = patched('incident-lifecycle-v2');
  // History as a budget: Updates answer with a small result, the projection reads the state through a query, the
  // timeline goes to the store, continue-as-new comes first in the loop and carries the state only. Runs from before
  // replay as they ran.
  const budget = patched('incident-history-budget-v3');
  // From the first event on, keep what the store has not taken yet (the first projection says whether there is one).
  if (budget && !input.carried) state.projectedTimelineSeq ??= 0;
  if (!lifecycle) state.launch.sidebar = { status: 'skipped' };
  // A state carried from an older run may lack the newer launch step.
  state.launch.sidebar ??= { status: 'skipped' };
  const membershipInterval = input.options?.membershipCheckIntervalMs ?? DEFAULT_MEMBERSHIP_CHECK_MS;
  /** Follow-ups started and not finished (their IDs), and the lane each kind's next one queues behind. */
  const inFlight = new Set<string>();
  const lanes = new Map<string, Promise<void>>();
  let nextMembershipCheck = Date.now() + membershipInterval;
  let wakeTimer: { at: number; scope: CancellationScope; fired: boolean } | undefined;
  /** Whether this run handled a command yet: the first one of a new incident came with its start. */
  let commandHandled = false;

  // Handlers first: signals and updates that arrived with the start are delivered as soon as they exist.
  setHandler(incidentViewQuery, () => incidentView(state));
  setHandler(incidentProjectionQuery, ({ afterSeq, limit }) => incidentProjection(state, afterSeq, limit));
  for (const name of COMMAND_NAMES) registerCommand(name);
  if (budget) registerCommandSignals();

  syncSearchAttributes();

  // The main loop: run whatever outside work is pending (launch steps, resolution follow-ups, retries asked for by
  // command), one batch at a time; end when closed and nothing is left; continue-as-new when history grows long.
  // Between batches it sleeps until the next reminder or membership look is due (timers are durable: a reminder fires
  // on time even if every worker was down when it fell due, as soon as one is back).
  if (budget) {
    // Returns once the incident is closed; continuing as new leaves it by throwing, as Temporal's continueAsNew does.
    await mainLoop();
  } else {
    // Runs started before the history budget replay the loop as it was.
    for (;;) {
      const ready = () =>
        hasPendingLaunch() ||
        hasPendingFollowUps() ||
        checklistPostIsStale() ||
        needsProjection() ||
        (state.status === 'closed' && allHandlersFinished() && !followUpsInFlight()) ||
        (shouldContinueAsNew() && !followUpsInFlight());
      const wakeAt = nextWakeAt();
      if (wakeAt === undefined) await condition(ready);
      else if (wakeAt > Date.now()) await condition(ready, wakeAt - Date.now());
      if (hasPendingLaunch()) {
        await launch();
        continue;
      }
      if (hasPendingFollowUps()) {
        if (lifecycle) startFollowUps();
        else await runFollowUps();
        continue;
      }
      if (lifecycle && (await sendDueReminders())) continue;
      if (membersTracked() && Date.now() >= nextMembershipCheck) {
        await checkMembers();
        continue;
      }
      if (checklistPostIsStale() || needsProjection()) {
        // One redraw and one record write for a burst of changes: wait a moment for the burst to end.
        await sleep(CHECKLIST_REFRESH_DELAY);
        await Promise.all([checklistPostIsStale() ? refreshChecklistPost() : undefined, needsProjection() ? projectRecord() : undefined]);
        continue;
      }
      // Closing or continuing as new waits for the follow-ups under way (the archive, a last webhook) to finish.
      if (state.status === 'closed' && !followUpsInFlight()) break;
      if (!shouldContinueAsNew() || followUpsInFlight()) continue;
      await condition(allHandlersFinished);
      return await continueAsNew<typeof incident>({ incident: input.incident, options: input.options ?? {}, carried: state });
    }
  }
  await condition(allHandlersFinished);
  return incidentView(state);

  /**
   * The main loop: run whatever outside work is pending (launch steps, follow-ups, reminders, membership looks, the
   * record, the checklist post), one batch at a time; end when closed and nothing is left. Continue-as-new is looked at
   * before anything else on every turn, so a steady stream of commands never keeps it from happening; what is left to
   * do is in the state, and the next run does it.
   */
  async function mainLoop(): Promise<void> {
    // The record write and the checklist redraw run beside the loop (one of each at a time), so that neither a slow
    // store nor a slow chat can hold up continue-as-new, reminders or follow-ups.
    let projecting: Promise<void> | undefined;
    let redrawing: Promise<void> | undefined;
    const busy = () => followUpsInFlight() || projecting !== undefined || redrawing !== undefined;
    for (;;) {
      const ready = () =>
        hasPendingLaunch() ||
        hasPendingFollowUps() ||
        (!redrawing && checklistPostIsStale()) ||
        (!projecting && needsProjection()) ||
        (state.status === 'closed' && allHandlersFinished() && !busy()) ||
        shouldContinueAsNew();
      armWakeTimer(nextWakeAt());
      if (!wakeTimerDue()) await condition(() => ready() || wakeTimerDue());
      if (hasPendingLaunch()) {
        await launch();
        continue;
      }
      if (state.status !== 'closed' && shouldContinueAsNew()) {
        // What is under way gets a moment to finish; what does not is in the state, and the next run does it again.
        if (busy()) await condition(() => !busy(), FOLLOW_UP_DRAIN_BEFORE_CONTINUE);
        await condition(allHandlersFinished);
        // The state only: the start snapshot is in it, and so is every pending redraw, record write and follow-up.
        return await continueAsNew<typeof incident>({ options: input.options ?? {}, carried: state });
      }
      if (hasPendingFollowUps()) {
        startFollowUps();
        continue;
      }
      if (await sendDueReminders()) continue;
      if (membersTracked() && Date.now() >= nextMembershipCheck) {
        await checkMembers();
        continue;
      }
      // The record at once: the activity is scheduled in the same workflow task as the change, and every change that
      // comes while it runs is stored by the next one.
      if (!projecting && needsProjection()) {
        projecting = projectRecord().finally(() => {
          projecting = undefined;
        });
        continue;
      }
      if (!redrawing && checklistPostIsStale()) {
        // One redraw for a burst of changes: wait a moment for the burst to end.
        redrawing = sleep(CHECKLIST_REFRESH_DELAY)
          .then(() => (checklistPostIsStale() ? refreshChecklistPost() : undefined))
          .finally(() => {
            redrawing = undefined;
          });
        continue;
      }
      if (state.status === 'closed' && !busy() && !needsProjection() && !checklistPostIsStale()) return;
    }
  }

  /**
   * One durable timer for the next reminder or membership look, kept while that time stays the same: starting and
   * cancelling a timer on every turn of the loop would add two history events to every command.
   */
  function armWakeTimer(at: number | undefined): void {
    if (wakeTimer?.at === at) return;
    if (wakeTimer && !wakeTimer.fired) wakeTimer.scope.cancel();
    wakeTimer = undefined;
    if (at === undefined || at <= Date.now()) return;
    const scope = new CancellationScope();
    const timer = { at, scope, fired: false };
    wakeTimer = timer;
    scope.run(() => sleep(at - Date.now())).then(
      () => {
        timer.fired = true;
      },
      () => undefined,
    );
  }

  function wakeTimerDue(): boolean {
    const at = nextWakeAt();
    return at !== undefined && (at <= Date.now() || (wakeTimer?.at === at && wakeTimer.fired));
  }

  /** The earliest reminder or membership look, in epoch milliseconds; undefined when nothing is scheduled. */
  function nextWakeAt(): number | undefined {
    if (!lifecycle) return undefined;
    const times = [nextReminderAt(state), membersTracked() ? nextMembershipCheck : undefined].filter((t): t is number => t !== undefined);
    return times.length ? Math.min(...times) : undefined;
  }

  /** Posts the reminders that fell due (one post for all of them). True when any were due. */
  async function sendDueReminders(): Promise<boolean> {
    const reminders = takeDueReminders(state, nowIso());
    if (reminders.length === 0) return false;
    // The timeline position of the last reminder makes a key no other post of this incident has.
    await tellChannel(`reminder-${state.timelineDropped + state.timeline.length}`, reminderMessage(reminders));
    return true;
  }

  function membersTracked(): boolean {
    return lifecycle && state.status !== 'closed' && state.launch.channel.status === 'done' && state.links.channelId !== undefined;
  }

  /** Looks at who is in the channel: joins and leaves go to the timeline, newcomers get the welcome and the sidebar. */
  async function checkMembers(): Promise<void> {
    nextMembershipCheck = Date.now() + membershipInterval * (state.status === 'resolved' ? 10 : 1);
    try {
      const members = await chat.channelMembers({ key: `${state.id}:members`, channelId: state.links.channelId! });
      const { joined, left } = applyChannelMembers(state, members, nowIso());
      if (joined.length || left.length) syncSearchAttributes();
    } catch (error) {
      // The next look tries again; nothing is lost but a little time.
      log.warn('could not look at the channel members', { error: failureMessage(error) });
    }
  }

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

  function needsProjection(): boolean {
    if (!lifecycle) return false;
    if (state.projectedRevision !== state.revision) return true;
    // Events the store does not have yet (a projection that read only the first batch of a flood).
    const stored = state.projectedTimelineSeq;
    return budget && stored !== undefined && lastTimelineSeq(state) > stored && state.timeline.some((event) => event.seq > stored);
  }

  /** Writes the incident's record to the store (the final one, too, before a closed incident's workflow ends). */
  async function projectRecord(): Promise<void> {
    const revision = state.revision;
    try {
      if (budget) {
        // The activity reads the record and the new timeline events through a query: none of it enters the history.
        const afterSeq = state.projectedTimelineSeq ?? 0;
        const { stored, timelineSeq } = await records.storeIncidentRecord({ afterSeq });
        if (stored && timelineSeq !== undefined) state.projectedTimelineSeq = Math.max(afterSeq, timelineSeq);
        // No store behind this worker: the state is the only timeline there is, and keeps its usual limits.
        else if (!stored) delete state.projectedTimelineSeq;
      } else {
        await records.projectIncident({ view: incidentView(state) });
      }
    } catch (error) {
      // The next change writes a newer record anyway; the timeline and the query are current meanwhile.
      log.warn('could not write the incident record', { error: failureMessage(error) });
    }
    state.projectedRevision = revision;
  }

  /** Re-renders the pinned checklist post with the latest state (the caller waited for the burst of changes to end). */
  async function refreshChecklistPost(): Promise<void> {
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
    return state.followUps.some((followUp) => followUp.status === 'pending' && !inFlight.has(followUp.id));
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
        const updateId = budget ? currentUpdateInfo()?.id : undefined;
        // A retry of an Update that an earlier run applied (Temporal only remembers IDs within a run).
        if (updateId !== undefined && state.recentUpdateIds?.includes(updateId)) return commandResult(state, lastTimelineSeq(state), true);
        const before = lastTimelineSeq(state);
        try {
          executeCommand(state, name, payload, nowIso());
        } catch (error) {
          throw toFailure(error);
        }
        if (updateId !== undefined) rememberUpdateId(state, updateId);
        afterChange();
        // Sent with the start (update-with-start): handled in the run's first workflow task, before any other command.
        const first = !commandHandled && !input.carried && workflowInfo().historyLength <= 3;
        commandHandled = true;
        // The answer goes into the history: the small result, never the whole view (a query gives that).
        return budget ? commandResult(state, before, false, first) : incidentView(state);
      },
      {
        // Runs before the update is accepted: a refused command leaves no trace in history.
        validator: (payload: unknown) => {
          // An applied Update retried after continue-as-new is accepted and answered without being applied again.
          if (budget && state.recentUpdateIds?.includes(currentUpdateInfo()?.id ?? '')) return;
          try {
            validateCommand(state, name, payload);
          } catch (error) {
            throw toFailure(error);
          }
        },
      },
    );
    if (!budget) setHandler(commandSignals[name], (payload: unknown) => applySignal(name, payload));
  }

  /**
   * Signals that came with the start wait for their handler; with one handler per name, Temporal's SDK hands them over
   * in the order the handlers are registered, not the order they were sent. One handler for all keeps their order.
   */
  function registerCommandSignals(): void {
    setDefaultSignalHandler((name: string, ...args: unknown[]) => {
      if (isCommandName(name)) return applySignal(name, args[0]);
      const actor = actorOf(args[0]);
      const shown = name.slice(0, 64);
      recordEvent(state, nowIso(), 'command_rejected', actor, `signal ${shown} rejected: no such command`, { command: shown, reason: 'no such command' });
    });
  }

  function applySignal(name: CommandName, payload: unknown): void {
    commandHandled = true;
    try {
      executeCommand(state, name, payload, nowIso());
      afterChange();
    } catch (error) {
      // A signal has nobody to answer, so a refused one is written to the timeline instead of failing anything.
      const reason = error instanceof Error ? error.message : String(error);
      recordEvent(state, nowIso(), 'command_rejected', actorOf(payload), `signal ${name} rejected: ${reason}`, { command: name, reason });
    }
  }

  function actorOf(payload: unknown): string {
    const actor = (payload as { actor?: unknown } | null)?.actor;
    return typeof actor === 'string' ? actor.slice(0, 64) : 'unknown';
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
        purpose: renderChannelPurpose(state),
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
          const groupNote = fromGroups.missing.length ? `; no such group: ${fromGroups.missing.join(', ')}` : '';
          stepSucceeded('invite', `Invited ${added.map((u) => `@${u}`).join(', ') || 'nobody'}${note}${groupNote}`, {
            added,
            missing,
            ...(groups.length ? { groups, missingGroups: fromGroups.missing } : {}),
          });
        });
        if (!lifecycle) return;
        await placeChannelInSidebars();
        // Who is in the channel right after the invitations is the baseline later joins are told apart from.
        if (state.members === undefined && state.launch.channel.status === 'done' && state.links.channelId) await checkMembers();
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
        });
        state.links.ticketKey = ticket.ticketKey;
        state.links.ticketUrl = ticket.url;
        stepSucceeded('ticket', `Ticket ${ticket.ticketKey} ${ticket.reused ? 'found' : 'opened'}`, { ticketKey: ticket.ticketKey });
        redrawHeaderLater();
      }),
      step('meeting', async () => {
        const meeting = await meetings.startMeeting({
          key: key('meeting'),
          topic: `Incident: ${state.name}`.slice(0, 200),
          agenda: `Incident ${state.id}: ${state.summary || state.name}`.slice(0, 1500),
          ...(state.playbook.zoom.host ? { host: state.playbook.zoom.host } : {}),
        });
        state.links.meetingUrl = meeting.joinUrl;
        stepSucceeded('meeting', `Meeting ${meeting.reused ? 'found' : 'started'}: ${meeting.joinUrl}`);
        redrawHeaderLater();
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

  /** A ticket or bridge that came after the header was drawn (a task's action) needs the header drawn again. */
  function redrawHeaderLater(): void {
    if (lifecycle && state.launch.channelHeader.status === 'done') state.launch.channelHeader = { status: 'pending' };
  }

  /** The sidebar launch step: skipped with a timeline note (not failed) when the bot may not edit others' sidebars. */
  async function placeChannelInSidebars(): Promise<void> {
    const category = state.playbook.channel.sidebarCategory;
    if (typeof category !== 'string') return;
    await step('sidebar', async () => {
      try {
        const { placed, missing } = await chat.placeInSidebar({
          key: `${state.id}:sidebar`,
          team: state.team,
          channelId: state.links.channelId!,
          usernames: state.participants,
          category,
        });
        const note = missing.length ? `; not in chat: ${missing.map((u) => `@${u}`).join(', ')}` : '';
        stepSucceeded('sidebar', `Channel put in the "${category}" sidebar category of ${placed.length} people${note}`, { placed, missing });
      } catch (error) {
        if (!isForbidden(error)) throw error;
        skipSidebar(error);
      }
    });
  }

  function isForbidden(error: unknown): boolean {
    const cause = error instanceof ActivityFailure ? error.cause : error;
    return cause instanceof ApplicationFailure && cause.type === 'ChatForbidden';
  }

  function skipSidebar(error: unknown): void {
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
  /** Resolution and lifecycle work, one batch at a time and in order: how incidents from before the lifecycle ran. */
  async function runFollowUps(): Promise<void> {
    for (const followUp of state.followUps) {
      if (followUp.status !== 'pending') continue;
      await runFollowUp(followUp);
    }
    pruneFollowUps();
    state.revision += 1;
  }

  /**
   * Starts pending follow-ups without waiting for them: one lane per kind (per receiver for webhooks), so updates reach a
   * place in order, while a webhook retrying for half an hour or a long export never holds up status updates,
   * reminders, the checklist post or the record.
   */
  function startFollowUps(): void {
    for (const followUp of state.followUps) {
      if (followUp.status !== 'pending' || inFlight.has(followUp.id)) continue;
      inFlight.add(followUp.id);
      const lane = followUp.kind === 'deliverWebhook' ? `${followUp.kind}:${followUp.target ?? ''}` : followUp.kind;
      const run = (lanes.get(lane) ?? Promise.resolve()).then(async () => {
        await runFollowUp(followUp);
        inFlight.delete(followUp.id);
        pruneFollowUps();
        state.revision += 1;
      });
      lanes.set(lane, run);
    }
  }

  function followUpsInFlight(): boolean {
    return inFlight.size > 0;
  }

  /** One follow-up: done, skipped (nothing to do) or failed (recorded in the timeline and the channel), never thrown. */
  async function runFollowUp(followUp: FollowUp): Promise<void> {
    const key = `${state.id}:${followUp.id}`;
    try {
      if (await runLifecycleFollowUp(followUp, key)) {
        // done above
      } else if (followUp.kind === 'postStatusUpdate') {
        const number = followUp.update ?? Number(followUp.id.split('-').at(-1));
        const update = state.statusUpdates.find((u) => u.number === number);
        if (!update || state.launch.channel.status !== 'done' || !state.links.channelId) {
          followUp.status = 'skipped';
          return;
        }
        await chat.postChannelNotice({
          key,
          channelId: state.links.channelId,
          message: `#### Status update ${number} from @${update.author}\n${update.message}`,
        });
      } else if (followUp.kind === 'commentTicket' || followUp.kind === 'transitionTicket') {
        if (!state.links.ticketKey) {
          followUp.status = 'skipped';
          return;
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
          return;
        }
        const { alreadyClosed } = await onCall.closeAlert({ key, alias: alertAlias(), note: `Incident ${state.id} resolved.` });
        recordEvent(state, nowIso(), 'integration_succeeded', 'system', alreadyClosed ? 'The page was already closed' : 'The page was closed', {
          step: followUp.kind,
        });
      }
      if (followUp.status === 'pending') followUp.status = 'done';
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

  /** Keeps the state small for incidents that run for weeks: finished follow-ups beyond the newest few are dropped. */
  function pruneFollowUps(): void {
    const finished = state.followUps.filter((f) => f.status === 'done' || f.status === 'skipped');
    if (finished.length <= FINISHED_FOLLOW_UPS_KEPT) return;
    const drop = new Set(finished.slice(0, finished.length - FINISHED_FOLLOW_UPS_KEPT));
    state.followUps = state.followUps.filter((f) => !drop.has(f));
  }

  /**
   * The follow-ups the lifecycle added (broadcasts, webhooks, retrospective, export, archive, welcome, sidebar). Returns
   * false for the older kinds, which runFollowUps handles itself. Sets `skipped` when there is nothing to do.
   */
  async function runLifecycleFollowUp(followUp: FollowUp, key: string): Promise<boolean> {
    const channelId = state.launch.channel.status === 'done' ? state.links.channelId : undefined;
    const skip = (): true => {
      followUp.status = 'skipped';
      return true;
    };
    switch (followUp.kind) {
      case 'broadcastStatusUpdate': {
        const update = state.statusUpdates.find((u) => u.number === followUp.update);
        if (!update || !followUp.target) return skip();
        const where = state.links.channelUrl ? `[${state.name}](${state.links.channelUrl})` : state.name;
        await chat.broadcastToChannel({
          key,
          team: state.team,
          channelName: followUp.target,
          message: `#### :loudspeaker: Status update ${update.number} on incident ${where} (${state.severity}, ${state.status})\n${update.message}\n_Posted by @${update.author}; commander @${state.commander}._`,
        });
        recordEvent(state, nowIso(), 'integration_succeeded', 'system', `Status update ${update.number} copied to ~${followUp.target}`, { step: followUp.kind });
        return true;
      }
      case 'deliverWebhook': {
        const webhook = state.playbook.statusUpdates?.webhooks.find((w) => w.url === followUp.target);
        if (!webhook || !followUp.event) return skip();
        const update = followUp.update === undefined ? undefined : state.statusUpdates.find((u) => u.number === followUp.update);
        const { status } = await webhooks.deliverWebhook({
          key,
          url: webhook.url,
          ...(webhook.secretEnv ? { secretEnv: webhook.secretEnv } : {}),
          event: followUp.event,
          payload: webhookPayload(followUp.event, incidentView(state), update),
        });
        recordEvent(state, nowIso(), 'integration_succeeded', 'system', `Webhook ${hostOf(webhook.url)} told of ${followUp.event} (HTTP ${status})`, {
          step: followUp.kind,
          event: followUp.event,
        });
        return true;
      }
      case 'publishRetrospective': {
        const retro = state.retrospective;
        if (!retro || !channelId) return skip();
        await chat.postChannelNotice({ key, channelId, message: `### :memo: Retrospective, published by @${retro.publishedBy ?? state.commander}\n\n${retro.text}` });
        return true;
      }
      case 'exportPostmortem': {
        if (!channelId) return skip();
        const result = await postmortem.exportPostmortem({
          key,
          // The activity reads the incident (and the stored timeline) itself rather than through the history.
          ...(budget ? { incidentId: state.id } : { incident: incidentView(state) }),
          formats: followUp.formats ?? ['markdown', 'json', 'csv'],
          requestedBy: followUp.requestedBy ?? 'system',
        });
        recordEvent(
          state,
          nowIso(),
          'integration_succeeded',
          'system',
          `Post-mortem export posted: ${result.posts} posts in ${result.files.map((f) => f.name).join(', ')}`,
          { step: followUp.kind, postId: result.postId },
        );
        return true;
      }
      case 'archiveChannel': {
        if (!channelId) return skip();
        await chat.archiveChannel({ key, channelId });
        recordEvent(state, nowIso(), 'integration_succeeded', 'system', `Channel ~${state.links.channelName ?? channelId} archived, as the playbook says`, { step: followUp.kind });
        return true;
      }
      case 'welcomeMember': {
        const message = renderWelcomeMessage(state);
        if (!message || !followUp.target) return skip();
        await chat.sendDirectMessage({ key, username: followUp.target, message });
        return true;
      }
      case 'placeInSidebar': {
        const category = state.playbook.channel.sidebarCategory;
        if (typeof category !== 'string' || !channelId || !followUp.target || state.launch.sidebar?.status !== 'done') return skip();
        try {
          await chat.placeInSidebar({ key, team: state.team, channelId, usernames: [followUp.target], category });
        } catch (error) {
          if (!isForbidden(error)) throw error;
          skipSidebar(error);
          return skip();
        }
        return true;
      }
      default:
        return false;
    }
  }
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

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

const FOLLOW_UP_TITLES: Record<FollowUpKind, string> = {
  commentTicket: 'Commenting on the Jira issue',
  transitionTicket: 'Transitioning the Jira issue',
  closeAlert: 'Closing the Opsgenie alert',
  postStatusUpdate: 'Posting the status update',
  broadcastStatusUpdate: 'Copying the status update to a broadcast channel',
  deliverWebhook: 'Telling a webhook',
  publishRetrospective: 'Posting the retrospective',
  exportPostmortem: 'Exporting the post-mortem',
  archiveChannel: 'Archiving the channel',
  welcomeMember: 'Sending the welcome message',
  placeInSidebar: 'Putting the channel in a newcomer\'s sidebar',
};
