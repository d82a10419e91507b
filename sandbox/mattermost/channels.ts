/**
 * Channels: create (public, private), the direct-message channel of two users, get by id or by name (team id or team
 * name), patch, archive; plus the "channel the path names" lookups the member and post routes share.
 */
import type { Request, Router } from 'express';
import { apiError, channelNameTaken, forbidden, invalidBodyParam } from './errors.js';
import { API, bodyArray, bodyObject, created, idParam, ok, optionalString, param, queryString, route, statusOk, stringArray, type Reply } from './http.js';
import { copy, isValidId, newMattermostId } from './ids.js';
import { isSystemAdmin, type MattermostWorld } from './state.js';
import { teamByNameParam } from './teams.js';
import type { SandboxChannel, SandboxUserProfile } from './types.js';
import { checkChannelName, checkDisplayName, checkHeader, checkPurpose } from './validation.js';

/** The channel the path names (:channel_id), or 404 when there is none. */
export const channelParam = (world: MattermostWorld, req: Request): SandboxChannel => world.requireChannel(idParam(req, 'channel_id'));

/** The channel the path names, which the session must be allowed to read (403 otherwise). */
export function readableChannelParam(world: MattermostWorld, req: Request, session: SandboxUserProfile): SandboxChannel {
  const channel = channelParam(world, req);
  world.requireReadable(channel, session);
  return channel;
}

/** The channel the path names, which the session must be a member of (or a system admin) to change. */
function managedChannelParam(world: MattermostWorld, req: Request, session: SandboxUserProfile): SandboxChannel {
  const channel = channelParam(world, req);
  world.requireMemberOrAdmin(channel, session);
  return channel;
}

type ChannelFields = Pick<SandboxChannel, 'team_id' | 'type' | 'display_name' | 'name' | 'header' | 'purpose' | 'creator_id'>;

/** A new channel: the given fields, created and updated at `at`, with no posts yet. */
function channelRecord(at: number, fields: ChannelFields): SandboxChannel {
  return {
    id: newMattermostId(),
    create_at: at,
    update_at: at,
    delete_at: 0,
    team_id: fields.team_id,
    type: fields.type,
    display_name: fields.display_name,
    name: fields.name,
    header: fields.header,
    purpose: fields.purpose,
    last_post_at: 0,
    last_root_post_at: 0,
    total_msg_count: 0,
    total_msg_count_root: 0,
    extra_update_at: 0,
    creator_id: fields.creator_id,
    scheme_id: '',
    group_constrained: false,
    shared: false,
    policy_id: null,
  };
}

function createChannel(world: MattermostWorld, body: Record<string, unknown>, session: SandboxUserProfile): SandboxChannel {
  const teamId = optionalString(body, 'team_id') ?? '';
  if (!isValidId(teamId)) throw invalidBodyParam('team_id');
  world.requireTeam(teamId);
  const type = body.type;
  if (type !== 'O' && type !== 'P') throw apiError(400, 'model.channel.is_valid.type.app_error', 'type must be "O" or "P".');
  const name = checkChannelName(body.name);
  const channel = channelRecord(0, {
    team_id: teamId,
    type,
    display_name: checkDisplayName(optionalString(body, 'display_name') ?? ''),
    name,
    header: checkHeader(optionalString(body, 'header') ?? ''),
    purpose: checkPurpose(optionalString(body, 'purpose') ?? ''),
    creator_id: session.id,
  });
  // Archived channels keep their name reserved: the unique key is (team, name).
  if (world.channelByName(teamId, name)) throw channelNameTaken();
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
  const channel = channelRecord(world.now(), { team_id: '', type: 'D', display_name: '', name, header: '', purpose: '', creator_id: '' });
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
  if (name !== undefined && name !== channel.name && world.channelByName(channel.team_id, name)) throw channelNameTaken();
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

export function registerChannelRoutes(router: Router, world: MattermostWorld): void {
  router.post(`${API}/channels`, route(world, (req, session) => created(copy(createChannel(world, bodyObject(req, 'channel'), session)))));
  // 201 whether the channel is new or not, as the real server answers.
  router.post(`${API}/channels/direct`, route(world, (req, session) =>
    created(copy(directChannel(world, stringArray(bodyArray(req, 'user_ids'), 'user_ids'), session)))));
  router.get(`${API}/channels/:channel_id`, route(world, (req, session) => ok(copy(readableChannelParam(world, req, session)))));
  router.get(`${API}/teams/:team_id/channels/name/:channel_name`, route(world, (req, session) => {
    const team = world.requireTeam(idParam(req, 'team_id'));
    return channelByNameReply(world, req, session, team.id);
  }));
  router.get(`${API}/teams/name/:team_name/channels/name/:channel_name`, route(world, (req, session) =>
    channelByNameReply(world, req, session, teamByNameParam(world, req).id)));
  router.put(`${API}/channels/:channel_id/patch`, route(world, (req, session) => {
    const channel = managedChannelParam(world, req, session);
    patchChannel(world, channel, bodyObject(req, 'channel'));
    return ok(copy(channel));
  }));
  router.delete(`${API}/channels/:channel_id`, route(world, (req, session) => {
    const channel = managedChannelParam(world, req, session);
    if (channel.type === 'D') throw apiError(400, 'api.channel.delete_channel.type.invalid', 'Direct-message channels cannot be archived.');
    if (channel.delete_at) throw apiError(400, 'api.channel.delete_channel.deleted.app_error', 'The channel is already archived.');
    channel.delete_at = channel.update_at = world.now();
    return statusOk();
  }));
}
