/**
 * The chat port of the Mattermost front door: what slash commands, buttons, dialogs, channel messages and the event
 * reactions ask of Mattermost, and nothing else. api/ depends on this interface only; the Mattermost adapter
 * (integrations/mattermost/mattermost-chat.ts) implements it, and the composition roots (api/main.ts, scripts/start.ts,
 * tests) hand the adapter in.
 */
import type { GroupDirectory } from '../permissions.js';
import type { ChannelEventChat } from '../mattermost/channel-events.js';
import type { ChatUserLookup } from '../mattermost/chat-identity.js';

/**
 * Inherited: who a user ID is (ChatUserLookup, for who acts), a user ID by username and a person's groups
 * (GroupDirectory, for playbook permissions), and what the event reactions read (ChannelEventChat).
 */
export interface FrontDoorChat extends ChatUserLookup, GroupDirectory, ChannelEventChat {
  /** Whether the user (by ID) is a member of the channel: changing an incident from chat needs it. */
  isChannelMember(channelId: string, userId: string): Promise<boolean>;
  /** The username of a user ID, or undefined when Mattermost has no such user. */
  usernameOf(userId: string): Promise<string | undefined>;
  /** Opens an interactive dialog for the trigger ID a slash command or click carried; submissions go to `url`. */
  openDialog(triggerId: string, url: string, dialog: Record<string, unknown>): Promise<{ status: string }>;
  /** A team's ID from its name (as incidents name their team): running a command needs it. */
  teamIdOf(team: string): Promise<string>;
  /** Runs a slash command as the bot in the channel (a task's command); answers Mattermost's command response. */
  executeCommand(channelId: string, teamId: string, command: string): Promise<{ text?: string }>;
  /** A message only this user sees, in this channel. */
  postEphemeral(userId: string, channelId: string, message: string): Promise<void>;
  /** A permalink to a post. */
  postUrl(team: string, postId: string): string;
}
