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
 * The websocket at /api/v4/websocket (websocket.ts) sends posted, user_added, user_removed and ephemeral_message events
 * for what happens through the REST routes (not for seed-posts). Sandbox-only: POST /_sandbox/websocket/drop closes
 * every websocket with 1001, so a test can watch a client reconnect; GET /_sandbox/state counts the open ones under
 * "websocketConnections".
 *
 * User groups (custom groups, a licensed feature) are seeded from the options: GET /groups (q, paging,
 * include_member_count, filter_has_member), GET /groups/{id}, GET /groups/{id}/stats, GET /users?in_group={id} (paged) and
 * GET /users/{id}/groups. With `groupsEnabled: false` every one of them answers 501, as an unlicensed server does.
 *
 * Sign-in with Mattermost (Mattermost as OAuth 2.0 provider): OAuth apps at /api/v4/oauth/apps, the setting
 * ServiceSettings.EnableOAuthServiceProvider at GET /config and PUT /config/patch (oauth.ts), GET /oauth/authorize and
 * POST /oauth/access_token (oauth-flow.ts). createSandboxSignInApp makes the app `npm start` signs people in with.
 *
 * This module is the entry: the factory and the handle tests inspect the sandbox through. The state is in state.ts, the
 * routes one module per resource (users, teams, groups, channels, members, posts, files, categories, commands), put
 * together in router.ts.
 */
import { SandboxServer } from '../sandbox-server.js';
import { appErrorBody, GENERIC_ERROR_IDS } from './errors.js';
import { copy } from './ids.js';
import { inspectionState, registerInspectionRoutes } from './inspection.js';
import { registerRoutes } from './router.js';
import { seedPosts } from './seed-posts.js';
import { sidebarOf } from './sidebar.js';
import { MattermostWorld } from './state.js';
import type { MattermostSandbox, MattermostSandboxOptions } from './types.js';

export { newMattermostId } from './ids.js';
export type * from './types.js';

export function createMattermostSandbox(options: MattermostSandboxOptions = {}): MattermostSandbox {
  const world = new MattermostWorld(options);
  const server = new SandboxServer({
    name: 'mattermost',
    errorBody: (status, message) => appErrorBody(status, GENERIC_ERROR_IDS[status] ?? 'api.context.app_error', message),
    upgrade: world.events,
    routes: (router) => registerRoutes(router, world),
    inspectionRoutes: (router) => registerInspectionRoutes(router, world),
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
      return sidebarOf(world, userId, teamId).map(copy);
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

/**
 * Makes a trusted OAuth app on a running Mattermost sandbox for sign-in with Mattermost (what `npm start` does for
 * `<API>/app/auth/callback`), through the REST API as a system admin would, and answers its id and secret. The sandbox
 * keeps OAuth apps across reset, so the app stays valid while the sandbox runs.
 */
export async function createSandboxSignInApp(
  sandboxUrl: string,
  callbackUrl: string,
  adminToken = 'mm-bot-token',
): Promise<{ clientId: string; clientSecret: string }> {
  const response = await fetch(`${sandboxUrl.replace(/\/+$/, '')}/api/v4/oauth/apps`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${adminToken}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({
      name: 'Incident Collaboration',
      description: 'Sign-in for the incident web app',
      homepage: new URL('/app/', callbackUrl).toString(),
      callback_urls: [callbackUrl],
      is_trusted: true,
    }),
  });
  const body = (await response.json()) as { id?: string; client_secret?: string; message?: string };
  if (response.status !== 201 || !body.id || !body.client_secret) {
    throw new Error(`the Mattermost sandbox refused the sign-in app (${response.status}: ${body.message ?? 'no message'})`);
  }
  return { clientId: body.id, clientSecret: body.client_secret };
}
