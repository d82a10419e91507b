/**
 * What integrations call: open an interactive dialog, execute a slash command, post an ephemeral message. The sandbox
 * records each (dialogs(), executedCommands(), ephemeralPosts()) instead of showing it to anyone; an ephemeral post
 * also goes to its user's websocket as ephemeral_message.
 */
import type { Router } from 'express';
import { apiError, forbidden, invalidBodyParam } from './errors.js';
import { API, bodyObject, created, ok, optionalString, route, statusOk } from './http.js';
import { copy, isRecord, isValidId, newMattermostId } from './ids.js';
import type { MattermostWorld } from './state.js';
import { dialogProblem } from './validation.js';

export function registerCommandRoutes(router: Router, world: MattermostWorld): void {
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
