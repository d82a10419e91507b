/**
 * A local fake of the Mattermost REST API v4, faithful to what `@mattermost/client`'s Client4 sends and expects: the
 * routes the incident service uses (users, teams, channels, direct-message channels, members, posts, file uploads, sidebar
 * categories, dialogs, slash commands), replies in Mattermost's shapes, and every error as an AppError
 * `{id, message, detailed_error, request_id, status_code}` (Client4 builds its ClientError from that body, not from the
 * HTTP status).
 *
 * Built on SandboxServer, so requests are recorded, faults can be injected per route, and GET /_sandbox/state shows what
 * the fake holds (uploaded files as metadata under "files"). The sandbox keeps no real sessions: a static token map says
 * which seeded user each token is. Sandbox-only: POST /_sandbox/channels/{channel_id}/seed-posts adds posts in bulk
 * (see SandboxSeedPostsOptions).
 *
 * The websocket at /api/v4/websocket (sandbox/mattermost-websocket.ts) sends posted, user_added, user_removed and
 * ephemeral_message events for what happens through the REST routes (not for seed-posts). Sandbox-only: POST
 * /_sandbox/websocket/drop closes every websocket with 1001, so a test can watch a client reconnect; GET /_sandbox/state
 * counts the open ones under "websocketConnections".
 *
 * User groups (custom groups, a licensed feature) are seeded from the options: GET /groups (q, paging,
 * include_member_count, filter_has_member), GET /groups/{id}, GET /groups/{id}/stats, GET /users?in_group={id} (paged) and
 * GET /users/{id}/groups. With `groupsEnabled: false` every one of them answers 501, as an unlicensed server does.
 */
import { randomBytes } from 'node:crypto';
import type { Request, Response, Router } from 'express';
import { MattermostWebSocketHub } from './mattermost-websocket.js';
import { SandboxServer, sendJson } from './sandbox-server.js';

// ---------------------------------------------------------------------------------------------------------------------
// Public API

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

// ---------------------------------------------------------------------------------------------------------------------
// Limits and identifiers (server/public/model)

const API = '/api/v4';
const CHANNEL_NAME_MAX = 64;
const CHANNEL_DISPLAY_NAME_MAX = 64;
const CHANNEL_PURPOSE_MAX = 250;
const CHANNEL_HEADER_MAX = 1024;
const POST_MESSAGE_MAX_RUNES = 16383;
const DIALOG_TITLE_MAX = 24;
const PER_PAGE_DEFAULT = 60;
const PER_PAGE_MAX = 200;
/** FileSettings.MaxFileSize's default (100 MiB). */
const MAX_FILE_SIZE_DEFAULT = 100 * 1024 * 1024;
/** Room for the multipart framing and form fields around the files of one upload request. */
const UPLOAD_OVERHEAD = 1024 * 1024;
/** model.Post.IsValid: at most this many files on a post. */
const POST_FILES_MAX = 10;
const SEED_POSTS_MAX = 200_000;
const CATEGORY_SORTINGS: readonly SandboxCategorySorting[] = ['', 'alpha', 'recent', 'manual'];

const DEFAULT_USERS: MattermostSandboxUser[] = [
  { username: 'incident-bot', isBot: true, systemAdmin: true },
  ...['alice', 'bob', 'carol', 'dave', 'erin', 'oscar'].map((username) => ({ username })),
];

const DEFAULT_GROUPS: MattermostSandboxGroup[] = [{ name: 'sre', displayName: 'SRE', members: ['bob', 'carol'] }];
/** model.Group.IsValidName: lower-case letters, digits, ".", "-" and "_", at most 64 characters. */
const GROUP_NAME = /^[a-z0-9.\-_]{1,64}$/;

// Mattermost ids are 16 random bytes in base32 with this alphabet: 26 lower-case alphanumerics.
const ID_ALPHABET = 'ybndrfg8ejkmcpqxot1uwisza345h769';

export function newMattermostId(): string {
  let id = '';
  let buffered = 0;
  let bufferedBits = 0;
  for (const byte of randomBytes(16)) {
    buffered = (buffered << 8) | byte;
    bufferedBits += 8;
    while (bufferedBits >= 5) {
      bufferedBits -= 5;
      id += ID_ALPHABET.charAt((buffered >>> bufferedBits) & 31);
    }
    buffered &= (1 << bufferedBits) - 1;
  }
  return id + ID_ALPHABET.charAt((buffered << (5 - bufferedBits)) & 31);
}

const isValidId = (value: unknown): value is string => typeof value === 'string' && /^[a-z0-9]{26}$/.test(value);
const runeLength = (text: string): number => [...text].length;
const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const copy = <T>(value: T): T => structuredClone(value);

// ---------------------------------------------------------------------------------------------------------------------
// AppError

class MattermostApiError extends Error {
  constructor(
    readonly status: number,
    readonly id: string,
    message: string,
  ) {
    super(message);
  }

  body(): Record<string, unknown> {
    return appErrorBody(this.status, this.id, this.message);
  }
}

function appErrorBody(status: number, id: string, message: string): Record<string, unknown> {
  return { id, message, detailed_error: '', request_id: newMattermostId(), status_code: status };
}

/** The ids the real server uses for these statuses when no handler picked a more specific one (faults, unknown routes). */
const GENERIC_ERROR_IDS: Record<number, string> = {
  400: 'api.context.invalid_param.app_error',
  401: 'api.context.session_expired.app_error',
  403: 'api.context.permissions.app_error',
  404: 'api.context.404.app_error',
  501: 'api.context.not_implemented.app_error',
};

const apiError = (status: number, id: string, message: string) => new MattermostApiError(status, id, message);
const invalidBodyParam = (name: string) =>
  apiError(400, 'api.context.invalid_param.app_error', `Missing or invalid ${name} in the request body.`);
/** What Mattermost answers for a missing or malformed field of a JSON body (the channel members route, for one). */
const invalidBodyField = (name: string) => apiError(400, 'api.context.invalid_body_param.app_error', `Invalid or missing ${name} in request body.`);
const invalidUrlParam = (name: string) =>
  apiError(400, 'api.context.invalid_url_param.app_error', `Missing or invalid ${name} in the request URL.`);
const forbidden = () => apiError(403, 'api.context.permissions.app_error', 'The session lacks the permission for this.');
const userNotFound = () => apiError(404, 'app.user.missing_account.const', 'No such user.');
const teamNotFound = () => apiError(404, 'app.team.get.find.app_error', 'No such team.');
const channelNotFound = () => apiError(404, 'app.channel.get.existing.app_error', 'No such channel.');
const groupNotFound = () => apiError(404, 'app.group.no_rows', 'No group found.');
const groupsUnlicensed = () => apiError(501, 'api.custom_groups.license_error', 'The server is not licensed for user groups.');
const postNotFound = () => apiError(404, 'app.post.get.app_error', 'No such post.');

// ---------------------------------------------------------------------------------------------------------------------
// Request helpers

interface Reply {
  status: number;
  /** Sent as JSON, or as is when a Buffer (a file's bytes, with `headers`). */
  body: unknown;
  headers?: Record<string, string>;
}
const ok = (body: unknown): Reply => ({ status: 200, body });
const created = (body: unknown): Reply => ({ status: 201, body });
const statusOk = (): Reply => ok({ status: 'OK' });

function param(req: Request, name: string): string {
  const value = req.params[name];
  return typeof value === 'string' ? value : '';
}

function idParam(req: Request, name: string): string {
  const value = param(req, name);
  if (!isValidId(value)) throw invalidUrlParam(name);
  return value;
}

function queryString(req: Request, name: string): string | undefined {
  const value = req.query[name];
  return typeof value === 'string' ? value : undefined;
}

/** Mattermost falls back to the default for a missing or malformed number and caps per_page instead of failing. */
function paging(req: Request): { page: number; perPage: number } {
  const page = Number.parseInt(queryString(req, 'page') ?? '', 10);
  const perPage = Number.parseInt(queryString(req, 'per_page') ?? '', 10);
  return {
    page: Number.isInteger(page) && page >= 0 ? page : 0,
    perPage: !Number.isInteger(perPage) || perPage < 0 ? PER_PAGE_DEFAULT : Math.min(perPage, PER_PAGE_MAX),
  };
}

function pageOf<T>(items: T[], page: number, perPage: number): T[] {
  return items.slice(page * perPage, page * perPage + perPage);
}

function bodyObject(req: Request, name = 'body'): Record<string, unknown> {
  if (!isRecord(req.body)) throw invalidBodyParam(name);
  return req.body;
}

function bodyArray(req: Request, name: string): unknown[] {
  if (!Array.isArray(req.body)) throw invalidBodyParam(name);
  return req.body;
}

function optionalString(body: Record<string, unknown>, field: string): string | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw invalidBodyParam(field);
  return value;
}

function optionalBoolean(body: Record<string, unknown>, field: string): boolean | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'boolean') throw invalidBodyParam(field);
  return value;
}

function stringArray(value: unknown, field: string): string[] {
  if (!Array.isArray(value) || value.some((item) => typeof item !== 'string')) throw invalidBodyParam(field);
  return value as string[];
}

// ---------------------------------------------------------------------------------------------------------------------
// Validation rules (model.Channel.IsValid, model.Post.IsValid, model.Dialog.IsValid)

function checkChannelName(name: unknown): string {
  const valid =
    typeof name === 'string' &&
    name.length >= 1 &&
    name.length <= CHANNEL_NAME_MAX &&
    /^[a-z0-9_-]+$/.test(name) &&
    // "__" is how direct-message channel names are built, so other channels may not contain it.
    !name.includes('__');
  if (!valid) {
    throw apiError(400, 'model.channel.is_valid.name.app_error', `A channel name is 1 to ${CHANNEL_NAME_MAX} of a-z, 0-9, "-" and "_", without "__".`);
  }
  return name;
}

function checkLength(value: string, min: number, max: number, id: string, what: string): string {
  const length = runeLength(value);
  if (length < min || length > max) throw apiError(400, id, `${what} must be ${min} to ${max} characters long.`);
  return value;
}

const checkDisplayName = (value: string) =>
  checkLength(value, 1, CHANNEL_DISPLAY_NAME_MAX, 'model.channel.is_valid.display_name.app_error', 'display_name');
const checkHeader = (value: string) => checkLength(value, 0, CHANNEL_HEADER_MAX, 'model.channel.is_valid.header.app_error', 'header');
const checkPurpose = (value: string) =>
  checkLength(value, 0, CHANNEL_PURPOSE_MAX, 'model.channel.is_valid.purpose.app_error', 'purpose');
const checkMessage = (value: string) => checkLength(value, 0, POST_MESSAGE_MAX_RUNES, 'model.post.is_valid.msg.app_error', 'message');

function dialogProblem(body: Record<string, unknown>): string | undefined {
  if (typeof body.trigger_id !== 'string' || body.trigger_id === '') return 'empty trigger_id';
  if (typeof body.url !== 'string' || body.url === '') return 'empty url';
  const dialog = body.dialog;
  if (!isRecord(dialog)) return 'missing dialog';
  const title = dialog.title;
  if (typeof title !== 'string' || title === '' || runeLength(title) > DIALOG_TITLE_MAX) {
    return `the title must be 1 to ${DIALOG_TITLE_MAX} characters`;
  }
  const elements = dialog.elements ?? [];
  if (!Array.isArray(elements)) return 'elements must be an array';
  const seen = new Set<string>();
  for (const element of elements) {
    const name = isRecord(element) ? element.name : undefined;
    if (typeof name !== 'string' || name === '') return 'every element needs a name';
    if (seen.has(name)) return `duplicate element name "${name}"`;
    seen.add(name);
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------------------------------
// State

const isSystemAdmin = (user: SandboxUserProfile): boolean => user.roles.split(' ').includes('system_admin');

class MattermostWorld {
  readonly users = new Map<string, SandboxUserProfile>();
  readonly teams = new Map<string, SandboxTeam>();
  private readonly tokens = new Map<string, string>();
  readonly channels = new Map<string, SandboxChannel>();
  /** channel id -> user id -> member, in join order. */
  readonly memberships = new Map<string, Map<string, SandboxChannelMember>>();
  /** In creation order. */
  readonly posts = new Map<string, SandboxPost>();
  /** "<user id>:<team id>" -> the user's sidebar in display order. */
  private readonly sidebars = new Map<string, SandboxCategory[]>();
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
  /** The websocket: the routes tell it what happened; it survives reset() (connections belong to users, not state). */
  readonly events: MattermostWebSocketHub;
  private lastMillis = 0;

  constructor(options: MattermostSandboxOptions) {
    this.maxFileSize = options.maxFileSize ?? MAX_FILE_SIZE_DEFAULT;
    this.hideEmailAddresses = options.hideEmailAddresses ?? false;
    this.groupsEnabled = options.groupsEnabled ?? true;
    this.batchChannelMembers = options.batchChannelMembers ?? true;
    this.events = new MattermostWebSocketHub({
      userIdForToken: (token) => this.userForToken(token)?.id,
      channelMemberIds: (channelId) => this.memberList(channelId).map((member) => member.user_id),
      username: (userId) => this.users.get(userId)?.username,
      newId: newMattermostId,
    });
    const seededAt = this.now();
    for (const user of options.users ?? DEFAULT_USERS) this.seedUser(user, seededAt);
    for (const team of options.teams ?? [{ name: 'default' }]) this.seedTeam(team, seededAt);
    // The default group takes whichever of its members exist, so tests seeding other users still get a sandbox.
    for (const group of options.groups ?? DEFAULT_GROUPS) this.seedGroup(group, seededAt, options.groups === undefined);
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
    this.channels.clear();
    this.memberships.clear();
    this.posts.clear();
    this.files.clear();
    this.sidebars.clear();
    this.dialogs = [];
    this.commands = [];
    this.ephemeralPosts = [];
  }

  private seedUser(input: MattermostSandboxUser, at: number): void {
    if (this.userByUsername(input.username)) throw new Error(`Mattermost sandbox: duplicate user "${input.username}"`);
    const id = newMattermostId();
    const human = !input.isBot;
    this.users.set(id, {
      id,
      username: input.username,
      email: input.email ?? `${input.username}@example.com`,
      first_name: human ? input.username.charAt(0).toUpperCase() + input.username.slice(1) : '',
      last_name: '',
      nickname: '',
      position: '',
      is_bot: Boolean(input.isBot),
      roles: input.systemAdmin ? 'system_admin system_user' : 'system_user',
      auth_service: '',
      create_at: at,
      update_at: at,
      delete_at: 0,
      locale: 'en',
    });
  }

  private seedTeam(input: { name: string; displayName?: string }, at: number): void {
    const id = newMattermostId();
    this.teams.set(id, {
      id,
      create_at: at,
      update_at: at,
      delete_at: 0,
      display_name: input.displayName ?? input.name,
      name: input.name,
      description: '',
      email: '',
      type: 'O',
      company_name: '',
      allowed_domains: '',
      invite_id: newMattermostId(),
      allow_open_invite: false,
      scheme_id: '',
      group_constrained: false,
    });
  }

  private seedGroup(input: MattermostSandboxGroup, at: number, lenient: boolean): void {
    if (!GROUP_NAME.test(input.name)) throw new Error(`Mattermost sandbox: invalid group name "${input.name}"`);
    if (this.groupByName(input.name)) throw new Error(`Mattermost sandbox: duplicate group "${input.name}"`);
    const memberIds: string[] = [];
    for (const username of new Set(input.members)) {
      const user = this.userByUsername(username);
      if (user) memberIds.push(user.id);
      else if (!lenient) throw new Error(`Mattermost sandbox: group "${input.name}" names unknown user "${username}"`);
    }
    const id = newMattermostId();
    this.groups.set(id, {
      id,
      name: input.name,
      display_name: input.displayName ?? input.name,
      description: '',
      source: 'custom',
      remote_id: null,
      create_at: at,
      update_at: at,
      delete_at: 0,
      has_syncables: false,
      scheme_admin: false,
      allow_reference: true,
    });
    this.groupMembers.set(id, memberIds);
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

  groupJson(group: SandboxGroup, withMemberCount: boolean): SandboxGroup {
    return withMemberCount ? { ...copy(group), member_count: this.groupMembers.get(group.id)?.length ?? 0 } : copy(group);
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

  // --- sidebar categories --------------------------------------------------------------------------------------------

  /** The user's categories, seeded on first use and brought in line with the channels the user belongs to now. */
  sidebar(userId: string, teamId: string): SandboxCategory[] {
    const key = `${userId}:${teamId}`;
    let categories = this.sidebars.get(key);
    if (!categories) {
      const seed = (type: SandboxCategoryType, display_name: string): SandboxCategory => ({
        // The real server names the default categories after their type, user and team.
        id: `${type}_${userId}_${teamId}`,
        user_id: userId,
        team_id: teamId,
        type,
        display_name,
        sorting: '',
        channel_ids: [],
        muted: false,
        collapsed: false,
      });
      categories = [seed('favorites', 'Favorites'), seed('channels', 'Channels'), seed('direct_messages', 'Direct Messages')];
      this.sidebars.set(key, categories);
    }
    this.syncSidebar(userId, teamId, categories);
    return categories;
  }

  allSidebars(): SandboxCategory[] {
    return [...this.sidebars.keys()].flatMap((key) => {
      const [userId = '', teamId = ''] = key.split(':');
      return this.sidebar(userId, teamId);
    });
  }

  /** A channel sits in exactly one category; channels left are dropped and channels joined land in "Channels". */
  private syncSidebar(userId: string, teamId: string, categories: SandboxCategory[]): void {
    const memberOf = new Set(this.channelIdsOf(userId, teamId));
    const placed = new Set<string>();
    for (const category of categories) {
      category.channel_ids = category.channel_ids.filter((id) => memberOf.has(id) && !placed.has(id));
      category.channel_ids.forEach((id) => placed.add(id));
    }
    const channelsCategory = categories.find((category) => category.type === 'channels');
    for (const id of memberOf) if (!placed.has(id)) channelsCategory?.channel_ids.push(id);
  }

  /** Puts the channels in the category and takes them out of every other one, as moving a channel does in the UI. */
  placeChannels(categories: SandboxCategory[], target: SandboxCategory, channelIds: string[]): void {
    const moving = new Set(channelIds);
    for (const category of categories) {
      if (category !== target) category.channel_ids = category.channel_ids.filter((id) => !moving.has(id));
    }
    target.channel_ids = [...moving];
  }

  /** Silently drops channel ids the user is not a member of in that team, as the real server does. */
  filterChannelIds(userId: string, teamId: string, channelIds: string[]): string[] {
    const memberOf = new Set(this.channelIdsOf(userId, teamId));
    return [...new Set(channelIds)].filter((id) => memberOf.has(id));
  }
}

// ---------------------------------------------------------------------------------------------------------------------
// Routes

type Handler = (req: Request, session: SandboxUserProfile) => Reply;

/** Runs a handler for the authenticated session and turns a thrown MattermostApiError into its AppError reply. */
function route(world: MattermostWorld, handler: Handler) {
  return (req: Request, res: Response): void => {
    try {
      sendReply(res, handler(req, world.requireUser(String(res.locals.sessionUserId))));
    } catch (error) {
      sendAppError(res, error);
    }
  };
}

/** The same for a handler that has to wait (reading an upload's body). */
function asyncRoute(world: MattermostWorld, handler: (req: Request, session: SandboxUserProfile) => Promise<Reply>) {
  return async (req: Request, res: Response): Promise<void> => {
    try {
      sendReply(res, await handler(req, world.requireUser(String(res.locals.sessionUserId))));
    } catch (error) {
      sendAppError(res, error);
    }
  };
}

function sendReply(res: Response, reply: Reply): void {
  if (!Buffer.isBuffer(reply.body)) {
    sendJson(res, reply.status, reply.body);
    return;
  }
  res.status(reply.status);
  for (const [name, value] of Object.entries(reply.headers ?? {})) res.setHeader(name, value);
  res.setHeader('Content-Length', reply.body.length);
  res.end(reply.body);
}

function sendAppError(res: Response, error: unknown): void {
  const appError =
    error instanceof MattermostApiError
      ? error
      : apiError(500, 'sandbox.internal.app_error', error instanceof Error ? error.message : String(error));
  sendJson(res, appError.status, appError.body());
}

function registerAuth(router: Router, world: MattermostWorld): void {
  router.use(API, (req, res, next) => {
    // Client4 sends "BEARER <token>"; the real server also takes the "Token" scheme, and either case.
    const match = /^(?:bearer|token)\s+(\S+)\s*$/i.exec(req.get('authorization') ?? '');
    const user = match?.[1] ? world.userForToken(match[1]) : undefined;
    if (!user) {
      const error = apiError(401, 'api.context.session_expired.app_error', 'The session is missing, invalid or expired.');
      sendJson(res, 401, error.body());
      return;
    }
    res.locals.sessionUserId = user.id;
    next();
  });
}

/** "me" stands for the session user wherever a user id goes in a path. */
function userIdParam(req: Request, session: SandboxUserProfile, name = 'user_id'): string {
  return param(req, name) === 'me' ? session.id : idParam(req, name);
}

function registerUserRoutes(router: Router, world: MattermostWorld): void {
  router.get(`${API}/users/username/:username`, route(world, (req, session) => {
    const user = world.userByUsername(param(req, 'username'));
    if (!user) throw userNotFound();
    return ok(world.profileFor(user, session));
  }));
  router.get(`${API}/users/email/:email`, route(world, (req) => {
    const user = world.userByEmail(param(req, 'email'));
    if (!user) throw userNotFound();
    return ok(copy(user));
  }));
  router.post(`${API}/users/usernames`, route(world, (req, session) => {
    const wanted = new Set(stringArray(bodyArray(req, 'usernames'), 'usernames'));
    return ok([...world.users.values()].filter((user) => wanted.has(user.username)).map((user) => world.profileFor(user, session)));
  }));
  // Unknown ids are left out; is_bot tells bots from people.
  router.post(`${API}/users/ids`, route(world, (req, session) => {
    const wanted = new Set(stringArray(bodyArray(req, 'user_ids'), 'user_ids'));
    return ok([...world.users.values()].filter((user) => wanted.has(user.id)).map((user) => world.profileFor(user, session)));
  }));
  // GET /users?in_group=<group id>: the group's members, by username, paged; without in_group: every user, paged.
  router.get(`${API}/users`, route(world, (req, session) => {
    const { page, perPage } = paging(req);
    const inGroup = queryString(req, 'in_group');
    let users = [...world.users.values()];
    if (inGroup !== undefined) {
      world.requireGroupsEnabled();
      if (!isValidId(inGroup)) throw apiError(400, 'api.context.invalid_url_param.app_error', 'Invalid or missing in_group in request URL.');
      world.requireGroup(inGroup);
      const memberIds = new Set(world.groupMembers.get(inGroup) ?? []);
      users = users.filter((user) => memberIds.has(user.id));
    }
    users.sort((a, b) => a.username.localeCompare(b.username));
    return ok(pageOf(users, page, perPage).map((user) => world.profileFor(user, session)));
  }));
  router.get(`${API}/users/:user_id`, route(world, (req, session) => ok(world.profileFor(world.requireUser(userIdParam(req, session)), session))));
  // The user groups the user is a member of (custom groups; 501 on a server without them).
  router.get(`${API}/users/:user_id/groups`, route(world, (req, session) => {
    world.requireGroupsEnabled();
    const userId = world.requireUser(userIdParam(req, session)).id;
    return ok([...world.groups.values()].filter((group) => world.groupMembers.get(group.id)?.includes(userId)).map((group) => world.groupJson(group, false)));
  }));
  router.get(`${API}/users/:user_id/teams`, route(world, (req, session) => {
    const userId = userIdParam(req, session);
    world.requireSelfOrAdmin(userId, session);
    world.requireUser(userId);
    return ok([...world.teams.values()].map(copy));
  }));
}

/** Custom user groups: searchable by anyone with a session, as custom groups are visible to every user. */
function registerGroupRoutes(router: Router, world: MattermostWorld): void {
  // q matches the name or display name (case-insensitively, anywhere in it); sorted by display name, paged.
  router.get(`${API}/groups`, route(world, (req) => {
    world.requireGroupsEnabled();
    const { page, perPage } = paging(req);
    const q = (queryString(req, 'q') ?? '').toLowerCase();
    const hasMember = queryString(req, 'filter_has_member');
    const groups = [...world.groups.values()]
      .filter((group) => q === '' || group.name.toLowerCase().includes(q) || group.display_name.toLowerCase().includes(q))
      .filter((group) => !hasMember || (world.groupMembers.get(group.id) ?? []).includes(hasMember))
      .sort((a, b) => a.display_name.localeCompare(b.display_name, 'en', { sensitivity: 'base' }));
    const withCount = queryString(req, 'include_member_count') === 'true';
    return ok(pageOf(groups, page, perPage).map((group) => world.groupJson(group, withCount)));
  }));
  router.get(`${API}/groups/:group_id`, route(world, (req) => {
    world.requireGroupsEnabled();
    const group = world.requireGroup(idParam(req, 'group_id'));
    return ok(world.groupJson(group, queryString(req, 'include_member_count') === 'true'));
  }));
  router.get(`${API}/groups/:group_id/stats`, route(world, (req) => {
    world.requireGroupsEnabled();
    const group = world.requireGroup(idParam(req, 'group_id'));
    return ok({ group_id: group.id, total_member_count: world.groupMembers.get(group.id)?.length ?? 0 });
  }));
}

function registerTeamRoutes(router: Router, world: MattermostWorld): void {
  router.get(`${API}/teams/name/:team_name`, route(world, (req) => {
    const team = world.teamByName(param(req, 'team_name'));
    if (!team) throw apiError(404, 'app.team.get_by_name.missing.app_error', 'No team with that name.');
    return ok(copy(team));
  }));
  router.get(`${API}/teams/:team_id`, route(world, (req) => ok(copy(world.requireTeam(idParam(req, 'team_id'))))));
}

function createChannel(world: MattermostWorld, body: Record<string, unknown>, session: SandboxUserProfile): SandboxChannel {
  const teamId = optionalString(body, 'team_id') ?? '';
  if (!isValidId(teamId)) throw invalidBodyParam('team_id');
  world.requireTeam(teamId);
  const type = body.type;
  if (type !== 'O' && type !== 'P') throw apiError(400, 'model.channel.is_valid.type.app_error', 'type must be "O" or "P".');
  const name = checkChannelName(body.name);
  const channel: SandboxChannel = {
    id: newMattermostId(),
    create_at: 0,
    update_at: 0,
    delete_at: 0,
    team_id: teamId,
    type,
    display_name: checkDisplayName(optionalString(body, 'display_name') ?? ''),
    name,
    header: checkHeader(optionalString(body, 'header') ?? ''),
    purpose: checkPurpose(optionalString(body, 'purpose') ?? ''),
    last_post_at: 0,
    last_root_post_at: 0,
    total_msg_count: 0,
    total_msg_count_root: 0,
    extra_update_at: 0,
    creator_id: session.id,
    scheme_id: '',
    group_constrained: false,
    shared: false,
    policy_id: null,
  };
  // Archived channels keep their name reserved: the unique key is (team, name).
  if (world.channelByName(teamId, name)) {
    throw apiError(400, 'store.sql_channel.save_channel.exists.app_error', 'A channel with that name already exists in the team.');
  }
  channel.create_at = channel.update_at = world.now();
  world.addChannel(channel);
  world.addMember(channel.id, session.id, true);
  return channel;
}

/**
 * POST /channels/direct: the one direct-message channel of two users (named "<id>__<id>", the smaller id first, in no
 * team), made on first use and answered as is afterwards. The session must be one of the two, unless it may
 * manage_system (a system admin).
 */
function directChannel(world: MattermostWorld, userIds: string[], session: SandboxUserProfile): SandboxChannel {
  if (userIds.length !== 2 || !userIds.every(isValidId)) throw invalidBodyParam('user_ids');
  if (!userIds.includes(session.id) && !isSystemAdmin(session)) throw forbidden();
  if (!userIds.every((id) => world.users.has(id))) {
    throw apiError(400, 'api.channel.create_direct_channel.invalid_user.app_error', 'Invalid user ID for direct channel creation.');
  }
  const [first = '', second = ''] = [...userIds].sort();
  const name = `${first}__${second}`;
  const existing = world.channelByName('', name);
  if (existing) return existing;
  const at = world.now();
  const channel: SandboxChannel = {
    id: newMattermostId(),
    create_at: at,
    update_at: at,
    delete_at: 0,
    team_id: '',
    type: 'D',
    display_name: '',
    name,
    header: '',
    purpose: '',
    last_post_at: 0,
    last_root_post_at: 0,
    total_msg_count: 0,
    total_msg_count_root: 0,
    extra_update_at: 0,
    creator_id: '',
    scheme_id: '',
    group_constrained: false,
    shared: false,
    policy_id: null,
  };
  world.addChannel(channel);
  world.addMember(channel.id, first);
  if (second !== first) world.addMember(channel.id, second);
  return channel;
}

function patchChannel(world: MattermostWorld, channel: SandboxChannel, body: Record<string, unknown>): void {
  if (channel.delete_at) throw apiError(400, 'api.channel.patch_update_channel.deleted.app_error', 'The channel is archived.');
  const displayName = optionalString(body, 'display_name');
  const header = optionalString(body, 'header');
  const purpose = optionalString(body, 'purpose');
  const name = body.name === undefined ? undefined : checkChannelName(body.name);
  if (name !== undefined && name !== channel.name && world.channelByName(channel.team_id, name)) {
    throw apiError(400, 'store.sql_channel.save_channel.exists.app_error', 'A channel with that name already exists in the team.');
  }
  // Validate everything before changing anything, so a rejected patch leaves the channel as it was.
  if (displayName !== undefined) checkDisplayName(displayName);
  if (header !== undefined) checkHeader(header);
  if (purpose !== undefined) checkPurpose(purpose);
  if (displayName !== undefined) channel.display_name = displayName;
  if (header !== undefined) channel.header = header;
  if (purpose !== undefined) channel.purpose = purpose;
  if (name !== undefined) channel.name = name;
  channel.update_at = world.now();
}

function channelByNameReply(world: MattermostWorld, req: Request, session: SandboxUserProfile, teamId: string): Reply {
  const channel = world.channelByName(teamId, param(req, 'channel_name'));
  const includeDeleted = queryString(req, 'include_deleted') === 'true';
  // The real server answers 404, not 403, for a private channel the session cannot see, so names do not leak.
  const visible =
    channel !== undefined &&
    (includeDeleted || channel.delete_at === 0) &&
    (channel.type === 'O' || world.isMember(channel.id, session.id) || isSystemAdmin(session));
  if (!visible) throw apiError(404, 'app.channel.get_by_name.missing.app_error', 'No channel with that name in the team.');
  return ok(copy(channel));
}

function registerChannelRoutes(router: Router, world: MattermostWorld): void {
  router.post(`${API}/channels`, route(world, (req, session) => created(copy(createChannel(world, bodyObject(req, 'channel'), session)))));
  // 201 whether the channel is new or not, as the real server answers.
  router.post(`${API}/channels/direct`, route(world, (req, session) =>
    created(copy(directChannel(world, stringArray(bodyArray(req, 'user_ids'), 'user_ids'), session)))));
  router.get(`${API}/channels/:channel_id`, route(world, (req, session) => {
    const channel = world.requireChannel(idParam(req, 'channel_id'));
    world.requireReadable(channel, session);
    return ok(copy(channel));
  }));
  router.get(`${API}/teams/:team_id/channels/name/:channel_name`, route(world, (req, session) => {
    const team = world.requireTeam(idParam(req, 'team_id'));
    return channelByNameReply(world, req, session, team.id);
  }));
  router.get(`${API}/teams/name/:team_name/channels/name/:channel_name`, route(world, (req, session) => {
    const team = world.teamByName(param(req, 'team_name'));
    if (!team) throw apiError(404, 'app.team.get_by_name.missing.app_error', 'No team with that name.');
    return channelByNameReply(world, req, session, team.id);
  }));
  router.put(`${API}/channels/:channel_id/patch`, route(world, (req, session) => {
    const channel = world.requireChannel(idParam(req, 'channel_id'));
    world.requireMemberOrAdmin(channel, session);
    patchChannel(world, channel, bodyObject(req, 'channel'));
    return ok(copy(channel));
  }));
  router.delete(`${API}/channels/:channel_id`, route(world, (req, session) => {
    const channel = world.requireChannel(idParam(req, 'channel_id'));
    world.requireMemberOrAdmin(channel, session);
    if (channel.type === 'D') throw apiError(400, 'api.channel.delete_channel.type.invalid', 'Direct-message channels cannot be archived.');
    if (channel.delete_at) throw apiError(400, 'api.channel.delete_channel.deleted.app_error', 'The channel is already archived.');
    channel.delete_at = channel.update_at = world.now();
    return statusOk();
  }));
  registerMemberRoutes(router, world);
}

/** Adding someone else needs membership (or admin); anyone may add themselves to a public channel. */
function requireMayAdd(world: MattermostWorld, channel: SandboxChannel, userIds: string[], session: SandboxUserProfile): void {
  const joiningPublic = channel.type === 'O' && userIds.every((id) => id === session.id);
  if (!joiningPublic) world.requireMemberOrAdmin(channel, session);
}

function registerMemberRoutes(router: Router, world: MattermostWorld): void {
  router.post(`${API}/channels/:channel_id/members`, route(world, (req, session) => {
    const channel = world.requireChannel(idParam(req, 'channel_id'));
    const body = bodyObject(req, 'member');
    // Mattermost before 9.11 takes one user_id per call, and answers a user_ids body as a missing user_id.
    const many = world.batchChannelMembers && body.user_ids !== undefined;
    if (!many && body.user_id === undefined) throw invalidBodyField(world.batchChannelMembers ? 'user_id or user_ids' : 'user_id');
    const userIds = many ? stringArray(body.user_ids, 'user_ids') : [optionalString(body, 'user_id') ?? ''];
    if (userIds.length === 0 || !userIds.every(isValidId)) throw invalidBodyField('user_id');
    requireMayAdd(world, channel, userIds, session);
    if (channel.type === 'D') throw apiError(400, 'api.channel.add_user_to_channel.type.app_error', 'Nobody can be added to a direct-message channel.');
    if (channel.delete_at) throw apiError(400, 'api.channel.add_user_to_channel.deleted.app_error', 'The channel is archived.');
    userIds.forEach((id) => world.requireUser(id));
    // Adding a member again changes nothing, and the real server announces nothing either.
    const added = [...new Set(userIds)].filter((id) => !world.isMember(channel.id, id));
    const members = userIds.map((id) => copy(world.addMember(channel.id, id)));
    added.forEach((id) => world.events.userAdded(channel, id));
    return created(many ? members : members[0]);
  }));
  router.get(`${API}/channels/:channel_id/members`, route(world, (req, session) => {
    const channel = world.requireChannel(idParam(req, 'channel_id'));
    world.requireReadable(channel, session);
    const { page, perPage } = paging(req);
    return ok(pageOf(world.memberList(channel.id), page, perPage).map(copy));
  }));
  router.get(`${API}/channels/:channel_id/members/:user_id`, route(world, (req, session) => {
    const channel = world.requireChannel(idParam(req, 'channel_id'));
    world.requireReadable(channel, session);
    const member = world.memberships.get(channel.id)?.get(userIdParam(req, session));
    if (!member) throw apiError(404, 'app.channel.get_member.missing.app_error', 'That user is not a member of the channel.');
    return ok(copy(member));
  }));
  router.delete(`${API}/channels/:channel_id/members/:user_id`, route(world, (req, session) => {
    const channel = world.requireChannel(idParam(req, 'channel_id'));
    const userId = userIdParam(req, session);
    if (userId !== session.id) world.requireMemberOrAdmin(channel, session);
    if (!world.memberships.get(channel.id)?.delete(userId)) {
      throw apiError(404, 'app.channel.get_member.missing.app_error', 'That user is not a member of the channel.');
    }
    world.events.userRemoved(channel, userId, session.id);
    return statusOk();
  }));
}

function createPost(world: MattermostWorld, body: Record<string, unknown>, session: SandboxUserProfile): SandboxPost {
  const channelId = optionalString(body, 'channel_id') ?? '';
  if (!isValidId(channelId)) throw invalidBodyParam('channel_id');
  const channel = world.channels.get(channelId);
  // The real server checks the create_post permission first, so an unknown channel reads as "no permission".
  if (!channel) throw forbidden();
  world.requireMemberOrAdmin(channel, session);
  if (channel.delete_at) throw apiError(400, 'api.post.create_post.can_not_post_to_deleted.error', 'The channel is archived.');
  const rootId = optionalString(body, 'root_id') ?? '';
  const root = rootId ? world.posts.get(rootId) : undefined;
  // Threads are one level deep: a reply names the thread's root, never another reply.
  if (rootId && (!root || root.channel_id !== channelId || root.root_id !== '')) {
    throw apiError(400, 'api.post.create_post.root_id.app_error', 'root_id is not a root post in this channel.');
  }
  const props = body.props ?? {};
  if (!isRecord(props)) throw invalidBodyParam('props');
  const fileIds = body.file_ids === undefined || body.file_ids === null ? [] : stringArray(body.file_ids, 'file_ids');
  if (fileIds.length > POST_FILES_MAX) {
    throw apiError(400, 'model.post.is_valid.file_ids.app_error', `A post carries at most ${POST_FILES_MAX} files.`);
  }
  const type = optionalString(body, 'type') ?? '';
  const at = world.now();
  const post: SandboxPost = {
    id: newMattermostId(),
    create_at: at,
    update_at: at,
    edit_at: 0,
    delete_at: 0,
    is_pinned: false,
    user_id: session.id,
    channel_id: channelId,
    root_id: rootId,
    original_id: '',
    message: checkMessage(optionalString(body, 'message') ?? ''),
    // Clients may only create plain posts or plugin-defined "custom_" types.
    type: type.startsWith('custom_') ? type : '',
    props: copy(props),
    hashtags: '',
    pending_post_id: optionalString(body, 'pending_post_id') ?? '',
    reply_count: 0,
    last_reply_at: 0,
    participants: null,
    metadata: {},
  };
  const files = attachFiles(world, [...new Set(fileIds)], post, session);
  if (files.length > 0) {
    post.file_ids = files.map((file) => file.id);
    post.metadata = { files: files.map(copy) };
  }
  world.posts.set(post.id, post);
  if (root) {
    root.reply_count += 1;
    root.last_reply_at = at;
  }
  channel.last_post_at = at;
  channel.total_msg_count += 1;
  if (!root) {
    channel.last_root_post_at = at;
    channel.total_msg_count_root += 1;
  }
  return post;
}

/**
 * Attaches the files the session uploaded to this post's channel and no post has yet. Like the real server (FileInfo
 * AttachToPost), any other id (unknown, someone else's, another channel's, attached already) is dropped silently.
 */
function attachFiles(world: MattermostWorld, fileIds: string[], post: SandboxPost, session: SandboxUserProfile): SandboxFileInfo[] {
  return fileIds.flatMap((id) => {
    const info = world.files.get(id)?.info;
    if (!info || info.user_id !== session.id || info.channel_id !== post.channel_id || info.post_id !== '' || info.delete_at) return [];
    info.post_id = post.id;
    info.update_at = post.create_at;
    return [info];
  });
}

/** The sandbox's bulk seeding (no such thing in Mattermost): plain posts from the users in turn, optionally threaded. */
function seedPosts(world: MattermostWorld, channelId: string, options: SandboxSeedPostsOptions): SandboxPost[] {
  const channel = world.channels.get(channelId);
  if (!channel) throw new Error(`no channel ${channelId}`);
  const { count } = options;
  if (!Number.isInteger(count) || count < 1 || count > SEED_POSTS_MAX) throw new Error(`count must be an integer from 1 to ${SEED_POSTS_MAX}`);
  const intervalMs = options.intervalMs ?? 1;
  if (!Number.isInteger(intervalMs) || intervalMs < 1) throw new Error('intervalMs must be an integer of at least 1');
  const threadEvery = options.threadEvery;
  if (threadEvery !== undefined && (!Number.isInteger(threadEvery) || threadEvery < 2)) throw new Error('threadEvery must be an integer of at least 2');
  const startAt = options.startAt ?? world.now();
  if (!Number.isInteger(startAt) || startAt < 0) throw new Error('startAt must be a time in milliseconds');
  let userIds: string[];
  if (options.users) {
    userIds = options.users.map((username) => {
      const user = world.userByUsername(username);
      if (!user) throw new Error(`no user "${username}"`);
      return user.id;
    });
    if (userIds.length === 0) throw new Error('users must name at least one user');
  } else {
    const members = world.memberList(channelId).map((member) => member.user_id);
    userIds = members.length > 0 ? members : [...world.users.keys()];
  }
  const message = options.message ?? 'Seeded post';
  const seeded: SandboxPost[] = [];
  let root: SandboxPost | undefined;
  for (let i = 0; i < count; i++) {
    const at = startAt + i * intervalMs;
    const reply = threadEvery !== undefined && root !== undefined && (i + 1) % threadEvery === 0;
    const post: SandboxPost = {
      id: newMattermostId(),
      create_at: at,
      update_at: at,
      edit_at: 0,
      delete_at: 0,
      is_pinned: false,
      user_id: userIds[i % userIds.length]!,
      channel_id: channelId,
      root_id: reply && root ? root.id : '',
      original_id: '',
      message: `${message} ${i + 1}`,
      type: '',
      props: {},
      hashtags: '',
      pending_post_id: '',
      reply_count: 0,
      last_reply_at: 0,
      participants: null,
      metadata: {},
    };
    world.posts.set(post.id, post);
    seeded.push(post);
    channel.total_msg_count += 1;
    if (reply && root) {
      root.reply_count += 1;
      root.last_reply_at = at;
    } else {
      root = post;
      channel.total_msg_count_root += 1;
      channel.last_root_post_at = Math.max(channel.last_root_post_at, at);
    }
    channel.last_post_at = Math.max(channel.last_post_at, at);
  }
  world.advanceClockTo(startAt + (count - 1) * intervalMs);
  return seeded;
}

/** Edits need authorship or edit_others_posts (a system admin), and an unarchived channel. */
function requireEditable(world: MattermostWorld, post: SandboxPost, session: SandboxUserProfile): void {
  if (post.user_id !== session.id && !isSystemAdmin(session)) throw forbidden();
  if (world.channels.get(post.channel_id)?.delete_at) {
    throw apiError(400, 'api.post.update_post.can_not_update_post_in_deleted.error', 'The channel is archived.');
  }
}

function applyPostChanges(world: MattermostWorld, post: SandboxPost, changes: { message?: string; props?: unknown; is_pinned?: boolean }): void {
  if (changes.props !== undefined && !isRecord(changes.props)) throw invalidBodyParam('props');
  if (changes.message !== undefined) checkMessage(changes.message);
  const at = world.now();
  if (changes.message !== undefined && changes.message !== post.message) {
    post.message = changes.message;
    post.edit_at = at;
  }
  if (isRecord(changes.props)) post.props = copy(changes.props);
  if (changes.is_pinned !== undefined) post.is_pinned = changes.is_pinned;
  post.update_at = at;
}

function readablePost(world: MattermostWorld, req: Request, session: SandboxUserProfile): SandboxPost {
  const post = world.requirePost(idParam(req, 'post_id'));
  world.requireReadable(world.requireChannel(post.channel_id), session);
  return post;
}

/** Newest first, as the real server lists them. */
const newestFirst = (posts: SandboxPost[]): SandboxPost[] => [...posts].sort((a, b) => b.create_at - a.create_at);

function postList(posts: SandboxPost[], nextPostId = '', prevPostId = ''): SandboxPostList {
  return {
    order: posts.map((post) => post.id),
    posts: Object.fromEntries(posts.map((post) => [post.id, copy(post)])),
    next_post_id: nextPostId,
    prev_post_id: prevPostId,
    first_inaccessible_post_time: 0,
  };
}

function channelPostsReply(world: MattermostWorld, req: Request, channelId: string): Reply {
  if (queryString(req, 'before') !== undefined || queryString(req, 'after') !== undefined) {
    throw apiError(501, 'api.context.not_implemented.app_error', 'The sandbox does not page posts by before/after.');
  }
  const all = newestFirst(world.postsIn(channelId));
  const since = queryString(req, 'since');
  if (since !== undefined) {
    const sinceMs = Number(since);
    if (!Number.isFinite(sinceMs)) throw invalidUrlParam('since');
    // update_at starts at create_at, so this covers posts created and posts edited after `since`.
    return ok(postList(all.filter((post) => post.update_at > sinceMs)));
  }
  const { page, perPage } = paging(req);
  const start = page * perPage;
  const slice = all.slice(start, start + perPage);
  // next is the post just newer than this page, prev the one just older: the cursors the webapp pages with.
  return ok(postList(slice, slice.length ? (all[start - 1]?.id ?? '') : '', slice.length ? (all[start + perPage]?.id ?? '') : ''));
}

function registerPostRoutes(router: Router, world: MattermostWorld): void {
  router.post(`${API}/posts`, route(world, (req, session) => {
    const post = createPost(world, bodyObject(req, 'post'), session);
    world.events.posted(world.requireChannel(post.channel_id), post);
    return created(copy(post));
  }));
  router.get(`${API}/posts/:post_id`, route(world, (req, session) => ok(copy(readablePost(world, req, session)))));
  router.put(`${API}/posts/:post_id`, route(world, (req, session) => {
    const post = world.requirePost(idParam(req, 'post_id'));
    const body = bodyObject(req, 'post');
    if (body.id !== post.id) throw invalidBodyParam('id');
    requireEditable(world, post, session);
    // PUT replaces the editable fields, like the real UpdatePost: a missing message becomes empty.
    applyPostChanges(world, post, { message: optionalString(body, 'message') ?? '', props: body.props ?? {} });
    return ok(copy(post));
  }));
  router.put(`${API}/posts/:post_id/patch`, route(world, (req, session) => {
    const post = world.requirePost(idParam(req, 'post_id'));
    const body = bodyObject(req, 'post');
    requireEditable(world, post, session);
    applyPostChanges(world, post, { message: optionalString(body, 'message'), props: body.props ?? undefined, is_pinned: optionalBoolean(body, 'is_pinned') });
    return ok(copy(post));
  }));
  for (const [action, pinned] of [['pin', true], ['unpin', false]] as const) {
    router.post(`${API}/posts/:post_id/${action}`, route(world, (req, session) => {
      const post = readablePost(world, req, session);
      post.is_pinned = pinned;
      post.update_at = world.now();
      return statusOk();
    }));
  }
  router.get(`${API}/channels/:channel_id/pinned`, route(world, (req, session) => {
    const channel = world.requireChannel(idParam(req, 'channel_id'));
    world.requireReadable(channel, session);
    return ok(postList(newestFirst(world.postsIn(channel.id).filter((post) => post.is_pinned))));
  }));
  router.get(`${API}/channels/:channel_id/posts`, route(world, (req, session) => {
    const channel = world.requireChannel(idParam(req, 'channel_id'));
    world.requireReadable(channel, session);
    return channelPostsReply(world, req, channel.id);
  }));
}

/**
 * Reads the whole request body, keeping at most `limit` bytes. A larger body is still read to its end and only counted,
 * so the client gets the 413 instead of a connection reset in the middle of its upload.
 */
async function readBody(req: Request, limit: number): Promise<{ content?: Buffer; size: number }> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size <= limit) chunks.push(chunk);
  }
  return size <= limit ? { content: Buffer.concat(chunks, size), size } : { size };
}

interface Upload {
  name: string;
  type: string;
  content: Buffer;
}

/** The files of an upload request: multipart (Client4's form: channel_id, files, client_ids) or one raw body. */
async function uploadsOf(req: Request, body: Buffer): Promise<{ channelId: string; uploads: Upload[]; clientIds: string[] }> {
  const contentType = req.get('content-type') ?? '';
  const fromQuery = queryString(req, 'channel_id');
  if (!/^multipart\/form-data\s*;/i.test(contentType)) {
    // The raw form: the body is the file, named by ?filename= (how the mobile apps upload).
    const filename = queryString(req, 'filename') ?? '';
    if (!filename) throw invalidUrlParam('filename');
    return { channelId: fromQuery ?? '', uploads: [{ name: filename, type: contentType || 'application/octet-stream', content: body }], clientIds: [] };
  }
  let form: FormData;
  try {
    form = await new Response(body, { headers: { 'content-type': contentType } }).formData();
  } catch {
    throw apiError(400, 'api.file.upload_file.read_request.app_error', 'Unable to read the multipart request.');
  }
  const fromForm = form.get('channel_id');
  const uploads: Upload[] = [];
  for (const value of form.getAll('files')) {
    if (typeof value === 'string') continue;
    uploads.push({ name: value.name, type: value.type || 'application/octet-stream', content: Buffer.from(await value.arrayBuffer()) });
  }
  const clientIds = form.getAll('client_ids').filter((value): value is string => typeof value === 'string');
  return { channelId: fromQuery ?? (typeof fromForm === 'string' ? fromForm : ''), uploads, clientIds };
}

function uploadFiles(world: MattermostWorld, upload: { channelId: string; uploads: Upload[]; clientIds: string[] }, session: SandboxUserProfile): SandboxFileInfo[] {
  if (!isValidId(upload.channelId)) throw invalidUrlParam('channel_id');
  const channel = world.channels.get(upload.channelId);
  // Permission (upload_file in the channel) comes first, so an unknown channel reads as "no permission".
  if (!channel) throw forbidden();
  world.requireMemberOrAdmin(channel, session);
  if (upload.uploads.length === 0) throw apiError(400, 'api.file.upload_file.incorrect_number_of_files.app_error', 'No files in the request.');
  if (upload.clientIds.length > 0 && upload.clientIds.length !== upload.uploads.length) {
    throw apiError(400, 'api.file.upload_file.incorrect_number_of_client_ids.app_error', 'One client_id per file, or none.');
  }
  for (const file of upload.uploads) {
    if (file.content.length > world.maxFileSize) throw fileTooLarge(file.content.length, world.maxFileSize, file.name);
  }
  const at = world.now();
  return upload.uploads.map((file) => {
    const name = file.name.split(/[\\/]/).pop() || 'file';
    const dot = name.lastIndexOf('.');
    const info: SandboxFileInfo = {
      id: newMattermostId(),
      user_id: session.id,
      channel_id: channel.id,
      post_id: '',
      create_at: at,
      update_at: at,
      delete_at: 0,
      name,
      extension: dot > 0 ? name.slice(dot + 1).toLowerCase() : '',
      size: file.content.length,
      // The real server guesses the type from the extension; the sandbox keeps what the client declared.
      mime_type: file.type,
      width: 0,
      height: 0,
      has_preview_image: false,
      mini_preview: null,
      remote_id: '',
      archived: false,
    };
    world.files.set(info.id, { info, content: file.content });
    return info;
  });
}

const fileTooLarge = (length: number, limit: number, name?: string) =>
  apiError(413, 'api.file.upload_file.too_large_detailed.app_error', `Unable to upload file${name ? ` ${name}` : ''}. ${length} bytes exceeds the maximum allowed ${limit} bytes.`);

/** A file is the uploader's until a post attaches it; then whoever can read that post's channel may read it. */
function readableFile(world: MattermostWorld, req: Request, session: SandboxUserProfile): { info: SandboxFileInfo; content: Buffer } {
  const file = world.files.get(idParam(req, 'file_id'));
  if (!file || file.info.delete_at) throw apiError(404, 'app.file_info.get.app_error', 'No such file.');
  if (file.info.user_id !== session.id) {
    const channel = file.info.post_id ? world.channels.get(file.info.channel_id) : undefined;
    if (!channel) throw forbidden();
    world.requireReadable(channel, session);
  }
  return file;
}

function registerFileRoutes(router: Router, world: MattermostWorld): void {
  router.post(`${API}/files`, asyncRoute(world, async (req, session) => {
    const multipart = /^multipart\/form-data/i.test(req.get('content-type') ?? '');
    // A file may be maxFileSize bytes; the multipart framing and form fields around it get some room of their own.
    const { content, size } = await readBody(req, world.maxFileSize + (multipart ? UPLOAD_OVERHEAD : 0));
    if (!content) throw fileTooLarge(size, world.maxFileSize);
    const upload = await uploadsOf(req, content);
    const infos = uploadFiles(world, upload, session);
    return created({ file_infos: infos.map(copy), client_ids: upload.clientIds });
  }));
  router.get(`${API}/files/:file_id`, route(world, (req, session) => {
    const { info, content } = readableFile(world, req, session);
    return {
      status: 200,
      body: content,
      headers: {
        'Content-Type': info.mime_type || 'application/octet-stream',
        'Content-Disposition': `attachment;filename="${info.name.replace(/["\\]/g, '_')}"; filename*=UTF-8''${encodeURIComponent(info.name)}`,
        'X-Content-Type-Options': 'nosniff',
      },
    };
  }));
  router.get(`${API}/files/:file_id/info`, route(world, (req, session) => ok(copy(readableFile(world, req, session).info))));
}

interface SidebarScope {
  userId: string;
  teamId: string;
  categories: SandboxCategory[];
}

/** Permission first, as the real server checks it before reading the body. */
function sidebarScope(world: MattermostWorld, req: Request, session: SandboxUserProfile): SidebarScope {
  const userId = userIdParam(req, session);
  const teamId = idParam(req, 'team_id');
  world.requireSelfOrAdmin(userId, session);
  world.requireUser(userId);
  world.requireTeam(teamId);
  return { userId, teamId, categories: world.sidebar(userId, teamId) };
}

/** The body's user_id and team_id must name the sidebar in the path. */
function categoryBody(value: unknown, scope: SidebarScope): Record<string, unknown> {
  if (!isRecord(value) || value.user_id !== scope.userId || value.team_id !== scope.teamId) throw invalidBodyParam('category');
  return value;
}

function updateCategory(world: MattermostWorld, scope: SidebarScope, categoryId: string, body: Record<string, unknown>): SandboxCategory {
  const category = scope.categories.find((candidate) => candidate.id === categoryId);
  if (!category) throw apiError(404, 'app.channel.sidebar_categories.app_error', 'No such category in this sidebar.');
  const sorting = body.sorting;
  if (sorting !== undefined && !CATEGORY_SORTINGS.includes(sorting as SandboxCategorySorting)) throw invalidBodyParam('sorting');
  const displayName = optionalString(body, 'display_name');
  const muted = optionalBoolean(body, 'muted');
  const collapsed = optionalBoolean(body, 'collapsed');
  const channelIds = body.channel_ids === undefined ? undefined : stringArray(body.channel_ids, 'channel_ids');
  // Only custom categories can be renamed; the default ones keep their names.
  if (displayName && category.type === 'custom') category.display_name = displayName;
  if (sorting !== undefined) category.sorting = sorting as SandboxCategorySorting;
  if (muted !== undefined) category.muted = muted;
  if (collapsed !== undefined) category.collapsed = collapsed;
  if (channelIds) world.placeChannels(scope.categories, category, world.filterChannelIds(scope.userId, scope.teamId, channelIds));
  return category;
}

function createCategory(world: MattermostWorld, scope: SidebarScope, body: Record<string, unknown>): SandboxCategory {
  const displayName = optionalString(body, 'display_name');
  if (!displayName) throw invalidBodyParam('display_name');
  const sorting = body.sorting ?? '';
  if (!CATEGORY_SORTINGS.includes(sorting as SandboxCategorySorting)) throw invalidBodyParam('sorting');
  const category: SandboxCategory = {
    id: newMattermostId(),
    user_id: scope.userId,
    team_id: scope.teamId,
    type: 'custom',
    display_name: displayName,
    sorting: sorting as SandboxCategorySorting,
    channel_ids: [],
    muted: optionalBoolean(body, 'muted') ?? false,
    collapsed: optionalBoolean(body, 'collapsed') ?? false,
  };
  // A new category goes to the top of the sidebar, as in the Mattermost UI.
  scope.categories.unshift(category);
  world.placeChannels(scope.categories, category, world.filterChannelIds(scope.userId, scope.teamId, stringArray(body.channel_ids ?? [], 'channel_ids')));
  return category;
}

function registerCategoryRoutes(router: Router, world: MattermostWorld): void {
  const path = `${API}/users/:user_id/teams/:team_id/channels/categories`;
  router.get(path, route(world, (req, session) => {
    const { categories } = sidebarScope(world, req, session);
    return ok({ categories: categories.map(copy), order: categories.map((category) => category.id) });
  }));
  router.post(path, route(world, (req, session) => {
    const scope = sidebarScope(world, req, session);
    return ok(copy(createCategory(world, scope, categoryBody(req.body, scope))));
  }));
  router.put(path, route(world, (req, session) => {
    const scope = sidebarScope(world, req, session);
    // Check every category before changing any, so a bad entry leaves the sidebar untouched.
    const bodies = bodyArray(req, 'categories').map((value) => categoryBody(value, scope));
    for (const body of bodies) {
      if (!scope.categories.some((category) => category.id === body.id)) {
        throw apiError(404, 'app.channel.sidebar_categories.app_error', 'No such category in this sidebar.');
      }
    }
    const updated = bodies.map((body) => updateCategory(world, scope, String(body.id), body));
    return ok(updated.map(copy));
  }));
  router.put(`${path}/:category_id`, route(world, (req, session) => {
    const scope = sidebarScope(world, req, session);
    const body = categoryBody(req.body, scope);
    // The path names the category; the real server ignores the body's id.
    return ok(copy(updateCategory(world, scope, param(req, 'category_id'), body)));
  }));
  // A custom category can be deleted; its channels go back to the default "Channels", and a default category cannot
  // be (as on a real 9.11 server, which also allows two custom categories of one name).
  router.delete(`${path}/:category_id`, route(world, (req, session) => {
    const scope = sidebarScope(world, req, session);
    const index = scope.categories.findIndex((category) => category.id === param(req, 'category_id'));
    if (index === -1) throw apiError(404, 'app.channel.sidebar_categories.app_error', 'No such category in this sidebar.');
    const [category] = scope.categories.splice(index, 1);
    if (category!.type !== 'custom') {
      scope.categories.splice(index, 0, category!);
      throw apiError(400, 'app.channel.sidebar_categories.app_error', 'Cannot delete a default category.');
    }
    const channels = scope.categories.find((candidate) => candidate.type === 'channels');
    channels?.channel_ids.push(...category!.channel_ids);
    // A 9.11 server answers a plain status, not the category.
    return ok({ status: 'OK' });
  }));
}

function registerIntegrationRoutes(router: Router, world: MattermostWorld): void {
  router.post(`${API}/actions/dialogs/open`, route(world, (req) => {
    const body = bodyObject(req, 'dialog');
    const problem = dialogProblem(body);
    if (problem) throw apiError(400, 'api.context.invalid_param.app_error', `Invalid dialog request: ${problem}.`);
    // No signed trigger ids exist here, so any non-empty trigger_id is accepted.
    world.dialogs.push({ trigger_id: String(body.trigger_id), url: String(body.url), dialog: copy(body.dialog) });
    return statusOk();
  }));
  router.post(`${API}/commands/execute`, route(world, (req, session) => {
    const body = bodyObject(req, 'command');
    const command = optionalString(body, 'command') ?? '';
    if (!command.startsWith('/')) throw apiError(400, 'api.command.execute_command.start.app_error', 'A command starts with "/".');
    const channelId = optionalString(body, 'channel_id') ?? '';
    if (!isValidId(channelId)) throw invalidBodyParam('channel_id');
    const channel = world.requireChannel(channelId);
    if (!world.isMember(channel.id, session.id)) throw forbidden();
    const teamId = optionalString(body, 'team_id') || channel.team_id;
    world.commands.push({ user_id: session.id, channel_id: channel.id, team_id: teamId, command });
    return ok({ response_type: 'ephemeral', text: `${command} executed in the sandbox` });
  }));
  // Only system admins (and bots with the permission) may post ephemerally, as in Mattermost.
  router.post(`${API}/posts/ephemeral`, route(world, (req, session) => {
    if (!session.roles.includes('system_admin')) throw forbidden();
    const body = bodyObject(req, 'post');
    const userId = optionalString(body, 'user_id') ?? '';
    const post = (body.post ?? {}) as Record<string, unknown>;
    const channelId = typeof post.channel_id === 'string' ? post.channel_id : '';
    if (!isValidId(userId)) throw invalidBodyParam('user_id');
    if (!isValidId(channelId)) throw invalidBodyParam('channel_id');
    world.requireUser(userId);
    world.requireChannel(channelId);
    const ephemeral = { id: newMattermostId(), user_id: session.id, to_user_id: userId, channel_id: channelId, message: typeof post.message === 'string' ? post.message : '', create_at: Date.now() };
    world.ephemeralPosts.push(ephemeral);
    world.events.ephemeral(userId, {
      ...ephemeral,
      root_id: typeof post.root_id === 'string' ? post.root_id : '',
      props: isRecord(post.props) ? copy(post.props) : {},
    });
    return created(copy(ephemeral));
  }));
}

// ---------------------------------------------------------------------------------------------------------------------
// Assembly

function inspectionState(world: MattermostWorld): unknown {
  const usernameOf = (id: string) => world.users.get(id)?.username ?? id;
  return {
    users: [...world.users.values()].map(copy),
    teams: [...world.teams.values()].map(copy),
    groupsEnabled: world.groupsEnabled,
    groups: [...world.groups.values()].map((group) => ({
      ...copy(group),
      members: (world.groupMembers.get(group.id) ?? []).map(usernameOf),
    })),
    channels: [...world.channels.values()].map((channel) => ({
      ...copy(channel),
      members: world.memberList(channel.id).map((member) => usernameOf(member.user_id)),
    })),
    posts: [...world.posts.values()].map(copy),
    categories: world.allSidebars().map(copy),
    dialogs: copy(world.dialogs),
    executedCommands: copy(world.commands),
    ephemeralPosts: copy(world.ephemeralPosts),
    // Metadata only: the bytes are at GET /api/v4/files/{id} (or fileContent() in tests).
    files: [...world.files.values()].map((file) => copy(file.info)),
    websocketConnections: world.events.openConnections,
  };
}

/** The seed-posts request body, checked for types; seedPosts checks the ranges. */
function seedOptions(body: unknown): SandboxSeedPostsOptions {
  if (!isRecord(body)) throw new Error('the body must be a JSON object');
  const number = (field: string): number | undefined => {
    const value = body[field];
    if (value === undefined) return undefined;
    if (typeof value !== 'number') throw new Error(`${field} must be a number`);
    return value;
  };
  const users = body.users;
  if (users !== undefined && (!Array.isArray(users) || users.some((user) => typeof user !== 'string'))) throw new Error('users must be an array of usernames');
  if (body.message !== undefined && typeof body.message !== 'string') throw new Error('message must be a string');
  const count = number('count');
  if (count === undefined) throw new Error('count is required');
  const startAt = number('startAt');
  const intervalMs = number('intervalMs');
  const threadEvery = number('threadEvery');
  return {
    count,
    ...(users !== undefined ? { users: users as string[] } : {}),
    ...(startAt !== undefined ? { startAt } : {}),
    ...(intervalMs !== undefined ? { intervalMs } : {}),
    ...(threadEvery !== undefined ? { threadEvery } : {}),
    ...(typeof body.message === 'string' ? { message: body.message } : {}),
  };
}

export function createMattermostSandbox(options: MattermostSandboxOptions = {}): MattermostSandbox {
  const world = new MattermostWorld(options);
  const server = new SandboxServer({
    name: 'mattermost',
    errorBody: (status, message) => appErrorBody(status, GENERIC_ERROR_IDS[status] ?? 'api.context.app_error', message),
    upgrade: world.events,
    routes(router) {
      registerAuth(router, world);
      registerUserRoutes(router, world);
      registerGroupRoutes(router, world);
      registerTeamRoutes(router, world);
      registerChannelRoutes(router, world);
      registerPostRoutes(router, world);
      registerCategoryRoutes(router, world);
      registerFileRoutes(router, world);
      registerIntegrationRoutes(router, world);
    },
    inspectionRoutes(router) {
      // POST /_sandbox/websocket/drop: every websocket closed with 1001, as a server restart would.
      router.post('/websocket/drop', (_req, res) => sendJson(res, 200, { dropped: world.events.dropAll() }));
      // POST /_sandbox/channels/{channel_id}/seed-posts {count, users?, startAt?, intervalMs?, threadEvery?, message?}
      router.post('/channels/:channel_id/seed-posts', (req, res) => {
        const channelId = param(req, 'channel_id');
        if (!world.channels.has(channelId)) {
          sendJson(res, 404, { error: `no channel ${channelId}` });
          return;
        }
        try {
          const ids = seedPosts(world, channelId, seedOptions(req.body)).map((post) => post.id);
          sendJson(res, 201, { channel_id: channelId, created: ids.length, post_ids: ids });
        } catch (error) {
          sendJson(res, 400, { error: error instanceof Error ? error.message : String(error) });
        }
      });
    },
    state: () => inspectionState(world),
    reset: () => world.reset(),
  });
  return {
    server,
    userId(username) {
      const user = world.userByUsername(username);
      if (!user) throw new Error(`Mattermost sandbox: no user "${username}"`);
      return user.id;
    },
    teamId(name) {
      const team = world.teamByName(name);
      if (!team) throw new Error(`Mattermost sandbox: no team "${name}"`);
      return team.id;
    },
    groupId(name) {
      const group = world.groupByName(name);
      if (!group) throw new Error(`Mattermost sandbox: no group "${name}"`);
      return group.id;
    },
    channels: () => [...world.channels.values()].map(copy),
    posts: (channelId) => [...world.posts.values()].filter((post) => channelId === undefined || post.channel_id === channelId).map(copy),
    members: (channelId) => world.memberList(channelId).map((member) => member.user_id),
    categories(userId, teamId) {
      if (!world.users.has(userId) || !world.teams.has(teamId)) throw new Error('Mattermost sandbox: unknown user or team id');
      return world.sidebar(userId, teamId).map(copy);
    },
    dialogs: () => copy(world.dialogs),
    executedCommands: () => copy(world.commands),
    ephemeralPosts: () => copy(world.ephemeralPosts),
    files: () => [...world.files.values()].map((file) => copy(file.info)),
    fileContent: (fileId) => {
      const content = world.files.get(fileId)?.content;
      return content && Buffer.from(content);
    },
    seedPosts: (channelId, seed) => seedPosts(world, channelId, seed).map((post) => post.id),
    dropWebSockets: () => world.events.dropAll(),
    webSocketConnections: () => world.events.openConnections,
  };
}
