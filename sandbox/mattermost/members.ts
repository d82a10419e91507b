/**
 * Channel members: add one (`user_id`) or, from Mattermost 9.11, many (`user_ids`), list them paged, read one, remove
 * one. Joins and removals go to the websocket as user_added and user_removed.
 */
import type { Router } from 'express';
import { channelParam, readableChannelParam } from './channels.js';
import { apiError, invalidBodyField, memberNotFound } from './errors.js';
import { API, bodyObject, created, ok, optionalString, pageOf, paging, route, statusOk, stringArray, userIdParam } from './http.js';
import { copy, isValidId } from './ids.js';
import type { MattermostWorld } from './state.js';
import type { SandboxChannel, SandboxUserProfile } from './types.js';

/** Adding someone else needs membership (or admin); anyone may add themselves to a public channel. */
function requireMayAdd(world: MattermostWorld, channel: SandboxChannel, userIds: string[], session: SandboxUserProfile): void {
  const joiningPublic = channel.type === 'O' && userIds.every((id) => id === session.id);
  if (!joiningPublic) world.requireMemberOrAdmin(channel, session);
}

export function registerMemberRoutes(router: Router, world: MattermostWorld): void {
  router.post(`${API}/channels/:channel_id/members`, route(world, (req, session) => {
    const channel = channelParam(world, req);
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
    const channel = readableChannelParam(world, req, session);
    const { page, perPage } = paging(req);
    return ok(pageOf(world.memberList(channel.id), page, perPage).map(copy));
  }));
  router.get(`${API}/channels/:channel_id/members/:user_id`, route(world, (req, session) => {
    const channel = readableChannelParam(world, req, session);
    const member = world.memberships.get(channel.id)?.get(userIdParam(req, session));
    if (!member) throw memberNotFound();
    return ok(copy(member));
  }));
  router.delete(`${API}/channels/:channel_id/members/:user_id`, route(world, (req, session) => {
    const channel = channelParam(world, req);
    const userId = userIdParam(req, session);
    if (userId !== session.id) world.requireMemberOrAdmin(channel, session);
    if (!world.memberships.get(channel.id)?.delete(userId)) throw memberNotFound();
    world.events.userRemoved(channel, userId, session.id);
    return statusOk();
  }));
}
