/**
 * Clicks on the checklist post's buttons and menus. Mattermost POSTs the click with no credentials of its own; what
 * makes it trustworthy is the context we signed when drawing the post: which incident, which action, for which revision
 * of the checklist. A forged context is refused; a click on an outdated post (a replay, or a post not yet redrawn) is
 * refused with a word of why; the same signed click twice applies once (its nonce is the Update ID).
 */
import { Router } from 'express';
import type { Logger } from 'pino';
import { z } from 'zod';
import { checklistRevision, type ChecklistIntent } from '../../formats/checklist-message.js';
import { IncidentCommandError } from '../../domain/errors.js';
import { findTask } from '../../domain/task-reference.js';
import { notAllowedMessage, runTaskCommand as runTaskSlashCommand } from './task-commands.js';
import type { FrontDoorChat } from '../ports/front-door-chat.js';
import type { ActionClaims } from '../../formats/checklist-attachments.js';
import { SignatureError, verifyPayload } from '../../security/signing.js';
import { markAuthenticationFailed } from '../auth/failed-authentication.js';
import { HttpError } from '../http-error.js';
import type { IncidentService } from '../incident-service.js';
import type { ChatActor, ChatIdentities } from './chat-identity.js';
import { changesReply } from './replies.js';

export interface ActionRoutesOptions {
  incidents: IncidentService;
  chat: Pick<FrontDoorChat, 'isChannelMember' | 'executeCommand'>;
  secret: string;
  /** Who clicked: asked of Mattermost for the click's user ID. */
  people: ChatIdentities;
  /** Slash command triggers a task's Run button may have the bot execute (TASK_COMMANDS_ALLOWED), like "/jira". */
  taskCommandsAllowed: readonly string[];
  logger: Logger;
  /** Opens the status update dialog for the clicker (when dialogs are configured). */
  openStatusDialog?: (triggerId: string, incidentId: string, user: ChatActor) => Promise<void>;
  /** Opens the "assign to…" dialog (a user picker) for one task. */
  openAssignDialog?: (triggerId: string, incidentId: string, taskId: string, taskLabel: string, user: ChatActor) => Promise<void>;
}

const clickSchema = z.object({
  user_id: z.string().min(1),
  /** Sent by Mattermost, and never believed: who clicked is asked of Mattermost for user_id. */
  user_name: z.string().default(''),
  channel_id: z.string().min(1),
  team_id: z.string().default(''),
  post_id: z.string().default(''),
  trigger_id: z.string().optional(),
  context: z.object({ sig: z.string(), selected_option: z.string().optional() }).passthrough(),
});

// Mattermost Markdown, not Slack markup (see CommandReply in replies.ts).
const reply = (text: string) => ({ ephemeral_text: text, skip_slack_parsing: true });

export function actionRoutes(options: ActionRoutesOptions): Router {
  const router = Router();
  router.post('/mattermost/actions', async (req, res) => {
    const parsed = clickSchema.safeParse(req.body);
    if (!parsed.success) throw new HttpError(400, 'invalid_input', 'not a Mattermost action request');
    const click = parsed.data;
    let claims: ActionClaims;
    let nonce: string;
    try {
      const envelope = verifyPayload<ActionClaims>(options.secret, click.context.sig);
      claims = envelope.p;
      nonce = envelope.n;
    } catch (error) {
      if (error instanceof SignatureError) {
        options.logger.warn({ reason: error.message, userId: click.user_id }, 'refused a checklist click');
        markAuthenticationFailed(res);
        res.status(403).json(reply(`This button was refused: ${error.message}.`));
        return;
      }
      throw error;
    }
    try {
      const answer = await act(click, claims, nonce);
      // What the clicker was told: the one trace of a refused click (Mattermost shows it to them alone).
      options.logger.info({ incident: claims.i, intent: claims.a, userId: click.user_id, answer: answer.slice(0, 200) }, 'checklist click');
      res.json(reply(answer));
    } catch (error) {
      if (error instanceof HttpError || error instanceof IncidentCommandError) {
        res.json(reply(`:no_entry_sign: ${error.message}`));
        return;
      }
      throw error;
    }
  });

  async function act(click: z.output<typeof clickSchema>, claims: ActionClaims, nonce: string): Promise<string> {
    const me = await options.people.who(click.user_id);
    if (!me) return 'Mattermost does not know who clicked; nothing was changed.';
    const actor = me.username;
    const view = await options.incidents.view(claims.i);
    if (!view.links.channelId || view.links.channelId !== click.channel_id) return 'This button belongs to another channel’s incident.';
    if (!me.admin && !(await options.chat.isChannelMember(view.links.channelId, me.id))) {
      return 'Only members of the incident channel (or incident admins) can change the incident.';
    }
    if (checklistRevision(view) !== claims.r) {
      return 'The checklist changed since this post was drawn (it is being redrawn now); try again in a moment.';
    }
    const selected = click.context.selected_option;
    const updateId = `click-${nonce}-${selected ?? ''}`;
    const intent = claims.a as ChecklistIntent;
    const needTask = (): string => {
      if (!selected) throw new HttpError(400, 'invalid_input', 'choose a task from the menu');
      return selected;
    };
    const done = changesReply;
    switch (intent) {
      case 'complete':
        return done(await options.incidents.command(claims.i, 'completeTask', { taskId: needTask(), actor }, { updateId, door: 'chat' }));
      case 'reopen':
        return done(await options.incidents.command(claims.i, 'reopenTask', { taskId: needTask(), actor }, { updateId, door: 'chat' }));
      case 'take':
        return done(await options.incidents.command(claims.i, 'assignTask', { taskId: needTask(), assignee: actor, actor }, { updateId, door: 'chat' }));
      case 'assign': {
        const taskId = needTask();
        if (options.openAssignDialog && click.trigger_id) {
          const { task, number } = findTask(view as never, taskId);
          await options.openAssignDialog(click.trigger_id, claims.i, task.id, `${number} ${task.title}`, me);
          return 'Opening the assignment dialog…';
        }
        return 'Assign with `/incident assign <task> @user`.';
      }
      case 'resolve':
        return done(await options.incidents.command(claims.i, 'resolve', { actor }, { updateId, door: 'chat' }));
      case 'statusUpdate':
        if (options.openStatusDialog && click.trigger_id) {
          await options.openStatusDialog(click.trigger_id, claims.i, me);
          return 'Opening the status update dialog…';
        }
        return 'Post the update with `/incident update <message>`.';
      case 'run':
        return runTaskCommand(view, needTask(), click, me, updateId);
      default:
        return `Unknown action "${String(intent)}".`;
    }
  }

  /** Has the bot run the task's slash command in the incident channel, and records who ran what and the result. */
  async function runTaskCommand(
    view: Awaited<ReturnType<IncidentService['view']>>,
    taskId: string,
    click: z.output<typeof clickSchema>,
    me: ChatActor,
    updateId: string,
  ): Promise<string> {
    const actor = me.username;
    const { task } = findTask(view as never, taskId);
    if (task.action?.type === 'post-status-update') {
      if (options.openStatusDialog && click.trigger_id) {
        await options.openStatusDialog(click.trigger_id, view.id, me);
        return 'Opening the status update dialog…';
      }
      return 'Post the update with `/incident update <message>`.';
    }
    if (task.action) {
      const after = await options.incidents.command(view.id, 'runTaskAction', { taskId: task.id, actor }, { updateId, door: 'chat' });
      return `:arrow_forward: ${after.changed.at(-1)?.text ?? 'Started.'} The result will show in the channel.`;
    }
    if (!task.command) return `Task ${taskId} has no command to run.`;
    const run = await runTaskSlashCommand(options, { view, taskId: task.id, command: task.command, channelId: click.channel_id, teamId: click.team_id, actor, updateId, door: 'chat' });
    if (run.outcome === 'not-allowed') return `:no_entry_sign: ${notAllowedMessage(run.trigger)}`;
    const { outcome, result } = run;
    return outcome === 'ran' ? `:arrow_forward: Ran \`${task.command}\`${result ? `: ${result}` : ''}` : `:warning: \`${task.command}\` failed: ${result}`;
  }

  return router;
}
