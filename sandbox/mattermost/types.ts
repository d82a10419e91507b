/**
 * The Mattermost sandbox's public types: its options, the records it holds in Mattermost's own shapes (users, teams,
 * channels, members, posts, files, sidebar categories, groups) and the MattermostSandbox handle tests and the bench
 * inspect it through.
 */
import type { SandboxServer } from '../sandbox-server.js';

export interface MattermostSandboxUser {
  username: string;
  email?: string;
  isBot?: boolean;
  systemAdmin?: boolean;
}

export interface MattermostSandboxOptions {
  /** token -> username of the user that token authenticates. Default { 'mm-bot-token': 'incident-bot' }. */
  tokens?: Record<string, string>;
  /** Default: incident-bot (bot, system admin), alice, bob, carol, dave, erin, oscar; e-mail <username>@example.com. */
  users?: MattermostSandboxUser[];
  /** Default: one team named "default". */
  teams?: Array<{ name: string; displayName?: string }>;
  /** FileSettings.MaxFileSize: the largest file an upload may carry, in bytes. Default 100 MiB, as Mattermost's. */
  maxFileSize?: number;
  /**
   * PrivacySettings.ShowEmailAddress off: user profiles come with email "" except to the user and system admins.
   * Default false (addresses shown).
   */
  hideEmailAddresses?: boolean;
  /**
   * Custom user groups: name (what "@name" mentions), display name (default: the name) and member usernames, every one
   * of them a user. Default: one group "sre" ("SRE") with bob and carol (those of them that are users).
   */
  groups?: MattermostSandboxGroup[];
  /** false: a server without user groups (no licence for them): every groups route answers 501. Default true. */
  groupsEnabled?: boolean;
  /**
   * false: a server before Mattermost 9.11, whose POST /channels/{id}/members takes one `user_id` per call and answers
   * a `user_ids` body with 400 "Invalid or missing user_id in request body.". Default true (9.11 and later: either).
   */
  batchChannelMembers?: boolean;
  /**
   * ServiceSettings.EnableOAuthServiceProvider (Mattermost as OAuth 2.0 provider, for "sign in with Mattermost"); also
   * turned on and off at PUT /api/v4/config/patch. false: every OAuth route answers 501 as the real server does.
   * Default true.
   */
  enableOAuthServiceProvider?: boolean;
}

/** Mattermost's OAuthApp, as the /oauth/apps routes answer it (the secret included: only admins reach them). */
export interface SandboxOAuthApp {
  id: string;
  creator_id: string;
  create_at: number;
  update_at: number;
  client_secret: string;
  name: string;
  description: string;
  icon_url: string;
  callback_urls: string[];
  homepage: string;
  /** Trusted apps skip the consent page. */
  is_trusted: boolean;
  mattermost_app_id: string;
}

/** An authorization code (Mattermost's AuthData): single use, 10 minutes. */
export interface SandboxAuthCode {
  code: string;
  client_id: string;
  user_id: string;
  redirect_uri: string;
  state: string;
  scope: string;
  create_at: number;
}

export interface MattermostSandboxGroup {
  name: string;
  displayName?: string;
  members: string[];
}

/** Mattermost's Group, as the groups routes answer it (member_count only when asked for with include_member_count). */
export interface SandboxGroup {
  id: string;
  name: string;
  display_name: string;
  description: string;
  source: 'custom';
  remote_id: null;
  create_at: number;
  update_at: number;
  delete_at: number;
  has_syncables: boolean;
  scheme_admin: boolean;
  allow_reference: boolean;
  member_count?: number;
}

export interface SandboxUserProfile {
  id: string;
  username: string;
  email: string;
  first_name: string;
  last_name: string;
  nickname: string;
  position: string;
  is_bot: boolean;
  roles: string;
  auth_service: string;
  create_at: number;
  update_at: number;
  delete_at: number;
  locale: string;
}

export interface SandboxTeam {
  id: string;
  create_at: number;
  update_at: number;
  delete_at: number;
  display_name: string;
  name: string;
  description: string;
  email: string;
  type: 'O' | 'I';
  company_name: string;
  allowed_domains: string;
  invite_id: string;
  allow_open_invite: boolean;
  scheme_id: string;
  group_constrained: boolean;
}

export interface SandboxChannel {
  id: string;
  create_at: number;
  update_at: number;
  delete_at: number;
  /** Direct-message channels ('D') belong to no team: team_id is ''. */
  team_id: string;
  type: 'O' | 'P' | 'D';
  display_name: string;
  name: string;
  header: string;
  purpose: string;
  last_post_at: number;
  last_root_post_at: number;
  total_msg_count: number;
  total_msg_count_root: number;
  extra_update_at: number;
  creator_id: string;
  scheme_id: string;
  group_constrained: boolean;
  shared: boolean;
  policy_id: string | null;
}

export interface SandboxChannelMember {
  channel_id: string;
  user_id: string;
  roles: string;
  last_viewed_at: number;
  msg_count: number;
  mention_count: number;
  mention_count_root: number;
  msg_count_root: number;
  urgent_mention_count: number;
  notify_props: Record<string, string>;
  last_update_at: number;
  scheme_guest: boolean;
  scheme_user: boolean;
  scheme_admin: boolean;
}

export interface SandboxPost {
  id: string;
  create_at: number;
  update_at: number;
  edit_at: number;
  delete_at: number;
  is_pinned: boolean;
  user_id: string;
  channel_id: string;
  root_id: string;
  original_id: string;
  message: string;
  type: string;
  props: Record<string, unknown>;
  hashtags: string;
  pending_post_id: string;
  reply_count: number;
  last_reply_at: number;
  participants: null;
  metadata: Record<string, unknown>;
  /** Present (like Mattermost's omitempty) only on posts with attached files. */
  file_ids?: string[];
}

export interface SandboxPostList {
  order: string[];
  posts: Record<string, SandboxPost>;
  next_post_id: string;
  prev_post_id: string;
  first_inaccessible_post_time: number;
}

export type SandboxCategoryType = 'favorites' | 'channels' | 'direct_messages' | 'custom';
export type SandboxCategorySorting = '' | 'alpha' | 'recent' | 'manual';

export interface SandboxCategory {
  id: string;
  user_id: string;
  team_id: string;
  type: SandboxCategoryType;
  display_name: string;
  sorting: SandboxCategorySorting;
  channel_ids: string[];
  muted: boolean;
  collapsed: boolean;
}

/** Mattermost's FileInfo, as POST /files and GET /files/{id}/info answer it. */
export interface SandboxFileInfo {
  id: string;
  user_id: string;
  channel_id: string;
  /** '' until a post attaches the file. */
  post_id: string;
  create_at: number;
  update_at: number;
  delete_at: number;
  name: string;
  extension: string;
  size: number;
  mime_type: string;
  width: number;
  height: number;
  has_preview_image: boolean;
  mini_preview: null;
  remote_id: string;
  archived: boolean;
}

export interface SandboxSeedPostsOptions {
  /** How many posts to add (1 to 200,000). */
  count: number;
  /** Usernames the posts come from, in turn. Default: the channel's members in join order (every user when none). */
  users?: string[];
  /** create_at of the first post, in ms since the epoch; default now. */
  startAt?: number;
  /** Milliseconds between two posts (at least 1, so times stay distinct); default 1. */
  intervalMs?: number;
  /** Every threadEvery-th post (2 or more) is a reply to the latest root post; no replies when absent. */
  threadEvery?: number;
  /** Post i (from 1) says "<message> <i>"; default "Seeded post". */
  message?: string;
}

export interface SandboxDialog {
  trigger_id: string;
  url: string;
  dialog: unknown;
}

export interface SandboxEphemeralPost {
  id: string;
  user_id: string;
  to_user_id: string;
  channel_id: string;
  message: string;
  create_at: number;
}

export interface SandboxExecutedCommand {
  user_id: string;
  channel_id: string;
  team_id: string;
  command: string;
}

export interface MattermostSandbox {
  /** start()/stop()/url/addFault()/requests come from here. */
  server: SandboxServer;
  userId(username: string): string;
  teamId(name: string): string;
  /** The id of the seeded user group of this name. */
  groupId(name: string): string;
  channels(): SandboxChannel[];
  /** Oldest first; every channel's posts when no channel is given. */
  posts(channelId?: string): SandboxPost[];
  /** User ids, in the order they joined. */
  members(channelId: string): string[];
  categories(userId: string, teamId: string): SandboxCategory[];
  dialogs(): SandboxDialog[];
  executedCommands(): SandboxExecutedCommand[];
  ephemeralPosts(): SandboxEphemeralPost[];
  /** Every uploaded file's FileInfo, in upload order (also under "files" in GET /_sandbox/state). */
  files(): SandboxFileInfo[];
  /** The bytes of an uploaded file, or undefined for an unknown id. */
  fileContent(fileId: string): Buffer | undefined;
  /**
   * Adds posts in bulk without HTTP (cheap: a 20,000-post channel takes a fraction of a second); answers their ids,
   * oldest first. Also at POST /_sandbox/channels/{channel_id}/seed-posts with the options as JSON.
   */
  seedPosts(channelId: string, options: SandboxSeedPostsOptions): string[];
  /** Closes every websocket with 1001 (as POST /_sandbox/websocket/drop does); answers how many were open. */
  dropWebSockets(): number;
  /** Open websocket connections, authenticated or not. */
  webSocketConnections(): number;
}
