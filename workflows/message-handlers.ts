/**
 * The incident's message handlers: the view and projection queries, and every command of domain/commands.ts twice, as
 * an Update (validated before it is accepted, so a refusal leaves no trace in history; answers with a small
 * CommandResult) and as a Signal (applied, or written to the timeline as `command_rejected`).
 */
import { ApplicationFailure, currentUpdateInfo, log, setDefaultSignalHandler, setHandler, workflowInfo } from '@temporalio/workflow';
import { COMMAND_NAMES, executeCommand, isCommandName, validateCommand, type CommandName } from '../domain/commands.js';
import { commandResult } from '../domain/command-result.js';
import { incidentProjection, incidentView } from '../domain/incident-view.js';
import { lastTimelineSeq, recordEvent } from '../domain/timeline.js';
import { rememberUpdateId, updateIdSeen } from '../domain/update-ids.js';
import { nowIso, syncSearchAttributes, toFailure, type IncidentRun } from './incident-run.js';
import { checkIncomingCommand } from '../domain/command-intake.js';
import { followUpsOfClose } from './follow-ups.js';
import { renderChecklistPost } from '../formats/checklist-message.js';
import { checklistPostQuery, commandSignals, commandUpdates, incidentProjectionQuery, incidentViewQuery } from './messages.js';
import { messageOf } from '../domain/errors.js';

/** How an Update refused while the run continues as new says so (the API sends such an Update again). */
export const CONTINUING_FAILURE_TYPE = 'IncidentContinuing';

export function registerMessageHandlers(run: IncidentRun): void {
  const { state, budget } = run;
  /** Whether this run handled a command yet: the first one of a new incident may have come with its start. */
  let commandHandled = false;

  setHandler(incidentViewQuery, () => incidentView(state));
  setHandler(incidentProjectionQuery, ({ afterSeq, limit }) => incidentProjection(state, afterSeq, limit));
  // Every run answers it (a query is no command, so old runs replay alike); only runs under incident-launch-lean-v10
  // schedule the activities that ask it.
  setHandler(checklistPostQuery, () => renderChecklistPost(state));
  for (const name of COMMAND_NAMES) registerCommand(name);
  if (budget) registerCommandSignals();

  function registerCommand(name: CommandName): void {
    setHandler(
      commandUpdates[name],
      (payload: unknown) => {
        run.updatesHandled++;
        const updateId = budget ? currentUpdateInfo()?.id : undefined;
        // A retry of an Update that an earlier run applied (Temporal only remembers IDs within a run).
        if (updateIdSeen(state, updateId)) return commandResult(state, lastTimelineSeq(state), true);
        const before = lastTimelineSeq(state);
        try {
          executeCommand(state, name, payload, nowIso());
        } catch (error) {
          throw toFailure(error);
        }
        if (name === 'close') followUpsOfClose(run);
        if (updateId !== undefined) rememberUpdateId(state, updateId);
        syncSearchAttributes(state);
        // The Update ID carries the API request's ID: this line (not written on replay) leads back to the request.
        log.info('command applied', { command: name, updateId, revision: state.revision });
        // Sent with the start (update-with-start): handled in the run's first workflow task, before any other command.
        const first = !commandHandled && !run.carried && workflowInfo().historyLength <= 3;
        commandHandled = true;
        // The answer goes into the history: the small result, never the whole view (a query gives that).
        return budget ? commandResult(state, before, false, first) : incidentView(state);
      },
      {
        validator: (payload: unknown) => {
          // The run is about to continue as new (incident-v12): it takes no more Updates. Under a flood the workflow
          // task that continues is sent back while signals keep arriving, and each new try let in the Updates that came
          // meanwhile (hundreds, toward Temporal's limit per run). Refused here, nothing is written; the API sends it
          // again (UPDATE_NOT_APPLIED in api/incident-service.ts) and the next run takes it.
          if (run.continuing) {
            throw ApplicationFailure.create({ type: CONTINUING_FAILURE_TYPE, message: `incident ${state.id} is starting its next run; send the command again`, nonRetryable: true });
          }
          // An applied Update retried after continue-as-new is accepted and answered without being applied again.
          if (budget && updateIdSeen(state, currentUpdateInfo()?.id)) return;
          try {
            // Links and names are checked here, where commands come in, and not in the replayed command schema.
            checkIncomingCommand(name, payload);
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
      const shown = name.slice(0, 64);
      recordEvent(state, nowIso(), 'command_rejected', actorOf(args[0]), `signal ${shown} rejected: no such command`, { command: shown, reason: 'no such command' });
    });
  }

  function applySignal(name: CommandName, payload: unknown): void {
    commandHandled = true;
    try {
      executeCommand(state, name, payload, nowIso());
      if (name === 'close') followUpsOfClose(run);
      syncSearchAttributes(state);
      log.info('command applied', { command: name, via: 'signal', revision: state.revision });
    } catch (error) {
      // A signal has nobody to answer, so a refused one is written to the timeline instead of failing anything.
      const reason = messageOf(error);
      recordEvent(state, nowIso(), 'command_rejected', actorOf(payload), `signal ${name} rejected: ${reason}`, { command: name, reason });
    }
  }
}

function actorOf(payload: unknown): string {
  const actor = (payload as { actor?: unknown } | null)?.actor;
  return typeof actor === 'string' ? actor.slice(0, 64) : 'unknown';
}
