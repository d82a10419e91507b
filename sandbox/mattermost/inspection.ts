/**
 * The Mattermost sandbox's inspection: what GET /_sandbox/state shows (member usernames instead of ids, files as
 * metadata, open websockets), and its sandbox-only routes under /_sandbox (drop every websocket, seed posts in bulk).
 */
import type { Router } from 'express';
import { sendJson } from '../sandbox-server.js';
import { param } from './http.js';
import { copy } from './ids.js';
import { seedOptions, seedPosts } from './seed-posts.js';
import { allSidebars } from './sidebar.js';
import type { MattermostWorld } from './state.js';

export function inspectionState(world: MattermostWorld): unknown {
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
    categories: allSidebars(world).map(copy),
    dialogs: copy(world.dialogs),
    executedCommands: copy(world.commands),
    ephemeralPosts: copy(world.ephemeralPosts),
    // Metadata only: the bytes are at GET /api/v4/files/{id} (or fileContent() in tests).
    files: [...world.files.values()].map((file) => copy(file.info)),
    websocketConnections: world.events.openConnections,
    enableOAuthServiceProvider: world.enableOAuthServiceProvider,
    // Secrets stay out of an unauthenticated page; GET /api/v4/oauth/apps/{id} shows them to a system admin.
    oauthApps: [...world.oauthApps.values()].map((app) => ({ ...copy(app), client_secret: '[redacted]' })),
    pendingAuthCodes: world.authCodes.size,
  };
}

/** The sandbox-only routes, mounted under /_sandbox. */
export function registerInspectionRoutes(router: Router, world: MattermostWorld): void {
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
}
