/**
 * The chat port on Mattermost, through the official client (Client4) with the incident bot's token.
 * Two client quirks are handled here: Client4 hides the HTTP status and headers of a failed call (so Retry-After would be
 * lost) and has no request timeout. The bot client asks Client4 to hand back every response (`ignoreStatus`) with an
 * abort signal, and turns failures into classified IntegrationErrors itself.
 */
import mattermost from '@mattermost/client';
import type { Channel as MattermostChannel } from '@mattermost/types/channels';
import type { Post as MattermostPost } from '@mattermost/types/posts';
import { IntegrationError } from '../errors.js';
import { httpFailure, networkFailure } from '../http-failure.js';
import type { Channel, ChatPort, Post } from '../ports.js';

// Native ESM cannot see Client4 as a named export of the CommonJS package.
const { Client4 } = mattermost;

export interface MattermostConfig {
  /** Server URL without a trailing slash, e.g. https://chat.example.com */
  url: string;
  /** The incident bot's access token. */
  token: string;
  timeoutMs?: number;
}

/** Where a post's idempotency key is kept: Mattermost stores custom props with the post. */
export const POST_KEY_PROP = 'incident_key';

interface FetchResult {
  response: Response;
  headers: Headers;
  data: unknown;
}
type FetchWithResponse = (url: string, options: Record<string, unknown>) => Promise<FetchResult>;

export class IncidentBotClient extends Client4 {
  constructor(config: MattermostConfig) {
    super();
    this.setUrl(config.url.replace(/\/+$/, ''));
    this.setToken(config.token);
    this.setIncludeCookies(false);
    this.setUserAgent('incident-collaboration-temporal');
    const self = this as unknown as { doFetchWithResponse: FetchWithResponse };
    const original = self.doFetchWithResponse;
    const timeoutMs = config.timeoutMs ?? 10_000;
    self.doFetchWithResponse = async (url, options) => {
      let result: FetchResult;
      try {
        result = await original(url, { ...options, ignoreStatus: true, signal: AbortSignal.timeout(timeoutMs) });
      } catch (error) {
        throw networkFailure('chat', error);
      }
      if (!result.response.ok) {
        const body = result.data as { message?: string } | string | undefined;
        const detail = typeof body === 'object' && body?.message ? body.message : typeof body === 'string' ? body.slice(0, 200) : '';
        throw httpFailure('chat', result.response.status, detail, result.headers.get('Retry-After'));
      }
      return result;
    };
  }

  /** Client4 has no call for this one (opening an interactive dialog), so it is made here. */
  openDialog(request: { trigger_id: string; url: string; dialog: Record<string, unknown> }): Promise<{ status: string }> {
    return this.doFetch<{ status: string }>(`${this.getBaseRoute()}/actions/dialogs/open`, {
      method: 'post',
      body: JSON.stringify(request),
    });
  }
}

function isNotFound(error: unknown): boolean {
  return error instanceof IntegrationError && error.kind === 'NotFound';
}

export class MattermostChat implements ChatPort {
  readonly client: IncidentBotClient;
  private readonly teamIds = new Map<string, string>();

  constructor(config: MattermostConfig) {
    this.client = new IncidentBotClient(config);
  }

  private async teamId(team: string): Promise<string> {
    const cached = this.teamIds.get(team);
    if (cached) return cached;
    try {
      const found = await this.client.getTeamByName(team);
      this.teamIds.set(team, found.id);
      return found.id;
    } catch (error) {
      // Not "channel not found": the incident names a team the bot cannot see, which no retry will fix.
      if (isNotFound(error)) {
        throw new IntegrationError('chat', `Mattermost has no team named "${team}" (or the bot is not in it)`, false, 'TeamNotFound');
      }
      throw error;
    }
  }

  private static toChannel(channel: MattermostChannel): Channel {
    return { id: channel.id, name: channel.name, displayName: channel.display_name, private: channel.type === 'P' };
  }

  async findChannelByName(team: string, name: string): Promise<Channel | undefined> {
    try {
      return MattermostChat.toChannel(await this.client.getChannelByName(await this.teamId(team), name, false));
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  async createChannel(request: { team: string; name: string; displayName: string; purpose: string; private: boolean }): Promise<Channel> {
    const channel = await this.client.createChannel({
      team_id: await this.teamId(request.team),
      name: request.name,
      display_name: request.displayName,
      purpose: request.purpose,
      header: '',
      type: request.private ? 'P' : 'O',
    } as MattermostChannel);
    return MattermostChat.toChannel(channel);
  }

  async addChannelMembers(channelId: string, usernames: string[]): Promise<{ added: string[]; missing: string[] }> {
    if (usernames.length === 0) return { added: [], missing: [] };
    const users = await this.client.getProfilesByUsernames(usernames);
    const found = new Map(users.map((user) => [user.username, user.id]));
    const added = usernames.filter((name) => found.has(name));
    if (added.length > 0) await this.client.addToChannels(added.map((name) => found.get(name)!), channelId);
    return { added, missing: usernames.filter((name) => !found.has(name)) };
  }

  async findPostByKey(channelId: string, key: string): Promise<Post | undefined> {
    // The bot's keyed posts are made right after the channel, so the newest 200 posts hold them.
    const list = await this.client.getPosts(channelId, 0, 200);
    const post = Object.values(list.posts).find((candidate) => candidate.props?.[POST_KEY_PROP] === key);
    return post && { id: post.id, channelId: post.channel_id, message: post.message };
  }

  async createPost(channelId: string, message: string, key: string, props: Record<string, unknown> = {}): Promise<Post> {
    const post = await this.client.createPost({ channel_id: channelId, message, props: { ...props, [POST_KEY_PROP]: key } } as unknown as MattermostPost);
    return { id: post.id, channelId: post.channel_id, message: post.message };
  }

  async updatePost(postId: string, message: string, key: string, props: Record<string, unknown> = {}): Promise<void> {
    await this.client.patchPost({ id: postId, message, props: { ...props, [POST_KEY_PROP]: key } } as unknown as MattermostPost);
  }

  async pinPost(postId: string): Promise<void> {
    await this.client.pinPost(postId);
  }

  async setChannelHeader(channelId: string, header: string): Promise<void> {
    await this.client.patchChannel(channelId, { header });
  }

  // --- What the front door (slash commands, buttons, dialogs) asks of Mattermost ---

  /** Whether the user (by ID) is a member of the channel. */
  async isChannelMember(channelId: string, userId: string): Promise<boolean> {
    try {
      await this.client.getChannelMember(channelId, userId);
      return true;
    } catch (error) {
      if (isNotFound(error)) return false;
      throw error;
    }
  }

  /** The username of a user ID, or undefined when Mattermost has no such user. */
  async usernameOf(userId: string): Promise<string | undefined> {
    try {
      return (await this.client.getUser(userId)).username;
    } catch (error) {
      if (isNotFound(error) || (error instanceof IntegrationError && error.kind === 'BadRequest')) return undefined;
      throw error;
    }
  }

  /** The user ID of a username, or undefined when Mattermost has no such user. */
  async userIdOf(username: string): Promise<string | undefined> {
    try {
      return (await this.client.getUserByUsername(username)).id;
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  openDialog(triggerId: string, url: string, dialog: Record<string, unknown>): Promise<{ status: string }> {
    return this.client.openDialog({ trigger_id: triggerId, url, dialog });
  }

  /** Runs a slash command as the bot in the channel (a task's command); answers Mattermost's command response. */
  async executeCommand(channelId: string, teamId: string, command: string): Promise<{ text?: string }> {
    const response = await this.client.executeCommand(command, { channel_id: channelId, team_id: teamId } as never);
    return { ...(typeof (response as { text?: unknown }).text === 'string' ? { text: (response as { text: string }).text } : {}) };
  }

  /** A message only this user sees, in this channel (the bot needs the create_post_ephemeral permission). */
  async postEphemeral(userId: string, channelId: string, message: string): Promise<void> {
    await this.client.createPostEphemeral(userId, { channel_id: channelId, message } as unknown as MattermostPost);
  }

  /** Names of the Mattermost user groups the user belongs to (playbook permissions name groups). */
  async groupNamesOf(userId: string): Promise<string[]> {
    try {
      const groups = (await this.client.getGroupsByUserId(userId)) as Array<{ name?: string }>;
      return groups.flatMap((group) => (group.name ? [group.name] : []));
    } catch (error) {
      // Servers without user groups (a licence feature) answer 404 or 501: nobody is in a group then.
      if (error instanceof IntegrationError && (error.kind === 'NotFound' || error.kind === 'HttpError')) return [];
      throw error;
    }
  }

  /** A permalink to a post. */
  postUrl(team: string, postId: string): string {
    return `${this.client.getUrl()}/${team}/pl/${postId}`;
  }

  channelUrl(team: string, channelName: string): string {
    return `${this.client.getUrl()}/${team}/channels/${channelName}`;
  }

  async usernamesForEmails(emails: string[]): Promise<{ found: string[]; missing: string[] }> {
    const found: string[] = [];
    const missing: string[] = [];
    for (const email of emails) {
      try {
        found.push((await this.client.getUserByEmail(email)).username);
      } catch (error) {
        if (!isNotFound(error)) throw error;
        missing.push(email);
      }
    }
    return { found, missing };
  }
}
