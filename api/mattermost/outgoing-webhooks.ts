/**
 * Mattermost outgoing webhooks: the other way (beside the websocket, see channel-events.ts) for messages to reach the
 * service, for servers where the bot's websocket is off. What a message means is channel-messages.ts's business.
 * Mattermost sends these as a form or as JSON depending on the webhook's content type, with its token in the body; it
 * fires only in public channels, and trigger words match only a message's first word.
 */
import express, { Router } from 'express';
import { z } from 'zod';
import { tokenMatches } from '../../security/signing.js';
import { HttpError } from '../http-error.js';
import type { ChannelMessageHandler } from './channel-messages.js';

export interface WebhookOptions {
  /** Tokens of the outgoing webhooks (one per team or channel). */
  webhookTokens: string[];
  /** What the message means: a timeline note, a playbook suggestion, or nothing (channel-messages.ts). */
  handleMessage: ChannelMessageHandler;
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

export function outgoingWebhookRoutes(options: WebhookOptions): Router {
  const router = Router();
  router.post('/mattermost/webhook', express.urlencoded({ extended: false, limit: '64kb' }), async (req, res) => {
    const parsed = hookSchema.safeParse(req.body);
    if (!parsed.success || !tokenMatches(parsed.data.token, options.webhookTokens)) {
      throw new HttpError(401, 'unauthorized', 'the outgoing webhook token is missing or not one this service accepts');
    }
    const hook = parsed.data;
    await options.handleMessage({
      channelId: hook.channel_id,
      userId: hook.user_id,
      postId: hook.post_id,
      text: hook.text,
      ...(hook.team_domain ? { teamName: hook.team_domain } : {}),
    });
    // An empty answer makes Mattermost post nothing: a note shows in the timeline, not as channel noise.
    res.json({});
  });
  return router;
}
