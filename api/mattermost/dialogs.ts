/**
 * Interactive dialogs: start an incident, post a status update. Mattermost opens them from the trigger ID a slash command
 * or click carries, and POSTs the submission to us without credentials; the dialog's `state` carries what we signed
 * when opening it (who, which team or incident), so a submission cannot be forged. Field errors go back in Mattermost's
 * format (`{ "errors": { field: message } }`) and nothing is started or changed.
 */
import { randomUUID } from 'node:crypto';
import { Router } from 'express';
import type { Logger } from 'pino';
import { z } from 'zod';
import { IncidentCommandError } from '../../domain/errors.js';
import type { FrontDoorChat } from '../ports/front-door-chat.js';
import { renderStatusUpdateTemplate } from '../../formats/incident-templates.js';
import { SignatureError, signPayload, verifyPayload } from '../../security/signing.js';
import type { PlaybookLookup } from '../../store/playbook-lookup.js';
import { markAuthenticationFailed } from '../auth/failed-authentication.js';
import { HttpError } from '../http-error.js';
import type { ChatActor, ChatIdentities } from './chat-identity.js';
import { mayChangeIncident, mayRunPlaybook } from '../permissions.js';
import { defaultSeverityOf } from '../../domain/playbook/defaults.js';
import { newIncidentId, type IncidentService } from '../incident-service.js';

export interface DialogOptions {
  incidents: IncidentService;
  playbooks: PlaybookLookup;
  chat: Pick<FrontDoorChat, 'isChannelMember' | 'openDialog' | 'usernameOf' | 'userIdOf' | 'groupNamesOf'>;
  secret: string;
  /** The address Mattermost posts submissions to: <public API URL>/mattermost/dialogs */
  submitUrl: string;
  /** Who submitted: asked of Mattermost for the submission's user ID. */
  people: ChatIdentities;
  logger: Logger;
}

/**
 * What we sign when opening a dialog: which user it was opened for (`userId`: only they may submit it) and which team or
 * incident it acts on (the submission's own channel_id says nothing: membership is checked on the incident's channel).
 * `once`: one dialog, one change, however often it is submitted (a double click, Mattermost sending it again): the
 * start dialog's incident ID, the status dialog's Update ID. (States signed before it carry none.)
 */
type DialogState =
  | { kind: 'start'; team: string; user: string; userId: string; once?: string }
  | { kind: 'status'; incident: string; user: string; userId: string; once?: string }
  | { kind: 'assign'; incident: string; task: string; user: string; userId: string };

const STATE_TTL_MS = 30 * 60_000;

const submissionSchema = z.object({
  type: z.string().optional(),
  callback_id: z.string().optional(),
  state: z.string(),
  user_id: z.string().min(1),
  channel_id: z.string().default(''),
  team_id: z.string().default(''),
  submission: z.record(z.string(), z.unknown()).default({}),
  cancelled: z.boolean().default(false),
});

export function createDialogs(options: DialogOptions) {
  const text = (value: unknown): string => (typeof value === 'string' ? value.trim() : '');

  /** Changing an incident from a dialog needs the submitter in the incident's own channel, or an incident admin. */
  async function mayChange(incidentId: string, me: ChatActor): Promise<boolean> {
    if (me.admin) return true;
    return mayChangeIncident(me, (await options.incidents.view(incidentId)).links.channelId, options.chat);
  }

  /**
   * The start dialog. Mattermost's dialogs cannot change one field's options when another is picked, so the severities
   * follow the playbook this way: `/incident start <playbook>` opens it for that playbook (its own levels, its default
   * preselected); a dialog for any playbook offers every playbook's levels, says so, and a level the chosen playbook
   * does not have is refused at its field with that playbook's own list.
   */
  async function openStart(triggerId: string, team: string, user: ChatActor, playbookId?: string): Promise<void> {
    const playbooks = await options.playbooks.list();
    const chosen = playbookId ? playbooks.find((p) => p.id === playbookId) : undefined;
    const levels = chosen ? chosen.severities : [...new Set(playbooks.flatMap((p) => p.severities))];
    await options.chat.openDialog(triggerId, options.submitUrl, {
      callback_id: 'start-incident',
      title: 'Start an incident',
      introduction_text: chosen ? `Playbook: ${chosen.title}. A channel, the checklist, and the people on call, in one go.` : 'A channel, the checklist, and the people on call, in one go.',
      submit_label: 'Start',
      state: signPayload<DialogState>(options.secret, { kind: 'start', team, user: user.username, userId: user.id, once: newIncidentId() }, STATE_TTL_MS),
      elements: [
        chosen
          ? { display_name: 'Playbook', name: 'playbook', type: 'select', options: [{ text: chosen.title, value: chosen.id }], default: chosen.id }
          : { display_name: 'Playbook', name: 'playbook', type: 'select', options: playbooks.map((p) => ({ text: p.title, value: p.id })), default: playbooks[0]?.id ?? '' },
        { display_name: 'Name', name: 'name', type: 'text', max_length: 200, placeholder: 'Checkout is failing for EU customers' },
        { display_name: 'Summary', name: 'summary', type: 'textarea', optional: true, max_length: 3000 },
        {
          display_name: 'Severity',
          name: 'severity',
          type: 'select',
          optional: true,
          options: levels.map((s) => ({ text: s, value: s })),
          ...(chosen ? { default: defaultSeverityOf(chosen) } : { help_text: "Each playbook has its own levels; leave it empty for the playbook's default." }),
        },
      ],
    });
  }

  async function openStatus(triggerId: string, incidentId: string, user: ChatActor): Promise<void> {
    // The playbook's status-update template, filled in, is where the update starts.
    const template = renderStatusUpdateTemplate(await options.incidents.view(incidentId));
    await options.chat.openDialog(triggerId, options.submitUrl, {
      callback_id: 'status-update',
      title: 'Post a status update',
      submit_label: 'Post',
      state: signPayload<DialogState>(options.secret, { kind: 'status', incident: incidentId, user: user.username, userId: user.id, once: randomUUID() }, STATE_TTL_MS),
      elements: [
        {
          display_name: 'Update',
          name: 'message',
          type: 'textarea',
          max_length: 4000,
          placeholder: 'What is known, what is being done, what is next',
          ...(template ? { default: template } : {}),
        },
        {
          display_name: 'Status',
          name: 'status',
          type: 'select',
          optional: true,
          default: 'active',
          options: [
            { text: 'Still active', value: 'active' },
            { text: 'Resolved', value: 'resolved' },
          ],
        },
      ],
    });
  }

  async function openAssign(triggerId: string, incidentId: string, taskId: string, taskLabel: string, user: ChatActor): Promise<void> {
    await options.chat.openDialog(triggerId, options.submitUrl, {
      callback_id: 'assign-task',
      title: 'Assign a task',
      introduction_text: `Task ${taskLabel}`.slice(0, 200),
      submit_label: 'Assign',
      state: signPayload<DialogState>(options.secret, { kind: 'assign', incident: incidentId, task: taskId, user: user.username, userId: user.id }, STATE_TTL_MS),
      elements: [{ display_name: 'Assignee', name: 'assignee', type: 'select', data_source: 'users' }],
    });
  }

  const router = Router();
  router.post('/mattermost/dialogs', async (req, res) => {
    const parsed = submissionSchema.safeParse(req.body);
    if (!parsed.success) throw new HttpError(400, 'invalid_input', 'not a Mattermost dialog submission');
    const submission = parsed.data;
    let state: DialogState;
    try {
      state = verifyPayload<DialogState>(options.secret, submission.state).p;
    } catch (error) {
      if (error instanceof SignatureError) {
        markAuthenticationFailed(res);
        res.status(403).json({ error: `This dialog was refused: ${error.message}.` });
        return;
      }
      throw error;
    }
    if (submission.cancelled) {
      res.json({});
      return;
    }
    // Only the user the dialog was opened for may submit it (a state from an older version names no one: open it again).
    if (!state.userId || submission.user_id !== state.userId) {
      options.logger.warn({ userId: submission.user_id, kind: state.kind }, 'refused a dialog submitted by someone it was not opened for');
      markAuthenticationFailed(res);
      res.status(403).json({ error: 'This dialog was opened for someone else (or by an older version); open it again yourself.' });
      return;
    }
    const me = await options.people.who(submission.user_id);
    if (!me) {
      res.status(403).json({ error: 'Mattermost does not know who submitted this dialog; nothing was changed.' });
      return;
    }
    const fields = submission.submission;
    try {
      if (state.kind === 'start') {
        const errors: Record<string, string> = {};
        const playbook = await options.playbooks.get(text(fields.playbook));
        if (!playbook) errors.playbook = `Choose one of: ${(await options.playbooks.list()).map((p) => p.id).join(', ')}`;
        const name = text(fields.name);
        if (!name) errors.name = 'An incident needs a name.';
        else if (name.length > 200) errors.name = 'At most 200 characters.';
        const severity = text(fields.severity);
        if (severity && playbook && !playbook.severities.includes(severity)) errors.severity = `${playbook.title} has ${playbook.severities.join(', ')}`;
        if (playbook && !(await mayRunPlaybook(playbook, { username: me.username, id: me.id, admin: me.admin }, options.chat))) {
          errors.playbook = `${playbook.title} is restricted; ask its owners or an incident admin to start it.`;
        }
        if (Object.keys(errors).length) {
          res.json({ errors });
          return;
        }
        try {
          await options.incidents.start({
            ...(state.once ? { id: state.once } : {}),
            name,
            team: state.team,
            reporter: me.username,
            playbook: playbook!,
            ...(text(fields.summary) ? { summary: text(fields.summary) } : {}),
            ...(severity ? { severity } : {}),
          });
        } catch (error) {
          // This dialog's incident started already (the same submission again): nothing more to do.
          if (!(state.once && error instanceof HttpError && error.status === 409 && /already exists/.test(error.message))) throw error;
          options.logger.info({ incident: state.once, userId: me.id }, 'a start dialog submitted again; its incident was started already');
        }
        res.json({});
        return;
      }
      if (state.kind === 'assign') {
        const assigneeId = text(fields.assignee);
        const assignee = assigneeId ? await options.chat.usernameOf(assigneeId) : undefined;
        if (!assignee) {
          res.json({ errors: { assignee: 'Choose someone from the list.' } });
          return;
        }
        if (!(await mayChange(state.incident, me))) {
          res.json({ error: 'Only members of the incident channel (or incident admins) can assign tasks.' });
          return;
        }
        await options.incidents.command(state.incident, 'assignTask', { taskId: state.task, assignee, actor: me.username }, { door: 'chat' });
        res.json({});
        return;
      }
      const message = text(fields.message);
      if (!message) {
        res.json({ errors: { message: 'Write what changed, even "no news".' } });
        return;
      }
      if (!(await mayChange(state.incident, me))) {
        res.json({ error: 'Only members of the incident channel (or incident admins) can post updates.' });
        return;
      }
      // Submitted again, the same Update IDs: the incident applies each once.
      const once = (what: string) => (state.once ? { updateId: `dialog-${state.once}-${what}` } : {});
      await options.incidents.command(state.incident, 'postStatusUpdate', { message, actor: me.username }, { door: 'chat', ...once('status') });
      if (text(fields.status) === 'resolved') await options.incidents.command(state.incident, 'resolve', { actor: me.username }, { door: 'chat', ...once('resolve') });
      res.json({});
    } catch (error) {
      if (error instanceof HttpError || error instanceof IncidentCommandError) {
        res.json({ error: error.message });
        return;
      }
      throw error;
    }
  });

  return { router, openStart, openStatus, openAssign };
}
