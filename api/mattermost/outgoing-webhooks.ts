/**
 * Mattermost outgoing webhooks. In an incident channel, a message that starts with a timeline trigger (`#timeline`,
 * `!note`) becomes a timeline entry with its author and a link to the post. Anywhere else, a message that contains a
 * playbook's keyword gets an ephemeral suggestion (from the bot) to start that playbook. Mattermost sends these as a form
 * or as JSON depending on the webhook's content type, with its token in the body; it fires only in public channels.
 */
import express, { Router } from 'express';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { MattermostChat } from '../../integrations/mattermost/mattermost-chat.js';
import { tokenMatches } from '../../integrations/mattermost/signing.js';
import type { PlaybookLookup } from '../../store/playbook-lookup.js';
import { HttpError } from '../http-error.js';
import type { IncidentDirectory } from './incident-directory.js';
import type { IncidentService } from '../incident-service.js';
import type { ChatIdentities } from './chat-identity.js';

export interface WebhookOptions {
  incidents: IncidentService;
  /** Finds the incident of the channel a message was posted in. */
  directory: IncidentDirectory;
  playbooks: PlaybookLookup;
  chat: MattermostChat;
  /** Who wrote the message: asked of Mattermost for the hook's user ID. */
  people: ChatIdentities;
  /** Tokens of the outgoing webhooks (one per team or channel). */
  webhookTokens: string[];
  /** Words that turn a message into a timeline entry, e.g. "#timeline", "!note". */
  timelineTriggers: string[];
  logger: Logger;
}

const hookSchema = z.object({
  token: z.string(),
  team_id: z.string().default(''),
  team_domain: z.string().default(''),
  channel_id: z.string().min(1),
  channel_name: z.string().default(''),
  timestamp: z.coerce.number().optional(),
  user_id: z.string().min(1),
  /** Sent by Mattermost, and never believed: the author is asked of Mattermost for user_id. */
  user_name: z.string().default(''),
  post_id: z.string().default(''),
  text: z.string().default(''),
  trigger_word: z.string().default(''),
  file_ids: z.string().default(''),
});

function keywordsOf(playbook: unknown): string[] {
  const keywords = (playbook as { keywords?: unknown }).keywords;
  return Array.isArray(keywords) ? keywords.filter((k): k is string => typeof k === 'string' && k.trim() !== '') : [];
}

export function outgoingWebhookRoutes(options: WebhookOptions): Router {
  const router = Router();
  router.post('/mattermost/webhook', express.urlencoded({ extended: false, limit: '64kb' }), async (req, res) => {
    const parsed = hookSchema.safeParse(req.body);
    if (!parsed.success || !tokenMatches(parsed.data.token, options.webhookTokens)) {
      throw new HttpError(401, 'unauthorized', 'the outgoing webhook token is missing or not one this service accepts');
    }
    const hook = parsed.data;
    const text = hook.text.trim();
    const trigger = options.timelineTriggers.find((t) => text.toLowerCase().startsWith(t.toLowerCase()));
    const incidentId = await options.directory.incidentOfChannel(hook.channel_id);
    if (incidentId) {
      if (trigger) {
        const note = text.slice(trigger.length).trim();
        const author = note ? await options.people.who(hook.user_id) : undefined;
        if (note && !author) options.logger.warn({ userId: hook.user_id }, 'ignored a timeline message from a user Mattermost does not know');
        if (note && author) {
          await options.incidents.command(incidentId, 'addNote', {
            text: note.slice(0, 4000),
            actor: author.username,
            ...(hook.post_id && hook.team_domain ? { link: options.chat.postUrl(hook.team_domain, hook.post_id) } : {}),
          });
        }
      }
      // An empty answer makes Mattermost post nothing: the note shows in the timeline, not as channel noise.
      res.json({});
      return;
    }
    const lowered = text.toLowerCase();
    const suggested = (await options.playbooks.list()).filter((playbook) => keywordsOf(playbook).some((k) => lowered.includes(k.toLowerCase())));
    if (suggested.length > 0) {
      const lines = suggested.map((p) => `\`/incident start ${p.id} <name>\` (${p.title})`);
      await options.chat
        .postEphemeral(hook.user_id, hook.channel_id, `:rotating_light: Sounds like an incident? Start one with ${lines.join(' or ')}.`)
        .catch((error: unknown) => options.logger.warn({ err: error }, 'could not suggest a playbook'));
    }
    res.json({});
  });
  return router;
}
