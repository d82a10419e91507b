/**
 * The `/incident` slash command endpoint. Mattermost POSTs a form (or GETs a query) with the command token, the user
 * and the channel; we answer with an ephemeral message well inside Mattermost's timeout. Changes go to the incident's
 * workflow as Updates with the caller as actor; shared changes show through the checklist post and the timeline.
 */
import express, { Router, type Request, type Response } from 'express';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { CommandInput, CommandName } from '../../domain/commands.js';
import { helpText, INCIDENT_SCOPED, parseSlashCommand, USAGE, type SlashRequest } from './slash-command-grammar.js';
import { IncidentCommandError } from '../../domain/errors.js';
import { playbookMeant } from '../../domain/playbook/messages.js';
import { asPlainText } from '../../formats/special-mentions.js';
import type { FrontDoorChat } from '../ports/front-door-chat.js';
import type { PlaybookLookup } from '../../store/playbook-lookup.js';
import { HttpError } from '../http-error.js';
import type { IncidentDirectory } from './incident-directory.js';
import type { IncidentService } from '../incident-service.js';
import { mayChangeIncident, mayRunPlaybook, NOT_A_MEMBER_MESSAGE } from '../permissions.js';
import type { IncidentStats } from '../../domain/incident-stats.js';
import { changesReply, ephemeral, incidentInfo, incidentTimeline, retrospectiveReply, statsReply, type CommandReply } from './replies.js';
import { tokenMatches } from '../../security/signing.js';
import type { ChatActor, ChatIdentities } from './chat-identity.js';

/** A chat read right after the person's own command (resolve, then /incident retro) must show it: patience before the store answers. */
const CHAT_READ = { patienceMs: 2_000 };

export interface MattermostFrontDoorOptions {
  incidents: IncidentService;
  /** Finds the incident of a channel and a team's open incidents (the store's records). */
  directory: IncidentDirectory;
  playbooks: PlaybookLookup;
  /** Mattermost: membership checks, users by name, their groups (playbook permissions). */
  chat: Pick<FrontDoorChat, 'isChannelMember' | 'userIdOf' | 'groupNamesOf'>;
  /** Tokens of the `/incident` slash commands (one per team is fine). */
  commandTokens: string[];
  /** Who typed the command: asked of Mattermost for the request's user ID. */
  people: ChatIdentities;
  logger: Logger;
  /** Time a command may take before we answer "still working"; Mattermost gives up after a few seconds. */
  commandTimeoutMs?: number;
  /** The team's incident stats for the last `days` days (from the store's records); absent: `/incident stats` says so. */
  stats?: (team: string, days: number) => Promise<IncidentStats>;
  /** Opens the start and status dialogs, when dialogs are configured. */
  openDialog?: (kind: 'start' | 'status', request: SlashPayload, user: ChatActor, target?: { incidentId?: string; playbookId?: string }) => Promise<void>;
}

/** The fields Mattermost sends with every slash command. */
export const slashPayloadSchema = z.object({
  token: z.string().optional(),
  team_id: z.string().min(1),
  team_domain: z.string().min(1),
  channel_id: z.string().min(1),
  channel_name: z.string().default(''),
  user_id: z.string().min(1),
  /** Sent by Mattermost, and never believed: who typed is asked of Mattermost for user_id. */
  user_name: z.string().default(''),
  command: z.string().default('/incident'),
  text: z.string().default(''),
  trigger_id: z.string().optional(),
  response_url: z.string().optional(),
  root_id: z.string().optional(),
});
export type SlashPayload = z.output<typeof slashPayloadSchema>;

/** Which incident command each chat sub-command sends, and with what payload. */
function toCommand(request: SlashRequest, actor: string): { name: CommandName; payload: Record<string, unknown> } | undefined {
  switch (request.kind) {
    case 'check':
      return { name: 'completeTask', payload: { taskId: request.taskId, actor } };
    case 'uncheck':
      return { name: 'reopenTask', payload: { taskId: request.taskId, actor } };
    case 'skip':
      return { name: 'skipTask', payload: { taskId: request.taskId, actor, ...(request.reason ? { reason: request.reason } : {}) } };
    case 'assign':
      return { name: 'assignTask', payload: { taskId: request.taskId, assignee: request.assignee, actor } };
    case 'add':
      return { name: 'addTask', payload: { checklist: request.checklist, title: request.title, actor } };
    case 'commander':
      return { name: 'changeCommander', payload: { commander: request.commander, actor } };
    case 'ack':
      return { name: 'acknowledge', payload: { actor } };
    case 'severity':
      return { name: 'setSeverity', payload: { severity: request.severity, actor } };
    case 'resolve':
      return { name: 'resolve', payload: { actor, ...(request.summary ? { summary: request.summary } : {}) } };
    case 'reopen':
      return { name: 'reopen', payload: { actor, ...(request.reason ? { reason: request.reason } : {}) } };
    case 'close':
      return { name: 'close', payload: { actor } };
    case 'note':
      return { name: 'addNote', payload: { text: request.text, actor } };
    case 'update':
      return request.message ? { name: 'postStatusUpdate', payload: { message: request.message, actor } } : undefined;
    case 'retry':
      return { name: 'retryIntegration', payload: { step: request.step, actor } };
    case 'snooze':
      return { name: 'snoozeStatusReminder', payload: { for: request.for, actor } };
    case 'export':
      return { name: 'exportPostmortem', payload: { formats: request.formats, actor } };
    case 'retro':
      if (request.action === 'publish') return { name: 'publishRetrospective', payload: { actor } };
      if (request.action === 'decline') return { name: 'declineRetrospective', payload: { reason: request.reason, actor } };
      if (request.action === 'edit') return { name: 'editRetrospective', payload: { text: request.text, actor } };
      return undefined;
    default:
      return undefined;
  }
}

/**
 * The name of `/incident start <playbook> <name...> [severity]`: a last word that is one of the playbook's levels is
 * the severity (at 3 a.m. `... Checkout down sev1`), and quotes around the rest are the name's bounds, not part of it.
 */
export function nameAndSeverity(text: string, severities: readonly string[]): { name: string; severity?: string } {
  const words = text.trim().split(/\s+/).filter(Boolean);
  const last = words.at(-1)?.toLowerCase();
  const severity = words.length > 1 && last !== undefined && severities.includes(last) ? last : undefined;
  const rest = (severity ? words.slice(0, -1) : words).join(' ');
  const quoted = /^(["'“‘])(.+)(["'”’])$/.exec(rest);
  return { name: quoted ? quoted[2]!.trim() : rest, ...(severity ? { severity } : {}) };
}

export function slashCommandRoutes(options: MattermostFrontDoorOptions): Router {
  const router = Router();
  const timeoutMs = options.commandTimeoutMs ?? 2_500;

  const handle = async (req: Request, res: Response): Promise<void> => {
    const source = req.method === 'GET' ? req.query : req.body;
    const header = req.get('Authorization');
    const token = (source as { token?: unknown })?.token ?? (header?.match(/^Token\s+(\S+)$/i)?.[1]);
    if (!tokenMatches(typeof token === 'string' ? token : undefined, options.commandTokens)) {
      // Not from our Mattermost: say nothing about incidents.
      throw new HttpError(401, 'unauthorized', 'the slash command token is missing or not one this service accepts');
    }
    const parsed = slashPayloadSchema.safeParse(source);
    if (!parsed.success) {
      throw new HttpError(400, 'invalid_input', `not a Mattermost slash command request: ${parsed.error.issues.map((i) => i.path.join('.')).join(', ')} missing`);
    }
    res.json(await answer(parsed.data));
  };
  router.post('/mattermost/command', express.urlencoded({ extended: false, limit: '64kb' }), handle);
  router.get('/mattermost/command', handle);

  async function answer(payload: SlashPayload): Promise<CommandReply> {
    let request: SlashRequest;
    try {
      request = parseSlashCommand(payload.text);
    } catch (error) {
      if (error instanceof IncidentCommandError) return ephemeral(error.message);
      throw error;
    }
    try {
      return await run(request, payload);
    } catch (error) {
      if (error instanceof HttpError || error instanceof IncidentCommandError) {
        const timedOut = error instanceof HttpError && error.status === 504;
        return ephemeral(
          timedOut
            ? ':hourglass: The incident did not answer in time. Your command was sent and may still apply; check with `/incident info`.'
            : `:no_entry_sign: ${error.message}`,
        );
      }
      options.logger.error({ err: error, sub: request.kind }, 'slash command failed');
      return ephemeral(':boom: Something went wrong on our side; the error is logged. Please try again.');
    }
  }

  async function run(request: SlashRequest, payload: SlashPayload): Promise<CommandReply> {
    const me = await options.people.require(payload.user_id);
    const actor = me.username;
    switch (request.kind) {
      case 'help':
        return ephemeral(helpText());
      case 'playbooks':
        return ephemeral(
          ['**Playbooks** (start one with `/incident start <playbook> <name>`):', ...(await options.playbooks.list()).map((p) => `- \`${p.id}\` ${p.title}${p.description ? `: ${p.description}` : ''}`)].join('\n'),
        );
      case 'list':
        return ephemeral(await listIncidents(payload, me));
      case 'stats':
        if (!options.stats) return ephemeral('Stats need the incident store, which this API does not have.');
        return ephemeral(statsReply(payload.team_domain.toLowerCase(), request.days, await options.stats(payload.team_domain.toLowerCase(), request.days)));
      case 'start':
        return start(request, payload, me);
      default:
        break;
    }
    const incidentId = await options.directory.incidentOfChannel(payload.channel_id);
    if (!incidentId || !INCIDENT_SCOPED.has(request.kind)) {
      return ephemeral(`\`${USAGE[request.kind].split('  ')[0]}\` works in an incident's channel, and this channel is not one. \`/incident list\` shows the open incidents.`);
    }
    if (request.kind === 'info') return ephemeral(incidentInfo(await options.incidents.view(incidentId, CHAT_READ)));
    if (request.kind === 'timeline') return ephemeral(incidentTimeline(await options.incidents.view(incidentId, CHAT_READ), request.kinds));
    if (request.kind === 'retro' && request.action === 'show') return ephemeral(retrospectiveReply(await options.incidents.view(incidentId, CHAT_READ)));

    await requireMember(payload.channel_id, me);
    if (request.kind === 'commander') {
      const userId = await options.chat.userIdOf(request.commander);
      if (!userId) return ephemeral(`:no_entry_sign: Mattermost has no user @${request.commander}.`);
      if (!(await options.chat.isChannelMember(payload.channel_id, userId))) {
        return ephemeral(`:no_entry_sign: @${request.commander} is not in this channel; add them first, then hand over command.`);
      }
    }
    if (request.kind === 'assign' && request.assignee !== null && !(await options.chat.userIdOf(request.assignee))) {
      return ephemeral(`:no_entry_sign: Mattermost has no user @${request.assignee}.`);
    }
    if (request.kind === 'update' && !request.message) {
      if (options.openDialog && payload.trigger_id) {
        await options.openDialog('status', payload, me, { incidentId });
        return ephemeral('Opening the status update dialog…');
      }
      return ephemeral(`Write the update after the command.\nUsage: \`${USAGE.update}\``);
    }
    const command = toCommand(request, actor)!;
    const view = await options.incidents.command(incidentId, command.name, command.payload as CommandInput<typeof command.name>, { timeoutMs, door: 'chat' });
    // As the REST door logs its commands: the operator's trail of who changed what from chat.
    options.logger.info({ incident: incidentId, command: command.name, actor: me.username, door: 'chat', revision: view.revision }, 'command applied');
    if (command.name === 'exportPostmortem') return ephemeral(':hourglass: Exporting the post-mortem; the files will be posted in this channel when they are ready.');
    if (command.name === 'editRetrospective') return ephemeral(':white_check_mark: Retrospective draft updated. `/incident retro` shows it.');
    return ephemeral(changesReply(view));
  }

  async function requireMember(channelId: string, me: ChatActor): Promise<void> {
    if (!(await mayChangeIncident(me, channelId, options.chat))) throw new HttpError(403, 'forbidden', NOT_A_MEMBER_MESSAGE);
  }

  async function start(request: Extract<SlashRequest, { kind: 'start' }>, payload: SlashPayload, me: ChatActor): Promise<CommandReply> {
    if (!request.playbook) {
      if (options.openDialog && payload.trigger_id) {
        await options.openDialog('start', payload, me);
        return ephemeral('Opening the start dialog…');
      }
      return ephemeral(`Name the playbook and the incident.\nUsage: \`${USAGE.start}\`\nPlaybooks: ${(await options.playbooks.list()).map((p) => p.id).map((id) => `\`${id}\``).join(', ')}`);
    }
    let known = await options.playbooks.get(request.playbook);
    if (!known) {
      // A misspelt playbook must not start a Blank incident that pages nobody: said, and nothing started.
      const ids = (await options.playbooks.list()).map((p) => p.id);
      const meant = playbookMeant(request.playbook, ids);
      if (meant.exact) known = await options.playbooks.get(meant.exact);
      else if (meant.guess) {
        const name = [request.playbook, request.name].filter(Boolean).join(' ');
        return ephemeral(
          `:no_entry_sign: No playbook \`${request.playbook}\`; did you mean \`${meant.guess}\`? Nothing was started.\n` +
            `Type \`/incident start ${meant.guess} ${request.name ?? '<name>'}\`, or \`/incident start blank ${name}\` for an incident named "${name}" with the Blank playbook.\n` +
            `Playbooks: ${ids.map((id) => `\`${id}\``).join(', ')}`,
        );
      }
    }
    if (known && !request.name && options.openDialog && payload.trigger_id) {
      // The playbook without a name: its own dialog, with its own severities.
      await options.openDialog('start', payload, me, { playbookId: known.id });
      return ephemeral(`Opening the start dialog for *${known.title}*…`);
    }
    const playbook = known ?? (await options.playbooks.get('blank'));
    if (!playbook) return ephemeral(`:no_entry_sign: No playbook "${request.playbook}". Playbooks: ${(await options.playbooks.list()).map((p) => p.id).join(', ')}`);
    const { name, severity } = nameAndSeverity(known ? (request.name ?? '') : [request.playbook, request.name].filter(Boolean).join(' '), playbook.severities);
    if (!name) return ephemeral(`Give the incident a name.\nUsage: \`${USAGE.start}\``);
    if (!(await mayRunPlaybook(playbook, { username: me.username, id: me.id, admin: me.admin }, options.chat))) {
      return ephemeral(`:no_entry_sign: The playbook *${playbook.title}* is restricted; ask its owners or an incident admin to start it.`);
    }
    const started = await options.incidents.start({ name, team: payload.team_domain, reporter: me.username, playbook, ...(severity ? { severity } : {}) });
    options.logger.info({ incident: started.id, playbook: playbook.id, reporter: me.username, door: 'chat' }, 'incident started');
    return ephemeral(
      `:rotating_light: Incident **${started.name}** (\`${started.id}\`) started with playbook *${playbook.title}*, severity ${started.severity}, commander @${started.commander}. Its channel is being created; you will be added to it.`,
    );
  }

  async function listIncidents(payload: SlashPayload, me: ChatActor): Promise<string> {
    const open = await options.directory.openIncidents(payload.team_domain.toLowerCase(), 50);
    if (open.length === 0) return `No open incidents in team ${payload.team_domain}.`;
    // The name says which incident it is, the channel link where to go (~name: Mattermost links it for members).
    const line = (i: (typeof open)[number]) =>
      `- **${asPlainText(i.name)}** (\`${i.id}\`) · ${i.status} · ${i.severity} · commander @${i.commander}${i.channelName ? ` · ~${i.channelName}` : ''}`;
    const mine = open.filter((i) => i.commander === me.username);
    return [
      ...(mine.length ? ['**Yours:**', ...mine.map(line)] : []),
      `**Open in ${payload.team_domain}:**`,
      ...open.map(line),
    ].join('\n');
  }

  return router;
}
