/**
 * Every change to an incident, defined once: its payload schema, the check that decides whether the current state allows
 * it, and the state transition. The workflow registers each of these twice (as an Update that answers the caller and as a
 * Signal of the same name for fire-and-forget callers); the API, the chat front door and scripts all send these names.
 * The definitions live in commands/, one module per subject; this module is the registry every caller uses.
 */
import type { z } from 'zod';
import { invalidInput } from './errors.js';
import type { IncidentState } from './incident.js';
import { USERNAME_PATTERN } from './people.js';
import { lastTimelineSeq } from './timeline.js';
import { alertAndRetryCommands } from './commands/alerts-and-retries.js';
import { communicationCommands } from './commands/communication.js';
import type { CommandDefinition } from './commands/definition.js';
import { lifecycleCommands } from './commands/lifecycle.js';
import { retrospectiveCommands } from './commands/retrospective.js';
import { taskCommands } from './commands/tasks.js';

/**
 * Listed one by one, in the order the commands were first written: COMMAND_NAMES follows this order and the workflow
 * registers its handlers in it, and where messages meet per-name handlers (signals that came with the start, in runs
 * from before the one signal handler) the SDK delivers them in registration order, so recorded histories replay only
 * with this order (test/unit/command-order.test.ts pins it).
 */
export const commands = {
  acknowledge: lifecycleCommands.acknowledge,
  completeTask: taskCommands.completeTask,
  reopenTask: taskCommands.reopenTask,
  skipTask: taskCommands.skipTask,
  assignTask: taskCommands.assignTask,
  addTask: taskCommands.addTask,
  changeCommander: lifecycleCommands.changeCommander,
  setSeverity: lifecycleCommands.setSeverity,
  addNote: communicationCommands.addNote,
  resolve: lifecycleCommands.resolve,
  reopen: lifecycleCommands.reopen,
  close: lifecycleCommands.close,
  recordTaskCommandRun: taskCommands.recordTaskCommandRun,
  postStatusUpdate: communicationCommands.postStatusUpdate,
  runTaskAction: taskCommands.runTaskAction,
  snoozeStatusReminder: communicationCommands.snoozeStatusReminder,
  editRetrospective: retrospectiveCommands.editRetrospective,
  publishRetrospective: retrospectiveCommands.publishRetrospective,
  declineRetrospective: retrospectiveCommands.declineRetrospective,
  exportPostmortem: retrospectiveCommands.exportPostmortem,
  recordAlerts: alertAndRetryCommands.recordAlerts,
  retryIntegration: alertAndRetryCommands.retryIntegration,
  recordAlertBatch: alertAndRetryCommands.recordAlertBatch,
};

export type Commands = typeof commands;
export type CommandName = keyof Commands;
export const COMMAND_NAMES = Object.keys(commands) as CommandName[];
/** What a caller sends (before defaults such as the actor are filled in). */
export type CommandInput<N extends CommandName> = z.input<Commands[N]['payload']>;
export type CommandPayload<N extends CommandName> = z.output<Commands[N]['payload']>;

export function isCommandName(name: string): name is CommandName {
  return Object.prototype.hasOwnProperty.call(commands, name);
}

/**
 * Parses the payload and checks the command against the state without changing it: what an Update's validator runs.
 * Throws IncidentCommandError.
 */
export function validateCommand<N extends CommandName>(state: IncidentState, name: N, input: unknown): CommandPayload<N> {
  const definition = commands[name] as unknown as CommandDefinition<z.ZodType<CommandPayload<N>>>;
  const parsed = definition.payload.safeParse(input ?? {});
  if (!parsed.success) throw invalidInput(`${name} payload`, parsed.error);
  definition.check(state, parsed.data);
  return parsed.data;
}

/** Validates, then applies. Throws IncidentCommandError and leaves the state untouched when the command is refused. */
export function executeCommand<N extends CommandName>(state: IncidentState, name: N, input: unknown, now: string): void {
  const payload = validateCommand(state, name, input);
  const definition = commands[name] as unknown as CommandDefinition<z.ZodType<CommandPayload<N>>>;
  const before = lastTimelineSeq(state);
  definition.apply(state, payload, now);
  // A command sent for someone by a token that may (the Mattermost bridge, automation): its events name the token too.
  const via = viaOf(input);
  if (via) for (const event of state.timeline) if (event.seq > before) event.data = { ...event.data, via };
}

/** `via`: the API token that sent a command for its actor (set by the API only, never by the caller). */
function viaOf(input: unknown): string | undefined {
  const via = (input as { via?: unknown } | null)?.via;
  return typeof via === 'string' && USERNAME_PATTERN.test(via) ? via : undefined;
}
