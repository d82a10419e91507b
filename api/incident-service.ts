/**
 * What every front door (REST, Mattermost slash commands and buttons, alerts) does to incidents, in one place: start one,
 * send it a command as an Update (or start it with one), read its view. Errors come out as HttpError.
 */
import { randomUUID } from 'node:crypto';
import { WithStartWorkflowOperation, type Client } from '@temporalio/client';
import { customAlphabet } from 'nanoid';
import type { CommandInput, CommandName } from '../domain/commands.js';
import { toCommandResult, type CommandResult } from '../domain/command-result.js';
import type { IncidentView, NewIncident } from '../domain/incident.js';
import { parseNewIncident, prepareIncidentStart } from '../domain/new-incident.js';
import type { Playbook } from '../domain/playbook/schema.js';
import { IncidentCommanderKey, IncidentPlaybookKey, IncidentSeverityKey, IncidentStatusKey, IncidentTeamKey } from '../temporal/search-attributes.js';
import type { IncidentWorkflowInput, IncidentWorkflowOptions } from '../workflows/incident.js';
import { commandUpdates, incidentViewQuery, incidentWorkflowId, INCIDENT_WORKFLOW_TYPE, membersChangedSignal } from '../workflows/messages.js';
import { formatRateLimit, TokenBuckets, type RateLimit } from './auth/rate-limit.js';
import { HttpError, toHttpError, withCause } from './http-error.js';
import { checkIncomingCommand } from '../domain/command-intake.js';
import type { CommandDoor, CommandOutcome } from './metrics.js';
import type { StoredIncidentViews } from './stored-incident-view.js';

/** The longest pause between tries of an Update that was not applied (they go on until the command's deadline). */
const MAX_UPDATE_RETRY_PAUSE_MS = 1_000;

/**
 * The server's answers when the workflow task that carried the Update failed or the run ended before accepting it
 * (FAILED_PRECONDITION "unexpected workflow task failure", "workflow update was aborted", or, when the run continued
 * as new in the very task that carried it, "rejected because it wasn't processed by worker"), or when the run has
 * taken as many Updates as Temporal lets one run take (FAILED_PRECONDITION "The limit on the total number of distinct
 * updates in this workflow has been reached", `history.maxTotalUpdates`, 2,000 by default; the incident continues as
 * new before that, and the next run takes it), or when the incident refused it because it is continuing as new
 * ("is starting its next run", workflows/message-handlers.ts): nothing was applied.
 */
const UPDATE_NOT_APPLIED = /unexpected workflow task failure|workflow update was aborted|wasn't processed by worker|total number of distinct updates|is starting its next run/i;

export function isUpdateNotApplied(error: unknown): boolean {
  const texts: string[] = [];
  for (let cause: unknown = error, depth = 0; cause instanceof Error && depth < 4; cause = (cause as { cause?: unknown }).cause, depth++) texts.push(cause.message);
  return texts.some((text) => UPDATE_NOT_APPLIED.test(text));
}

/** The letters of an incident ID the API makes (10 of them). */
export const INCIDENT_ID_ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyz';
export const newIncidentId = customAlphabet(INCIDENT_ID_ALPHABET, 10);

/** A new incident as the API takes it: the ID is optional (one is made) and the playbook is whole, not snapshotted yet. */
export type StartRequest = Omit<NewIncident, 'id' | 'number' | 'playbook'> & { id?: string; playbook: Playbook };

export interface StartedIncident {
  id: string;
  workflowId: string;
  runId: string;
  name: string;
  severity: string;
  commander: string;
  playbook: { id: string; version: number };
}

/** Where a view came from: the incident itself (its query), or the store's record of it. */
export interface ViewRead {
  view: IncidentView;
  source: 'incident' | 'store';
}

export interface ViewReadOptions {
  /** The store's record is an acceptable answer only from this revision on (a caller that just changed the incident). */
  atLeastRevision?: number;
  /**
   * How long to wait for the incident before the store's record answers (default VIEW_PATIENCE_MS). A person reading
   * in chat right after their own command waits longer: the record may not have that command yet.
   */
  patienceMs?: number;
  /** Gives the read up: its query to the incident is cancelled, not retried (the caller is stopping). */
  signal?: AbortSignal;
}

/** How long a read waits for the incident before the store's record answers instead (when there is a store). */
export const VIEW_PATIENCE_MS = 100;

export class IncidentService {
  /** Told of every command's outcome (the API's metrics). */
  onCommand?: (name: CommandName, door: CommandDoor, outcome: CommandOutcome) => void;

  constructor(
    private readonly client: Client,
    private readonly taskQueue: string,
    /**
     * How long a command may wait for the incident's answer before giving up with 504. Longer than Temporal's own
     * recoveries, which take up to 10 s (a workflow task lost on its way is given out again after its 10-s timeout), so
     * that a command caught in one is answered late rather than refused: with 10 s here, a close raced by commands
     * now and then answered one of them 504 at the very moment its Update went through.
     */
    private readonly commandTimeoutMs = 15_000,
    /** Gives each new incident its team's next number (the store); without it incidents have none. */
    private readonly numberIncident?: (team: string) => Promise<number>,
    /** Options every new incident's workflow gets (how often members are looked at; tests shorten durations). */
    private readonly workflowOptions?: IncidentWorkflowOptions,
    /** Commands per incident, all callers together (one incident is one workflow; see INCIDENT_COMMAND_RATE_LIMIT). */
    commandLimit?: RateLimit,
    /** The store's views: they answer a read the incident is slow to answer, or one for an incident Temporal forgot. */
    private readonly storedViews?: { read: StoredIncidentViews; patienceMs?: number },
  ) {
    this.commandBuckets = commandLimit ? new TokenBuckets(commandLimit) : undefined;
  }

  private readonly commandBuckets: TokenBuckets | undefined;

  /** Refuses (429, nothing sent) a command past the incident's rate. */
  private takeCommandSlot(id: string): void {
    const taken = this.commandBuckets?.take(id);
    if (!taken || taken.allowed) return;
    throw new HttpError(
      429,
      'rate_limited',
      `incident ${id} is taking more than ${formatRateLimit(this.commandBuckets!.limit)} commands; nothing was changed, try again in ${taken.retryAfterSeconds} s`,
      [],
      taken.retryAfterSeconds,
    );
  }

  /** A start from a person (REST, chat, the web app): its name one line, its people no special mention. */
  async start(request: StartRequest): Promise<StartedIncident> {
    checkIncomingCommand('start', { name: request.name, reporter: request.reporter, commander: request.commander });
    const prepared = await this.prepare(request);
    try {
      const handle = await this.client.workflow.start(INCIDENT_WORKFLOW_TYPE, {
        ...prepared.options,
        workflowIdReusePolicy: 'REJECT_DUPLICATE',
        workflowIdConflictPolicy: 'FAIL',
      });
      return { ...prepared.started, runId: handle.firstExecutionRunId };
    } catch (error) {
      throw toHttpError(error, prepared.started.id);
    }
  }

  /**
   * Sends a command to the incident, starting the incident with it when none runs under the request's ID
   * (update-with-start, one call): how an alert starts one, so that concurrent deliveries from several API processes
   * land on one incident. The answer is the command's result (`firstCommand` when this call started the incident);
   * the validator's refusals reach the caller as for any command. An ID used before by an incident that has ended is
   * never started again: 409, and the caller moves on to the next ID.
   */
  async commandWithStart<N extends CommandName>(
    request: StartRequest & { id: string },
    name: N,
    payload: CommandInput<N>,
    /** The Update's ID: the same ID sent again (a retried delivery) is applied once. */
    updateId: string = randomUUID(),
  ): Promise<{ result: CommandResult; incident: Omit<StartedIncident, 'runId'> }> {
    // Not counted against the incident's command rate: deliveries of one alert group already come one at a time.
    const prepared = await this.prepare(request);
    try {
      const answer = await this.untilApplied(Date.now() + this.commandTimeoutMs, () =>
        this.client.workflow.executeUpdateWithStart(commandUpdates[name], {
          args: [payload as never],
          updateId,
          // A fresh operation each try: one is used up by its call.
          startWorkflowOperation: new WithStartWorkflowOperation(INCIDENT_WORKFLOW_TYPE, {
            ...prepared.options,
            workflowIdConflictPolicy: 'USE_EXISTING',
            workflowIdReusePolicy: 'REJECT_DUPLICATE',
          }),
        }),
      );
      const result = toCommandResult(answer);
      this.onCommand?.(name, 'alert', result.duplicate ? 'duplicate' : 'applied');
      return { result, incident: prepared.started };
    } catch (error) {
      const httpError = toHttpError(error, request.id);
      this.onCommand?.(name, 'alert', httpError.status < 500 ? 'refused' : 'failed');
      throw httpError;
    }
  }

  /** Validates a start exactly as the workflow will, so a bad request never becomes a half-started incident. */
  private async prepare(request: StartRequest) {
    const id = request.id ?? newIncidentId();
    // Validated before a number is used up, so bad requests leave no gaps.
    parseNewIncident({ ...request, id });
    const number = this.numberIncident ? await this.numberIncident(request.team) : undefined;
    // The workflow receives the validated snapshot and trusts it: validation happens here, never in its replay.
    const start = prepareIncidentStart({ ...request, id, ...(number ? { number } : {}) });
    const severity = start.severity ?? start.playbook.defaultSeverity;
    const commander = start.commander ?? start.reporter;
    const input: IncidentWorkflowInput = { start, ...(this.workflowOptions ? { options: this.workflowOptions } : {}) };
    return {
      options: {
        workflowId: incidentWorkflowId(id),
        taskQueue: this.taskQueue,
        args: [input] as [IncidentWorkflowInput],
        // What Temporal's Web UI shows beside the workflow ID (the first run's; status lives in the search attributes).
        staticSummary: `${start.name} · ${severity} · ${start.playbook.title}`.slice(0, 200),
        staticDetails: [`**${start.name}**`, `Team ${start.team}, reported by @${start.reporter}, playbook ${start.playbook.id} v${start.playbook.version}.`, start.summary ?? '']
          .filter(Boolean)
          .join('\n\n')
          .slice(0, 2000),
        typedSearchAttributes: [
          { key: IncidentStatusKey, value: 'reported' },
          { key: IncidentSeverityKey, value: severity },
          { key: IncidentCommanderKey, value: commander },
          { key: IncidentPlaybookKey, value: start.playbook.id },
          { key: IncidentTeamKey, value: start.team },
        ],
      },
      started: {
        id,
        workflowId: incidentWorkflowId(id),
        name: start.name,
        severity,
        commander,
        playbook: { id: start.playbook.id, version: start.playbook.version },
      },
    };
  }

  async view(id: string, options: ViewReadOptions = {}): Promise<IncidentView> {
    return (await this.readView(id, options)).view;
  }

  /**
   * The incident's view: from the incident (its query) when it answers within the patience, else from the store's
   * record when that is recent enough. Temporal holds a query while the incident's workflow task runs, and under a
   * flood of commands that can be seconds; the record lags by the last changes at most, and says its revision.
   */
  async readView(id: string, options: ViewReadOptions = {}): Promise<ViewRead> {
    const abort = new AbortController();
    const giveUp = () => abort.abort();
    if (options.signal?.aborted) abort.abort();
    options.signal?.addEventListener('abort', giveUp, { once: true });
    try {
      return await this.readViewOrGiveUp(id, options, abort);
    } finally {
      // The caller's signal may be long-lived (shared by every read of a live page's poller).
      options.signal?.removeEventListener('abort', giveUp);
    }
  }

  private async readViewOrGiveUp(id: string, options: ViewReadOptions, abort: AbortController): Promise<ViewRead> {
    const fromIncident = this.queryView(id, abort.signal).then(
      (view) => ({ read: { view, source: 'incident' } as ViewRead }),
      (error: unknown) => ({ error }),
    );
    if (!this.storedViews) return unwrap(await fromIncident);
    let timer: NodeJS.Timeout | undefined;
    const patience = new Promise<undefined>((resolve) => {
      timer = setTimeout(() => resolve(undefined), options.patienceMs ?? this.storedViews!.patienceMs ?? VIEW_PATIENCE_MS);
    });
    const first = await Promise.race([fromIncident, patience]);
    clearTimeout(timer);
    if (first && 'read' in first) return first.read;
    // Slow, or refused (Temporal buffers one query while a workflow task runs and turns the next away), or not found
    // (Temporal keeps an ended incident for its retention only): the store may know it.
    const stored = await this.storedViews.read(id).catch(() => undefined);
    if (stored && stored.revision >= (options.atLeastRevision ?? 0)) {
      // A query left waiting would hold the incident's query buffer for nothing.
      abort.abort();
      return { view: stored, source: 'store' };
    }
    return unwrap(first ?? (await fromIncident));
  }

  private async queryView(id: string, signal?: AbortSignal): Promise<IncidentView> {
    const query = () =>
      this.client.withDeadline(Date.now() + this.commandTimeoutMs, () => this.client.workflow.getHandle(incidentWorkflowId(id)).query(incidentViewQuery));
    try {
      return await (signal ? this.client.withAbortSignal(signal, query) : query());
    } catch (error) {
      throw toHttpError(error, id);
    }
  }

  /**
   * Sends a command as an Update; the answer is small (what changed), the view is a `view()` away. An Update that meets
   * the incident while it continues as new (or while the workflow task it landed in fails) was not applied: it is sent
   * again, under the same Update ID, so it is applied once whatever happens.
   */
  async command<N extends CommandName>(
    id: string,
    name: N,
    payload: CommandInput<N>,
    /**
     * `unlimited`: not held to the per-incident command rate (alert deliveries, already one at a time per group).
     * `door`: where it came from, for the metrics (default rest).
     */
    options: { updateId?: string; timeoutMs?: number; unlimited?: boolean; door?: CommandDoor } = {},
  ): Promise<CommandResult> {
    const door = options.door ?? 'rest';
    try {
      if (!options.unlimited) this.takeCommandSlot(id);
    } catch (error) {
      this.onCommand?.(name, door, 'refused');
      throw error;
    }
    const deadline = Date.now() + (options.timeoutMs ?? this.commandTimeoutMs);
    const updateId = options.updateId ?? randomUUID();
    try {
      const answer = await this.untilApplied(deadline, () =>
        this.client.workflow.getHandle(incidentWorkflowId(id)).executeUpdate(commandUpdates[name], { args: [payload as never], updateId }),
      );
      const result = toCommandResult(answer);
      this.onCommand?.(name, door, result.duplicate ? 'duplicate' : 'applied');
      return result;
    } catch (error) {
      const httpError = toHttpError(error, id);
      this.onCommand?.(name, door, httpError.status < 500 ? 'refused' : 'failed');
      // Temporal answers an update to a finished workflow as "not found"; the caller should hear that it is closed.
      if (httpError.status === 404 && (await this.hasEnded(id))) {
        throw new HttpError(409, 'conflict', `incident ${id} is closed; nothing can change any more`);
      }
      // No answer in time: the incident's worker, or Temporal itself? The operator's next step differs.
      if (httpError.status === 504 && !(await this.temporalAnswers())) {
        throw withCause(
          new HttpError(
            503,
            'unavailable',
            `the Temporal service does not answer, so incident ${id} could not take the command; it is not known to be applied: send it again once Temporal is back (with the same Idempotency-Key it applies once)`,
            [],
            5,
          ),
          error,
        );
      }
      throw httpError;
    }
  }

  /**
   * Tells the incident that someone joined or left its channel, so it looks at its members now. False when there is
   * no running incident to tell (closed, or not there): the caller has nothing else to do about it.
   */
  async membersChanged(id: string): Promise<boolean> {
    try {
      await this.client.workflow.getHandle(incidentWorkflowId(id)).signal(membersChangedSignal);
      return true;
    } catch (error) {
      if (toHttpError(error, id).status === 404) return false;
      throw error;
    }
  }

  /**
   * Sends an Update (the same ID each time) until it is applied, refused, or the deadline passes: an Update that met a
   * continue-as-new or a failed workflow task was not applied, and goes again; one still not applied at the deadline
   * is a 503 (nothing changed), never a 500.
   */
  private async untilApplied<T>(deadline: number, send: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.client.withDeadline(deadline, send);
      } catch (error) {
        if (!isUpdateNotApplied(error)) throw error;
        // Not applied: a stalled workflow task (seconds, on a busy machine) or a continue-as-new. Nothing changed, so
        // the caller hears 503 and may send it again; until the deadline it goes again here.
        if (Date.now() + 50 * attempt >= deadline) throw notApplied(error);
        await new Promise((resolve) => setTimeout(resolve, Math.min(MAX_UPDATE_RETRY_PAUSE_MS, 50 * attempt)));
      }
    }
  }

  /** Whether the Temporal service answers at all (within 2 s), as /readyz asks it. */
  private async temporalAnswers(): Promise<boolean> {
    try {
      await this.client.withDeadline(Date.now() + 2_000, () => this.client.connection.workflowService.getSystemInfo({}));
      return true;
    } catch {
      return false;
    }
  }

  private async hasEnded(id: string): Promise<boolean> {
    try {
      const description = await this.client.workflow.getHandle(incidentWorkflowId(id)).describe();
      return description.status.name !== 'RUNNING';
    } catch {
      return false;
    }
  }
}

function notApplied(cause: unknown): HttpError {
  return withCause(
    new HttpError(503, 'unavailable', 'the incident could not take the command in time (its workflow task failed, or it was continuing as new); nothing was applied, send it again', [], 1),
    cause,
  );
}

function unwrap(answer: { read: ViewRead } | { error: unknown }): ViewRead {
  if ('read' in answer) return answer.read;
  throw answer.error;
}
