/**
 * The chat port on Mattermost (and the front door's chat port, api/ports/front-door-chat.ts): one facade over the
 * incident bot's client (bot-client.ts) and the parts that use it, each a module of its own:
 *
 * - teams-and-people.ts: the bot's ID, teams, users by ID, username and e-mail;
 * - user-groups.ts: group members and a person's groups (a licensed feature);
 * - channels.ts: channels and their members, the header, archiving;
 * - channel-sidebars.ts: the channel in its members' sidebar categories;
 * - posts.ts: keyed posts, pins, direct and ephemeral messages, files, a channel's conversation.
 *
 * The facade holds no logic of its own beyond two single calls (dialogs, commands): callers see one object per
 * Mattermost server, and the parts share the client and what it remembers (team IDs, the bot's ID).
 */
import type { FrontDoorChat } from '../../api/ports/front-door-chat.js';
import type { Channel, ChannelPost, ChatFile, ChatPort, ChatUser, Post } from '../../activities/ports/chat.js';
import type { SharedLocks } from '../../activities/ports/shared-locks.js';
import { IncidentBotClient, type MattermostConfig } from './bot-client.js';
import { ChannelSidebars } from './channel-sidebars.js';
import { Channels } from './channels.js';
import { Posts } from './posts.js';
import { TeamsAndPeople } from './teams-and-people.js';
import { UserGroups } from './user-groups.js';

export class MattermostChat implements ChatPort, FrontDoorChat {
  readonly client: IncidentBotClient;
  private readonly people: TeamsAndPeople;
  private readonly groups: UserGroups;
  private readonly sidebars: ChannelSidebars;
  private readonly channels: Channels;
  private readonly posts: Posts;

  /**
   * `sharedLocks`: the lock every worker process takes before it writes a person's sidebar category (the worker passes
   * the store's); without it, sidebar writes are one at a time in this process only.
   */
  constructor(config: MattermostConfig, options: { sharedLocks?: SharedLocks } = {}) {
    this.client = new IncidentBotClient(config);
    this.people = new TeamsAndPeople(this.client);
    this.groups = new UserGroups(this.client);
    this.sidebars = new ChannelSidebars(this.client, this.people, options.sharedLocks);
    this.channels = new Channels(this.client, this.people, this.sidebars);
    this.posts = new Posts(this.client, this.people, config.uploadTimeoutMs ?? 300_000);
  }

  // --- Channels and their members ---

  findChannelByName(team: string, name: string): Promise<Channel | undefined> {
    return this.channels.findChannelByName(team, name);
  }

  createChannel(request: { team: string; name: string; displayName: string; purpose: string; private: boolean }): Promise<Channel> {
    return this.channels.createChannel(request);
  }

  addChannelMembers(channelId: string, usernames: string[]): Promise<{ added: string[]; missing: string[] }> {
    return this.channels.addChannelMembers(channelId, usernames);
  }

  setChannelHeader(channelId: string, header: string): Promise<void> {
    return this.channels.setChannelHeader(channelId, header);
  }

  isChannelMember(channelId: string, userId: string): Promise<boolean> {
    return this.channels.isChannelMember(channelId, userId);
  }

  listChannelMembers(channelId: string): Promise<string[]> {
    return this.channels.listChannelMembers(channelId);
  }

  channelUrl(team: string, channelName: string): string {
    return this.channels.channelUrl(team, channelName);
  }

  archiveChannel(channelId: string): Promise<void> {
    return this.channels.archiveChannel(channelId);
  }

  addToSidebarCategory(request: { team: string; channelId: string; usernames: string[]; category: string }): Promise<{ placed: string[]; missing: string[] }> {
    return this.sidebars.addToSidebarCategory(request);
  }

  takeOutOfSidebars(channelId: string): Promise<{ people: number }> {
    return this.sidebars.takeOutOfSidebars(channelId);
  }

  // --- Posts ---

  findPostByKey(channelId: string, key: string): Promise<Post | undefined> {
    return this.posts.findPostByKey(channelId, key);
  }

  createPost(channelId: string, message: string, key: string, props?: Record<string, unknown>, options?: { pinned?: boolean }): Promise<Post> {
    return this.posts.createPost(channelId, message, key, props, options);
  }

  updatePost(postId: string, message: string, key: string, props?: Record<string, unknown>): Promise<void> {
    return this.posts.updatePost(postId, message, key, props);
  }

  pinPost(postId: string): Promise<void> {
    return this.posts.pinPost(postId);
  }

  postEphemeral(userId: string, channelId: string, message: string): Promise<void> {
    return this.posts.postEphemeral(userId, channelId, message);
  }

  postUrl(team: string, postId: string): string {
    return this.posts.postUrl(team, postId);
  }

  sendDirectMessage(username: string, message: string, key: string): Promise<Post> {
    return this.posts.sendDirectMessage(username, message, key);
  }

  channelPostsPage(channelId: string, page: number, perPage: number): Promise<ChannelPost[]> {
    return this.posts.channelPostsPage(channelId, page, perPage);
  }

  postsSince(channelId: string, since: number): Promise<ChannelPost[]> {
    return this.posts.postsSince(channelId, since);
  }

  postFiles(channelId: string, message: string, files: ChatFile[], key: string): Promise<Post> {
    return this.posts.postFiles(channelId, message, files, key);
  }

  // --- Teams, people and groups ---

  /** The names of the teams the bot is in (npm start picks the default team from them). */
  teamNames(): Promise<string[]> {
    return this.people.teamNames();
  }

  teamIdOf(team: string): Promise<string> {
    return this.people.teamId(team);
  }

  teamNameOf(teamId: string): Promise<string> {
    return this.people.teamNameOf(teamId);
  }

  /** The bot's own user ID: the event listener leaves the bot's own posts alone. */
  ownUserId(): Promise<string> {
    return this.people.botId();
  }

  userOf(userId: string): Promise<{ id: string; username: string; roles: string[]; deleted: boolean } | undefined> {
    return this.people.userOf(userId);
  }

  usernameOf(userId: string): Promise<string | undefined> {
    return this.people.usernameOf(userId);
  }

  userIdOf(username: string): Promise<string | undefined> {
    return this.people.userIdOf(username);
  }

  usernamesForEmails(emails: string[]): Promise<{ found: string[]; missing: string[] }> {
    return this.people.usernamesForEmails(emails);
  }

  usersByIds(ids: string[]): Promise<ChatUser[]> {
    return this.people.usersByIds(ids);
  }

  groupMemberUsernames(groupNames: string[]): Promise<{ found: string[]; missing: string[]; unavailable?: string }> {
    return this.groups.groupMemberUsernames(groupNames);
  }

  groupNamesOf(userId: string): Promise<string[]> {
    return this.groups.groupNamesOf(userId);
  }

  // --- Dialogs and commands: one call each ---

  openDialog(triggerId: string, url: string, dialog: Record<string, unknown>): Promise<{ status: string }> {
    return this.client.openDialog({ trigger_id: triggerId, url, dialog });
  }

  /** Runs a slash command as the bot in the channel (a task's command); answers Mattermost's command response. */
  async executeCommand(channelId: string, teamId: string, command: string): Promise<{ text?: string }> {
    const response = await this.client.executeCommand(command, { channel_id: channelId, team_id: teamId } as never);
    return { ...(typeof (response as { text?: unknown }).text === 'string' ? { text: (response as { text: string }).text } : {}) };
  }
}
