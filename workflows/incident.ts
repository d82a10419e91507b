/**
 * The incident workflow: one durable execution per incident, from report to close. This module is its main loop; the
 * parts it drives live beside it: the launch (launch.ts), follow-ups (follow-ups.ts), reminders and member looks
 * (clocks.ts), the store's record (incident-record.ts), the pinned checklist (checklist-post.ts) and the message
 * handlers (message-handlers.ts), all sharing one IncidentRun (incident-run.ts). Deterministic code only: all I/O
 * happens in activities.
 */
import { allHandlersFinished, condition, continueAsNew, patched, setHandler, sleep, workflowInfo } from '@temporalio/workflow';
import { createIncidentState, type IncidentState, type IncidentView, type NewIncident } from '../domain/incident.js';
import { incidentView } from '../domain/incident-view.js';
import { checkIncidentStart, parseLegacyNewIncident, type IncidentStart } from '../domain/new-incident.js';
import { scalePlaybookDurations } from '../domain/reminders.js';
import { channelHeaderIsStale, refreshChannelHeader } from './channel-header.js';
import { CHECKLIST_REFRESH_DELAY, checklistPostIsStale, refreshChecklistPost } from './checklist-post.js';
import { IncidentClocks } from './clocks.js';
import { FollowUpLanes } from './follow-ups.js';
import { keepRecordSent, needsProjection, projectRecord } from './incident-record.js';
import { nowIso, syncSearchAttributes, toFailure, type IncidentRun, type IncidentWorkflowOptions } from './incident-run.js';
import { hasPendingLaunch, launch } from './launch.js';
import { registerMessageHandlers } from './message-handlers.js';
import { membersChangedSignal } from './messages.js';

export type { IncidentWorkflowOptions } from './incident-run.js';

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

/**
 * Before continuing as new, work under way (follow-ups, the record write, a redraw) gets this long to finish; what is
 * still running is carried over as pending and done again in the next run (idempotency keys make that safe), so a
 * webhook retrying for half an hour never holds up continue-as-new while commands keep growing the history.
 */
const DRAIN_BEFORE_CONTINUE = '20 seconds';
/**
 * Updates one run takes before it continues as new (from incident-v12): half of Temporal's default limit per run
 * (`history.maxTotalUpdates`, 2,000), so the drain before continuing never meets that limit under a flood of commands.
 */
export const UPDATES_PER_RUN = 1_000;

export async function incident(input: IncidentWorkflowInput): Promise<IncidentView> {
  let state: IncidentState;
  if (input.carried) {
    state = input.carried;
  } else {
    let start: NewIncident;
    try {
      start = input.start !== undefined ? checkIncidentStart(input.start) : parseLegacyNewIncident(input.incident);
    } catch (error) {
      throw toFailure(error);
    }
    if (input.options?.timeScale) start = { ...start, playbook: scalePlaybookDurations(start.playbook, input.options.timeScale) };
    state = createIncidentState(start, nowIso());
  }

  // A run started by this code takes every change below with one marker, the newest patch's (it used to write one
  // marker and one TemporalChangeVersion search-attribute upsert per patch: sixteen history events in each run's first
  // workflow task). Runs from before call the older patches one by one as they did, and the newer ones answer false.
  // v14's own change: the store hears of each change from the worker at once, through a sink (nothing in the
  // history), and the record activity, with its query and two workflow tasks, runs only to store the timeline: every
  // RECORD_CONFIRM_EVERY_EVENTS events and before the workflow ends. After every change it was two thirds of the
  // worker's CPU per command (incident-record.ts).
  // v15's own change: a first launch whose checklist does not show who is on call posts it in the channel's own
  // activity, not in a second one scheduled by the workflow task that saw the channel made (launch.ts).
  // v16's own change: the Jira issue is opened beside the channel (it links the channel by its name), not after it: the
  // issue is on the way to a fully launched incident, and since v15 the channel's activity also posts the checklist.
  // v17's own change: the invitations' activity also puts the channel in the people's sidebar category, once they are
  // in it: one activity and one workflow task less per launch (launch-step.ts, placeChannelInSidebars).
  // v18's own change: the playbook's user groups are looked up by the invitations' activity, just before it adds
  // their members (their own activity ran beside the channel): one activity less per launch that names groups.
  // v19's own change: a first launch whose checklist shows the on-call asks who is on call in the channel's activity,
  // which posts the checklist drawn with them: no onCallPeople and no postChecklist activity (launch.ts).
  // v20's own change: the launch's header activity also posts the bridge's link (both wait for the meeting), not an
  // activity of its own after the meeting: one activity and one workflow task less per launch with a meeting.
  // v21's own change: the header is drawn once more when the incident closes (it showed "resolved", or "reported" after
  // a quick ack, resolve and close), unless the playbook archives the channel at the close.
  const headerAtClose = patched('incident-v21');
  const bridgeWithHeader = headerAtClose || patched('incident-v20');
  const checklistWithOnCall = bridgeWithHeader || patched('incident-v19');
  const groupsWithInvite = checklistWithOnCall || patched('incident-v18');
  const sidebarWithInvite = groupsWithInvite || patched('incident-v17');
  const ticketBesideChannel = sidebarWithInvite || patched('incident-v16');
  const checklistWithChannel = ticketBesideChannel || patched('incident-v15');
  const recordBySink = checklistWithChannel || patched('incident-v14');
  // v13's own change: the invitations bring who is in the channel (the launch's first look at the members): one
  // activity and a workflow task less per launch.
  const membersWithInvite = recordBySink || patched('incident-v13');
  // v12's own change: the run continues as new after UPDATES_PER_RUN Updates of its own counting, well before
  // Temporal's limit on the Updates one run may take, and its drain before continuing waits for no redraw's burst
  // (see shouldContinueAsNew and the main loop).
  const updateBound = membersWithInvite || patched('incident-v12');
  // v11's own changes, both on the way to the channel ready: who is on call comes as chat users from one activity
  // (lookup and usernames were two in a row, on the path of the invitations and of a checklist that shows the
  // on-call), and a first launch's checklist post carries what it draws instead of reading it through a query.
  const current = updateBound || patched('incident-v11');
  // Reminders, membership, sidebar, webhooks and the rest of the lifecycle came after the first incidents ran: those
  // replay exactly as they ran, without any of it.
  const lifecycle = current || patched('incident-lifecycle-v2');
  // History as a budget: Updates answer with a small result, the projection reads the state through a query, the
  // timeline goes to the store, continue-as-new comes first in the loop and carries the state only. Runs from before
  // replay as they ran.
  const budget = current || patched('incident-history-budget-v3');
  // The channel header is set again whenever what it shows changes (it used to follow only new ticket and meeting
  // links). Runs from before replay as they ran.
  const headerFollows = current || (budget && patched('incident-header-follows-v4'));
  // A follow-up that fails the same way again (a broadcast channel that does not exist, at every status update) is
  // told to the channel once, not every time. Runs from before replay as they ran.
  const quietRepeats = current || (headerFollows && patched('incident-quiet-repeats-v5'));
  // Continue-as-new does not wait for a record write in flight: under a flood its projection query is turned away
  // and retried for seconds, and every second of waiting grew the run by hundreds of commands (a longer replay for
  // the next worker that picks it up). The next run writes the record again. Runs from before replay as they ran.
  const promptContinue = current || (quietRepeats && patched('incident-prompt-continue-v6'));
  // The launch starts each step as soon as what it needs is there: the header once the links it shows are in (not
  // after the on-call lookup, the invitations and the sidebar), who is on call and the page and meeting while the
  // channel is made. That orders the launch's activities differently; runs from before replay as they ran.
  const parallelLaunch = current || (promptContinue && patched('incident-parallel-launch-v8'));
  // Closing takes the channel out of the members' sidebar categories (archiving did already): a new follow-up at the
  // close, which runs from before do not have.
  const sidebarLeaves = current || (parallelLaunch && patched('incident-sidebar-leaves-v9'));
  // A lean launch: the checklist is posted once who is on call is known when it shows them (it was posted before and
  // redrawn a second later), and the checklist activities read what they draw through a query instead of carrying it
  // as input. That schedules the post later and the redraw no more; runs from before replay as they ran.
  const lean = current || (sidebarLeaves && patched('incident-launch-lean-v10'));
  // From the first event on, keep what the store has not taken yet (the first projection says whether there is one).
  if (budget && !input.carried) state.projectedTimelineSeq ??= 0;
  if (!lifecycle) state.launch.sidebar = { status: 'skipped' };
  // A state carried from an older run may lack the newer launch step.
  state.launch.sidebar ??= { status: 'skipped' };

  const run: IncidentRun = {
    state,
    lifecycle,
    budget,
    headerFollows,
    quietRepeats,
    promptContinue,
    parallelLaunch,
    sidebarLeaves,
    lean,
    fastReady: current,
    updateBound,
    membersWithInvite,
    recordBySink,
    checklistWithChannel,
    ticketBesideChannel,
    sidebarWithInvite,
    groupsWithInvite,
    checklistWithOnCall,
    bridgeWithHeader,
    headerAtClose,
    updatesHandled: 0,
    continuing: false,
    options: input.options ?? {},
    carried: input.carried !== undefined,
  };
  const clocks = new IncidentClocks(run);
  const followUps = new FollowUpLanes(run);
  const lookAtMembers = Object.assign(() => clocks.checkMembers(), { seen: () => clocks.membersSeen() });

  // Handlers first: signals and updates that arrived with the start are delivered as soon as they exist.
  registerMessageHandlers(run);
  setHandler(membersChangedSignal, () => clocks.lookAtMembersSoon());
  syncSearchAttributes(state);
  if (recordBySink) keepRecordSent(run);

  if (budget) await mainLoop();
  else {
    const continued = await legacyMainLoop();
    if (continued) return continued;
  }
  await condition(allHandlersFinished);
  return incidentView(state);

  function shouldContinueAsNew(): boolean {
    const info = workflowInfo();
    const limit = run.options.continueAsNewAfterEvents;
    if (info.continueAsNewSuggested || (limit !== undefined && info.historyLength >= limit)) return true;
    // Temporal refuses Updates past `history.maxTotalUpdates` per run (2,000 by default) and suggests continuing at 90 %
    // of it; the drain before continuing (a redraw in flight, handlers finishing) takes seconds on a busy machine, and
    // a flood brings hundreds of Updates a second. Continuing at our own count leaves the rest of the limit for that.
    return run.updateBound && run.updatesHandled >= (run.options.continueAsNewAfterUpdates ?? UPDATES_PER_RUN);
  }

  /**
   * The main loop: run whatever outside work is pending (launch steps, follow-ups, reminders, membership looks, the
   * record, the checklist post), one batch at a time; return when closed and nothing is left. Continue-as-new is looked
   * at before anything else on every turn, so a steady stream of commands never keeps it from happening; what is left
   * to do is in the state, and the next run does it. (continueAsNew leaves by throwing.)
   */
  async function mainLoop(): Promise<void> {
    // The record write and the checklist redraw run beside the loop (one of each at a time), so that neither a slow
    // store nor a slow chat can hold up continue-as-new, reminders or follow-ups.
    let projecting: Promise<void> | undefined;
    let redrawing: Promise<void> | undefined;
    let headerDrawing: Promise<void> | undefined;
    const busy = () => followUps.hasInFlight() || projecting !== undefined || redrawing !== undefined || headerDrawing !== undefined;
    // Redraws of the checklist and header whose activity runs (not those still waiting out a burst).
    let drawingNow = 0;
    const drawing = <T>(work: Promise<T>): Promise<T> => {
      drawingNow++;
      return work.finally(() => drawingNow--);
    };
    const headerStale = () => run.headerFollows && !headerDrawing && channelHeaderIsStale(state, run.headerAtClose);
    // From incident-v14 the store hears of every change at once from the worker (keepRecordSent; nothing in the
    // history), and the record activity below stores the timeline now and then. A change still turns the loop, as
    // the record write it brought before did: a command may have moved the next reminder, and the turn arms its timer.
    let turnRevision: number | undefined;
    const changed = () => run.recordBySink && turnRevision !== state.revision;
    for (;;) {
      const ready = () =>
        changed() ||
        hasPendingLaunch(state) ||
        followUps.hasPending() ||
        (!redrawing && checklistPostIsStale(state)) ||
        headerStale() ||
        (!projecting && needsProjection(run)) ||
        (state.status === 'closed' && allHandlersFinished() && !busy()) ||
        shouldContinueAsNew();
      clocks.armWakeTimer();
      // A look at the members asked for by a signal moves the wake time: one turn of the loop arms the timer anew.
      if (!clocks.wakeTimerDue()) await condition(() => ready() || clocks.wakeTimerDue() || clocks.lookAsked);
      turnRevision = state.revision;
      if (hasPendingLaunch(state)) {
        await launch(run, lookAtMembers);
        continue;
      }
      if (state.status !== 'closed' && shouldContinueAsNew()) {
        // What is under way gets a moment to finish; what does not is in the state, and the next run does it again.
        // From v12 a redraw still waiting out its burst, and a follow-up queued behind another in its lane, are left
        // to the next run (the state says the post is stale, the follow-up pending): under a flood those waits let
        // hundreds more Updates into a run that was due to continue.
        // (Validators refuse Updates and no follow-up starts from now on: see message-handlers.ts and follow-ups.ts.)
        if (run.updateBound) run.continuing = true;
        const holdsUp = run.updateBound
          ? () => followUps.hasRunning() || drawingNow > 0
          : run.promptContinue
            ? () => followUps.hasInFlight() || redrawing !== undefined || headerDrawing !== undefined
            : busy;
        if (holdsUp()) await condition(() => !holdsUp(), DRAIN_BEFORE_CONTINUE);
        await condition(allHandlersFinished);
        // The state only: the start snapshot is in it, and so is every pending redraw, record write and follow-up.
        return await continueAsNew<typeof incident>({ options: run.options, carried: state });
      }
      if (followUps.hasPending()) {
        followUps.start();
        continue;
      }
      if (await clocks.sendDueReminders()) continue;
      if (clocks.membershipCheckDue()) {
        await clocks.checkMembers();
        continue;
      }
      // The record at once (before v14; from v14 the confirmation when due): the activity is scheduled in the same
      // workflow task as the change, and every change that comes while it runs is stored by the next one.
      if (!projecting && needsProjection(run)) {
        projecting = projectRecord(run).finally(() => {
          projecting = undefined;
        });
        continue;
      }
      if (!redrawing && checklistPostIsStale(state)) {
        // One redraw for a burst of changes: wait a moment for the burst to end.
        redrawing = sleep(CHECKLIST_REFRESH_DELAY)
          .then(() => (checklistPostIsStale(state) ? drawing(refreshChecklistPost(run)) : undefined))
          .finally(() => {
            redrawing = undefined;
          });
        continue;
      }
      if (headerStale()) {
        // Like the checklist: one header for a burst of changes.
        headerDrawing = sleep(CHECKLIST_REFRESH_DELAY)
          .then(() => (channelHeaderIsStale(state, run.headerAtClose) ? drawing(refreshChannelHeader(state)) : undefined))
          .finally(() => {
            headerDrawing = undefined;
          });
        continue;
      }
      if (state.status === 'closed' && !busy() && !needsProjection(run) && !checklistPostIsStale(state)) return;
    }
  }

  /**
   * The loop as runs from before the history budget ran it (they replay it): a redraw and record write after a pause,
   * waited for; continue-as-new only with nothing under way, carrying the raw start request too.
   */
  async function legacyMainLoop(): Promise<IncidentView | undefined> {
    for (;;) {
      const ready = () =>
        hasPendingLaunch(state) ||
        followUps.hasPending() ||
        checklistPostIsStale(state) ||
        needsProjection(run) ||
        (state.status === 'closed' && allHandlersFinished() && !followUps.hasInFlight()) ||
        (shouldContinueAsNew() && !followUps.hasInFlight());
      const wakeAt = clocks.nextWakeAt();
      if (wakeAt === undefined) await condition(ready);
      else if (wakeAt > Date.now()) await condition(ready, wakeAt - Date.now());
      if (hasPendingLaunch(state)) {
        await launch(run, lookAtMembers);
        continue;
      }
      if (followUps.hasPending()) {
        if (lifecycle) followUps.start();
        else await followUps.runAllInOrder();
        continue;
      }
      if (lifecycle && (await clocks.sendDueReminders())) continue;
      if (clocks.membershipCheckDue()) {
        await clocks.checkMembers();
        continue;
      }
      if (checklistPostIsStale(state) || needsProjection(run)) {
        await sleep(CHECKLIST_REFRESH_DELAY);
        await Promise.all([checklistPostIsStale(state) ? refreshChecklistPost(run) : undefined, needsProjection(run) ? projectRecord(run) : undefined]);
        continue;
      }
      // Closing or continuing as new waits for the follow-ups under way (the archive, a last webhook) to finish.
      if (state.status === 'closed' && !followUps.hasInFlight()) return undefined;
      if (!shouldContinueAsNew() || followUps.hasInFlight()) continue;
      await condition(allHandlersFinished);
      return await continueAsNew<typeof incident>({ incident: input.incident, options: input.options ?? {}, carried: state });
    }
  }
}
