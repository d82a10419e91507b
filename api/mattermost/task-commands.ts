/**
 * Running a task's slash command (`/jira create`, `/zoom start`...) in the incident channel, for whichever door asks:
 * the checklist's Run button in chat, or the web app (POST /api/v1/incidents/:id/tasks/:taskId/run-command). The bot
 * runs it with its own rights, so only triggers the operator allows (TASK_COMMANDS_ALLOWED) ever run; the incident
 * records who ran what and what Mattermost answered.
 */
import { Router } from 'express';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { IncidentView } from '../../domain/incident.js';
import { findTask } from '../../domain/task-reference.js';
import { callerOf } from '../auth/api-tokens.js';
import { HttpError } from '../http-error.js';
import type { IncidentService } from '../incident-service.js';
import type { CommandDoor } from '../metrics.js';
import { parseInput } from '../parse-input.js';
import type { FrontDoorChat } from '../ports/front-door-chat.js';
import { messageOf } from '../../domain/errors.js';

export interface TaskCommandRunner {
  incidents: IncidentService;
  chat: Pick<FrontDoorChat, 'executeCommand'>;
  /** Slash command triggers the bot may run for tasks (TASK_COMMANDS_ALLOWED), like "/jira". */
  taskCommandsAllowed: readonly string[];
  logger: Logger;
}

export type TaskCommandRun =
  | { outcome: 'ran' | 'failed'; command: string; result: string; revision: number }
  | { outcome: 'not-allowed'; command: string; trigger: string };

/** Runs the task's command as the bot in the channel, if its trigger is allowed, and records the run on the incident. */
export async function runTaskCommand(
  runner: TaskCommandRunner,
  run: { view: IncidentView; taskId: string; command: string; channelId: string; teamId: string; actor: string; updateId: string; door: CommandDoor },
): Promise<TaskCommandRun> {
  const trigger = run.command.split(/\s/, 1)[0]!.toLowerCase();
  if (!runner.taskCommandsAllowed.includes(trigger)) {
    runner.logger.warn({ incident: run.view.id, task: run.taskId, trigger, actor: run.actor }, 'refused a task command not on TASK_COMMANDS_ALLOWED');
    return { outcome: 'not-allowed', command: run.command, trigger };
  }
  const { outcome, result } = await runner.chat.executeCommand(run.channelId, run.teamId, run.command).then(
    (answer) => ({ outcome: 'ran' as const, result: answer.text ?? '' }),
    (error: unknown) => ({ outcome: 'failed' as const, result: messageOf(error) }),
  );
  const recorded = await runner.incidents.command(
    run.view.id,
    'recordTaskCommandRun',
    { taskId: run.taskId, command: run.command, outcome, result: result.slice(0, 2000), actor: run.actor },
    { updateId: run.updateId, door: run.door },
  );
  return { outcome, command: run.command, result, revision: recorded.revision };
}

/** The task's refusal in words, for a command the operator does not allow. */
export function notAllowedMessage(trigger: string): string {
  return `\`${trigger}\` is not a command this service runs for tasks; an operator can allow it with TASK_COMMANDS_ALLOWED. Run it yourself in the channel if you mean to.`;
}

const runCommandBody = z.object({ actor: z.string().optional() }).passthrough();

/**
 * POST /api/v1/incidents/:id/tasks/:taskId/run-command: the web app's Run button. The caller acts as themself (the
 * body's `actor` is set by actAsCaller); a person must be in the channel (personMayChangeIncident, mounted before).
 * Answers the view, like the command routes, with `Command-Outcome: ran` or `failed`.
 */
export function taskCommandRoutes(runner: TaskCommandRunner & { teamIdOf(team: string): Promise<string> }): Router {
  const router = Router();
  router.post('/incidents/:id/tasks/:taskId/run-command', async (req, res) => {
    const body = parseInput(runCommandBody, req.body ?? {}, 'run-command request');
    const view = await runner.incidents.view(String(req.params.id));
    const { task, number } = findTask(view as never, String(req.params.taskId));
    if (!task.command) throw new HttpError(400, 'invalid_input', `task ${number} has no slash command to run`);
    if (!view.links.channelId) throw new HttpError(409, 'conflict', 'the incident has no channel yet to run the command in');
    const actor = body.actor ?? callerOf(res)?.name ?? 'anonymous';
    const run = await runTaskCommand(runner, {
      view,
      taskId: task.id,
      command: task.command,
      channelId: view.links.channelId,
      teamId: await runner.teamIdOf(view.team),
      actor,
      updateId: `${req.id ?? 'rq'}.run-command`,
      door: 'rest',
    });
    if (run.outcome === 'not-allowed') throw new HttpError(403, 'forbidden', notAllowedMessage(run.trigger));
    // The incident's view, like every command route: its timeline says what the command answered (and the header, how it went).
    res.set('Command-Outcome', run.outcome).json((await runner.incidents.readView(view.id, { atLeastRevision: run.revision })).view);
  });
  return router;
}
