/**
 * What a message posted in Mattermost means to the incident service, whichever way it arrived (the websocket's
 * `posted` event or an outgoing webhook). In an incident channel, a message that starts with a timeline trigger
 * (`#timeline`, `!note`) becomes a timeline entry with its author and a link to the post. Anywhere else, a message that
 * contains a playbook's keyword gets an ephemeral suggestion (from the bot) to start that playbook.
 *
 * A note is sent as an Update whose ID is derived from the post's ID, so a post that arrives twice (by the websocket
 * and by a webhook, or again in a catch-up after a reconnect) is noted once.
 */
import type { Logger } from 'pino';
import type { FrontDoorChat } from '../ports/front-door-chat.js';
import { mayChangeIncident } from '../permissions.js';
import type { PlaybookLookup } from '../../store/playbook-lookup.js';
import type { IncidentService } from '../incident-service.js';
import type { ChatIdentities } from './chat-identity.js';
import type { IncidentDirectory } from './incident-directory.js';

export interface ChannelMessage {
  channelId: string;
  /** Who posted it, as Mattermost vouches for it (a user ID); the author's name is asked of Mattermost. */
  userId: string;
  /** '' when unknown: the note then has no link and no duplicate check. */
  postId: string;
  text: string;
  /** The team's name, for the post's permalink. */
  teamName?: string;
}

export interface ChannelMessageOptions {
  incidents: IncidentService;
  /** Finds the incident of the channel a message was posted in. */
  directory: IncidentDirectory;
  playbooks: PlaybookLookup;
  chat: Pick<FrontDoorChat, 'postUrl' | 'postEphemeral' | 'isChannelMember'>;
  people: ChatIdentities;
  /** Words that turn a message into a timeline entry, e.g. "#timeline", "!note". */
  timelineTriggers: string[];
  logger: Logger;
}

export type ChannelMessageOutcome = 'noted' | 'suggested' | 'ignored';

/** The longest note taken from a message; the rest is cut (the link leads to the whole post). */
const MAX_NOTE_LENGTH = 4000;

/** The Update ID of the note a post makes: the same post is noted once however often it arrives. */
export function noteUpdateId(postId: string): string {
  return `mattermost-post-${postId}`;
}

function keywordsOf(playbook: unknown): string[] {
  const keywords = (playbook as { keywords?: unknown }).keywords;
  return Array.isArray(keywords) ? keywords.filter((k): k is string => typeof k === 'string' && k.trim() !== '') : [];
}

export type ChannelMessageHandler = (message: ChannelMessage, options?: { suggest?: boolean }) => Promise<ChannelMessageOutcome>;

export function channelMessageHandler(options: ChannelMessageOptions): ChannelMessageHandler {
  const triggerOf = (text: string) => options.timelineTriggers.find((t) => text.toLowerCase().startsWith(t.toLowerCase()));
  return async (message, { suggest = true } = {}) => {
    const text = message.text.trim();
    const incidentId = await options.directory.incidentOfChannel(message.channelId);
    if (incidentId) {
      const trigger = triggerOf(text);
      const note = trigger ? text.slice(trigger.length).trim() : '';
      if (!note) return 'ignored';
      const author = await options.people.who(message.userId);
      if (!author) {
        options.logger.warn({ userId: message.userId }, 'ignored a timeline message from a user Mattermost does not know');
        return 'ignored';
      }
      // As for every other change from chat: the channel's members (and incident admins) only. Mattermost only lets
      // members post, so this refuses a message whose author someone who holds the webhook's token made up.
      if (!(await mayChangeIncident(author, message.channelId, options.chat))) {
        options.logger.warn({ userId: message.userId, incident: incidentId }, 'ignored a timeline message from someone who is not in the incident channel');
        return 'ignored';
      }
      await options.incidents.command(
        incidentId,
        'addNote',
        {
          text: note.slice(0, MAX_NOTE_LENGTH),
          actor: author.username,
          ...(message.postId && message.teamName ? { link: options.chat.postUrl(message.teamName, message.postId) } : {}),
        },
        { door: 'chat', ...(message.postId ? { updateId: noteUpdateId(message.postId) } : {}) },
      );
      return 'noted';
    }
    if (!suggest) return 'ignored';
    const lowered = text.toLowerCase();
    const suggested = (await options.playbooks.list()).filter((playbook) => keywordsOf(playbook).some((k) => lowered.includes(k.toLowerCase())));
    if (suggested.length === 0) return 'ignored';
    const lines = suggested.map((p) => `\`/incident start ${p.id} <name>\` (${p.title})`);
    await options.chat
      .postEphemeral(message.userId, message.channelId, `:rotating_light: Sounds like an incident? Start one with ${lines.join(' or ')}.`)
      .catch((error: unknown) => options.logger.warn({ err: error }, 'could not suggest a playbook'));
    return 'suggested';
  };
}
