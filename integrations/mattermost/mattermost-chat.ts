/**
 * The chat port on Mattermost, through the official client (Client4) with the incident bot's token.
 * Two client quirks are handled here: Client4 hides the HTTP status and headers of a failed call (so Retry-After would be
 * lost) and has no request timeout. The bot client asks Client4 to hand back every response (`ignoreStatus`) with an
 * abort signal, and turns failures into classified IntegrationErrors itself.
 */
import { openAsBlob } from 'node:fs';
import mattermost from '@mattermost/client';
import type { Channel as MattermostChannel } from '@mattermost/types/channels';
import type { FileUploadResponse } from '@mattermost/types/files';
import type { Group } from '@mattermost/types/groups';
import type { Post as MattermostPost } from '@mattermost/types/posts';
import type { UserProfile } from '@mattermost/types/users';
import { IntegrationError } from '../errors.js';
import { httpFailure, networkFailure } from '../http-failure.js';
import type { Channel, ChannelPost, ChatFile, ChatPort, ChatUser, Post } from '../ports.js';
import type { FrontDoorChat } from '../../api/mattermost/front-door-chat.js';
import { callSignal } from '../cancellation.js';
import { botAgents, sendBotRequest, type BotAgents } from './bot-http.js';
import { forEachPerson, SIDEBAR_CONCURRENCY, SidebarCategories } from './sidebar-categories.js';

// Native ESM cannot see Client4 as a named export of the CommonJS package.
const { Client4 } = mattermost;


export interface MattermostConfig {
  /** Server URL without a trailing slash, e.g. https://chat.example.com */
  url: string;
  /** The incident bot's access token. */
  token: string;
  timeoutMs?: number;
  /** Per file upload (the post-mortem export can be tens of MB); default 5 minutes. */
  uploadTimeoutMs?: number;
}

/** Where a post's idempotency key is kept: Mattermost stores custom props with the post. */
export const POST_KEY_PROP = 'incident_key';

interface FetchResult {
  response: { ok: boolean; status: number };
  headers: Headers;
  data: unknown;
}
type FetchWithResponse = (url: string, options: Record<string, unknown>) => Promise<FetchResult>;

/**
 * The HTTP status behind each failure the client classified. The classification keeps a kind, not the number, and some
 * answers need the number: a 501 (a feature the server's licence lacks) and a 503 (down for now) are both "Unavailable".
 */
const failureStatus = new WeakMap<IntegrationError, number>();

function statusOf(error: unknown): number | undefined {
  return error instanceof IntegrationError ? failureStatus.get(error) : undefined;
}

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
    const agents = botAgents();
    self.doFetchWithResponse = async (url, { timeoutMs: callTimeoutMs, ...options }) => {
      let result: FetchResult;
      try {
        // A call may ask for its own timeout (uploads); every other call gets the configured one.
        const ms = typeof callTimeoutMs === 'number' ? callTimeoutMs : timeoutMs;
        // Uploads (a FormData body) go through Client4's fetch, which writes the multipart form; every other call goes
        // over node:http (bot-http.ts), at a fraction of fetch's CPU.
        result =
          options.body === undefined || typeof options.body === 'string'
            ? await this.sendOverHttp(agents, url, options, ms)
            : await original(url, { ...options, ignoreStatus: true, signal: callSignal(ms) });
      } catch (error) {
        throw networkFailure('chat', error);
      }
      if (!result.response.ok) {
        const body = result.data as { message?: string } | string | undefined;
        const detail = typeof body === 'object' && body?.message ? body.message : typeof body === 'string' ? body.slice(0, 200) : '';
        const failure = httpFailure('chat', result.response.status, detail, result.headers.get('Retry-After'));
        failureStatus.set(failure, result.response.status);
        throw failure;
      }
      return result;
    };
  }

  /** A call with Client4's headers (token, user agent, content type), remembering the server's version as Client4 does. */
  private async sendOverHttp(agents: BotAgents, url: string, options: Record<string, unknown>, timeoutMs: number): Promise<FetchResult> {
    const prepared = this.getOptions(options) as { method?: string; headers: Record<string, string>; body?: string };
    const result = await sendBotRequest(agents, url, { method: prepared.method ?? 'get', headers: prepared.headers, ...(prepared.body !== undefined ? { body: prepared.body } : {}) }, timeoutMs);
    const version = result.headers.get('X-Version-Id');
    if (version && !result.headers.get('Cache-Control')) this.serverVersion = version;
    const cluster = result.headers.get('X-Cluster-Id');
    if (cluster) this.clusterId = cluster;
    return result;
  }

  /** Client4 has no call for this one (opening an interactive dialog), so it is made here. */
  openDialog(request: { trigger_id: string; url: string; dialog: Record<string, unknown> }): Promise<{ status: string }> {
    return this.doFetch<{ status: string }>(`${this.getBaseRoute()}/actions/dialogs/open`, {
      method: 'post',
      body: JSON.stringify(request),
    });
  }

  /**
   * Client4's uploadFile with a timeout of its own: a large file takes longer than the ordinary request timeout. The
   * form is Client4's (channel_id first, then the files), sent as multipart by fetch.
   */
  uploadFileWithTimeout(form: FormData, timeoutMs: number): Promise<FileUploadResponse> {
    // Not an object literal in the call, so the extra `timeoutMs` (read by the fetch override above) type-checks.
    const options = { method: 'post', body: form, timeoutMs };
    return this.doFetch<FileUploadResponse>(this.getFilesRoute(), options);
  }
}

function isNotFound(error: unknown): boolean {
  return error instanceof IntegrationError && error.kind === 'NotFound';
}

/** Mattermost's largest page (per_page is capped at 200 by the server). */
const PAGE_MAX = 200;

/**
 * User groups are a licensed feature (custom groups: Professional; LDAP groups: Enterprise). A server without the
 * licence, or with custom groups turned off, answers the groups API with 501; a server older than the API with 404; one
 * that keeps groups from the bot with 403. None of these is worth a retry.
 */
/** What Mattermost Team Edition (no licence) answers for user groups: 501 "api endpoint requires a license". */
export const GROUPS_NEED_LICENCE = 'user groups are not available on this Mattermost server (they need a Professional or Enterprise licence)';

function groupsUnavailable(): IntegrationError {
  return new IntegrationError('chat', GROUPS_NEED_LICENCE, false, 'GroupsUnavailable');
}

function isGroupsUnavailable(error: unknown): boolean {
  const status = statusOf(error);
  return status === 501 || status === 404 || status === 403;
}

function chunks<T>(items: T[], size: number): T[][] {
  const result: T[][] = [];
  for (let start = 0; start < items.length; start += size) result.push(items.slice(start, start + size));
  return result;
}

export class MattermostChat implements ChatPort, FrontDoorChat {
  readonly client: IncidentBotClient;
  private readonly teamIds = new Map<string, string>();
  /** People's sidebar categories, one write at a time per person and team (sidebar-categories.ts). */
  private readonly sidebars: SidebarCategories;
  private readonly uploadTimeoutMs: number;
  private botUserId: string | undefined;

  constructor(config: MattermostConfig) {
    this.client = new IncidentBotClient(config);
    this.sidebars = new SidebarCategories(this.client);
    this.uploadTimeoutMs = config.uploadTimeoutMs ?? 300_000;
  }

  /** The bot's own user ID (asked once). */
  private async botId(): Promise<string> {
    this.botUserId ??= (await this.client.getMe()).id;
    return this.botUserId;
  }

  /** Profiles of these user IDs, asked in batches; unknown IDs are absent from the map. */
  private async profilesByIds(ids: string[]): Promise<Map<string, UserProfile>> {
    const profiles = new Map<string, UserProfile>();
    for (const batch of chunks([...new Set(ids)], PAGE_MAX)) {
      for (const profile of await this.client.getProfilesByIds(batch)) profiles.set(profile.id, profile);
    }
    return profiles;
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
    const ids = added.map((name) => found.get(name)!);
    if (ids.length > 0 && !this.oneMemberPerCall) {
      try {
        await this.client.addToChannels(ids, channelId);
        return { added, missing: usernames.filter((name) => !found.has(name)) };
      } catch (error) {
        // Mattermost before 9.11 takes one user_id per call and refuses the list as a missing user_id; from then on
        // this server gets one call per person (adding someone already there is fine, so a retry is too).
        if (!(error instanceof IntegrationError && statusOf(error) === 400 && /user_id/.test(error.message))) throw error;
        this.oneMemberPerCall = true;
      }
    }
    for (const id of ids) await this.client.addToChannel(id, channelId);
    return { added, missing: usernames.filter((name) => !found.has(name)) };
  }

  /** Set once the server refused a list of members (before 9.11): members are then added one call each. */
  private oneMemberPerCall = false;

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

  /** The names of the teams the bot is in. */
  async teamNames(): Promise<string[]> {
    return (await this.client.getMyTeams()).map((team) => team.name);
  }

  /** Who a user ID is (username and Mattermost roles), or undefined when Mattermost has no such user. */
  async userOf(userId: string): Promise<{ id: string; username: string; roles: string[]; deleted: boolean } | undefined> {
    try {
      const user = await this.client.getUser(userId);
      return { id: user.id, username: user.username, roles: (user.roles ?? '').split(/\s+/).filter(Boolean), deleted: Boolean(user.delete_at) };
    } catch (error) {
      if (isNotFound(error) || (error instanceof IntegrationError && error.kind === 'BadRequest')) return undefined;
      throw error;
    }
  }

  /** The username of a user ID, or undefined when Mattermost has no such user. */
  async usernameOf(userId: string): Promise<string | undefined> {
    return (await this.userOf(userId))?.username;
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
      // A server without user groups (a licensed feature: 501) cannot say who is in one; saying "nobody" would deny
      // everyone a group admits without a word, so the caller is told why.
      if (statusOf(error) === 501) throw groupsUnavailable();
      if (error instanceof IntegrationError && error.kind === 'NotFound') return [];
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
    // One lookup per address (Mattermost has no batch by e-mail), all at once: they sit on the launch's on-call path.
    const usernames = await Promise.all(
      emails.map((email) =>
        this.client.getUserByEmail(email).then(
          (user) => user.username,
          (error: unknown) => {
            if (!isNotFound(error)) throw error;
            return undefined;
          },
        ),
      ),
    );
    return {
      found: usernames.filter((username): username is string => username !== undefined),
      missing: emails.filter((_, index) => usernames[index] === undefined),
    };
  }

  /**
   * Each group is looked up by name (GET /groups?q=<name>, paged until the exact name turns up: `q` also matches other
   * names and display names containing it), then its members are read page by page (GET /users?in_group=<id>).
   * Deactivated members are left out: they cannot join a channel.
   */
  async groupMemberUsernames(groupNames: string[]): Promise<{ found: string[]; missing: string[]; unavailable?: string }> {
    const names = [...new Set(groupNames)];
    const found = new Set<string>();
    const missing: string[] = [];
    for (const [index, name] of names.entries()) {
      let group: Group | undefined;
      try {
        group = await this.groupByName(name);
      } catch (error) {
        if (!isGroupsUnavailable(error)) throw error;
        // A server without user groups (no licence for them, or too old) knows none of the names. The incident starts
        // all the same, without these invitees, and the caller reports why instead of failing the launch on a retry
        // that cannot help.
        missing.push(...names.slice(index));
        if (statusOf(error) === 501) return { found: [...found], missing, unavailable: GROUPS_NEED_LICENCE };
        break;
      }
      if (!group) {
        missing.push(name);
        continue;
      }
      if (group.member_count === 0) continue;
      try {
        for (const username of await this.groupMembers(group.id)) found.add(username);
      } catch (error) {
        // The group went away between the two calls (404), or its members are kept from the bot: as good as unknown.
        if (!isGroupsUnavailable(error)) throw error;
        missing.push(name);
      }
    }
    return { found: [...found], missing };
  }

  private async groupByName(name: string): Promise<Group | undefined> {
    const wanted = name.toLowerCase();
    for (let page = 0; ; page++) {
      const groups = await this.client.searchGroups({ q: name, include_member_count: true, page, per_page: PAGE_MAX });
      const group = groups.find((candidate) => candidate.name.toLowerCase() === wanted && !candidate.delete_at);
      if (group) return group;
      if (groups.length < PAGE_MAX) return undefined;
    }
  }

  private async groupMembers(groupId: string): Promise<string[]> {
    const usernames: string[] = [];
    for (let page = 0; ; page++) {
      const users = await this.client.getProfilesInGroup(groupId, page, PAGE_MAX);
      usernames.push(...users.filter((user) => !user.delete_at).map((user) => user.username));
      if (users.length < PAGE_MAX) return usernames;
    }
  }

  // --- The incident's life after launch ---

  /** The user IDs of a channel's members, in membership order, page by page. */
  private async channelMemberIds(channelId: string): Promise<string[]> {
    const userIds: string[] = [];
    for (let page = 0; ; page++) {
      const members = await this.client.getChannelMembers(channelId, page, PAGE_MAX);
      userIds.push(...members.map((member) => member.user_id));
      if (members.length < PAGE_MAX) break;
    }
    return userIds;
  }

  async listChannelMembers(channelId: string): Promise<string[]> {
    const userIds = await this.channelMemberIds(channelId);
    const profiles = await this.profilesByIds(userIds);
    // In membership order; a member whose profile is gone (a deleted user) has no username to give.
    return userIds.flatMap((id) => {
      const username = profiles.get(id)?.username;
      return username ? [username] : [];
    });
  }

  /**
   * For each person: read their categories in the team, then create the custom category with the channel, or add the
   * channel to it (the case-insensitive match of its name), keeping its other channels. Editing another user's sidebar
   * needs the bot to hold manage_system (the system admin role); a 403 says so. Mattermost silently drops a channel the
   * person is not a member of, so such a person is reported as missing too (and their sidebar is left alone).
   */
  async addToSidebarCategory(request: { team: string; channelId: string; usernames: string[]; category: string }): Promise<{
    placed: string[];
    missing: string[];
  }> {
    if (request.usernames.length === 0) return { placed: [], missing: [] };
    const teamId = await this.teamId(request.team);
    const users = await this.client.getProfilesByUsernames([...new Set(request.usernames)]);
    const idOf = new Map(users.map((user) => [user.username, user.id]));
    // Who is in the channel, asked once (not once per person): a sidebar keeps only channels its owner is in.
    const members = new Set(await this.channelMemberIds(request.channelId));
    // Everyone at once (a few at a time): different people's sidebars never touch each other.
    const outcomes: boolean[] = new Array<boolean>(request.usernames.length).fill(false);
    await forEachPerson(request.usernames, SIDEBAR_CONCURRENCY, async (username, index) => {
      const userId = idOf.get(username);
      if (!userId || !members.has(userId)) return;
      try {
        outcomes[index] = await this.sidebars.place(userId, teamId, request.channelId, request.category);
      } catch (error) {
        if (error instanceof IntegrationError && error.kind === 'Forbidden') {
          throw new IntegrationError(
            'chat',
            `Mattermost refused to change @${username}'s sidebar (403): the incident bot needs permission to manage other users' ` +
              `sidebar categories (the system admin role, manage_system). ${error.message}`,
            false,
            'Forbidden',
          );
        }
        throw error;
      }
    });
    const placed = request.usernames.filter((_, index) => outcomes[index]);
    const missing = request.usernames.filter((_, index) => !outcomes[index]);
    return { placed, missing };
  }

  /** The bot's direct-message channel with the person, then the keyed post in it unless an earlier attempt made it. */
  async sendDirectMessage(username: string, message: string, key: string): Promise<Post> {
    const userId = await this.userIdOf(username);
    if (!userId) throw new IntegrationError('chat', `Mattermost has no user named "${username}"`, false, 'NotFound');
    const channel = await this.client.createDirectChannel([await this.botId(), userId]);
    return (await this.findPostByKey(channel.id, key)) ?? (await this.createPost(channel.id, message, key));
  }

  /**
   * Archives the channel, then takes it out of its members' custom sidebar categories (Mattermost keeps archived
   * channels there; see sidebar-categories.ts). Both halves may be done again: a retry after a failure in the second
   * finds the channel archived already.
   */
  async archiveChannel(channelId: string): Promise<void> {
    try {
      await this.client.deleteChannel(channelId);
    } catch (error) {
      if (!(error instanceof IntegrationError)) throw error;
      // 404: the channel is gone altogether (deleted for good), which is as archived as it gets; no sidebar holds it.
      if (isNotFound(error)) return;
      // A channel already archived: Mattermost answers 400 (api.channel.delete_channel.deleted.app_error). The error
      // body is not kept by the classification, so ask for the channel and accept only when it is archived indeed.
      if (error.kind !== 'BadRequest' || !((await this.client.getChannel(channelId)).delete_at > 0)) throw error;
    }
    await this.takeOutOfSidebars(channelId);
  }

  /** The channel out of every member's custom categories; nothing when the bot may not edit sidebars. */
  async takeOutOfSidebars(channelId: string): Promise<{ people: number }> {
    const channel = await this.client.getChannel(channelId);
    // Direct and group messages belong to no team and were never placed.
    if (!channel.team_id) return { people: 0 };
    const botId = await this.botId();
    const members = (await this.channelMemberIds(channelId)).filter((id) => id !== botId);
    let people = 0;
    try {
      await forEachPerson(members, SIDEBAR_CONCURRENCY, async (userId) => {
        if ((await this.sidebars.remove(userId, channel.team_id, channelId)) > 0) people++;
      });
    } catch (error) {
      // Without manage_system nothing was placed either (the launch's sidebar step said so).
      if (error instanceof IntegrationError && error.kind === 'Forbidden') return { people };
      throw error;
    }
    return { people };
  }

  // --- The post-mortem export ---

  async channelPostsPage(channelId: string, page: number, perPage: number): Promise<ChannelPost[]> {
    // Without thread fetching the answer holds only this page's posts; `order` is newest first.
    const list = await this.client.getPosts(channelId, page, perPage, false);
    return list.order.flatMap((id) => {
      const post = list.posts[id];
      return post ? [{ id: post.id, createAt: post.create_at, userId: post.user_id, rootId: post.root_id ?? '', message: post.message, type: post.type ?? '' }] : [];
    });
  }

  /**
   * Posts created in a channel since this instant (ms), oldest first, deleted ones left out: what the event listener
   * missed while its websocket was down. Mattermost answers everything changed since then, which the filter narrows.
   */
  async postsSince(channelId: string, since: number): Promise<ChannelPost[]> {
    const list = await this.client.getPostsSince(channelId, since, false);
    return list.order
      .flatMap((id) => {
        const post = list.posts[id];
        return post && post.create_at >= since && !post.delete_at
          ? [{ id: post.id, createAt: post.create_at, userId: post.user_id, rootId: post.root_id ?? '', message: post.message, type: post.type ?? '' }]
          : [];
      })
      .sort((a, b) => a.createAt - b.createAt);
  }

  /** The bot's own user ID: the event listener leaves the bot's own posts alone. */
  ownUserId(): Promise<string> {
    return this.botId();
  }

  /** A team's name (what permalinks use) from its ID, asked once per team. */
  async teamNameOf(teamId: string): Promise<string> {
    for (const [name, id] of this.teamIds) if (id === teamId) return name;
    const team = await this.client.getTeam(teamId);
    this.teamIds.set(team.name, team.id);
    return team.name;
  }

  async usersByIds(ids: string[]): Promise<ChatUser[]> {
    const profiles = await this.profilesByIds(ids);
    return [...new Set(ids)].flatMap((id) => {
      const user = profiles.get(id);
      // Mattermost blanks e-mail addresses the bot may not see (ShowEmailAddress off, no manage_system).
      return user ? [{ id: user.id, username: user.username, email: user.email ?? '', type: user.is_bot ? ('bot' as const) : ('user' as const) }] : [];
    });
  }

  /**
   * Each file is uploaded on its own (POST /files with channel_id first), read from disk by fetch as the request goes
   * out: `openAsBlob` gives a Blob backed by the file, so an export of tens of MB is never held in memory whole. Then
   * one post carries every file_id and the key. A retry after a failed post uploads again; the earlier uploads stay
   * unattached, which Mattermost tolerates (it cleans up orphan files).
   */
  async postFiles(channelId: string, message: string, files: ChatFile[], key: string): Promise<Post> {
    const earlier = await this.findPostByKey(channelId, key);
    if (earlier) return earlier;
    const fileIds: string[] = [];
    for (const file of files) {
      const form = new FormData();
      form.append('channel_id', channelId);
      form.append('files', await openAsBlob(file.path, { type: file.contentType }), file.name);
      const { file_infos: infos } = await this.client.uploadFileWithTimeout(form, this.uploadTimeoutMs);
      const info = infos[0];
      if (!info) throw new IntegrationError('chat', `Mattermost accepted ${file.name} but returned no file info`, true, 'Unavailable');
      fileIds.push(info.id);
    }
    const post = await this.client.createPost({
      channel_id: channelId,
      message,
      file_ids: fileIds,
      props: { [POST_KEY_PROP]: key },
    } as unknown as MattermostPost);
    return { id: post.id, channelId: post.channel_id, message: post.message };
  }
}
