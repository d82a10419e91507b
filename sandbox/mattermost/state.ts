/**
 * The Mattermost sandbox's in-memory state (MattermostWorld): users, teams, channels and their members, posts, files,
 * sidebars, groups and what integrations did, with the lookups and permission checks every route module shares.
 */
import { MattermostWebSocketHub } from './websocket.js';
import { channelNotFound, forbidden, groupNotFound, groupsUnlicensed, postNotFound, teamNotFound, userNotFound } from './errors.js';
import { copy, newMattermostId } from './ids.js';
import { DEFAULT_GROUPS, DEFAULT_USERS, seedGroup, seedTeam, seedUser } from './seed.js';
import type {
  MattermostSandboxOptions,
  SandboxAuthCode,
  SandboxCategory,
  SandboxChannel,
  SandboxChannelMember,
  SandboxDialog,
  SandboxEphemeralPost,
  SandboxExecutedCommand,
  SandboxFileInfo,
  SandboxGroup,
  SandboxOAuthApp,
  SandboxPost,
  SandboxTeam,
  SandboxUserProfile,
} from './types.js';

/** FileSettings.MaxFileSize's default (100 MiB). */
const MAX_FILE_SIZE_DEFAULT = 100 * 1024 * 1024;

export const isSystemAdmin = (user: SandboxUserProfile): boolean => user.roles.split(' ').includes('system_admin');

export class MattermostWorld {
  readonly users = new Map<string, SandboxUserProfile>();
  readonly teams = new Map<string, SandboxTeam>();
  private readonly tokens = new Map<string, string>();
  readonly channels = new Map<string, SandboxChannel>();
  /** channel id -> user id -> member, in join order. */
  readonly memberships = new Map<string, Map<string, SandboxChannelMember>>();
  /** In creation order. */
  readonly posts = new Map<string, SandboxPost>();
  /** "<user id>:<team id>" -> the user's sidebar in display order (categories.ts keeps it in line with the channels). */
  readonly sidebars = new Map<string, SandboxCategory[]>();
  dialogs: SandboxDialog[] = [];
  commands: SandboxExecutedCommand[] = [];
  /** Ephemeral posts are shown to one user and never stored by Mattermost; the sandbox keeps them for inspection. */
  ephemeralPosts: SandboxEphemeralPost[] = [];
  /** Uploaded files in upload order, with their bytes. */
  readonly files = new Map<string, { info: SandboxFileInfo; content: Buffer }>();
  readonly maxFileSize: number;
  private readonly hideEmailAddresses: boolean;
  /** Seeded user groups, and group id -> member user ids (in seeding order). Kept across reset, like users. */
  readonly groups = new Map<string, SandboxGroup>();
  readonly groupMembers = new Map<string, string[]>();
  readonly groupsEnabled: boolean;
  readonly batchChannelMembers: boolean;
  /** ServiceSettings.EnableOAuthServiceProvider now (PUT /config/patch changes it; reset() restores the option's). */
  enableOAuthServiceProvider: boolean;
  private readonly oauthProviderOption: boolean;
  /** OAuth apps by id; kept across reset, like users, so the app `npm start` made keeps working. */
  readonly oauthApps = new Map<string, SandboxOAuthApp>();
  /** Unused authorization codes by code. */
  readonly authCodes = new Map<string, SandboxAuthCode>();
  /** "<user id>:<client id>" of the untrusted apps a user allowed on the consent page (a preference in Mattermost). */
  readonly authorizedOAuthApps = new Set<string>();
  /** "<user id>:<client id>" -> the access token issued: Mattermost hands the same one out until it expires. */
  readonly oauthAccess = new Map<string, { token: string; refreshToken: string; expiresAt: number }>();
  /** The websocket: the routes tell it what happened; it survives reset() (connections belong to users, not state). */
  readonly events: MattermostWebSocketHub;
  private lastMillis = 0;

  constructor(options: MattermostSandboxOptions) {
    this.maxFileSize = options.maxFileSize ?? MAX_FILE_SIZE_DEFAULT;
    this.hideEmailAddresses = options.hideEmailAddresses ?? false;
    this.groupsEnabled = options.groupsEnabled ?? true;
    this.batchChannelMembers = options.batchChannelMembers ?? true;
    this.oauthProviderOption = options.enableOAuthServiceProvider ?? true;
    this.enableOAuthServiceProvider = this.oauthProviderOption;
    this.events = new MattermostWebSocketHub({
      userIdForToken: (token) => this.userForToken(token)?.id,
      channelMemberIds: (channelId) => this.memberList(channelId).map((member) => member.user_id),
      username: (userId) => this.users.get(userId)?.username,
      newId: newMattermostId,
    });
    const seededAt = this.now();
    for (const user of options.users ?? DEFAULT_USERS) seedUser(this, user, seededAt);
    for (const team of options.teams ?? [{ name: 'default' }]) seedTeam(this, team, seededAt);
    // The default group takes whichever of its members exist, so tests seeding other users still get a sandbox.
    for (const group of options.groups ?? DEFAULT_GROUPS) seedGroup(this, group, seededAt, options.groups === undefined);
    for (const [token, username] of Object.entries(options.tokens ?? { 'mm-bot-token': 'incident-bot' })) {
      const user = this.userByUsername(username);
      if (!user) throw new Error(`Mattermost sandbox: token for unknown user "${username}"`);
      this.tokens.set(token, user.id);
    }
  }

  /**
   * Milliseconds, but strictly increasing: posts made within one millisecond still get distinct times, so "newest
   * first" and "since" stay well defined (the real server breaks such ties arbitrarily).
   */
  now(): number {
    this.lastMillis = Math.max(Date.now(), this.lastMillis + 1);
    return this.lastMillis;
  }

  /** Moves the clock past a time handed out otherwise (seeded posts), so later posts are still newer. */
  advanceClockTo(millis: number): void {
    this.lastMillis = Math.max(this.lastMillis, millis);
  }

  reset(): void {
    this.enableOAuthServiceProvider = this.oauthProviderOption;
    this.authCodes.clear();
    this.authorizedOAuthApps.clear();
    for (const access of this.oauthAccess.values()) this.tokens.delete(access.token);
    this.oauthAccess.clear();
    this.channels.clear();
    this.memberships.clear();
    this.posts.clear();
    this.files.clear();
    this.sidebars.clear();
    this.dialogs = [];
    this.commands = [];
    this.ephemeralPosts = [];
  }

  // --- lookups -------------------------------------------------------------------------------------------------------

  groupByName(name: string): SandboxGroup | undefined {
    return [...this.groups.values()].find((group) => group.name === name);
  }

  /** Every groups route first: a server without the licence answers 501 Not Implemented. */
  requireGroupsEnabled(): void {
    if (!this.groupsEnabled) throw groupsUnlicensed();
  }

  requireGroup(id: string): SandboxGroup {
    const group = this.groups.get(id);
    if (!group) throw groupNotFound();
    return group;
  }

  /** A token the OAuth token endpoint issued: it authenticates its user like the configured ones. */
  issueToken(token: string, userId: string): void {
    this.tokens.set(token, userId);
  }

  revokeToken(token: string): void {
    this.tokens.delete(token);
  }

  userForToken(token: string): SandboxUserProfile | undefined {
    const id = this.tokens.get(token);
    return id === undefined ? undefined : this.users.get(id);
  }

  /** A profile as this session may see it (the real server's SanitizeProfile). */
  profileFor(user: SandboxUserProfile, session: SandboxUserProfile): SandboxUserProfile {
    const profile = copy(user);
    if (this.hideEmailAddresses && user.id !== session.id && !isSystemAdmin(session)) profile.email = '';
    return profile;
  }

  userByUsername(username: string): SandboxUserProfile | undefined {
    return [...this.users.values()].find((user) => user.username === username);
  }

  userByEmail(email: string): SandboxUserProfile | undefined {
    const wanted = email.toLowerCase();
    return [...this.users.values()].find((user) => user.email.toLowerCase() === wanted);
  }

  teamByName(name: string): SandboxTeam | undefined {
    return [...this.teams.values()].find((team) => team.name === name);
  }

  requireUser(id: string): SandboxUserProfile {
    const user = this.users.get(id);
    if (!user) throw userNotFound();
    return user;
  }

  requireTeam(id: string): SandboxTeam {
    const team = this.teams.get(id);
    if (!team) throw teamNotFound();
    return team;
  }

  requireChannel(id: string): SandboxChannel {
    const channel = this.channels.get(id);
    if (!channel) throw channelNotFound();
    return channel;
  }

  requirePost(id: string): SandboxPost {
    const post = this.posts.get(id);
    if (!post) throw postNotFound();
    return post;
  }

  channelByName(teamId: string, name: string): SandboxChannel | undefined {
    return [...this.channels.values()].find((channel) => channel.team_id === teamId && channel.name === name);
  }

  // --- permissions ---------------------------------------------------------------------------------------------------

  isMember(channelId: string, userId: string): boolean {
    return this.memberships.get(channelId)?.has(userId) ?? false;
  }

  /**
   * Every seeded user is in every team, so public channels are readable by all; private and direct-message ones by
   * members and admins.
   */
  requireReadable(channel: SandboxChannel, session: SandboxUserProfile): void {
    if (channel.type !== 'O' && !this.isMember(channel.id, session.id) && !isSystemAdmin(session)) throw forbidden();
  }

  requireMemberOrAdmin(channel: SandboxChannel, session: SandboxUserProfile): void {
    if (!this.isMember(channel.id, session.id) && !isSystemAdmin(session)) throw forbidden();
  }

  /** Sidebars belong to one user: only that user or a holder of edit_other_users (a system admin) may touch them. */
  requireSelfOrAdmin(userId: string, session: SandboxUserProfile): void {
    if (session.id !== userId && !isSystemAdmin(session)) throw forbidden();
  }

  // --- channels and members ------------------------------------------------------------------------------------------

  addChannel(channel: SandboxChannel): void {
    this.channels.set(channel.id, channel);
    this.memberships.set(channel.id, new Map());
  }

  addMember(channelId: string, userId: string, asAdmin = false): SandboxChannelMember {
    const members = this.memberships.get(channelId) ?? new Map<string, SandboxChannelMember>();
    this.memberships.set(channelId, members);
    const existing = members.get(userId);
    if (existing) return existing;
    const member: SandboxChannelMember = {
      channel_id: channelId,
      user_id: userId,
      roles: asAdmin ? 'channel_user channel_admin' : 'channel_user',
      last_viewed_at: 0,
      msg_count: 0,
      mention_count: 0,
      mention_count_root: 0,
      msg_count_root: 0,
      urgent_mention_count: 0,
      notify_props: { desktop: 'default', email: 'default', mark_unread: 'all', push: 'default', ignore_channel_mentions: 'default' },
      last_update_at: this.now(),
      scheme_guest: false,
      scheme_user: true,
      scheme_admin: asAdmin,
    };
    members.set(userId, member);
    return member;
  }

  memberList(channelId: string): SandboxChannelMember[] {
    return [...(this.memberships.get(channelId)?.values() ?? [])];
  }

  channelIdsOf(userId: string, teamId: string): string[] {
    return [...this.channels.values()]
      .filter((channel) => channel.team_id === teamId && this.isMember(channel.id, userId))
      .map((channel) => channel.id);
  }

  // --- posts ---------------------------------------------------------------------------------------------------------

  postsIn(channelId: string): SandboxPost[] {
    return [...this.posts.values()].filter((post) => post.channel_id === channelId);
  }
}
