/**
 * Sidebar categories routes (/users/{user_id}/teams/{team_id}/channels/categories): read the sidebar, create a custom
 * category, update one or many (moving channels between them), delete a custom one. Only the user or a system admin
 * may touch a sidebar; the sidebar itself is in sidebar.ts.
 */
import type { Request, Router } from 'express';
import { apiError, categoryNotFound, invalidBodyParam } from './errors.js';
import { API, bodyArray, idParam, ok, optionalBoolean, optionalString, param, route, stringArray, userIdParam } from './http.js';
import { copy, isRecord, newMattermostId } from './ids.js';
import { filterChannelIds, placeChannels, sidebarOf } from './sidebar.js';
import type { MattermostWorld } from './state.js';
import type { SandboxCategory, SandboxCategorySorting, SandboxUserProfile } from './types.js';

const CATEGORY_SORTINGS: readonly SandboxCategorySorting[] = ['', 'alpha', 'recent', 'manual'];

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
  return { userId, teamId, categories: sidebarOf(world, userId, teamId) };
}

/** Moves those of the channels that the user is in (in this team) into the category, out of every other one. */
function moveChannels(world: MattermostWorld, scope: SidebarScope, category: SandboxCategory, channelIds: string[]): void {
  placeChannels(scope.categories, category, filterChannelIds(world, scope.userId, scope.teamId, channelIds));
}

/** The body's user_id and team_id must name the sidebar in the path. */
function categoryBody(value: unknown, scope: SidebarScope): Record<string, unknown> {
  if (!isRecord(value) || value.user_id !== scope.userId || value.team_id !== scope.teamId) throw invalidBodyParam('category');
  return value;
}

function updateCategory(world: MattermostWorld, scope: SidebarScope, categoryId: string, body: Record<string, unknown>): SandboxCategory {
  const category = scope.categories.find((candidate) => candidate.id === categoryId);
  if (!category) throw categoryNotFound();
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
  if (channelIds) moveChannels(world, scope, category, channelIds);
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
  moveChannels(world, scope, category, stringArray(body.channel_ids ?? [], 'channel_ids'));
  return category;
}

export function registerCategoryRoutes(router: Router, world: MattermostWorld): void {
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
      if (!scope.categories.some((category) => category.id === body.id)) throw categoryNotFound();
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
    if (index === -1) throw categoryNotFound();
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
